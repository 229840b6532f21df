"""Automatic mixed precision (``mx.contrib.amp``).

``init()`` makes the operator functions of ``mx.nd`` and ``mx.sym`` (and so every Gluon layer,
eager or hybridized) cast their floating inputs: matrix products and convolutions to the low
precision type, precision-sensitive operators to float32, multi-input operators to the widest
type among their inputs (the lists are in ``lists/``).  ``init_trainer`` gives a Gluon Trainer a
dynamic loss scaler; ``scale_loss`` scales the loss for the backward pass and the Trainer skips
steps whose gradients overflowed.  ``convert_symbol``/``convert_model``/``convert_hybrid_block``
rewrite an existing graph the same way.
"""
import contextlib
import logging
import warnings

import numpy as np

from ... import ndarray, symbol
from ...base import MXNetError
from ...ndarray import NDArray
from ...ops.registry import get_op
from ...symbol import Symbol
from ...symbol.symbol import Node, topo_order
from .lists import symbol_bf16, symbol_fp16
from .loss_scaler import LossScaler

__all__ = ["init", "init_trainer", "scale_loss", "unscale", "convert_model", "convert_hybrid_block",
           "convert_symbol", "list_lp16_ops", "list_fp32_ops", "list_lp16_fp32_ops",
           "list_conditional_fp32_ops", "list_widest_type_cast", "list_loss_output_functions",
           "list_lp16_use_fp32_params"]

_amp_initialized = False
_amp_loss_scale_initialized = False
_loss_scaler = None


def _target(dtype):
    if dtype in ("bfloat16",):
        return "bfloat16"
    dt = np.dtype(dtype)
    if dt != np.float16:
        raise AssertionError("AMP currently supports only float16 or bfloat16 as a target_dtype")
    return "float16"


def _lists(target_dtype):
    return symbol_bf16 if _target(target_dtype) == "bfloat16" else symbol_fp16


def list_lp16_ops(target_dtype):
    """Operators whose floating inputs AMP casts to ``target_dtype``."""
    m = _lists(target_dtype)
    return list(m.BF16_FUNCS if m is symbol_bf16 else m.FP16_FUNCS)


def list_fp32_ops(target_dtype):
    """Operators whose floating inputs AMP casts to float32."""
    return list(_lists(target_dtype).FP32_FUNCS)


def list_lp16_fp32_ops(target_dtype):
    """Operators that run in whichever float type they are given."""
    m = _lists(target_dtype)
    return list(m.BF16_FP32_FUNCS if m is symbol_bf16 else m.FP16_FP32_FUNCS)


def list_conditional_fp32_ops(target_dtype):
    """``(operator, parameter, values)``: float32 only when the parameter takes one of the values."""
    return list(_lists(target_dtype).CONDITIONAL_FP32_FUNCS)


def list_widest_type_cast(target_dtype):
    """Operators whose inputs are cast to the widest float type among them."""
    return list(_lists(target_dtype).WIDEST_TYPE_CASTS)


def list_loss_output_functions(target_dtype):
    """Output layers whose gradients AMP multiplies by the loss scale."""
    return list(_lists(target_dtype).LOSS_OUTPUT_FUNCTIONS)


def list_lp16_use_fp32_params(target_dtype):
    """``{operator: [input names]}``: inputs of low-precision operators that stay float32."""
    m = _lists(target_dtype)
    return dict(m.BF16_USE_FP32_PARAMS if m is symbol_bf16 else m.FP16_USE_FP32_PARAMS)


# -- wrapping the operator functions ---------------------------------------------------------
# as in MXNet, float16 is only cast on GPUs: CPU kernels keep a float16 input as it is
_CASTABLE_GPU = (np.dtype(np.float16), np.dtype(np.float32))
_CASTABLE_CPU = (np.dtype(np.float32),)


def _cast_nd(x, dtype):
    """``x`` cast to ``dtype`` when it is a float NDArray AMP casts on its device."""
    if isinstance(x, NDArray) and x.dtype != np.dtype(dtype):
        castable = _CASTABLE_CPU if x.context.device_type.startswith("cpu") else _CASTABLE_GPU
        if x.dtype in castable:
            return ndarray.amp_cast(x, dtype=dtype)
    return x


def _modules(mod):
    """(module, prefix of its functions' operator names) for an operator front end."""
    yield mod, ""
    for sub, prefix in (("op", ""), ("_internal", ""), ("contrib", "_contrib_"), ("linalg", "_linalg_")):
        m = getattr(mod, sub, None)
        if m is not None:
            yield m, prefix


def _wrap_all(mod, names, make_wrapper):
    """Replace every function of ``mod`` (and its op submodules) whose operator is in ``names``."""
    canonical = set()
    for n in names:
        try:
            canonical.add(get_op(n).name)
        except Exception:  # an operator this build does not have
            continue
    for m, prefix in _modules(mod):
        for attr in list(vars(m)):
            fn = getattr(m, attr)
            if not callable(fn) or getattr(fn, "_amp_wrapped", False):
                continue
            try:
                op = get_op(prefix + attr)
            except Exception:
                try:
                    op = get_op(attr)
                except Exception:
                    continue
            if op.name in canonical:
                wrapped = make_wrapper(fn, op.name)
                wrapped._amp_wrapped = True
                wrapped.__name__, wrapped.__doc__ = fn.__name__, fn.__doc__
                setattr(m, attr, wrapped)


def _conditional(fn, cond, inner):
    """Call ``inner`` only when ``cond`` (param, values) matches the call's keyword argument."""
    if cond is None:
        return inner
    param, values = cond

    def call(*args, **kwargs):
        if kwargs.get(param) in values:
            return inner(*args, **kwargs)
        return fn(*args, **kwargs)
    return call


def _nd_caster(dtype, cond_map):
    def make(fn, opname):
        def inner(*args, **kwargs):
            args = [_cast_nd(a, dtype) for a in args]
            kwargs = {k: _cast_nd(v, dtype) for k, v in kwargs.items()}
            return fn(*args, **kwargs)
        return _conditional(fn, cond_map.get(opname), inner)
    return make


def _sym_caster(dtype, cond_map):
    def make(fn, opname):
        def inner(*args, **kwargs):
            out = fn(*args, **kwargs)
            # re-apply the operator to cast copies of all its inputs (also the variables it
            # created itself, such as a weight), leaving auxiliary states alone
            head = out._outputs[0][0]
            if not head.inputs:
                return out
            mutated = set(head.op.mutated_inputs(head.parsed))
            inputs = [e if i in mutated else symbol.amp_cast(Symbol([e]), dtype=dtype)._outputs[0]
                      for i, e in enumerate(head.inputs)]
            node = Node(head.op, head.name, head.attrs, inputs, head.parsed)
            return Symbol([(node, i) for n, i in out._outputs])
        return _conditional(fn, cond_map.get(opname), inner)
    return make


def _widest_caster(target):
    def make(fn, opname):
        def call(*args, **kwargs):
            args = list(args)
            slots = [(args, i) for i, a in enumerate(args) if isinstance(a, (NDArray, Symbol))]
            slots += [(kwargs, k) for k, v in kwargs.items() if isinstance(v, (NDArray, Symbol))]
            if any(isinstance(c[k], Symbol) for c, k in slots):
                syms = [c[k] for c, k in slots]
                if len(syms) > 1:
                    cast = symbol.amp_multicast(*syms, num_outputs=len(syms))
                    for (c, k), s in zip(slots, cast):
                        c[k] = s
            else:
                wide = np.float32 if any(c[k].dtype == np.float32 for c, k in slots) else target
                for c, k in slots:
                    if c[k].dtype == np.dtype(target) and np.dtype(wide) != np.dtype(target):
                        c[k] = ndarray.amp_cast(c[k], dtype=np.dtype(wide).name)
            return fn(*args, **kwargs)
        return call
    return make


def _loss_scaler_wrapper(scaler):
    def make(fn, opname):
        def call(*args, **kwargs):
            kwargs["grad_scale"] = float(kwargs.get("grad_scale", 1.0)) * scaler.loss_scale
            return fn(*args, **kwargs)
        return call
    return make


_BINARY_METHODS = ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
                   "__rtruediv__", "__mod__", "__rmod__", "__pow__", "__rpow__", "__eq__", "__ne__",
                   "__gt__", "__ge__", "__lt__", "__le__")


def init(target_dtype="float16", target_precision_ops=None, conditional_fp32_ops=None, fp32_ops=None,
         layout_optimization=False):
    """Turn AMP on for the operators created from now on (call it before building the model)."""
    global _amp_initialized, _loss_scaler
    if _amp_initialized:
        logging.info("AMP is already initialized")
        return
    target = _target(target_dtype)
    lp16 = target_precision_ops if target_precision_ops is not None else list_lp16_ops(target)
    fp32 = fp32_ops if fp32_ops is not None else list_fp32_ops(target)
    cond = conditional_fp32_ops if conditional_fp32_ops is not None else list_conditional_fp32_ops(target)
    cond_map = {}
    for op, param, values in cond:
        cond_map[get_op(op).name] = (param, list(values))
    _amp_initialized = True
    logging.info("Using AMP")
    for mod, caster in ((ndarray, _nd_caster), (symbol, _sym_caster)):
        _wrap_all(mod, lp16, caster(target, {}))
        _wrap_all(mod, fp32, caster("float32", {}))
        _wrap_all(mod, [c[0] for c in cond], caster("float32", cond_map))
        _wrap_all(mod, list_widest_type_cast(target), _widest_caster(target))
    # NDArray arithmetic operators (broadcast_add & co.) combine inputs as widest-type operators do
    widest = _widest_caster(target)
    for cls in (NDArray,):
        for meth in _BINARY_METHODS:
            fn = getattr(cls, meth, None)
            if fn is not None and not getattr(fn, "_amp_wrapped", False):
                wrapped = widest(fn, meth)
                wrapped._amp_wrapped = True
                setattr(cls, meth, wrapped)
    _loss_scaler = LossScaler()
    for mod in (ndarray, symbol):
        _wrap_all(mod, list_loss_output_functions(target), _loss_scaler_wrapper(_loss_scaler))


def init_trainer(optimizer_or_trainer):
    """Give a Gluon Trainer AMP's dynamic loss scaling (AMP must be initialised)."""
    global _amp_loss_scale_initialized
    from ...gluon import trainer
    from ... import optimizer as opt
    if not _amp_initialized:
        raise AssertionError("AMP not initialized, did you forget to call amp.init()?")
    if not _amp_loss_scale_initialized:
        _amp_loss_scale_initialized = True
        scaler = _loss_scaler
    else:
        scaler = LossScaler()
    if isinstance(optimizer_or_trainer, trainer.Trainer):
        optimizer_or_trainer._amp_loss_scaler = scaler
        optimizer_or_trainer._amp_original_scale = optimizer_or_trainer._scale
    elif isinstance(optimizer_or_trainer, opt.Optimizer):
        raise TypeError("AMP is currently only compatible with Gluon Trainer")
    else:
        raise TypeError(f"optimizer_or_trainer should be a Gluon Trainer or an optimizer, instead is "
                        f"{type(optimizer_or_trainer)}")


@contextlib.contextmanager
def scale_loss(loss, optimizer_or_trainer):
    """Yield ``loss`` (or each loss of a list) times the current loss scale; the Trainer divides
    the gradients by it again."""
    scaler = getattr(optimizer_or_trainer, "_amp_loss_scaler", None)
    if scaler is None:
        raise AssertionError("Loss scaler is not initialized, did you forget to call amp.init_trainer()?")
    optimizer_or_trainer._scale = optimizer_or_trainer._amp_original_scale / scaler.loss_scale
    if isinstance(loss, (list, tuple)):
        yield [item * scaler.loss_scale for item in loss]
    else:
        yield scaler.loss_scale * loss


def unscale(optimizer_or_trainer):
    """Divide the gradients by the loss scale now (e.g. before clipping them)."""
    from ...gluon import trainer
    if not isinstance(optimizer_or_trainer, trainer.Trainer):
        raise TypeError("AMP is currently only compatible with Gluon Trainer")
    for p in optimizer_or_trainer._params:
        if p._grad is not None:
            for g in p._grad:
                g[:] *= optimizer_or_trainer._scale
    optimizer_or_trainer._scale = 1.0


# -- converting a graph ------------------------------------------------------------------------
def _op_name(node):
    return None if node.op is None else node.op.name


def convert_symbol(sym, target_dtype="float16", target_dtype_ops=None, fp32_ops=None,
                   conditional_fp32_ops=None, excluded_sym_names=None, data_names=None,
                   cast_optional_params=False):
    """A copy of ``sym`` with ``amp_cast``/``amp_multicast`` nodes where AMP's lists ask for them.

    Types are tracked from the variables (float32): a low-precision operator's inputs are cast to
    ``target_dtype`` unless they already are, a float32 operator's (also any operator in no list)
    to float32 unless they already are, a widest-type operator's go through one
    ``amp_multicast``; outputs not made by a float32 operator are cast back to float32.  Nodes named in ``excluded_sym_names`` stay float32.  With
    ``cast_optional_params``, parameters (variables not in ``data_names``) that only low-precision
    operators read are left uncast, to be stored in ``target_dtype`` (see :func:`convert_model`)."""
    target = _target(target_dtype)
    lp16 = _canonical(target_dtype_ops if target_dtype_ops is not None else list_lp16_ops(target))
    fp32 = _canonical(fp32_ops if fp32_ops is not None else list_fp32_ops(target))
    cond = {}
    for op, param, values in (conditional_fp32_ops if conditional_fp32_ops is not None
                              else list_conditional_fp32_ops(target)):
        if _has_op(op):
            cond[get_op(op).name] = (param, [str(v) for v in values])
    widest = _canonical(list_widest_type_cast(target))
    either = _canonical(list_lp16_fp32_ops(target))
    excluded = set(excluded_sym_names or ())
    cast_op, multicast_op = get_op("amp_cast"), get_op("amp_multicast")
    order = topo_order(sym._outputs)
    users = {}
    for node in order:
        for src, _ in node.inputs:
            users.setdefault(id(src), []).append(node)

    def kind(node):
        """'lp16', 'fp32' or 'widest'; None for the operators that run in their inputs' type."""
        name = _op_name(node)
        if node.name in excluded:
            return "fp32"
        if name in lp16:
            return "lp16"
        if name in fp32 or (name in cond and node.attrs.get(cond[name][0]) in cond[name][1]):
            return "fp32"
        if name in widest:
            return "widest"
        # an operator in no list is kept in float32, as MXNet's conversion pass does
        return None if name in either else "fp32"

    low_params = set()
    if cast_optional_params:
        data = set(data_names or ())
        low_params = {id(n) for n in order if n.op is None and n.name not in data and users.get(id(n))
                      and all(kind(u) == "lp16" for u in users[id(n)])}
    new, types, casts = {}, {}, {}

    def entry_name(e):
        node, i = e
        if node.op is None:
            return node.name
        return f"{node.name}_output" if kind(node) in ("lp16", "widest") else f"{node.name}_{i}"

    def mapped(e):
        return (new[id(e[0])], e[1])

    def cast(e, dtype):
        key = (id(e[0]), e[1], dtype)
        if key not in casts:
            casts[key] = Node(cast_op, f"{entry_name(e)}_amp_cast_{dtype}", {"dtype": dtype}, [mapped(e)])
        return (casts[key], 0)

    for node in order:
        if node.op is None:
            new[id(node)] = node
            types[(id(node), 0)] = "lp16" if id(node) in low_params else "fp32"
            continue
        k = kind(node)
        mutated = set(node.op.mutated_inputs(node.parsed))
        ins = node.inputs
        out_type = None
        if k in ("lp16", "fp32"):
            want = target if k == "lp16" else "float32"
            ins = [mapped(e) if i in mutated or types.get((id(e[0]), e[1])) == k else cast(e, want)
                   for i, e in enumerate(ins)]
            out_type = k
        elif k == "widest" and len(ins) > 1:
            mc = Node(multicast_op, f"{entry_name(ins[0])}_amp_multicast", {"num_outputs": str(len(ins))},
                      [mapped(e) for e in ins])
            ins = [(mc, i) for i in range(len(ins))]
        else:
            known = {types.get((id(e[0]), e[1])) for e in ins}
            out_type = known.pop() if len(known) == 1 else None
            ins = [mapped(e) for e in ins]
        copy = Node(node.op, node.name, node.attrs, ins, node.parsed)
        if node.subgraphs:
            copy.set_subgraphs(node.subgraphs)
        new[id(node)] = copy
        for i in range(node.num_outputs()):
            types[(id(node), i)] = out_type
    heads = [mapped(e) if e[0].op is None or kind(e[0]) == "fp32" else cast(e, "float32")
             for e in sym._outputs]
    return Symbol(heads)


def _canonical(names):
    return {get_op(n).name for n in names if _has_op(n)}


def _has_op(name):
    try:
        get_op(name)
        return True
    except Exception:
        return False


def convert_model(sym, arg_params, aux_params, target_dtype="float16", target_dtype_ops=None,
                  fp32_ops=None, conditional_fp32_ops=None, excluded_sym_names=None,
                  cast_optional_params=False):
    """``(converted symbol, arg_params, aux_params)``; with ``cast_optional_params``, parameters
    that only low-precision operators read are stored in ``target_dtype`` and not cast."""
    if excluded_sym_names is not None and not isinstance(excluded_sym_names, (list, tuple, set)):
        raise MXNetError("convert_model: excluded_sym_names must be a list of node names")
    arg_params, aux_params = dict(arg_params), dict(aux_params)
    data_names = [n for n in sym.list_arguments() if n not in arg_params]
    out = convert_symbol(sym, target_dtype, target_dtype_ops, fp32_ops, conditional_fp32_ops,
                         excluded_sym_names, data_names, cast_optional_params)
    if cast_optional_params:
        target = np.dtype(_target(target_dtype))
        in_types, _, _ = out.infer_type_partial(**{n: "float32" for n in data_names})
        for name, t in zip(out.list_arguments(), in_types or ()):
            if name in arg_params and t is not None and np.dtype(t) == target:
                arg_params[name] = arg_params[name].astype(target)
    return out, arg_params, aux_params


def convert_hybrid_block(block, target_dtype="float16", target_dtype_ops=None, fp32_ops=None,
                         conditional_fp32_ops=None, excluded_sym_names=None, ctx=None,
                         cast_optional_params=False):
    """A ``SymbolBlock`` computing ``block`` (hybridized and run once) with AMP's casts."""
    from ...gluon import SymbolBlock
    from ...context import current_context
    if not getattr(block, "_cached_graph", None):
        raise RuntimeError("Please first call block.hybridize() and then run forward with this block "
                           "at least once before calling convert_hybrid_block.")
    inputs, sym = block._cached_graph
    params = block.collect_params()
    arg_names, aux_names = set(sym.list_arguments()), set(sym.list_auxiliary_states())
    arg_params = {k: p.data() for k, p in params.items() if k in arg_names}
    aux_params = {k: p.data() for k, p in params.items() if k in aux_names}
    out, arg_params, aux_params = convert_model(sym, arg_params, aux_params, target_dtype,
                                                target_dtype_ops, fp32_ops, conditional_fp32_ops,
                                                excluded_sym_names, cast_optional_params)
    inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    net = SymbolBlock(out, inputs)
    ctx = ctx if ctx is not None else current_context()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net.collect_params().initialize(ctx=ctx)
    for name, p in net.collect_params().items():
        src = arg_params.get(name, aux_params.get(name))
        if src is not None:
            p.cast(src.dtype)
            p.set_data(src)
    return net
