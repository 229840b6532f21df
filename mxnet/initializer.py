"""``mx.init`` / ``mx.initializer``: weight initializers.

An ``Initializer`` is called as ``init(desc, arr)`` and fills ``arr`` in place.
``desc`` is an ``InitDesc`` (a parameter name with attributes); the name's suffix
picks the method (``*weight`` -> ``_init_weight``, ``*bias`` -> zeros, ``*gamma``
-> ones, ...), unless ``desc.attrs['__init__']`` names an initializer for that
parameter.  Random initializers draw through the random operators, so
``mx.random.seed`` makes them reproducible.
"""
import json
import logging
import re
import warnings
from math import sqrt

import numpy as np

from . import registry
from .base import string_types
from .ndarray import NDArray
from .ndarray.ndarray import invoke
from .ops.registry import get_op


class InitDesc(str):
    """A parameter name carrying its attributes and the global initializer in use."""

    def __new__(cls, name, attrs=None, global_init=None):
        ret = super().__new__(cls, name)
        ret.attrs = attrs or {}
        ret.global_init = global_init
        return ret


def _draw_into(opname, arr, **params):
    """Fill ``arr`` with draws of random operator ``opname`` (at ``arr``'s precision when float)."""
    dt = arr._data.dtype
    if dt.kind == "f":
        params["dtype"] = dt
    invoke(get_op(opname), [], dict(params, shape=arr.shape, ctx=str(arr.context)), out=arr,
           ctx=arr.context)


def _bilinear_weight(shape):
    """Bilinear-upsampling kernel for a 4-D deconvolution weight of ``shape``."""
    f = np.ceil(shape[3] / 2.0)
    c = (2 * f - 1 - f % 2) / (2.0 * f)
    wx = 1 - np.abs(np.arange(shape[3]) / f - c)
    wy = 1 - np.abs(np.arange(shape[2]) / f - c)
    return np.broadcast_to((wy[:, None] * wx[None, :]).astype(np.float32), shape)


def _asum_stat(x):
    """Default verbose statistic: the root mean square of ``x``."""
    v = x.asnumpy().astype(np.float32)
    return str(np.float32(np.linalg.norm(v.ravel()) / np.float32(sqrt(x.size))))


class Initializer:
    """Base class: subclasses override ``_init_weight`` (and optionally the others)."""

    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._verbose = False
        self._print_func = None

    def set_verbosity(self, verbose=False, print_func=None):
        """Log a statistic of each initialised array (``print_func(arr) -> str``) when verbose."""
        self._verbose = verbose
        self._print_func = _asum_stat if print_func is None else print_func
        return self

    def _verbose_print(self, desc, init, arr):
        if self._verbose and self._print_func:
            logging.info("Initialized %s as %s: %s", desc, init, self._print_func(arr))

    def dumps(self):
        """``'["<name>", {kwargs}]'``: the JSON that ``create`` turns back into this initializer."""
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])

    def __eq__(self, other):
        # same class and arguments: two blocks sharing a parameter may each name its initializer
        if not isinstance(other, Initializer):
            return NotImplemented
        return type(self) is type(other) and self._kwargs == other._kwargs

    def __call__(self, desc, arr):
        """Fill ``arr`` for the parameter described by ``desc``."""
        if not isinstance(desc, InitDesc):
            self._legacy_init(desc, arr)
            return
        if desc.global_init is None:
            desc.global_init = self
        init = desc.attrs.get("__init__", "")
        if init:
            # the parameter names its own initializer
            create(init)._init_weight(desc, arr)
            self._verbose_print(desc, init, arr)
            return
        for suffix, method in (("weight", self._init_weight), ("bias", self._init_bias),
                               ("gamma", self._init_gamma), ("beta", self._init_beta),
                               ("min", self._init_zero), ("max", self._init_one),
                               ("weight_quantize", self._init_quantized_weight),
                               ("bias_quantize", self._init_quantized_bias)):
            if desc.endswith(suffix):
                method(desc, arr)
                self._verbose_print(desc, suffix, arr)
                return
        self._init_default(desc, arr)

    def _legacy_init(self, name, arr):
        """The pre-InitDesc protocol ``init(name, arr)``, with its own name rules."""
        warnings.warn("\033[91mCalling initializer with init(str, NDArray) has been deprecated."
                      "please use init(mx.init.InitDesc(...), NDArray) instead.\033[0m",
                      DeprecationWarning, stacklevel=3)
        if not isinstance(name, string_types):
            raise TypeError("name must be string")
        if not isinstance(arr, NDArray):
            raise TypeError("arr must be NDArray")
        if name.startswith("upsampling"):
            self._init_bilinear(name, arr)
        elif name.startswith("stn_loc") and name.endswith("weight"):
            self._init_zero(name, arr)
        elif name.startswith("stn_loc") and name.endswith("bias"):
            self._init_loc_bias(name, arr)
        elif name.endswith("bias"):
            self._init_bias(name, arr)
        elif name.endswith("gamma"):
            self._init_gamma(name, arr)
        elif name.endswith("beta"):
            self._init_beta(name, arr)
        elif name.endswith("weight"):
            self._init_weight(name, arr)
        elif name.endswith(("moving_mean", "moving_inv_var", "moving_avg", "min")):
            self._init_zero(name, arr)
        elif name.endswith(("moving_var", "max")):
            self._init_one(name, arr)
        else:
            self._init_default(name, arr)

    def _init_bilinear(self, _, arr):
        arr[:] = _bilinear_weight(arr.shape)

    def _init_loc_bias(self, _, arr):
        assert arr.shape[0] == 6
        arr[:] = np.array([1.0, 0, 0, 0, 1.0, 0])

    def _init_zero(self, _, arr):
        arr[:] = 0.0

    def _init_one(self, _, arr):
        arr[:] = 1.0

    def _init_bias(self, _, arr):
        arr[:] = 0.0

    def _init_quantized_bias(self, _, arr):
        arr[:] = 0

    def _init_gamma(self, _, arr):
        arr[:] = 1.0

    def _init_beta(self, _, arr):
        arr[:] = 0.0

    def _init_weight(self, name, arr):
        raise NotImplementedError("Must override it")

    def _init_quantized_weight(self, _, arr):
        # like MXNet: one random int8 value fills the whole array
        v = invoke(get_op("_random_randint"), [], {"low": -127, "high": 127, "shape": (1,)})
        arr[:] = int(v.asnumpy()[0])

    def _init_default(self, name, _):
        raise ValueError(
            f'Unknown initialization pattern for {name}. Default initialization is now limited to '
            '"weight", "bias", "gamma" (1.0), and "beta" (0.0).'
            'Please use mx.sym.Variable(init=mx.init.*) to set initialization pattern')


class Load:
    """Initialise from saved arrays (a dict or an ``nd.save`` file), else with ``default_init``.

    ``arg:``/``aux:`` name prefixes of checkpoint files are dropped.
    """

    def __init__(self, param, default_init=None, verbose=False):
        if isinstance(param, str):
            from .ndarray import load
            param = load(param)
        assert isinstance(param, dict)
        self.param = {}
        for name, arr in param.items():
            self.param[name[4:] if name.startswith(("arg:", "aux:")) else name] = arr
        self.default_init = default_init
        self.verbose = verbose

    def __call__(self, name, arr):
        if name in self.param:
            assert arr.shape == self.param[name].shape, (
                f"Parameter {name} cannot be initialized from loading. Shape mismatch, target "
                f"{arr.shape} vs loaded {self.param[name].shape}")
            arr[:] = self.param[name]
            if self.verbose:
                logging.info("Initialized %s by loading", name)
        else:
            assert self.default_init is not None, (
                f"Cannot Initialize {name}. Not found in loaded param and no default Initializer "
                "is provided.")
            self.default_init(name, arr)
            if self.verbose:
                logging.info("Initialized %s by default", name)


class Mixed:
    """Use the initializer of the first regular expression in ``patterns`` that matches the name."""

    def __init__(self, patterns, initializers):
        assert len(patterns) == len(initializers)
        self.map = list(zip([re.compile(p) for p in patterns], initializers))

    def __call__(self, name, arr):
        for prog, init in self.map:
            if prog.match(name):
                init(name, arr)
                return
        raise ValueError(f"Parameter name {name} did not match any pattern. Consider "
                         'add a ".*" pattern at the and with default Initializer.')


register = registry.get_register_func(Initializer, "initializer")
alias = registry.get_alias_func(Initializer, "initializer")
create = registry.get_create_func(Initializer, "initializer")


@register
@alias("zeros")
class Zero(Initializer):
    """Fill with 0."""

    def __init__(self):
        super().__init__()

    def _init_weight(self, _, arr):
        arr[:] = 0


@register
@alias("ones")
class One(Initializer):
    """Fill with 1."""

    def __init__(self):
        super().__init__()

    def _init_weight(self, _, arr):
        arr[:] = 1


@register
class Constant(Initializer):
    """Fill with ``value`` (a number, or an array broadcast to the parameter's shape)."""

    def __init__(self, value):
        super().__init__(value=value)
        self.value = value

    def _init_weight(self, _, arr):
        arr[:] = self.value

    def dumps(self):
        val = self._kwargs["value"]
        if isinstance(val, NDArray):
            self._kwargs["value"] = val.asnumpy().tolist()
        elif isinstance(val, np.ndarray):
            self._kwargs["value"] = val.tolist()
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])


@register
class Uniform(Initializer):
    """Draw from U(-scale, scale)."""

    def __init__(self, scale=0.07):
        super().__init__(scale=scale)
        self.scale = scale

    def _init_weight(self, _, arr):
        _draw_into("_random_uniform", arr, low=-self.scale, high=self.scale)


@register
class Normal(Initializer):
    """Draw from N(0, sigma^2)."""

    def __init__(self, sigma=0.01):
        super().__init__(sigma=sigma)
        self.sigma = sigma

    def _init_weight(self, _, arr):
        _draw_into("_random_normal", arr, loc=0, scale=self.sigma)


@register
class Orthogonal(Initializer):
    """A (scaled) orthogonal matrix from the SVD of a random (uniform or normal) matrix."""

    def __init__(self, scale=1.414, rand_type="uniform"):
        super().__init__(scale=scale, rand_type=rand_type)
        self.scale = scale
        self.rand_type = rand_type

    def _init_weight(self, _, arr):
        nout = arr.shape[0]
        nin = int(np.prod(arr.shape[1:]))
        if self.rand_type == "uniform":
            params = ("_random_uniform", {"low": -1.0, "high": 1.0})
        elif self.rand_type == "normal":
            params = ("_random_normal", {"loc": 0.0, "scale": 1.0})
        else:
            raise ValueError(f"Orthogonal: unknown rand_type {self.rand_type!r}, "
                             "expected 'uniform' or 'normal'")
        tmp = invoke(get_op(params[0]), [], dict(params[1], shape=(nout, nin))).asnumpy()
        u, _, v = np.linalg.svd(tmp, full_matrices=False)
        res = u if u.shape == tmp.shape else v
        arr[:] = self.scale * res.reshape(arr.shape)


@register
class Xavier(Initializer):
    """Glorot initialisation: variance ``magnitude / fan`` (fan: avg/in/out), uniform or gaussian.

    Fans count the receptive field: fan_in = shape[1] * prod(shape[2:]),
    fan_out = shape[0] * prod(shape[2:]).
    """

    def __init__(self, rnd_type="uniform", factor_type="avg", magnitude=3):
        super().__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        self.rnd_type = rnd_type
        self.factor_type = factor_type
        self.magnitude = float(magnitude)

    def _init_weight(self, name, arr):
        shape = arr.shape
        if len(shape) < 2:
            raise ValueError(f"Xavier initializer cannot be applied to vector {name}. "
                             "It requires at least 2D.")
        hw_scale = np.prod(shape[2:]) if len(shape) > 2 else 1.0
        fan_in, fan_out = shape[1] * hw_scale, shape[0] * hw_scale
        if self.factor_type == "avg":
            factor = (fan_in + fan_out) / 2.0
        elif self.factor_type == "in":
            factor = fan_in
        elif self.factor_type == "out":
            factor = fan_out
        else:
            raise ValueError("Incorrect factor type")
        scale = float(np.sqrt(self.magnitude / factor))
        if self.rnd_type == "uniform":
            _draw_into("_random_uniform", arr, low=-scale, high=scale)
        elif self.rnd_type == "gaussian":
            _draw_into("_random_normal", arr, loc=0, scale=scale)
        else:
            raise ValueError("Unknown random type")


@register
class MSRAPrelu(Xavier):
    """He/Kaiming initialisation for PReLU nets: gaussian Xavier with magnitude 2 / (1 + slope^2)."""

    def __init__(self, factor_type="avg", slope=0.25):
        super().__init__("gaussian", factor_type, 2.0 / (1 + slope ** 2))
        self._kwargs = {"factor_type": factor_type, "slope": slope}


@register
class Bilinear(Initializer):
    """Bilinear-upsampling kernels for a 4-D deconvolution weight."""

    def __init__(self):
        super().__init__()

    def _init_weight(self, _, arr):
        arr[:] = _bilinear_weight(arr.shape)


@register
class LSTMBias(Initializer):
    """Zero LSTM biases except the forget gate (the second quarter), set to ``forget_bias``."""

    def __init__(self, forget_bias=1.0):
        super().__init__(forget_bias=forget_bias)
        self.forget_bias = forget_bias

    def _init_weight(self, name, arr):
        arr[:] = 0.0
        num_hidden = int(arr.shape[0] / 4)
        arr[num_hidden:2 * num_hidden] = self.forget_bias


_RNN_GATES = {"rnn_relu": ("",), "rnn_tanh": ("",), "lstm": ("_i", "_f", "_c", "_o"),
              "gru": ("_r", "_z", "_o")}


@register
class FusedRNN(Initializer):
    """Initialise the flat parameter vector of a fused RNN layer piece by piece.

    Each gate's weight matrix and bias (named like ``l0_i2h_f_weight``) is
    initialised with ``init`` (the global initializer when None); LSTM forget-gate
    biases get ``forget_bias``.
    """

    def __init__(self, init, num_hidden, num_layers, mode, bidirectional=False, forget_bias=1.0):
        if isinstance(init, string_types):
            init = create(init)
        super().__init__(init=init.dumps() if init is not None else None, num_hidden=num_hidden,
                         num_layers=num_layers, mode=mode, bidirectional=bidirectional,
                         forget_bias=forget_bias)
        self._init = init
        self._num_hidden = num_hidden
        self._num_layers = num_layers
        self._mode = mode
        self._bidirectional = bidirectional
        self._forget_bias = forget_bias

    def _pieces(self, total):
        """(name, shape) of each piece of the flat vector, in MXNet's packing order."""
        if self._mode not in _RNN_GATES:
            raise ValueError(f"FusedRNN: unknown mode {self._mode!r}, expected one of {list(_RNN_GATES)}")
        gates = _RNN_GATES[self._mode]
        g, h, nl = len(gates), self._num_hidden, self._num_layers
        dirs = ("l", "r") if self._bidirectional else ("l",)
        nd_ = len(dirs)
        upper = (nl - 1) * g * h * (nd_ * h + h + 2) * nd_
        num_input = (total - upper) // (g * h * nd_) - h - 2
        if num_input <= 0 or g * h * (num_input + h + 2) * nd_ + upper != total:
            raise ValueError(f"FusedRNN: a parameter vector of size {total} does not fit a {self._mode} "
                             f"layer with num_hidden={h}, num_layers={nl}, "
                             f"bidirectional={self._bidirectional}")
        weights, biases = [], []
        for layer in range(nl):
            n_in = num_input if layer == 0 else nd_ * h
            for d in dirs:
                for conn, width in (("i2h", n_in), ("h2h", h)):
                    for gate in gates:
                        weights.append((f"{d}{layer}_{conn}{gate}_weight", (h, width)))
                        biases.append((f"{d}{layer}_{conn}{gate}_bias", (h,)))
        return weights + biases

    def _init_weight(self, desc, arr):
        from .ndarray import zeros
        flat = []
        for name, shape in self._pieces(arr.size):
            piece = zeros(shape, ctx=arr.context, dtype=arr._data.dtype)
            if self._mode == "lstm" and name.endswith("_f_bias"):
                piece[:] = self._forget_bias
            else:
                sub = InitDesc(name, global_init=desc.global_init)
                (desc.global_init if self._init is None else self._init)(sub, piece)
            flat.append(piece.asnumpy().ravel())
        arr[:] = np.concatenate(flat).reshape(arr.shape)


__all__ = ["InitDesc", "Initializer", "register", "alias", "create", "Load", "Mixed", "Zero", "One",
           "Constant", "Uniform", "Normal", "Orthogonal", "Xavier", "MSRAPrelu", "Bilinear", "LSTMBias",
           "FusedRNN"]
