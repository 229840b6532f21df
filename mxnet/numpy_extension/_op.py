"""The ``mx.npx`` operator functions."""
import numpy as onp

from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from ..ops.registry import get_op
from ..numpy.multiarray import invoke, _wrap
from ..numpy._funcs import _to_nd

__all__ = ["relu", "sigmoid", "softmax", "log_softmax", "activation", "leaky_relu", "batch_norm",
           "convolution", "deconvolution", "pooling", "fully_connected", "dropout", "embedding", "layer_norm",
           "one_hot", "pick", "topk", "batch_dot", "batch_flatten", "reshape", "sequence_mask", "gamma",
           "gammaln", "erf", "erfinv", "nonzero", "shape_array", "slice", "smooth_l1", "gather_nd",
           "reshape_like", "cast", "save", "load", "waitall"]


def _op_fn(pyname, opname, arg_names):
    """An npx function running operator ``opname`` on the given array arguments; further
    positional arguments fill the operator's parameters in order, as MXNet's generated ones do."""
    op = get_op(opname)

    def fn(*args, out=None, name=None, **kwargs):
        arrays = list(args[:len(arg_names)])
        kw = {}
        for n, v in zip(arg_names[len(arrays):], [kwargs.pop(n, None) for n in arg_names[len(arrays):]]):
            arrays.append(v)
        extra = args[len(arg_names):]
        names = [p.name for p in op.params if p.name not in kwargs]
        if len(extra) > len(names):
            raise TypeError(f"npx.{pyname} takes at most {len(arg_names) + len(names)} positional arguments")
        kw.update(zip(names, extra))
        kw.update(kwargs)
        present = [_to_nd(a) for a in arrays if a is not None]
        if opname in ("FullyConnected", "Convolution", "Deconvolution") and len(arrays) > 2 \
                and arrays[2] is None and "no_bias" not in kw:
            kw["no_bias"] = True
        return invoke(opname, present, kw, out=out)
    fn.__name__ = pyname
    fn.__doc__ = f"Run operator ``{opname}`` on mx.np arrays (see ``mx.nd.{opname}``)."
    return fn


relu = _op_fn("relu", "_npx_relu", ('data',))
sigmoid = _op_fn("sigmoid", "_npx_sigmoid", ('data',))
softmax = _op_fn("softmax", "softmax", ('data', 'length'))
log_softmax = _op_fn("log_softmax", "log_softmax", ('data', 'length'))
activation = _op_fn("activation", "Activation", ('data',))
leaky_relu = _op_fn("leaky_relu", "LeakyReLU", ('data', 'gamma'))
batch_norm = _op_fn("batch_norm", "BatchNorm", ('data', 'gamma', 'beta', 'moving_mean', 'moving_var'))
convolution = _op_fn("convolution", "Convolution", ('data', 'weight', 'bias'))
deconvolution = _op_fn("deconvolution", "Deconvolution", ('data', 'weight', 'bias'))
pooling = _op_fn("pooling", "Pooling", ('data',))
fully_connected = _op_fn("fully_connected", "FullyConnected", ('data', 'weight', 'bias'))
dropout = _op_fn("dropout", "Dropout", ('data',))
embedding = _op_fn("embedding", "Embedding", ('data', 'weight'))
layer_norm = _op_fn("layer_norm", "LayerNorm", ('data', 'gamma', 'beta'))
one_hot = _op_fn("one_hot", "one_hot", ('indices',))
pick = _op_fn("pick", "pick", ('data', 'index'))
topk = _op_fn("topk", "topk", ('data',))
batch_dot = _op_fn("batch_dot", "batch_dot", ('lhs', 'rhs'))
batch_flatten = _op_fn("batch_flatten", "Flatten", ('data',))
sequence_mask = _op_fn("sequence_mask", "SequenceMask", ('data', 'sequence_length'))
gamma = _op_fn("gamma", "_npx_gamma", ('data',))
gammaln = _op_fn("gammaln", "_npx_gammaln", ('data',))
erf = _op_fn("erf", "_npx_erf", ('data',))
erfinv = _op_fn("erfinv", "_npx_erfinv", ('data',))
shape_array = _op_fn("shape_array", "shape_array", ('data',))
slice = _op_fn("slice", "slice", ('data',))
smooth_l1 = _op_fn("smooth_l1", "smooth_l1", ('data',))
gather_nd = _op_fn("gather_nd", "gather_nd", ('data', 'indices'))
reshape_like = _op_fn("reshape_like", "reshape_like", ('lhs', 'rhs'))
cast = _op_fn("cast", "Cast", ('data',))


def reshape(a, newshape, reverse=False, order="C"):
    """Reshape with npx's codes: -1 infer, -2 copy, -3 drop size 1, -4 copy the rest,
    -5 merge two dims, -6 split a dim into the two values that follow."""
    newshape = (newshape,) if isinstance(newshape, int) else tuple(newshape)
    return invoke("_npx_reshape", [_to_nd(a)], {"newshape": newshape, "reverse": reverse, "order": order})


def nonzero(a):
    """Indices of non-zero elements as an (N, ndim) int64 array."""
    return invoke("_npx_nonzero", [_to_nd(a)])


def waitall():
    """Wait for all pending computation; raises an operator failure no read has reported yet."""
    from ..ndarray import waitall as nd_waitall
    nd_waitall()


def save(file, arr):
    """Save an mx.np array, a list of them or a dict str -> array in MXNet's V3 (np-shape) format."""
    from ..ndarray import _serialization as ser
    from ..ndarray.utils import write_atomic
    if isinstance(arr, NDArray):
        arr = [arr]
    if isinstance(arr, dict):
        items = list(arr.items())
        if not all(isinstance(k, str) and isinstance(v, NDArray) for k, v in items):
            raise MXNetError("npx.save: a dict must map str to arrays")
        payload = ser.encode({k: v.asnumpy() for k, v in items}, v3=True,
                             contexts=[(v._ctx.device_typeid, v._ctx.device_id) for _, v in items])
    elif isinstance(arr, (list, tuple)):
        if not all(isinstance(v, NDArray) for v in arr):
            raise MXNetError("npx.save: only mx.np arrays can be saved")
        payload = ser.encode([v.asnumpy() for v in arr], v3=True,
                             contexts=[(v._ctx.device_typeid, v._ctx.device_id) for v in arr])
    else:
        raise MXNetError(f"npx.save: cannot save a {type(arr).__name__}")
    write_atomic(str(file), payload)


def load(file):
    """Load arrays saved by ``npx.save`` (or ``nd.save``) as mx.np arrays: a list or a dict."""
    from ..ndarray import _serialization as ser
    from ..context import cpu
    try:
        with open(file, "rb") as f:
            buf = f.read()
    except OSError as e:
        raise MXNetError(f"npx.load: cannot open {file!r}: {e.strerror or e}") from None
    names, arrays, _ = ser.decode(buf)
    out = [_wrap(onp.require(a, requirements='C'), cpu(0)) for a in arrays]
    return dict(zip(names, out)) if names else out

