"""The operator registry: one definition per operator, the single source of truth.

An ``OpDef`` holds MXNet's name and aliases, the array inputs, the typed
parameters (parsed from Python values and from the strings symbol JSON stores),
shape/dtype inference, the forward compute and the gradient.  ``mx.nd``,
``mx.sym``, ``mx.np``/``mx.npx``, autograd and hybridize all read it.

Compute functions are written once against the backend's array namespace
``ctx.xp`` (NumPy or CuPy):

* ``forward(attrs, inputs, ctx) -> output or tuple of outputs``; an op with
  ``save_state=True`` returns ``(outputs, state)`` and gets ``state`` back in
  its backward (dropout masks, pooling argmax, ...).
* ``backward(attrs, ograds, inputs, outputs, ctx, state) -> list`` of input
  gradients (``None`` where an input gets none).  ``ograds`` has one entry per
  output, ``None`` where no gradient flowed into that output.
"""
import ast
import inspect
import re

import numpy as np

from ..base import MXNetError, np_dtype

_REGISTRY = {}        # every name and alias -> OpDef
_CANONICAL = {}       # canonical name -> OpDef


class Attrs(dict):
    """Parsed operator parameters, readable as attributes."""

    __slots__ = ()

    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError:
            raise AttributeError(k) from None


_REQUIRED = object()
# counts of inputs and outputs, C ints in every MXNet operator (larger ones built that many first)
_C_INT_COUNTS = frozenset(("num_outputs", "num_args"))
# operators whose ``shape`` parameter describes something other than an output to allocate
_NOT_ALLOC = frozenset(("Reshape", "_ravel_multi_index", "_unravel_index"))


def _parse_bool(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return bool(v)
    if isinstance(v, str):
        s = v.strip().lower()
        if s in ("true", "1"):
            return True
        if s in ("false", "0"):
            return False
    raise ValueError(f"expected a boolean, got {v!r}")


def _literal(v):
    if isinstance(v, str):
        s = v.strip()
        if s in ("None", ""):
            return None
        try:
            return ast.literal_eval(s)
        except (ValueError, SyntaxError):
            # MXNet writes tuples like "(2,2)" and "[]": literal_eval covers those;
            # what's left is a bare word
            return s
    return v


def _parse_int(v):
    v = _literal(v)
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, (int, np.integer)):
        v = int(v)
    elif isinstance(v, (float, np.floating)) and float(v).is_integer():
        v = int(v)
    else:
        raise ValueError(f"expected an integer, got {v!r}")
    if not -2**63 <= v < 2**63:      # no MXNet parameter is wider than int64 ("1e308" looped)
        raise ValueError(f"{v if abs(v) < 10**20 else format(float(v), '.3g')} is outside the "
                         "64-bit integer range")
    return v


def _parse_float(v):
    v = _literal(v)
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, str) and v.lower() in ("inf", "-inf", "nan", "+inf"):
        return float(v)
    raise ValueError(f"expected a number, got {v!r}")


def _parse_shape(v):
    v = _literal(v)
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return (int(v),)
    if isinstance(v, (tuple, list)):
        out = []
        for d in v:
            if d is None:
                out.append(None)
            elif isinstance(d, (int, np.integer)) and not isinstance(d, bool):
                out.append(int(d))
            else:
                raise ValueError(f"expected a tuple of integers, got {v!r}")
        return tuple(out)
    if hasattr(v, "tolist"):
        return _parse_shape(v.tolist())
    raise ValueError(f"expected a shape tuple, got {v!r}")


def _parse_float_tuple(v):
    v = _literal(v)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (float(v),)
    if isinstance(v, (tuple, list)):
        return tuple(float(d) for d in v)
    raise ValueError(f"expected a tuple of numbers, got {v!r}")


def _parse_str(v):
    if isinstance(v, str):
        return v
    raise ValueError(f"expected a string, got {v!r}")


def _parse_dtype(v):
    if v is None or (isinstance(v, str) and v.strip() == "None"):
        return None
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        from ..base import FLAG_TO_DTYPE
        return FLAG_TO_DTYPE[int(v)]
    return np_dtype(v)


def _parse_any(v):
    return _literal(v)


_PARSERS = {
    "int": _parse_int, "float": _parse_float, "bool": _parse_bool, "shape": _parse_shape,
    "floats": _parse_float_tuple, "str": _parse_str, "dtype": _parse_dtype, "any": _parse_any,
}


def _fmt_value(v):
    """The string MXNet stores for a parameter value in symbol JSON."""
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, np.dtype):
        from ..base import dtype_name
        return dtype_name(v)
    if isinstance(v, tuple):
        inner = ", ".join(_fmt_value(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if v is None:
        return "None"
    return str(v)


class Param:
    """A typed operator parameter.

    ``kind`` is one of int, float, bool, shape, floats, str, dtype, any.
    ``choices`` restricts str values; ``optional`` lets None through.
    """

    __slots__ = ("name", "kind", "default", "doc", "choices", "optional", "_parse")

    def __init__(self, name, kind, default=_REQUIRED, doc="", choices=None, optional=None):
        if kind not in _PARSERS:
            raise ValueError(f"unknown parameter kind {kind}")
        self.name = name
        self.kind = kind
        self.default = default
        self.doc = doc
        self.choices = tuple(choices) if choices else None
        self.optional = default is None if optional is None else optional
        self._parse = _PARSERS[kind]

    @property
    def required(self):
        return self.default is _REQUIRED

    def parse(self, value, opname):
        if value is None or (isinstance(value, str) and value.strip() == "None" and self.kind != "str"):
            if self.optional or self.kind == "dtype":
                return None
            raise MXNetError(f"Operator {opname}: argument '{self.name}' must not be None")
        try:
            v = self._parse(value)
        except (ValueError, TypeError, KeyError, SyntaxError, MXNetError) as e:
            raise MXNetError(f"Operator {opname}: invalid value {value!r} for argument "
                             f"'{self.name}' ({self.kind}): {e}") from None
        if self.name in _C_INT_COUNTS and v is not None and not -2**31 <= v < 2**31:
            raise MXNetError(f"Invalid Parameter format for {self.name} expect int but value='{v}', "
                             f"in operator {opname}({self.name}=\"{v}\")")
        if self.choices is not None and v not in self.choices:
            raise MXNetError(f"Operator {opname}: invalid value {v!r} for argument '{self.name}', "
                             f"expected one of {list(self.choices)}")
        return v

    def type_doc(self):
        t = {"int": "int", "float": "float", "bool": "boolean", "shape": "Shape(tuple)",
             "floats": "tuple of <float>", "str": "string", "dtype": "dtype", "any": "any"}[self.kind]
        if self.choices:
            t = "{" + ", ".join(repr(c) for c in self.choices) + "}"
        if self.required:
            return f"{t}, required"
        return f"{t}, optional, default={self.default!r}"


class OpContext:
    """What a compute function may use: the array namespace, training flag, random generator."""

    __slots__ = ("xp", "is_train", "backend", "create_graph", "need_grad", "grad_out")

    def __init__(self, backend, is_train=False, create_graph=False, need_grad=None, grad_out=None):
        self.backend = backend
        self.xp = backend.xp
        self.is_train = is_train
        self.create_graph = create_graph
        # in a backward: which inputs need a gradient (None: all); kernels may skip the others
        self.need_grad = need_grad
        # in a backward: per input, None or a buffer its gradient may be written into (read
        # through ``grad_buffer``); a kernel that uses it returns that very array
        self.grad_out = grad_out

    def grad_buffer(self, i, shape, dtype):
        """The buffer for input ``i``'s gradient when one was offered and fits, else None."""
        out = self.grad_out
        if out is None or out[i] is None:
            return None
        b = out[i]
        if tuple(b.shape) != tuple(shape) or b.dtype != dtype or not b.flags.c_contiguous:
            return None
        return b

    @property
    def rng(self):
        return self.backend.rng


class OpDef:
    """The definition of one operator.  See the module docstring for the compute contract."""

    def __init__(self, name, forward, inputs=("data",), params=(), backward=None, aliases=(),
                 num_outputs=1, num_visible_outputs=None, output_names=None, infer_shape=None,
                 infer_type=None, mutate_inputs=(), variadic=None, save_state=False,
                 differentiable=True, doc="", grad_inputs=None, attr_check=None, key_var_num_args=None,
                 inplace=False, needs_rng=False, uses_train=False, backward_graph=None,
                 input_filter=None, bind=None, infer_shape_back=None, zero_grad=False,
                 fgradient=True):
        self.name = name
        self.forward = forward
        self.backward = backward
        # optional ``bind(attrs, ins, ctx) -> fn(ins) -> output`` for inference plans: given
        # inputs that have passed ``forward``'s checks, a function computing ``forward``'s single
        # output for inputs of the same types, shapes and dtypes without repeating them (or None)
        self.bind = bind
        # optional gradient written with NDArray operations, so that autograd can
        # record it (``autograd.grad(create_graph=True)``): same signature as
        # backward but takes and returns NDArrays, without ctx/state
        self.backward_graph = backward_graph
        # ``input_filter(attrs, names) -> names``: inputs that exist only for some parameter values
        # (LeakyReLU's gamma for prelu, softmax's length with use_length); without one, ``bias`` is
        # dropped when ``no_bias`` is set
        self.input_filter = input_filter
        # a callable ``inputs(attrs) -> names`` gives inputs that depend on the parameters (Custom)
        self.inputs = inputs if callable(inputs) else tuple(inputs)
        self.params = tuple(params)
        self.param_map = {p.name: p for p in self.params}
        self.aliases = tuple(aliases)
        self._num_outputs = num_outputs
        self._num_visible = num_visible_outputs
        self.output_names = output_names
        self.infer_shape_fn = infer_shape
        # optional ``infer_shape_back(attrs, in_shapes, out_shapes) -> in_shapes``: input
        # dimensions that known output shapes decide (MXNet's shape inference runs both ways)
        self.infer_shape_back = infer_shape_back
        self.infer_type_fn = infer_type
        self.mutate_inputs = mutate_inputs if callable(mutate_inputs) else tuple(mutate_inputs)
        self.variadic = variadic          # name of the count parameter (e.g. "num_args")
        self.key_var_num_args = key_var_num_args or variadic
        self.save_state = save_state
        self.differentiable = differentiable and backward is not None
        # the gradient is zero whatever the output gradient (comparisons, rounding, BlockGrad):
        # an executor's backward needs no head gradient for such an output
        self.zero_grad = zero_grad
        # False where MXNet registers no gradient at all (batch_take, khatri_rao, ...): binding
        # an executor that needs a gradient through the operator fails, as there
        self.fgradient = fgradient
        self.doc = doc
        self.attr_check = attr_check
        self.inplace = inplace
        self.needs_rng = needs_rng
        self.uses_train = uses_train
        # the storage types it computes sparse (``set_storage``); None: dense only
        self.storage = None
        # shape parameters that size an output (creation ops, samplers, broadcast_to): checked
        # against MXNet's tensor size limit before anything is allocated
        self._alloc_params = tuple(p.name for p in self.params if p.kind == "shape" and (
            p.name == "size" or (p.name == "shape" and name not in _NOT_ALLOC)))
        self._defaults = Attrs({p.name: p.default for p in self.params if not p.required})
        self._required = tuple(p.name for p in self.params if p.required)
        self.fast_attrs = None if self.params else Attrs()

    # -- parameters ---------------------------------------------------------
    def parse_attrs(self, kwargs):
        """Parse keyword parameters (Python values or MXNet strings) into ``Attrs``."""
        if not kwargs or self.fast_attrs is not None:
            if self.fast_attrs is not None:
                return self.fast_attrs
            if self._required:
                raise MXNetError(f"Operator {self.name}: required argument "
                                 f"'{self._required[0]}' is missing")
            attrs = Attrs(self._defaults)
        else:
            # eager calls repeat the same keyword values: the parsed result is cached per operator,
            # keyed by the values and their types (1, 1.0 and True compare equal but may parse
            # differently); unhashable values (lists, arrays) are parsed every time
            try:
                cache = self._attr_cache
            except AttributeError:
                cache = self._attr_cache = {}
            try:
                key = tuple([(k, v, v.__class__ if v.__class__ is not tuple else
                              tuple([e.__class__ for e in v])) for k, v in kwargs.items()])
                hit = cache.get(key)
            except TypeError:
                key = hit = None
            if hit is not None:
                return hit
            attrs = Attrs(self._defaults)
            pmap = self.param_map
            for k, v in kwargs.items():
                p = pmap.get(k)
                if p is None:
                    if (k.startswith("__") and k.endswith("__")) or not pmap:
                        # symbol attributes such as __lr_mult__ are not op params, and, as in
                        # MXNet, an operator without parameters ignores keyword arguments
                        continue
                    raise MXNetError(f"Operator {self.name}: unknown argument '{k}'; "
                                     f"valid arguments are {list(pmap)}")
                attrs[k] = p.parse(v, self.name)
            for r in self._required:
                if r not in attrs:
                    raise MXNetError(f"Operator {self.name}: required argument '{r}' is missing")
            if self._alloc_params:
                self._check_alloc(attrs)
            if self.attr_check is not None:
                self.attr_check(attrs)
            if key is not None:
                if len(cache) >= 1024:  # NaN keys never hit; keep the cache bounded
                    cache.clear()
                cache[key] = attrs
            return attrs
        if self.attr_check is not None:
            self.attr_check(attrs)
        return attrs

    def _check_alloc(self, attrs):
        for n in self._alloc_params:
            shape = attrs.get(n)
            if shape and all(d is not None for d in shape):
                size = 1
                for d in shape:
                    size *= d
                if size >= 2**31 - 1:
                    raise MXNetError(f"Operator {self.name}: {n}={shape} asks for {size} elements; "
                                     "the size of a tensor is limited to 2^31 - 1 elements")

    def attrs_to_strings(self, attrs, all_params=False):
        """The attribute dict as symbol JSON writes it (only values given, unless all_params)."""
        out = {}
        for p in self.params:
            if p.name in attrs:
                out[p.name] = _fmt_value(attrs[p.name])
        return out

    # -- structure ----------------------------------------------------------
    def mutated_inputs(self, attrs):
        """Indices of the inputs (auxiliary states) the operator updates in place."""
        m = self.mutate_inputs
        return tuple(m(attrs)) if callable(m) else m

    def num_outputs(self, attrs):
        n = self._num_outputs
        return n(attrs) if callable(n) else n

    def num_visible_outputs(self, attrs):
        n = self._num_visible
        if n is None:
            return self.num_outputs(attrs)
        return n(attrs) if callable(n) else n

    def input_names(self, attrs, num_inputs=None):
        if self.variadic:
            n = attrs.get(self.variadic) if attrs else None
            n = n if n is not None else num_inputs
            base = self.inputs[0] if self.inputs else "arg"
            return [f"{base}{i}" for i in range(n or 0)]
        names = self.inputs
        names = list(names(attrs) if callable(names) else names)
        if self.input_filter is not None:
            return list(self.input_filter(attrs, names)) if attrs is not None else names
        if attrs and attrs.get("no_bias") and "bias" in names:
            names.remove("bias")
        return names

    def list_outputs(self, attrs):
        n = self.num_outputs(attrs)
        if self.output_names:
            names = self.output_names(attrs) if callable(self.output_names) else self.output_names
            return list(names)[:n]
        return ["output"] if n == 1 else [f"output{i}" for i in range(n)]

    # -- inference ----------------------------------------------------------
    def infer_shape(self, attrs, in_shapes):
        """Return ``(in_shapes, out_shapes)``; unknown shapes are None or contain 0/-1 dims."""
        if self.infer_shape_fn is not None:
            return self.infer_shape_fn(attrs, list(in_shapes))
        if any(s is None or not _known(s) for s in in_shapes):
            return list(in_shapes), [None] * self.num_outputs(attrs)
        outs = self._dummy_forward(attrs, in_shapes, [np.float32] * len(in_shapes))
        return list(in_shapes), [tuple(o.shape) for o in outs]

    def infer_type(self, attrs, in_types):
        """Return ``(in_types, out_types)`` as NumPy dtypes (None when unknown)."""
        if self.infer_type_fn is not None:
            return self.infer_type_fn(attrs, list(in_types))
        known = [t for t in in_types if t is not None]
        t = known[0] if known else None
        ins = [t if x is None else x for x in in_types]
        return ins, [t] * self.num_outputs(attrs)

    def _dummy_forward(self, attrs, shapes, dtypes):
        from ..backend import NUMPY_BACKEND
        ins = [np.zeros(s, dtype=d) for s, d in zip(shapes, dtypes)]
        # only the shapes count: zeros may give logs of 0 or 0/0, which are no user's concern
        with np.errstate(all="ignore"):
            res = self.forward(attrs, ins, OpContext(NUMPY_BACKEND, False))
        if self.save_state:
            res = res[0]
        return res if isinstance(res, (tuple, list)) else (res,)

    def __repr__(self):
        return f"<OpDef {self.name}>"


def _known(shape):
    return all(d is not None and d > 0 for d in shape) or len(shape) == 0 or \
        all(d is not None and d >= 0 for d in shape)


def register(name, forward=None, **kw):
    """Register an operator; usable as ``register(name, fwd, ...)`` or as a decorator on fwd."""
    if forward is None:
        def deco(fn):
            register(name, fn, **kw)
            return fn
        return deco
    op = OpDef(name, forward, **kw)
    if name in _CANONICAL:
        raise ValueError(f"operator {name} registered twice")
    _CANONICAL[name] = op
    for n in (name,) + op.aliases:
        if n in _REGISTRY and _REGISTRY[n] is not op:
            raise ValueError(f"operator name {n} already used by {_REGISTRY[n].name}")
        _REGISTRY[n] = op
    return op


def add_alias(alias, name):
    """Make ``alias`` another name of registered operator ``name``."""
    op = get_op(name)
    if alias in _REGISTRY and _REGISTRY[alias] is not op:
        raise ValueError(f"operator name {alias} already used by {_REGISTRY[alias].name}")
    _REGISTRY[alias] = op
    if alias not in op.aliases and alias != op.name:
        op.aliases = op.aliases + (alias,)


# -- storage types ------------------------------------------------------------------------------
class StorageForm:
    """How an operator computes sparse storage types.

    ``infer(attrs, in_stypes)`` gives the output storage types for those input storage types
    (a tuple: the operator computes them itself through ``compute(op, args, attrs)``, which takes
    NDArrays of those storage types and returns outputs of the inferred ones), ``FALLBACK`` or
    ``(FALLBACK, out_stypes)`` (MXNet runs the dense operator on dense copies, with its fallback
    message, and stores the results in ``out_stypes``, default storage when not given), or
    ``UNSUPPORTED`` (MXNet refuses the storage types).  ``infer=None`` decides at run time:
    ``compute(op, args, attrs, out)`` returns None to fall back (eager calls only; a graph runs
    such an operator dense).  ``grad(attrs, in_stypes)``, optional, gives the storage types of the
    inputs' gradients where MXNet makes them sparse (the buffers ``simple_bind`` allocates).
    """

    __slots__ = ("infer", "compute", "grad")

    def __init__(self, infer, compute, grad=None):
        self.infer, self.compute, self.grad = infer, compute, grad


FALLBACK = "fallback"
UNSUPPORTED = "unsupported"


def set_storage(name, compute, infer=None, grad=None):
    """Declare the sparse storage types operator ``name`` (and its aliases) computes itself."""
    get_op(name).storage = StorageForm(infer, compute, grad)


def infer_storage(op, attrs, in_stypes):
    """MXNet's storage-type inference and dispatch for one operator: ``(out_stypes, mode)`` with
    mode ``"dense"`` (every storage type default: the dense compute), ``"sparse"`` (the operator's
    own sparse compute) or ``"fallback"`` (the dense compute on dense copies, MXNet's storage
    fallback); raises MXNetError where MXNet implements no form for these storage types."""
    n = op.num_outputs(attrs)
    form = op.storage
    res = FALLBACK
    if form is not None and form.infer is not None:
        res = form.infer(attrs, tuple(in_stypes))
    if res == UNSUPPORTED:
        ins = "".join(f"{s}, " for s in in_stypes)
        raise MXNetError(f"Check failed: infer_stype_success: Operator not implemented: operator = {op.name}\n"
                         f"input storage types = [{ins}]\nparams = {dict(attrs or {})}")
    if res == FALLBACK or (isinstance(res, tuple) and res and res[0] == FALLBACK):
        outs = list(res[1]) if res != FALLBACK else ["default"] * n
        if all(s == "default" for s in in_stypes) and all(s == "default" for s in outs):
            return outs, "dense"
        return outs, "fallback"
    return list(res), "sparse"


def get_op(name):
    """Look up an operator by MXNet name or alias."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise MXNetError(f"Operator {name} is not registered") from None


def has_op(name):
    return name in _REGISTRY


def all_names():
    """Every registered name and alias, mapped to its OpDef."""
    return dict(_REGISTRY)


def canonical_ops():
    return dict(_CANONICAL)


def make_docstring(op, public_name):
    """A NumPy-style docstring for a generated front-end function."""
    lines = [op.doc.strip() or f"The {public_name} operator.", "", "Parameters", "----------"]
    if op.variadic:
        lines += [f"*{op.inputs[0] if op.inputs else 'args'} : NDArray[]", "    Input arrays."]
    else:
        for n in (op.inputs if not callable(op.inputs) else ()):
            lines += [f"{n} : NDArray", f"    The {n} input."]
    for p in op.params:
        if p.name == op.variadic:
            continue
        lines += [f"{p.name} : {p.type_doc()}"]
        if p.doc:
            lines += [f"    {p.doc}"]
    lines += ["out : NDArray, optional", "    The output array.", "", "Returns", "-------",
              "out : NDArray or list of NDArrays", "    The output of this function."]
    return "\n".join(lines)


def make_signature(op, array_cls_name="NDArray"):
    """An ``inspect.Signature`` for a generated function (inputs, then params, then out/name)."""
    P = inspect.Parameter
    ps = []
    if op.variadic or callable(op.inputs):
        ps.append(P(op.inputs[0] if op.variadic and op.inputs else "data", P.VAR_POSITIONAL))
    else:
        names = op.inputs if not callable(op.inputs) else ()
        for n in names:
            ps.append(P(n, P.POSITIONAL_OR_KEYWORD, default=None))
    kind = P.KEYWORD_ONLY if op.variadic or callable(op.inputs) else P.POSITIONAL_OR_KEYWORD
    for p in op.params:
        if p.name == op.variadic:
            continue
        ps.append(P(p.name, kind, default=None if p.required else p.default))
    ps.append(P("out", P.KEYWORD_ONLY, default=None))
    ps.append(P("name", P.KEYWORD_ONLY, default=None))
    ps.append(P("kwargs", P.VAR_KEYWORD))
    return inspect.Signature(ps)


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def is_identifier(name):
    return bool(_IDENT.match(name))
