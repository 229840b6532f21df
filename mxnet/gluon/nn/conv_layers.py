"""Convolution, transposed convolution, pooling and padding layers."""
from ..block import HybridBlock
from .activations import Activation


def _tuple(v, n):
    if isinstance(v, int):
        return (v,) * n
    v = tuple(v)
    if len(v) != n:
        raise ValueError(f"expected an int or a tuple of {n} ints, got {v}")
    return v


class _Conv(HybridBlock):
    """Shared implementation of Conv*D and Conv*DTranspose."""

    def __init__(self, channels, kernel_size, strides, padding, dilation, groups, layout, in_channels=0,
                 activation=None, use_bias=True, weight_initializer=None, bias_initializer="zeros",
                 op_name="Convolution", adj=None, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        with self.name_scope():
            self._channels = channels
            self._in_channels = in_channels
            self._kwargs = {"kernel": kernel_size, "stride": strides, "dilate": dilation, "pad": padding,
                            "num_filter": channels, "num_group": groups, "no_bias": not use_bias,
                            "layout": layout}
            if adj is not None:
                self._kwargs["adj"] = adj
            self._op_name = op_name
            self._layout = layout
            self._groups = groups
            wshape = self._weight_shape(in_channels, kernel_size)
            self.weight = self.params.get("weight", shape=wshape, init=weight_initializer,
                                          allow_deferred_init=True)
            if use_bias:
                self.bias = self.params.get("bias", shape=(channels,), init=bias_initializer,
                                            allow_deferred_init=True)
            else:
                self.bias = None
            if activation is not None:
                self.act = Activation(activation, prefix=activation + "_")
            else:
                self.act = None

    def _weight_shape(self, in_channels, kernel):
        c_axis = self._layout.find("C")
        if self._op_name == "Convolution":
            # (out, in/groups, *kernel) in the layout's spatial order
            shape = [0] * (len(kernel) + 2)
            shape[0] = self._channels
            shape[c_axis] = in_channels // self._groups if in_channels else 0
            spatial = [i for i in range(len(shape)) if i not in (0, c_axis)]
            for i, k in zip(spatial, kernel):
                shape[i] = k
            return tuple(shape)
        return (in_channels, self._channels // self._groups) + tuple(kernel)

    def infer_shape(self, x, *args):
        c = x.shape[self._layout.find("C")]
        self.weight.shape = self._weight_shape(c, self._kwargs["kernel"])

    def hybrid_forward(self, F, x, weight, bias=None):
        op = getattr(F, self._op_name)
        if bias is None:
            act = op(x, weight, name="fwd", **self._kwargs)
        else:
            act = op(x, weight, bias, name="fwd", **self._kwargs)
        if self.act is not None:
            act = self.act(act)
        return act

    def _alias(self):
        return "conv"

    def __repr__(self):
        s = "{name}({mapping}, kernel_size={kernel}, stride={stride}"
        len_kernel_size = len(self._kwargs["kernel"])
        if self._kwargs["pad"] != (0,) * len_kernel_size:
            s += ", padding={pad}"
        if self._kwargs["dilate"] != (1,) * len_kernel_size:
            s += ", dilation={dilate}"
        if hasattr(self, "out_pad") and self.out_pad != (0,) * len_kernel_size:
            s += ", output_padding={out_pad}".format(out_pad=self.out_pad)
        if self._kwargs["num_group"] != 1:
            s += ", groups={num_group}"
        if self.bias is None:
            s += ", bias=False"
        if self.act:
            s += ", {}".format(self.act)
        s += ")"
        shape = self.weight.shape
        if self._op_name == "Convolution":
            mapping = f"{shape[1] if shape[1] else None} -> {shape[0]}"
        else:
            # MXNet prints channels -> in_channels for transposed convolutions
            mapping = f"{self._channels} -> {shape[0] if shape[0] else 0}"
        return s.format(name=self.__class__.__name__, mapping=mapping, **self._kwargs)


def _make_conv(n, layout_default, transpose=False):
    if not transpose:
        def __init__(self, channels, kernel_size, strides=(1,) * n if n > 1 else 1, padding=(0,) * n if n > 1
                     else 0, dilation=(1,) * n if n > 1 else 1, groups=1, layout=layout_default,
                     activation=None, use_bias=True, weight_initializer=None, bias_initializer="zeros",
                     in_channels=0, **kwargs):
            if layout not in _LAYOUTS[n]:
                raise AssertionError(f"Only supports {', '.join(_LAYOUTS[n])} layout for now")
            _Conv.__init__(self, channels, _tuple(kernel_size, n), _tuple(strides, n), _tuple(padding, n),
                           _tuple(dilation, n), groups, layout, in_channels, activation, use_bias,
                           weight_initializer, bias_initializer, **kwargs)
    else:
        def __init__(self, channels, kernel_size, strides=(1,) * n if n > 1 else 1, padding=(0,) * n if n > 1
                     else 0, output_padding=(0,) * n if n > 1 else 0, dilation=(1,) * n if n > 1 else 1,
                     groups=1, layout=layout_default, activation=None, use_bias=True,
                     weight_initializer=None, bias_initializer="zeros", in_channels=0, **kwargs):
            if layout not in _LAYOUTS[n]:
                raise AssertionError(f"Only supports {', '.join(_LAYOUTS[n])} layout for now")
            out_pad = _tuple(output_padding, n)
            _Conv.__init__(self, channels, _tuple(kernel_size, n), _tuple(strides, n), _tuple(padding, n),
                           _tuple(dilation, n), groups, layout, in_channels, activation, use_bias,
                           weight_initializer, bias_initializer, op_name="Deconvolution", adj=out_pad,
                           **kwargs)
            self.outpad = out_pad
    return __init__


_LAYOUTS = {1: ("NCW", "NWC"), 2: ("NCHW", "NHWC"), 3: ("NCDHW", "NDHWC")}


class Conv1D(_Conv):
    """1-D convolution over (N, C, W) input."""
    __init__ = _make_conv(1, "NCW")


class Conv2D(_Conv):
    """2-D convolution over (N, C, H, W) input."""
    __init__ = _make_conv(2, "NCHW")


class Conv3D(_Conv):
    """3-D convolution over (N, C, D, H, W) input."""
    __init__ = _make_conv(3, "NCDHW")


class Conv1DTranspose(_Conv):
    """1-D transposed convolution."""
    __init__ = _make_conv(1, "NCW", True)


class Conv2DTranspose(_Conv):
    """2-D transposed convolution."""
    __init__ = _make_conv(2, "NCHW", True)


class Conv3DTranspose(_Conv):
    """3-D transposed convolution."""
    __init__ = _make_conv(3, "NCDHW", True)


class _Pooling(HybridBlock):
    """Shared implementation of the pooling layers."""

    def __init__(self, pool_size, strides, padding, ceil_mode, global_pool, pool_type, layout,
                 count_include_pad=None, **kwargs):
        super().__init__(**kwargs)
        if strides is None:
            strides = pool_size
        n = len(pool_size)
        self._kwargs = {"kernel": pool_size, "stride": _tuple(strides, n), "pad": _tuple(padding, n),
                        "global_pool": global_pool, "pool_type": pool_type, "layout": layout,
                        "pooling_convention": "full" if ceil_mode else "valid"}
        if count_include_pad is not None:
            self._kwargs["count_include_pad"] = count_include_pad

    def _alias(self):
        return "pool"

    def hybrid_forward(self, F, x):
        return F.Pooling(x, name="fwd", **self._kwargs)

    def __repr__(self):
        s = "{name}(size={kernel}, stride={stride}, padding={pad}, ceil_mode={ceil_mode}"
        s += ", global_pool={global_pool}, pool_type={pool_type}, layout={layout})"
        return s.format(name=self.__class__.__name__,
                        ceil_mode=self._kwargs["pooling_convention"] == "full", **self._kwargs)


def _make_pool(n, layout_default, pool_type, with_count=False):
    if with_count:
        def __init__(self, pool_size=(2,) * n if n > 1 else 2, strides=None, padding=0, ceil_mode=False,
                     layout=layout_default, count_include_pad=True, **kwargs):
            if layout not in _LAYOUTS[n]:
                raise AssertionError(f"Only supports {', '.join(_LAYOUTS[n])} layout for now")
            _Pooling.__init__(self, _tuple(pool_size, n), strides, padding, ceil_mode, False, pool_type,
                              layout, count_include_pad, **kwargs)
    else:
        def __init__(self, pool_size=(2,) * n if n > 1 else 2, strides=None, padding=0,
                     layout=layout_default, ceil_mode=False, **kwargs):
            if layout not in _LAYOUTS[n]:
                raise AssertionError(f"Only supports {', '.join(_LAYOUTS[n])} layout for now")
            _Pooling.__init__(self, _tuple(pool_size, n), strides, padding, ceil_mode, False, pool_type,
                              layout, **kwargs)
    return __init__


def _make_global_pool(n, layout_default, pool_type):
    def __init__(self, layout=layout_default, **kwargs):
        if layout not in _LAYOUTS[n]:
            raise AssertionError(f"Only supports {', '.join(_LAYOUTS[n])} layout for now")
        _Pooling.__init__(self, (1,) * n, None, 0, True, True, pool_type, layout, **kwargs)
    return __init__


class MaxPool1D(_Pooling):
    """1-D max pooling."""
    __init__ = _make_pool(1, "NCW", "max")


class MaxPool2D(_Pooling):
    """2-D max pooling."""
    __init__ = _make_pool(2, "NCHW", "max")


class MaxPool3D(_Pooling):
    """3-D max pooling."""
    __init__ = _make_pool(3, "NCDHW", "max")


class AvgPool1D(_Pooling):
    """1-D average pooling."""
    __init__ = _make_pool(1, "NCW", "avg", True)


class AvgPool2D(_Pooling):
    """2-D average pooling."""
    __init__ = _make_pool(2, "NCHW", "avg", True)


class AvgPool3D(_Pooling):
    """3-D average pooling."""
    __init__ = _make_pool(3, "NCDHW", "avg", True)


class GlobalMaxPool1D(_Pooling):
    """Global max pooling over W."""
    __init__ = _make_global_pool(1, "NCW", "max")


class GlobalMaxPool2D(_Pooling):
    """Global max pooling over H, W."""
    __init__ = _make_global_pool(2, "NCHW", "max")


class GlobalMaxPool3D(_Pooling):
    """Global max pooling over D, H, W."""
    __init__ = _make_global_pool(3, "NCDHW", "max")


class GlobalAvgPool1D(_Pooling):
    """Global average pooling over W."""
    __init__ = _make_global_pool(1, "NCW", "avg")


class GlobalAvgPool2D(_Pooling):
    """Global average pooling over H, W."""
    __init__ = _make_global_pool(2, "NCHW", "avg")


class GlobalAvgPool3D(_Pooling):
    """Global average pooling over D, H, W."""
    __init__ = _make_global_pool(3, "NCDHW", "avg")


class ReflectionPad2D(HybridBlock):
    """Pads the H and W axes by reflection."""

    def __init__(self, padding=0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, int):
            padding = (0, 0, 0, 0, padding, padding, padding, padding)
        if len(padding) != 8:
            raise AssertionError("padding must be an int or a tuple of 8 ints")
        self._padding = padding

    def hybrid_forward(self, F, x):
        return F.pad(x, mode="reflect", pad_width=self._padding)

    def __repr__(self):
        return f"{self.__class__.__name__}(\n\n)"
