"""Graph passes of a ``GraphPlan``.

For every run, training included (``training_steps``):

* activation under max pooling: a monotone ``Activation`` (relu, sigmoid, tanh, softrelu) whose
  only consumer is an unpadded max ``Pooling`` commutes with it, so the pair runs as pooling
  first and the activation on the pooled values (a quarter of them under 2x2 windows); the
  backward scatters the pooled gradient times the activation's derivative in one pass.  The
  gradient is MXNet's: the window's first maximum receives it (where a saturated activation makes
  several maxima tie, the derivative there is 0 either way).  An input holding NaN (the C
  pooling kernel reports it) runs in MXNet's order instead, activation then pooling, whose
  backward gives NaN where the input is NaN; so does the backward of an inf or NaN head
  gradient (which MXNet's first maximum of the activated window receives).

* activation after a dense layer: a ``FullyConnected`` whose only consumer is an ``Activation``
  whose derivative is a function of its output (relu, sigmoid, tanh, softrelu) applies it in place
  on the product it has just made, saving a buffer and a pass (relu with a bias: bias and relu
  in one C pass); the backward is the two operators' own, one after the other (relu with a
  bias: the mask and the bias gradient in one C pass).

* ``pick`` of a ``log_softmax`` (gluon's ``SoftmaxCrossEntropyLoss``) runs as the fused
  ``_softmax_cross_entropy_pick`` operator that the loss calls eagerly: one pass each way.

For inference runs (hybridized blocks not recording):

* identity removal: ``Dropout`` (outside ``mode='always'``), ``_copy``/``identity`` and
  ``BlockGrad`` pass their input through;
* BatchNorm folding: a ``Convolution``/``FullyConnected`` whose only consumer is an inference
  ``BatchNorm`` over the channel axis runs once with the normalisation folded into its weight
  and bias (recomputed per run from the current parameters, so training in between is seen);
* constant folding: operators that depend on no variable (``zeros``, ``arange``, ...) run once.

The training path never uses the inference passes: its backward needs every intermediate value.
"""
import numpy as np

from ..ops import _conv_kernels as K
from ..ops.nn_activation import activate
from ..ops.nn_conv import (bind_dense, bind_pool, dense_kernels, fc_bias_act, fc_product, fc_product_grads,
                           max_pool_checking_nan)
from ..ops.registry import Attrs, get_op

_PASS_THROUGH = {"_copy", "BlockGrad", "Dropout"}
_NONDETERMINISTIC_PREFIXES = ("_random", "_sample", "_shuffle", "_npi_random", "_np_random")


class _Step:
    """A step of the optimised list (same fields the plan's runner reads)."""

    __slots__ = ("node", "op", "attrs", "ins", "out0", "nout")

    def __init__(self, node, op, attrs, ins, out0, nout):
        self.node, self.op, self.attrs, self.ins, self.out0, self.nout = node, op, attrs, ins, out0, nout


class _FoldedBN:
    """Runs conv/dense with BatchNorm's inference normalisation folded into weight and bias."""

    save_state = False

    def __init__(self, producer, bn):
        self.producer = producer.op
        self.name = f"{producer.op.name}+BatchNorm"
        self.p_attrs = Attrs(producer.attrs)
        self.has_bias = not producer.attrs.get("no_bias", False)
        self.p_attrs["no_bias"] = False
        self.n_p = len(producer.ins)
        self.eps = bn.attrs.get("eps", 1e-3)
        self.fix_gamma = bn.attrs.get("fix_gamma", True)

    def forward(self, attrs, ins, ctx):
        xp = ctx.xp
        data, weight = ins[0], ins[1]
        bias = ins[2] if self.has_bias else None
        gamma, beta, mean, var = ins[self.n_p:self.n_p + 4]
        dt = weight.dtype
        scale = (xp.ones_like(var) if self.fix_gamma else gamma) / xp.sqrt(var + dt.type(self.eps))
        scale = scale.astype(dt, copy=False)
        w = weight * scale.reshape((-1,) + (1,) * (weight.ndim - 1))
        b = ((bias if bias is not None else 0) - mean) * scale + beta
        return self.producer.forward(self.p_attrs, [data, w, b.astype(dt, copy=False)], ctx)


# activation -> code of its derivative in ``_conv_kernels.ACT_GRADS`` / ``_native``
_MONOTONE_ACTS = {"relu": 1, "sigmoid": 2, "tanh": 3, "softrelu": 4}


class _PoolAct:
    """Max pooling, then the activation that preceded it in the graph (see the module notes)."""

    save_state = True

    def __init__(self, act, pool):
        self.act_attrs, self.pool_attrs = act.attrs, pool.attrs
        self.name = f"Pooling+Activation({act.attrs.act_type})"
        self.code = _MONOTONE_ACTS[act.attrs.act_type]
        self.act, self.pool = get_op("Activation"), get_op("Pooling")

    def forward(self, attrs, ins, ctx):
        y, state, nan = max_pool_checking_nan(self.pool_attrs, ins, ctx)
        if nan:
            # MXNet's order: act(NaN) is NaN, which its backward turns into a NaN gradient
            a = self.act.forward(self.act_attrs, ins, ctx)
            y, state = self.pool.forward(self.pool_attrs, [a], ctx)
            return y, (state, a, True)
        return self.act.forward(self.act_attrs, [y], ctx), (state, y, False)

    def bind(self, attrs, ins, ctx):
        pool = bind_pool(self.pool_attrs, ins, ctx, nan_flag=True)
        if pool is None:
            return None
        xp, act = ctx.xp, self.act_attrs.act_type

        def run(ins):
            y, nan = pool(ins[0])
            if nan:   # MXNet's order (see forward)
                return pool(activate(xp, act, ins[0]))[0]
            return activate(xp, act, y, out=y)
        return run

    def backward(self, attrs, ograds, ins, outs, ctx, state):
        pstate, y, unfused = state
        if not unfused and ograds[0] is not None and not ctx.xp.isfinite(ograds[0].sum()):
            # an inf/NaN head gradient: where the activation makes a window's values tie (relu's
            # negatives), MXNet's first maximum of act(x) receives it (0 * inf is NaN there), not
            # x's; pooled again in MXNet's order
            y = self.act.forward(self.act_attrs, ins, ctx)
            pstate, unfused = self.pool.forward(self.pool_attrs, [y], ctx)[1], True
        if unfused:   # y is the activation's output, pooled in the forward
            g = self.pool.backward(self.pool_attrs, ograds, [y], outs, ctx, pstate)
            return self.act.backward(self.act_attrs, g, ins, [y], ctx, None)
        if isinstance(pstate, K.FlatArgmax):
            return [pstate.scatter(ctx.xp, ograds[0], ins[0].shape, self.code, outs[0])]
        g = self.act.backward(self.act_attrs, ograds, [y], outs, ctx, None)
        return self.pool.backward(self.pool_attrs, g, ins, [y], ctx, pstate)


class _FCAct:
    """``FullyConnected``, then its ``Activation`` in place (see the module notes)."""

    save_state = False

    def __init__(self, fc, act):
        self.fc_attrs, self.act_attrs = fc.attrs, act.attrs
        self.name = f"FullyConnected+Activation({act.attrs.act_type})"
        self.fc, self.act = get_op("FullyConnected"), get_op("Activation")

    def forward(self, attrs, ins, ctx):
        y, b, oshape = fc_product(self.fc_attrs, ins, ctx)   # a new array: nobody else sees it yet
        return fc_bias_act(ctx.xp, y, b, self.act_attrs.act_type).reshape(oshape)

    def bind(self, attrs, ins, ctx):
        return bind_dense(self.fc_attrs, ins, ctx, self.act_attrs.act_type)

    def backward(self, attrs, ograds, ins, outs, ctx, state):
        g, y = ograds[0], outs[0]
        n = self.fc_attrs.num_hidden
        if g is not None and self.act_attrs.act_type == "relu" and not self.fc_attrs.no_bias:
            g2, y2 = g.reshape(-1, n), y.reshape(-1, n)
            jk = dense_kernels(y2, None)
            if (jk is not None and type(g2) is np.ndarray and g2.dtype == y2.dtype
                    and g2.flags.c_contiguous):
                # the relu mask and the bias gradient in one pass
                db = ctx.grad_buffer(2, (n,), y.dtype)
                db = np.empty(n, y.dtype) if db is None else db
                d = jk.relu_grad_colsum(g2, y2, db)
                return fc_product_grads(self.fc_attrs, d, ins, ctx) + [db]
        g = self.act.backward(self.act_attrs, ograds, [None], outs, ctx, None)
        return self.fc.backward(self.fc_attrs, g, ins, [None], ctx, None)


class _PickLogSoftmax:
    """``pick(log_softmax(x), label)`` through ``_softmax_cross_entropy_pick`` (which gives its
    negation with the axis kept)."""

    save_state = True

    def __init__(self, ls, pick):
        self.name = "log_softmax+pick"
        self.op = get_op("_softmax_cross_entropy_pick")
        self.attrs = Attrs(axis=ls.attrs.axis)
        self.keepdims = pick.attrs.keepdims

    def forward(self, attrs, ins, ctx):
        out, state = self.op.forward(self.attrs, ins, ctx)
        ctx.xp.negative(out, out=out)
        if not self.keepdims:
            out = out.reshape(out.shape[:state[3]] + out.shape[state[3] + 1:])
        return out, state

    def backward(self, attrs, ograds, ins, outs, ctx, state):
        g = ograds[0]
        if g is None:
            return [None, None]
        g = -ctx.xp.expand_dims(g, state[3]) if not self.keepdims else -g
        return self.op.backward(self.attrs, [g], ins, outs, ctx, state)


def _pick_of_log_softmax(pick, ls):
    a = ls.attrs if ls is not None else None
    return (a is not None and ls.op.name == "log_softmax" and len(ls.ins) == 1
            and a.temperature in (None, 1.0) and a.dtype is None and not a.use_length
            and pick.attrs.mode == "clip" and pick.attrs.axis == a.axis)


def _pool_after_act(pool, act):
    a = pool.attrs
    return (act is not None and act.op.name == "Activation" and act.attrs.act_type in _MONOTONE_ACTS
            and a.pool_type == "max" and not a.global_pool and not any(a.pad or ())
            and a.pooling_convention == "valid" and (a.layout is None or a.layout.startswith("NC")))


def _slot_uses(steps, head_slots):
    uses = {}
    for st in steps:
        for i in st.ins:
            uses[i] = uses.get(i, 0) + 1
    for h in head_slots:
        uses[h] = uses.get(h, 0) + 2   # a head is never fused away
    return uses


def training_steps(steps, head_slots):
    """``steps`` with the fusions valid for training too (see the module notes)."""
    uses = _slot_uses(steps, head_slots)
    producer_of = {st.out0: st for st in steps if st.nout == 1}
    out = []
    for st in steps:
        if st.op.name == "Pooling":
            act = producer_of.get(st.ins[0])
            if _pool_after_act(st, act) and uses.get(act.out0) == 1 and act in out:
                out.remove(act)
                out.append(_Step(st.node, _PoolAct(act, st), None, act.ins, st.out0, 1))
                continue
        if st.op.name == "Activation" and st.attrs.act_type in _MONOTONE_ACTS:
            fc = producer_of.get(st.ins[0])
            if (fc is not None and fc.op.name == "FullyConnected" and uses.get(fc.out0) == 1
                    and fc in out):
                out.remove(fc)
                out.append(_Step(st.node, _FCAct(fc, st), None, fc.ins, st.out0, 1))
                continue
        if st.op.name == "pick":
            ls = producer_of.get(st.ins[0])
            if _pick_of_log_softmax(st, ls) and uses.get(ls.out0) == 1 and ls in out:
                out.remove(ls)
                out.append(_Step(st.node, _PickLogSoftmax(ls, st), None, ls.ins + st.ins[1:], st.out0, 1))
                continue
        out.append(st)
    return out


def _is_pass_through(step):
    name = step.op.name
    if name not in _PASS_THROUGH:
        return False
    if name == "Dropout" and step.attrs.get("mode", "training") == "always":
        return False
    return True


def _foldable(producer, bn):
    if producer is None or producer.op.name not in ("Convolution", "FullyConnected"):
        return False
    a = bn.attrs
    if a.get("axis", 1) != 1 or a.get("output_mean_var", False) or len(bn.ins) != 5:
        return False
    if producer.op.name == "Convolution":
        layout = producer.attrs.get("layout")
        return layout is None or layout.startswith("NC")
    return producer.attrs.get("flatten", True)


def inference_steps(steps, head_slots, var_slots):
    """Optimise ``steps`` for inference: returns ``(steps, head_slots, const_steps)``."""
    alias = {}

    def res(s):
        while s in alias:
            s = alias[s]
        return s

    kept = []
    for st in steps:
        ins = [res(i) for i in st.ins]
        if _is_pass_through(st):
            alias[st.out0] = ins[0]
            continue
        kept.append(_Step(st.node, st.op, st.attrs, ins, st.out0, st.nout))
    heads = [res(h) for h in head_slots]

    uses = _slot_uses(kept, heads)
    producer_of = {}
    for st in kept:
        for k in range(st.nout):
            producer_of[st.out0 + k] = st
    folded = []
    dropped = set()
    for st in kept:
        if id(st) in dropped:
            continue
        if st.op.name == "BatchNorm":
            p = producer_of.get(st.ins[0])
            if (_foldable(p, st) and uses.get(st.ins[0]) == 1 and p.nout == 1 and id(p) in
                    {id(f) for f in folded} and not uses.get(st.out0 + 1) and not uses.get(st.out0 + 2)):
                folded.remove(p)
                op = _FoldedBN(p, st)
                folded.append(_Step(st.node, op, None, p.ins + st.ins[1:5], st.out0, 1))
                continue
        folded.append(st)

    const_slots = set()
    consts = []
    var_slots = set(var_slots)
    for st in folded:
        if (st.op.name.startswith(_NONDETERMINISTIC_PREFIXES) or getattr(st.op, "needs_rng", False)
                or getattr(st.op, "input_dependent", False)):
            continue
        if all(i in const_slots for i in st.ins) and not any(i in var_slots for i in st.ins):
            consts.append(st)
            const_slots.update(range(st.out0, st.out0 + st.nout))
    const_ids = {id(c) for c in consts}
    rest = [st for st in folded if id(st) not in const_ids]
    return rest, heads, consts

