"""Generates the ``mx.nd`` functions from the operator registry (never written one by one)."""
import types

from ..base import MXNetError
from ..ops.registry import all_names, make_docstring, make_signature, is_identifier
from .ndarray import NDArray, invoke

# name prefix -> submodule of mx.nd that also exposes the op without the prefix
SUBMODULE_PREFIXES = (("_contrib_", "contrib"), ("_linalg_", "linalg"), ("linalg_", "linalg"),
                      ("_random_", "random"), ("_sample_", "random"), ("_image_", "image"),
                      ("_sparse_", "sparse"))


def make_function(op, public_name):
    """A front-end function for ``op``: arrays positionally or by input name, then parameters."""
    if op.variadic or callable(op.inputs):
        count = op.variadic if op.variadic and op.variadic in op.param_map else None

        def fn(*args, out=None, name=None, **kwargs):
            arrays = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else list(args)
            for a in arrays:
                if not isinstance(a, NDArray):
                    raise MXNetError(f"Operator {public_name}: expected NDArray inputs, got "
                                     f"{type(a).__name__}")
            if count is not None:
                given = kwargs.get(count)
                if given is not None:
                    _check_count(public_name, count, given, len(arrays))
                kwargs[count] = len(arrays)
            ctx = kwargs.pop("ctx", None) if not arrays else None
            return invoke(op, arrays, kwargs, out=out, ctx=_ctx(ctx, public_name))
    else:
        in_names = tuple(op.inputs) if not callable(op.inputs) else ()
        nin = len(in_names)
        pnames = tuple(p.name for p in op.params)
        in_set = frozenset(in_names)

        def fn(*args, out=None, name=None, **kwargs):
            ctx = kwargs.pop("ctx", None)
            if len(args) <= nin and not (kwargs and in_set.intersection(kwargs)):
                arrays = [a for a in args if a is not None]
            else:
                slots = [None] * nin
                for i, a in enumerate(args):
                    if i < nin:
                        slots[i] = a
                    elif i - nin < len(pnames):
                        kwargs[pnames[i - nin]] = a
                    else:
                        raise MXNetError(f"Operator {public_name}: too many positional arguments")
                for i, n in enumerate(in_names):
                    if n in kwargs:
                        slots[i] = kwargs.pop(n)
                arrays = [a for a in slots if a is not None]
            for a in arrays:
                if not isinstance(a, NDArray):
                    raise MXNetError(f"Operator {public_name}: expected NDArray for its array inputs "
                                     f"{list(in_names)}, got {type(a).__name__}")
            if "ctx" in op.param_map and ctx is not None:
                kwargs["ctx"] = str(ctx)
            return invoke(op, arrays, kwargs, out=out,
                          ctx=_ctx(ctx, public_name) if not arrays else None)
    fn.__name__ = public_name
    fn.__qualname__ = public_name
    fn.__doc__ = make_docstring(op, public_name)
    fn.__signature__ = make_signature(op)
    fn.__module__ = "mxnet.ndarray"
    return fn


def _check_count(opname, count, given, n):
    """An explicit input count (``num_args``) must be positive and match the inputs, as MXNet
    checks, rather than being overwritten."""
    try:
        given = int(given)
    except (TypeError, ValueError):
        raise MXNetError(f"Operator {opname}: invalid value {given!r} for argument '{count}' "
                         "(int)") from None
    if given < 1:
        raise MXNetError(f"Operator {opname}: argument '{count}' must be at least 1, got {given}")
    if given != n:
        raise MXNetError(f"Operator {opname} expects {given} inputs ({count}), but got {n} "
                         "instead")


def _ctx(ctx, opname=None):
    """A Context from a context or its text (``'cpu(0)'``); a bad one raises MXNetError naming
    the operator."""
    if ctx is None or not isinstance(ctx, str):
        return ctx
    from ..context import Context
    where = f"Operator {opname}: " if opname else ""
    dev, _, rest = ctx.partition("(")
    try:
        return Context(dev, int(rest.rstrip(")") or 0))
    except ValueError:
        raise MXNetError(f"{where}invalid context {ctx!r}, expected e.g. 'cpu(0)' or "
                         "'gpu(1)'") from None
    except MXNetError as e:
        raise MXNetError(f"{where}{e}") from None


def generate():
    """Build every function: returns (top-level dict, internal dict, {submodule: dict})."""
    top, internal, subs = {}, {}, {}
    for name, op in sorted(all_names().items()):
        if not is_identifier(name):
            continue
        fn = make_function(op, name)
        if name.startswith("_"):
            internal[name] = fn
        else:
            top[name] = fn
        for prefix, mod in SUBMODULE_PREFIXES:
            if name.startswith(prefix):
                short = name[len(prefix):]
                subs.setdefault(mod, {})[short] = make_function(op, short)
                break
    return top, internal, subs


def make_module(fullname, funcs, doc):
    m = types.ModuleType(fullname, doc)
    for k, v in funcs.items():
        setattr(m, k, v)
    m.__all__ = sorted(k for k in funcs if not k.startswith("_"))
    return m
