"""DeformableConvolution and ModulatedDeformableConvolution blocks.

A regular convolution predicts per-tap offsets (and, for the modulated block, masks) from the input;
the deformable convolution operator then samples the input at the shifted taps.
"""
from ....base import numeric_types
from ....ops import contrib_deform  # noqa: F401  (registers the operators)
from ...block import HybridBlock
from ...nn import Activation

__all__ = ["DeformableConvolution", "ModulatedDeformableConvolution"]


class _DeformableBase(HybridBlock):
    _mask_factor = 0  # mask channels per tap and deformable group predicted on top of the 2 offsets

    def __init__(self, channels, kernel_size, strides, padding, dilation, groups, num_deformable_group, layout,
                 use_bias, in_channels, activation, weight_initializer, bias_initializer,
                 offset_weight_initializer, offset_bias_initializer, offset_use_bias, op_name, adj, prefix,
                 params):
        super().__init__(prefix=prefix, params=params)
        with self.name_scope():
            self._channels = channels
            self._in_channels = in_channels
            assert layout in ("NCHW", "NHWC"), "Only supports 'NCHW' and 'NHWC' layout for now"
            if isinstance(kernel_size, numeric_types):
                kernel_size = (kernel_size,) * 2
            nk = len(kernel_size)
            strides = (strides,) * nk if isinstance(strides, numeric_types) else strides
            padding = (padding,) * nk if isinstance(padding, numeric_types) else padding
            dilation = (dilation,) * nk if isinstance(dilation, numeric_types) else dilation
            self._op_name = op_name
            taps = kernel_size[0] * kernel_size[1] * num_deformable_group
            self.offset_split_index = 2 * taps
            common = {"kernel": kernel_size, "stride": strides, "dilate": dilation, "pad": padding,
                      "num_group": groups, "layout": layout}
            self._kwargs_offset = dict(common, num_filter=(2 + self._mask_factor) * taps,
                                       no_bias=not offset_use_bias)
            self._kwargs_deformable_conv = dict(common, num_filter=channels,
                                                num_deformable_group=num_deformable_group, no_bias=not use_bias)
            if adj:
                self._kwargs_offset["adj"] = adj
                self._kwargs_deformable_conv["adj"] = adj
            cin = in_channels // groups if in_channels else 0
            kernel_size = tuple(kernel_size)
            off_ch = self._kwargs_offset["num_filter"]

            def offset_params():
                self.offset_weight = self.params.get("offset_weight", shape=(off_ch, cin) + kernel_size,
                                                     init=offset_weight_initializer, allow_deferred_init=True)
                self.offset_bias = self.params.get(
                    "offset_bias", shape=(off_ch,), init=offset_bias_initializer,
                    allow_deferred_init=True) if offset_use_bias else None

            def conv_params():
                # MXNet leaves the input-channel axis to shape inference even when in_channels is given
                self.deformable_conv_weight = self.params.get(
                    "deformable_conv_weight", shape=(channels, 0) + kernel_size, init=weight_initializer,
                    allow_deferred_init=True)
                self.deformable_conv_bias = self.params.get(
                    "deformable_conv_bias", shape=(channels,), init=bias_initializer,
                    allow_deferred_init=True) if use_bias else None

            # parameter creation order (hence collect_params order) differs between the two blocks in MXNet
            for make in ((conv_params, offset_params) if self._mask_factor else (offset_params, conv_params)):
                make()
            self.act = Activation(activation, prefix=activation + "_") if activation else None

    def infer_shape(self, x, *args):
        cin = x.shape[self._kwargs_offset["layout"].find("C")] // self._kwargs_offset["num_group"]
        for p in (self.offset_weight, self.deformable_conv_weight):
            p.shape = (p.shape[0], cin) + p.shape[2:]

    def _offsets(self, F, x, offset_weight, offset_bias):
        if offset_bias is None:
            return F.Convolution(x, offset_weight, cudnn_off=True, **self._kwargs_offset)
        return F.Convolution(x, offset_weight, offset_bias, cudnn_off=True, **self._kwargs_offset)

    def __repr__(self):
        kw = self._kwargs_deformable_conv
        nk = len(kw["kernel"])
        s = "{name}({mapping}, kernel_size={kernel}, stride={stride}"
        if kw["pad"] != (0,) * nk:
            s += ", padding={pad}"
        if kw["dilate"] != (1,) * nk:
            s += ", dilation={dilate}"
        if kw["num_group"] != 1:
            s += ", groups={num_group}"
        if self.deformable_conv_bias is None:
            s += ", bias=False"
        if self.act:
            s += ", {}".format(self.act)
        s += ")"
        shape = self.deformable_conv_weight.shape
        return s.format(name=type(self).__name__, mapping="{0} -> {1}".format(shape[1] if shape[1] else None,
                                                                             shape[0]), **kw)


class DeformableConvolution(_DeformableBase):
    """2-D deformable convolution (Dai et al., 2017); offsets come from a zero-initialised convolution.

    Parameters: ``offset_weight``/``offset_bias`` (the offset predictor) and
    ``deformable_conv_weight``/``deformable_conv_bias``.
    """

    def __init__(self, channels, kernel_size=(1, 1), strides=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1,
                 num_deformable_group=1, layout="NCHW", use_bias=True, in_channels=0, activation=None,
                 weight_initializer=None, bias_initializer="zeros", offset_weight_initializer="zeros",
                 offset_bias_initializer="zeros", offset_use_bias=True, op_name="DeformableConvolution",
                 adj=None, prefix=None, params=None):
        super().__init__(channels, kernel_size, strides, padding, dilation, groups, num_deformable_group, layout,
                         use_bias, in_channels, activation, weight_initializer, bias_initializer,
                         offset_weight_initializer, offset_bias_initializer, offset_use_bias, op_name, adj,
                         prefix, params)

    def _alias(self):
        return "deformable_conv"

    def hybrid_forward(self, F, x, offset_weight, deformable_conv_weight, offset_bias=None,
                       deformable_conv_bias=None):
        offset = self._offsets(F, x, offset_weight, offset_bias)
        args = [x, offset, deformable_conv_weight] + ([] if deformable_conv_bias is None else [deformable_conv_bias])
        out = F.contrib.DeformableConvolution(*args, **self._kwargs_deformable_conv)
        return self.act(out) if self.act else out


class ModulatedDeformableConvolution(_DeformableBase):
    """Modulated deformable convolution (DCNv2): the offset convolution also predicts per-tap masks,
    applied as ``2 * sigmoid(m)``."""

    _mask_factor = 1

    def __init__(self, channels, kernel_size=(1, 1), strides=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1,
                 num_deformable_group=1, layout="NCHW", use_bias=True, in_channels=0, activation=None,
                 weight_initializer=None, bias_initializer="zeros", offset_weight_initializer="zeros",
                 offset_bias_initializer="zeros", offset_use_bias=True, op_name="ModulatedDeformableConvolution",
                 adj=None, prefix=None, params=None):
        super().__init__(channels, kernel_size, strides, padding, dilation, groups, num_deformable_group, layout,
                         use_bias, in_channels, activation, weight_initializer, bias_initializer,
                         offset_weight_initializer, offset_bias_initializer, offset_use_bias, op_name, adj,
                         prefix, params)

    def _alias(self):
        return "modulated_deformable_conv"

    # MXNet 1.9.1 gives this block no repr of its own
    __repr__ = HybridBlock.__repr__

    def hybrid_forward(self, F, x, offset_weight, deformable_conv_weight, offset_bias=None,
                       deformable_conv_bias=None):
        offset = self._offsets(F, x, offset_weight, offset_bias)
        offset_t = F.slice_axis(offset, axis=1, begin=0, end=self.offset_split_index)
        mask = F.sigmoid(F.slice_axis(offset, axis=1, begin=self.offset_split_index, end=None)) * 2
        args = [x, offset_t, mask, deformable_conv_weight]
        if deformable_conv_bias is not None:
            args.append(deformable_conv_bias)
        out = F.contrib.ModulatedDeformableConvolution(*args, **self._kwargs_deformable_conv)
        return self.act(out) if self.act else out
