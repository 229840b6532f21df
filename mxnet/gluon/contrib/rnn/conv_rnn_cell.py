"""Convolutional recurrent cells (Conv{1,2,3}D{RNN,LSTM,GRU}Cell): the dense projections of the classic
cells are replaced by convolutions, so states keep the spatial layout of the input."""
from ....base import numeric_types
from ...rnn import HybridRecurrentCell

__all__ = ["Conv1DRNNCell", "Conv2DRNNCell", "Conv3DRNNCell", "Conv1DLSTMCell", "Conv2DLSTMCell",
           "Conv3DLSTMCell", "Conv1DGRUCell", "Conv2DGRUCell", "Conv3DGRUCell"]


def _tuple(spec, dims):
    return (spec,) * dims if isinstance(spec, numeric_types) else tuple(spec)


class _BaseConvRNNCell(HybridRecurrentCell):
    """Shared parameters and convolutions; ``input_shape`` excludes the batch axis."""

    _gate_names = ("",)

    def __init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad, i2h_dilate, h2h_dilate,
                 i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer, h2h_bias_initializer,
                 dims, conv_layout, activation, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._hidden_channels = hidden_channels
        self._input_shape = input_shape
        self._conv_layout = conv_layout
        self._activation = activation
        specs = [i2h_kernel, i2h_pad, i2h_dilate, h2h_kernel, h2h_dilate]
        assert all(isinstance(s, int) or len(s) == dims for s in specs), \
            "For {dims}D convolution, the convolution settings can only be either int or list/tuple of " \
            "length {dims}".format(dims=dims)
        self._i2h_kernel = _tuple(i2h_kernel, dims)
        self._stride = (1,) * dims
        self._i2h_pad = _tuple(i2h_pad, dims)
        self._i2h_dilate = _tuple(i2h_dilate, dims)
        self._h2h_kernel = _tuple(h2h_kernel, dims)
        # odd kernels let "same" padding keep the state's spatial size
        assert all(k % 2 == 1 for k in self._h2h_kernel), "Only support odd number, get h2h_kernel= %s" % str(
            h2h_kernel)
        self._h2h_dilate = _tuple(h2h_dilate, dims)
        self._h2h_pad = tuple(d * (k - 1) // 2 for d, k in zip(self._h2h_dilate, self._h2h_kernel))
        self._channel_axis = conv_layout.find("C")
        channels_first = self._channel_axis == 1
        self._in_channels = input_shape[self._channel_axis - 1]
        spatial = tuple(input_shape[1:] if channels_first else input_shape[:-1])
        out_size = tuple(x + 2 * p - d * (k - 1) if x else 0
                         for x, k, p, d in zip(spatial, self._i2h_kernel, self._i2h_pad, self._i2h_dilate))
        total = hidden_channels * len(self._gate_names)
        if channels_first:
            i2h_shape = (total, self._in_channels) + self._i2h_kernel
            h2h_shape = (total, hidden_channels) + self._h2h_kernel
            self._state_shape = (hidden_channels,) + out_size
        else:
            i2h_shape = (total,) + self._i2h_kernel + (self._in_channels,)
            h2h_shape = (total,) + self._h2h_kernel + (hidden_channels,)
            self._state_shape = out_size + (hidden_channels,)
        self.i2h_weight = self.params.get("i2h_weight", shape=i2h_shape, init=i2h_weight_initializer,
                                          allow_deferred_init=True)
        self.h2h_weight = self.params.get("h2h_weight", shape=h2h_shape, init=h2h_weight_initializer,
                                          allow_deferred_init=True)
        self.i2h_bias = self.params.get("i2h_bias", shape=(total,), init=i2h_bias_initializer,
                                        allow_deferred_init=True)
        self.h2h_bias = self.params.get("h2h_bias", shape=(total,), init=h2h_bias_initializer,
                                        allow_deferred_init=True)

    def __repr__(self):
        shape = self.i2h_weight.shape
        in_channels = shape[1 if self._channel_axis == 1 else -1]
        return "{}({} -> {}, {}, {})".format(type(self).__name__, in_channels if in_channels else None, shape[0],
                                             self._activation, self._conv_layout)

    def state_info(self, batch_size=0):
        info = {"shape": (batch_size,) + self._state_shape, "__layout__": self._conv_layout}
        return [dict(info) for _ in range(self._num_states)]

    def _conv_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias, prefix):
        n = self._hidden_channels * len(self._gate_names)
        i2h = F.Convolution(inputs, i2h_weight, i2h_bias, num_filter=n, kernel=self._i2h_kernel,
                            stride=self._stride, pad=self._i2h_pad, dilate=self._i2h_dilate,
                            layout=self._conv_layout, name=prefix + "i2h")
        h2h = F.Convolution(states[0], h2h_weight, h2h_bias, num_filter=n, kernel=self._h2h_kernel,
                            stride=self._stride, pad=self._h2h_pad, dilate=self._h2h_dilate,
                            layout=self._conv_layout, name=prefix + "h2h")
        return i2h, h2h


class _ConvRNNCell(_BaseConvRNNCell):
    _num_states = 1

    def _alias(self):
        return "conv_rnn"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        # nodes are named per step (t<k>_...), so unrolled graphs name outputs t<k>_out_output
        prefix = f"t{self._counter}_"
        i2h, h2h = self._conv_forward(F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias, prefix)
        out = self._get_activation(F, i2h + h2h, self._activation, name=prefix + "out")
        return out, [out]


class _ConvLSTMCell(_BaseConvRNNCell):
    _gate_names = ("_i", "_f", "_c", "_o")
    _num_states = 2

    def _alias(self):
        return "conv_lstm"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix = f"t{self._counter}_"
        i2h, h2h = self._conv_forward(F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias, prefix)
        i, f, c, o = F.SliceChannel(i2h + h2h, num_outputs=4, axis=self._channel_axis, name=prefix + "slice")
        in_gate = F.Activation(i, act_type="sigmoid", name=prefix + "i")
        forget_gate = F.Activation(f, act_type="sigmoid", name=prefix + "f")
        in_transform = self._get_activation(F, c, self._activation, name=prefix + "c")
        out_gate = F.Activation(o, act_type="sigmoid", name=prefix + "o")
        next_c = F.elemwise_add(forget_gate * states[1], in_gate * in_transform, name=prefix + "state")
        next_h = F.elemwise_mul(out_gate, self._get_activation(F, next_c, self._activation),
                                name=prefix + "out")
        return next_h, [next_h, next_c]


class _ConvGRUCell(_BaseConvRNNCell):
    _gate_names = ("_r", "_z", "_o")
    _num_states = 1

    def _alias(self):
        return "conv_gru"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix = f"t{self._counter}_"
        i2h, h2h = self._conv_forward(F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias, prefix)
        i2h_r, i2h_z, i2h = F.SliceChannel(i2h, num_outputs=3, axis=self._channel_axis,
                                           name=prefix + "i2h_slice")
        h2h_r, h2h_z, h2h = F.SliceChannel(h2h, num_outputs=3, axis=self._channel_axis,
                                           name=prefix + "h2h_slice")
        reset = F.Activation(i2h_r + h2h_r, act_type="sigmoid", name=prefix + "r_act")
        update = F.Activation(i2h_z + h2h_z, act_type="sigmoid", name=prefix + "z_act")
        cand = self._get_activation(F, i2h + reset * h2h, self._activation, name=prefix + "h_act")
        next_h = F.elemwise_add((1.0 - update) * cand, update * states[0], name=prefix + "out")
        return next_h, [next_h]


def _cell_class(base, dims, layout, kind, doc):
    """The public ``Conv{dims}D{kind}Cell``: ``base`` with MXNet's signature and defaults for
    ``dims`` spatial axes (default layout ``layout``)."""
    zeros, ones = (0,) * dims, (1,) * dims

    def __init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad=zeros, i2h_dilate=ones,
                 h2h_dilate=ones, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", conv_layout=layout,
                 activation="tanh", prefix=None, params=None):
        base.__init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad, i2h_dilate,
                      h2h_dilate, i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                      h2h_bias_initializer, dims, conv_layout, activation, prefix, params)

    name = f"Conv{dims}D{kind}Cell"
    __init__.__qualname__ = f"{name}.__init__"
    cls = type(name, (base,), {"__init__": __init__, "__module__": __name__,
                               "__doc__": f"{dims}D convolutional {doc} cell (layout {layout} or channels-last)."})
    cls.__qualname__ = name
    return cls


_LAYOUTS = {1: "NCW", 2: "NCHW", 3: "NCDHW"}
Conv1DRNNCell, Conv2DRNNCell, Conv3DRNNCell = (_cell_class(_ConvRNNCell, d, _LAYOUTS[d], "RNN", "Elman")
                                               for d in (1, 2, 3))
Conv1DLSTMCell, Conv2DLSTMCell, Conv3DLSTMCell = (_cell_class(_ConvLSTMCell, d, _LAYOUTS[d], "LSTM", "LSTM")
                                                  for d in (1, 2, 3))
Conv1DGRUCell, Conv2DGRUCell, Conv3DGRUCell = (_cell_class(_ConvGRUCell, d, _LAYOUTS[d], "GRU", "GRU")
                                               for d in (1, 2, 3))
