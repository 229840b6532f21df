"""``Custom``: the operator that runs a Python ``CustomOpProp``/``CustomOp`` (see ``mx.operator``).

Its parameters are ``op_type`` plus whatever keyword arguments the call gives; those are kept
as strings (as MXNet hands them to the Prop's ``__init__``).  Inputs, outputs, auxiliary states
and shape/type inference all come from the Prop registered under ``op_type``.
"""
import numpy as np

from ..base import DTYPE_TO_FLAG, MXNetError
from .registry import Param, register

_PROPS = {}        # op_type -> CustomOpProp subclass
_INSTANCES = {}    # (op_type, sorted kwargs) -> Prop instance


def register_prop(op_type, prop_cls):
    """Make ``prop_cls`` the Prop of ``Custom(op_type=op_type)``; a new registration replaces it."""
    _PROPS[op_type] = prop_cls
    for k in [k for k in _INSTANCES if k[0] == op_type]:
        del _INSTANCES[k]


def prop_of(attrs):
    """The Prop instance for parsed ``Custom`` attributes (one per distinct set of kwargs)."""
    kwargs = tuple(sorted((k, v) for k, v in attrs.items() if k != "op_type"))
    key = (attrs["op_type"], kwargs)
    prop = _INSTANCES.get(key)
    if prop is None:
        cls = _PROPS.get(attrs["op_type"])
        if cls is None:
            raise MXNetError(f"Operator Custom: Cannot find custom operator {attrs['op_type']}")
        try:
            prop = cls(**dict(kwargs))
        except TypeError as e:
            raise MXNetError(f"Operator Custom: {cls.__name__}({dict(kwargs)}) failed for op_type "
                             f"{attrs['op_type']}: {e}") from e
        _INSTANCES[key] = prop
    return prop


class _StrParam(Param):
    """A keyword argument of a custom operator: any value, kept as its string."""

    __slots__ = ()

    def parse(self, value, opname):
        if hasattr(value, "asnumpy"):
            raise MXNetError(f"Operator {opname}: argument '{self.name}' is an array; pass the "
                             f"inputs of a custom operator positionally")
        return value if isinstance(value, str) else str(value)


class _AnyParams(dict):
    """``Custom``'s parameter map: ``op_type`` plus any other (non-``__dunder__``) name."""

    def _accepts(self, k):
        return isinstance(k, str) and not (k.startswith("__") and k.endswith("__"))

    def __contains__(self, k):
        return dict.__contains__(self, k) or self._accepts(k)

    def get(self, k, default=None):
        if dict.__contains__(self, k):
            return dict.__getitem__(self, k)
        return _StrParam(k, "str", "") if self._accepts(k) else default


def _input_names(attrs):
    prop = prop_of(attrs)
    return list(prop.list_arguments()) + list(prop.list_auxiliary_states())


def _num_outputs(attrs):
    return len(prop_of(attrs).list_outputs())


def _output_names(attrs):
    return list(prop_of(attrs).list_outputs())


def _shape(s):
    """A Prop's shape as a tuple, None when unknown (MXNet 1.x reads () as unknown)."""
    if s is None or len(s) == 0:
        return None
    return tuple(int(d) for d in s)


def _infer_shape(attrs, in_shapes):
    prop = prop_of(attrs)
    nargs = len(prop.list_arguments())
    naux = len(prop.list_auxiliary_states())
    nout = len(prop.list_outputs())
    given = [list(s) if s is not None else [] for s in in_shapes[:nargs]]
    try:
        ins, outs, aux = prop.infer_shape(given)
    except Exception:  # a Prop may not cope with unknown shapes: wait until they are known
        if all(s for s in given):
            raise
        return list(in_shapes), [None] * nout
    ins = [_shape(s) for s in ins] + [_shape(s) for s in aux]
    ins += [None] * (nargs + naux - len(ins))
    return ins, [_shape(s) for s in outs]


def _infer_type(attrs, in_types):
    prop = prop_of(attrs)
    nargs = len(prop.list_arguments())
    nout = len(prop.list_outputs())
    given = [None if t is None else np.dtype(t).type for t in in_types[:nargs]]
    if any(t is None for t in given):
        known = [t for t in given if t is not None]
        if not known:
            return list(in_types), [None] * nout
        given = [known[0] if t is None else t for t in given]
    ins, outs, aux = prop.infer_type(given)
    return [np.dtype(t) for t in list(ins) + list(aux)], [np.dtype(t) for t in outs]


def _context_of(array, octx):
    """The context ``array`` lives in; with no input array, the current GPU or cpu(0)."""
    from ..context import cpu, gpu, current_context
    if octx.backend.xp is np:
        return cpu(0)
    if array is None:
        return current_context()
    return gpu(int(array.device.id))


def _wrap_all(arrays, ctx):
    from ..ndarray.ndarray import _wrap
    return [_wrap(a, ctx) for a in arrays]


def _forward(attrs, inputs, octx):
    prop = prop_of(attrs)
    nargs = len(prop.list_arguments())
    args, aux = list(inputs[:nargs]), list(inputs[nargs:])
    if len(args) != nargs or len(aux) != len(prop.list_auxiliary_states()):
        raise MXNetError(f"Operator Custom ({attrs['op_type']}): expected inputs "
                         f"{_input_names(attrs)}, got {len(inputs)} arrays")
    in_shapes, out_shapes = _infer_shape(attrs, [tuple(a.shape) for a in inputs])
    _, out_types = _infer_type(attrs, [a.dtype for a in inputs])
    if any(s is None for s in out_shapes):
        raise MXNetError(f"Operator Custom ({attrs['op_type']}): infer_shape left an output "
                         f"shape unknown")
    ctx = _context_of(inputs[0] if inputs else None, octx)
    op = prop.create_operator(ctx, [list(a.shape) for a in inputs],
                              [DTYPE_TO_FLAG[np.dtype(a.dtype)] for a in inputs])
    xp = octx.xp
    outs = [xp.zeros(s, dtype=t) for s, t in zip(out_shapes, out_types)]
    op.forward(is_train=int(octx.is_train), req=["write"] * len(outs), in_data=_wrap_all(args, ctx),
               out_data=_wrap_all(outs, ctx), aux=_wrap_all(aux, ctx))
    return tuple(outs), op


def _backward(attrs, ograds, inputs, outputs, octx, op):
    prop = prop_of(attrs)
    nargs = len(prop.list_arguments())
    args, aux = list(inputs[:nargs]), list(inputs[nargs:])
    xp = octx.xp
    # loss-like ops (need_top_grad=False) ignore out_grad; where none flowed MXNet hands zeros
    ograds = [xp.zeros_like(o) if g is None else g for g, o in zip(ograds, outputs)]
    in_grads = [xp.zeros_like(a) for a in args]
    ctx = _context_of(inputs[0] if inputs else None, octx)
    op.backward(req=["write"] * nargs, out_grad=_wrap_all(ograds, ctx), in_data=_wrap_all(args, ctx),
                out_data=_wrap_all(outputs, ctx), in_grad=_wrap_all(in_grads, ctx),
                aux=_wrap_all(aux, ctx))
    return in_grads + [None] * len(aux)


def _check(attrs):
    prop_of(attrs)


def _aux_indices(attrs):
    nargs = len(prop_of(attrs).list_arguments())
    return range(nargs, nargs + len(prop_of(attrs).list_auxiliary_states()))


_OP = register(
    "Custom", _forward, inputs=_input_names, backward=_backward, save_state=True, uses_train=True,
    mutate_inputs=_aux_indices,
    params=[Param("op_type", "str", doc="Name of the registered custom operator (CustomOpProp).")],
    num_outputs=_num_outputs, output_names=_output_names, infer_shape=_infer_shape,
    infer_type=_infer_type, attr_check=_check,
    doc="Apply a custom operator written in Python and registered with mx.operator.register.")
_OP.param_map = _AnyParams(_OP.param_map)
