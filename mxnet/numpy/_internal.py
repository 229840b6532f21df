"""``F.np._internal`` for imperative Gluon code: each ``_npi_<name>`` operator as ``<name>``,
taking its array inputs first and then its parameters, by position or by keyword."""
from ..ops.registry import all_names, get_op
from .multiarray import invoke


def _make(opname):
    op = get_op(opname)

    def fn(*args, out=None, **kwargs):
        n_in = len(op.input_names(None)) if not op.variadic else len(args)
        arrays, rest = list(args[:n_in]), args[n_in:]
        params = [p.name for p in op.params if p.name != op.variadic]
        kwargs.update(zip(params, rest))
        if op.variadic:
            kwargs.setdefault(op.variadic, len(arrays))
        return invoke(opname, arrays, kwargs, out=out)
    fn.__name__ = fn.__qualname__ = opname[len("_npi_"):]
    fn.__doc__ = op.doc
    return fn


def __getattr__(name):
    opname = f"_npi_{name}"
    if opname not in all_names():
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    fn = globals()[name] = _make(opname)
    return fn
