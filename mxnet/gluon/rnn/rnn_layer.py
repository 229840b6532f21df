"""Multi-layer (optionally bidirectional) RNN, LSTM and GRU layers.

As in MXNet, eager calls and hybridized graphs both run the fused ``RNN`` operator over one
packed parameter vector. Parameter names and gate orders equal MXNet's, so its .params files load.
"""
from ... import ndarray as nd
from ...ndarray.ndarray import NDArray
from ..block import HybridBlock

__all__ = ["RNN", "LSTM", "GRU"]

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


class _RNNLayer(HybridBlock):
    """Shared implementation of RNN, LSTM and GRU layers."""

    def __init__(self, hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                 i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer, h2h_bias_initializer,
                 mode, projection_size, dtype, use_sequence_length, h2r_weight_initializer=None,
                 state_clip=(None, None, False), **kwargs):
        super().__init__(**kwargs)
        if layout not in ("TNC", "NTC"):
            raise AssertionError(f"Invalid layout {layout}; must be one of ['TNC' or 'NTC']")
        self._hidden_size = hidden_size
        self._projection_size = projection_size or None
        self._state_clip = state_clip
        self._num_layers = num_layers
        self._mode = mode
        self._layout = layout
        self._dropout = dropout
        self._dir = 2 if bidirectional else 1
        self._input_size = input_size
        self._dtype = dtype
        self._use_sequence_length = use_sequence_length
        self._initializers = (i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                              h2h_bias_initializer)
        self._gates = _GATES[mode]
        ng, nh = self._gates, hidden_size
        # an LSTMP's recurrent state and output are h projected to projection_size
        npj = self._projection_size or nh
        ni = input_size
        for i in range(num_layers):
            for j in ["l", "r"][:self._dir]:
                self._register_param(f"{j}{i}_i2h_weight", (ng * nh, ni), i2h_weight_initializer, dtype)
                self._register_param(f"{j}{i}_h2h_weight", (ng * nh, npj), h2h_weight_initializer, dtype)
                self._register_param(f"{j}{i}_i2h_bias", (ng * nh,), i2h_bias_initializer, dtype)
                self._register_param(f"{j}{i}_h2h_bias", (ng * nh,), h2h_bias_initializer, dtype)
                if self._projection_size:
                    self._register_param(f"{j}{i}_h2r_weight", (npj, nh), h2r_weight_initializer, dtype)
            ni = npj * self._dir

    def _unfuse(self):
        """The same network as a HybridSequentialRNNCell of cells (BidirectionalCells when
        bidirectional, DropoutCells between layers) sharing this layer's parameters."""
        if self._projection_size:
            raise NotImplementedError("_unfuse does not support projection layer yet!")
        if self._state_clip[0] is not None or self._state_clip[1] is not None:
            raise NotImplementedError("_unfuse does not support state clipping yet!")
        from . import rnn_cell
        make = {"rnn_relu": lambda **kw: rnn_cell.RNNCell(self._hidden_size, activation="relu", **kw),
                "rnn_tanh": lambda **kw: rnn_cell.RNNCell(self._hidden_size, activation="tanh", **kw),
                "lstm": lambda **kw: rnn_cell.LSTMCell(self._hidden_size, **kw),
                "gru": lambda **kw: rnn_cell.GRUCell(self._hidden_size, **kw)}[self._mode]
        i2h_w, h2h_w, i2h_b, h2h_b = self._initializers
        stack = rnn_cell.HybridSequentialRNNCell(prefix=self.prefix, params=self.params)
        with stack.name_scope():
            ni = self._input_size
            for i in range(self._num_layers):
                kw = {"input_size": ni, "i2h_weight_initializer": i2h_w, "h2h_weight_initializer": h2h_w,
                      "i2h_bias_initializer": i2h_b, "h2h_bias_initializer": h2h_b}
                if self._dir == 2:
                    stack.add(rnn_cell.BidirectionalCell(make(prefix=f"l{i}_", **kw),
                                                         make(prefix=f"r{i}_", **kw)))
                else:
                    stack.add(make(prefix=f"l{i}_", **kw))
                if self._dropout > 0 and i != self._num_layers - 1:
                    stack.add(rnn_cell.DropoutCell(self._dropout))
                ni = self._hidden_size * self._dir
        return stack

    def cast(self, dtype):
        super().cast(dtype)
        self._dtype = dtype

    def _register_param(self, name, shape, init, dtype):
        p = self.params.get(name, shape=shape, init=init, allow_deferred_init=True, dtype=dtype)
        setattr(self, name, p)

    def _collect_params_with_prefix(self, prefix=""):
        # MXNet names the saved parameters after the equivalent stack of cells
        # ("_unfused.<layer>.[l_cell.|r_cell.]i2h_weight"), so files stay interchangeable.
        if prefix:
            prefix += "."

        def unfused(name):
            d, rest = name[0], name[1:]
            layer, kind = rest.split("_", 1)
            cell = f"{d}_cell." if self._dir == 2 else ""
            return f"{prefix}_unfused.{layer}.{cell}{kind}"
        return {unfused(k): v for k, v in self._reg_params.items()}

    def __repr__(self):
        s = "{name}({mapping}, {_layout}"
        if self._num_layers != 1:
            s += ", num_layers={_num_layers}"
        if self._dropout != 0:
            s += ", dropout={_dropout}"
        if self._dir == 2:
            s += ", bidirectional"
        s += ")"
        shape = self.l0_i2h_weight.shape
        mapping = f"{shape[1] if shape[1] else None} -> {shape[0] // self._gates}"
        return s.format(name=self.__class__.__name__, mapping=mapping, **self.__dict__)

    def infer_shape(self, inputs, *args):
        for j in ["l", "r"][:self._dir]:
            getattr(self, f"{j}0_i2h_weight").shape = (self._gates * self._hidden_size, inputs.shape[2])

    def state_info(self, batch_size=0):
        n = self._num_layers * self._dir
        info = {"shape": (n, batch_size, self._projection_size or self._hidden_size), "__layout__": "LNC",
                "dtype": self._dtype}
        if self._mode != "lstm":
            return [info]
        return [info, dict(info, shape=(n, batch_size, self._hidden_size))]

    def begin_state(self, batch_size=0, func=nd.zeros, **kwargs):
        """Initial states, each of shape (num_layers * directions, batch_size, hidden_size)."""
        states = []
        for i, info in enumerate(self.state_info(batch_size)):
            info.update(kwargs)
            info.pop("__layout__", None)
            if func is nd.zeros or func is nd.ones:
                states.append(func(**{k: v for k, v in info.items() if k in ("shape", "ctx", "dtype")}))
            else:
                states.append(func(name=f"{self.prefix}h0_{i}", **info))
        return states

    def __call__(self, inputs, states=None, sequence_length=None, **kwargs):
        self.skip_states = states is None
        if not isinstance(inputs, NDArray):   # traced by a hybridized parent: shapes unknown
            if states is not None and not isinstance(states, (list, tuple)):
                states = [states]
            if self._use_sequence_length:
                return super().__call__(inputs, states, sequence_length, **kwargs)
            return super().__call__(inputs, states, **kwargs)
        if states is None:
            batch_size = inputs.shape[self._layout.find("N")]
            states = self.begin_state(batch_size, ctx=inputs.context, dtype=inputs.dtype)
        if isinstance(states, NDArray):
            states = [states]
        batch_size = inputs.shape[self._layout.find("N")]
        for state, info in zip(states, self.state_info(batch_size)):
            if state.shape != info["shape"]:
                raise ValueError(f"Invalid recurrent state shape. Expecting {info['shape']}, got "
                                 f"{state.shape}.")
        if self._use_sequence_length:
            return super().__call__(inputs, states, sequence_length, **kwargs)
        return super().__call__(inputs, states, **kwargs)

    def hybrid_forward(self, F, inputs, states, sequence_length=None, **params):
        if self._layout == "NTC":
            inputs = F.swapaxes(inputs, dim1=0, dim2=1)
        if sequence_length is not None and not self._use_sequence_length:
            raise ValueError("sequence_length is given but the layer was built with "
                             "use_sequence_length=False")
        out, states = self._fused_kernel(F, inputs, states, sequence_length, params)
        if self._layout == "NTC":
            out = F.swapaxes(out, dim1=0, dim2=1)
        return out if self.skip_states else (out, states)

    def _fused_kernel(self, F, x, states, sequence_length, params):
        """MXNet's fused RNN operator over the packed parameters (every layer's and direction's
        i2h, h2h (and an LSTMP's h2r) weights, then the i2h and h2h biases in the same order),
        eager and traced alike."""
        dirs = ["l", "r"][:self._dir]
        groups = ("i2h", "h2h", "h2r") if self._projection_size else ("i2h", "h2h")
        names = [f"{j}{i}_{g}_weight" for i in range(self._num_layers) for j in dirs for g in groups]
        names += [f"{j}{i}_{g}_bias" for i in range(self._num_layers) for j in dirs for g in ("i2h", "h2h")]
        flat = F._internal._rnn_param_concat(*[F.reshape(params[n], shape=(-1,)) for n in names], dim=0)
        if states is None or states[0] is None:
            # zeros of shape (layers * directions, batch, state size), built from x's batch axis
            z = F.slice_axis(F.zeros_like(F.sum(x, axis=2, keepdims=True)), axis=0, begin=0, end=1)
            states = [F.broadcast_axis(z, axis=(0, 2), size=(self._num_layers * self._dir, size))
                      for size in (self._projection_size or self._hidden_size, self._hidden_size)]
            states = states if self._mode == "lstm" else states[:1]
        args = [x, flat] + list(states)
        kwargs = {}
        if sequence_length is not None:
            args.append(sequence_length)
            kwargs["use_sequence_length"] = True
        if self._projection_size:
            kwargs["projection_size"] = self._projection_size
        lo, hi, nan = self._state_clip
        if lo is not None or hi is not None or nan:
            kwargs.update(lstm_state_clip_min=lo, lstm_state_clip_max=hi, lstm_state_clip_nan=nan)
        out = F.RNN(*args, state_size=self._hidden_size, num_layers=self._num_layers,
                    bidirectional=self._dir == 2, p=self._dropout, state_outputs=True, mode=self._mode,
                    **kwargs)
        return out[0], [out[i] for i in range(1, len(states) + 1)]


class RNN(_RNNLayer):
    """Elman RNN layer (``activation`` 'relu' or 'tanh') over a whole sequence."""

    def __init__(self, hidden_size, num_layers=1, activation="relu", layout="TNC", dropout=0,
                 bidirectional=False, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", input_size=0, dtype="float32",
                 use_sequence_length=False, **kwargs):
        if activation not in ("relu", "tanh"):
            raise AssertionError(f"Invalid activation {activation}; must be 'relu' or 'tanh'")
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                         h2h_bias_initializer, "rnn_" + activation, None, dtype, use_sequence_length,
                         **kwargs)


class LSTM(_RNNLayer):
    """LSTM layer over a whole sequence; states are [h, c]."""

    def __init__(self, hidden_size, num_layers=1, layout="TNC", dropout=0, bidirectional=False, input_size=0,
                 i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros",
                 h2h_bias_initializer="zeros", projection_size=None, h2r_weight_initializer=None,
                 state_clip_min=None, state_clip_max=None, state_clip_nan=False, dtype="float32",
                 use_sequence_length=False, **kwargs):
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                         h2h_bias_initializer, "lstm", projection_size, dtype, use_sequence_length,
                         h2r_weight_initializer=h2r_weight_initializer,
                         state_clip=(state_clip_min, state_clip_max, state_clip_nan), **kwargs)


class GRU(_RNNLayer):
    """GRU layer over a whole sequence (same gate equations as GRUCell)."""

    def __init__(self, hidden_size, num_layers=1, layout="TNC", dropout=0, bidirectional=False, input_size=0,
                 i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros",
                 h2h_bias_initializer="zeros", dtype="float32", use_sequence_length=False, **kwargs):
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                         h2h_bias_initializer, "gru", None, dtype, use_sequence_length, **kwargs)
