"""Goldens for optimizer update ops, mx.optimizer, mx.lr_scheduler and mx.metric (run under MXNet 1.9.1).

Usage: ``cd tools/goldens && ../../.ref/bin/python gen_optimizer.py`` -> tests/goldens/optimizer.npz/.json

Sections of the JSON: ``ops`` (one call each: inputs, the output and every input after the call,
since the ops update their states in place), ``optimizers`` (5 Updater steps from the same weights
and gradients: final weights and flattened states), ``schedulers`` (values over a range of
num_update) and ``metrics`` (get/get_global after updates and a reset_local).
"""
import json
import os

import mxnet as mx
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "goldens")
rng = np.random.RandomState(0)
arrays = {}
meta = {"ops": [], "optimizers": [], "schedulers": [], "metrics": []}


def rnd(*shape, dtype="float32", pos=False):
    a = rng.uniform(0.1, 1.0, size=shape) if pos else rng.normal(size=shape)
    return a.astype(dtype)


def resolve(path):
    obj = mx.nd
    for p in path.split("."):
        obj = getattr(obj, p)
    return obj


# -- operators ----------------------------------------------------------------------------------
def op_case(cid, op, inputs, out_idx=None, **kwargs):
    """out_idx: inputs passed as ``out=`` (MXNet's multi-weight ops need it)."""
    xs = [mx.nd.array(a, dtype=a.dtype) for a in inputs]
    if out_idx is not None:
        out = resolve(op)(*xs, out=[xs[i] for i in out_idx], **kwargs)
    else:
        out = resolve(op)(*xs, **kwargs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    for i, a in enumerate(inputs):
        arrays[f"ops/{cid}/in{i}"] = a
        arrays[f"ops/{cid}/after{i}"] = xs[i].asnumpy()
    for j, o in enumerate(outs):
        arrays[f"ops/{cid}/out{j}"] = o.asnumpy()
    meta["ops"].append({"id": cid, "op": op, "kwargs": repr(kwargs), "n_in": len(inputs), "n_out": len(outs),
                       "out_idx": out_idx})


S = (3, 4)
for tag, kw in [("plain", {}), ("wd_clip", dict(wd=0.1, clip_gradient=0.5, rescale_grad=0.5))]:
    op_case(f"sgd_{tag}", "sgd_update", [rnd(*S), rnd(*S)], lr=0.1, **kw)
    op_case(f"sgd_mom_{tag}", "sgd_mom_update", [rnd(*S), rnd(*S), rnd(*S)], lr=0.1, momentum=0.9, **kw)
    op_case(f"nag_{tag}", "nag_mom_update", [rnd(*S), rnd(*S), rnd(*S)], lr=0.1, momentum=0.9, **kw)
    op_case(f"mp_sgd_{tag}", "mp_sgd_update", [rnd(*S, dtype="float16"), rnd(*S, dtype="float16"), rnd(*S)],
            lr=0.1, **kw)
    op_case(f"mp_sgd_mom_{tag}", "mp_sgd_mom_update",
            [rnd(*S, dtype="float16"), rnd(*S, dtype="float16"), rnd(*S), rnd(*S)], lr=0.1, momentum=0.9,
            **kw)
    op_case(f"mp_nag_{tag}", "mp_nag_mom_update",
            [rnd(*S, dtype="float16"), rnd(*S, dtype="float16"), rnd(*S), rnd(*S)], lr=0.1, momentum=0.9,
            **kw)
    op_case(f"adam_{tag}", "adam_update", [rnd(*S), rnd(*S), rnd(*S), rnd(*S, pos=True)], lr=0.01, **kw)
    op_case(f"rmsprop_{tag}", "rmsprop_update", [rnd(*S), rnd(*S), rnd(*S, pos=True)], lr=0.01,
            clip_weights=0.8, **kw)
    op_case(f"rmspropalex_{tag}", "rmspropalex_update",
            [rnd(*S), rnd(*S), rnd(*S, pos=True) + 1, rnd(*S) * 0.1, rnd(*S)], lr=0.01, **kw)
    op_case(f"ftrl_{tag}", "ftrl_update", [rnd(*S), rnd(*S), rnd(*S), rnd(*S, pos=True)], lr=0.1,
            lamda1=0.05, **kw)
    op_case(f"signsgd_{tag}", "signsgd_update", [rnd(*S), rnd(*S)], lr=0.1, **kw)
    op_case(f"signum_{tag}", "signum_update", [rnd(*S), rnd(*S), rnd(*S)], lr=0.1, momentum=0.9, wd_lh=0.01,
            **kw)
    kw_ftml = {("clip_grad" if k == "clip_gradient" else k): v for k, v in kw.items()}
    op_case(f"ftml_{tag}", "ftml_update", [rnd(*S), rnd(*S), rnd(*S, pos=True), rnd(*S, pos=True), rnd(*S)],
            lr=0.1, t=3, **kw_ftml)
    op_case(f"lamb1_{tag}", "lamb_update_phase1", [rnd(*S), rnd(*S), rnd(*S), rnd(*S, pos=True)], t=2,
            **dict({"wd": 0.0}, **kw))
    op_case(f"mp_lamb1_{tag}", "mp_lamb_update_phase1",
            [rnd(*S, dtype="float16"), rnd(*S, dtype="float16"), rnd(*S), rnd(*S, pos=True), rnd(*S)], t=2,
            bias_correction=False, **dict({"wd": 0.0}, **kw))
op_case("lamb2", "lamb_update_phase2", [rnd(*S), rnd(*S), np.array([2.0], "f"), np.array([0.5], "f")], lr=0.1)
op_case("lamb2_bounds", "lamb_update_phase2", [rnd(*S), rnd(*S), np.array([2.0], "f"), np.array([0.5], "f")],
        lr=0.1, lower_bound=0.1, upper_bound=1.0)
op_case("lamb2_zero", "lamb_update_phase2", [rnd(*S), rnd(*S), np.array([0.0], "f"), np.array([0.5], "f")],
        lr=0.1)
op_case("mp_lamb2", "mp_lamb_update_phase2",
        [rnd(*S, dtype="float16"), rnd(*S), np.array([2.0], "f"), np.array([0.5], "f"), rnd(*S)], lr=0.1)
op_case("multi_sgd", "multi_sgd_update", [rnd(*S), rnd(*S), rnd(5), rnd(5)], lrs=(0.1, 0.2), wds=(0.0, 0.1),
        num_weights=2, clip_gradient=1.0, out_idx=[0, 2])
op_case("multi_sgd_mom", "multi_sgd_mom_update", [rnd(*S), rnd(*S), rnd(*S), rnd(5), rnd(5), rnd(5)],
        lrs=(0.1, 0.2), wds=(0.0, 0.1), momentum=0.9, num_weights=2, out_idx=[0, 3])
op_case("multi_mp_sgd", "multi_mp_sgd_update",
        [rnd(*S, dtype="float16"), rnd(*S, dtype="float16"), rnd(*S), rnd(5, dtype="float16"),
         rnd(5, dtype="float16"), rnd(5)], lrs=(0.1, 0.2), wds=(0.0, 0.1), num_weights=2,
        out_idx=[0, 3])
op_case("multi_mp_sgd_mom", "multi_mp_sgd_mom_update",
        [rnd(*S, dtype="float16"), rnd(*S, dtype="float16"), rnd(*S), rnd(*S)], lrs=(0.1,), wds=(0.01,),
        momentum=0.9, num_weights=1, out_idx=[0])
op_case("pre_multi_sgd", "preloaded_multi_sgd_update",
        [rnd(*S), rnd(*S), rnd(5), rnd(5), np.array([0.1, 0.2], "f"), np.array([0.0, 0.1], "f")],
        num_weights=2,
        out_idx=[0, 2])
op_case("pre_multi_sgd_mom", "preloaded_multi_sgd_mom_update",
        [rnd(*S), rnd(*S), rnd(*S), np.array([0.1], "f"), np.array([0.1], "f")], momentum=0.5, num_weights=1,
        out_idx=[0])
op_case("multi_sum_sq", "multi_sum_sq", [rnd(*S), rnd(5), rnd(2, 2, 2)], num_arrays=3)
op_case("multi_lars", "multi_lars", [np.array([0.1, 0.2, 0.3], "f"), np.array([4.0, 0.0, 2.0], "f"),
                                     np.array([1.0, 1.0, 0.5], "f"), np.array([0.0, 0.1, 0.2], "f")],
        eta=0.01, eps=1e-6, rescale_grad=0.5)
op_case("all_finite_yes", "all_finite", [rnd(*S)])
op_case("all_finite_no", "all_finite", [np.array([1.0, np.inf], "f")])
op_case("multi_all_finite", "multi_all_finite", [rnd(3), np.array([np.nan], "f")], num_arrays=2)
op_case("reset_arrays", "reset_arrays", [rnd(*S), rnd(5)], num_arrays=2)


# -- optimizers ---------------------------------------------------------------------------------
def flat_state(s):
    if s is None:
        return [None]
    if isinstance(s, mx.nd.NDArray):
        return [s.asnumpy()]
    return [x for t in s for x in flat_state(t)]


SCHEDS = {"factor": ("FactorScheduler", dict(step=2, factor=0.5, base_lr=0.1)),
          "poly": ("PolyScheduler", dict(max_update=6, base_lr=0.1, pwr=2, warmup_steps=2)),
          "cosine": ("CosineScheduler", dict(max_update=8, base_lr=0.05, final_lr=0.01))}


def opt_case(cid, name, dtype="float32", sched=None, idx2name=True, steps=5, **kwargs):
    kw = dict(kwargs)
    if sched:
        cls, skw = SCHEDS[sched]
        kw["lr_scheduler"] = getattr(mx.lr_scheduler, cls)(**skw)
    if idx2name:
        kw["param_idx2name"] = {0: "fc_weight", 1: "fc_bias"}
    opt = mx.optimizer.create(name, **kw)
    upd = mx.optimizer.get_updater(opt)
    shapes = [(3, 4), (4,)]
    ws = [rnd(*s, dtype=dtype) for s in shapes]
    nds = [mx.nd.array(w, dtype=dtype) for w in ws]
    for i, w in enumerate(ws):
        arrays[f"optimizers/{cid}/w{i}"] = w
    for s in range(steps):
        gs = [rnd(*sh, dtype=dtype) for sh in shapes]
        for i, g in enumerate(gs):
            arrays[f"optimizers/{cid}/g{s}_{i}"] = g
        upd(list(range(len(nds))), [mx.nd.array(g, dtype=dtype) for g in gs], nds)
    nstate = []
    for i, w in enumerate(nds):
        arrays[f"optimizers/{cid}/final{i}"] = w.asnumpy()
        st = flat_state(upd.states[i])
        nstate.append([x is not None for x in st])
        for k, x in enumerate(st):
            if x is not None:
                arrays[f"optimizers/{cid}/st{i}_{k}"] = x
    meta["optimizers"].append({"id": cid, "name": name, "kwargs": repr(kwargs), "sched": sched,
                               "dtype": dtype, "steps": steps, "idx2name": idx2name, "states": nstate,
                               "num_update": opt.num_update})


opt_case("sgd", "sgd", learning_rate=0.1)
opt_case("sgd_mom_wd", "sgd", learning_rate=0.1, momentum=0.9, wd=0.01, rescale_grad=0.5, clip_gradient=0.8)
opt_case("sgd_factor", "sgd", momentum=0.9, sched="factor")
opt_case("sgd_mp", "sgd", dtype="float16", learning_rate=0.1, momentum=0.9, multi_precision=True, wd=0.01)
opt_case("sgd_mp_nomom", "sgd", dtype="float16", learning_rate=0.1, multi_precision=True)
opt_case("nag", "nag", learning_rate=0.1, momentum=0.9, wd=0.01)
opt_case("nag_mp", "nag", dtype="float16", learning_rate=0.1, momentum=0.9, multi_precision=True)
opt_case("nag_nomom", "nag", learning_rate=0.1, clip_gradient=0.5)
opt_case("signum", "signum", learning_rate=0.01, momentum=0.9, wd=0.01, wd_lh=0.01)
opt_case("signsgd", "signum", learning_rate=0.01, momentum=0.0, wd=0.01)
opt_case("adam", "adam", learning_rate=0.01)
opt_case("adam_wd_clip", "adam", learning_rate=0.01, wd=0.1, clip_gradient=0.5, rescale_grad=2.0, beta1=0.8)
opt_case("adam_poly", "adam", sched="poly")
opt_case("adam_mp", "adam", dtype="float16", learning_rate=0.01, multi_precision=True)
opt_case("adagrad", "adagrad", learning_rate=0.1, wd=0.01, clip_gradient=0.8)
opt_case("adadelta", "adadelta", rho=0.8, wd=0.01, rescale_grad=0.5, clip_gradient=1.0)
opt_case("rmsprop", "rmsprop", learning_rate=0.01, wd=0.01)
opt_case("rmsprop_centered", "rmsprop", learning_rate=0.01, centered=True, clip_weights=0.9,
         clip_gradient=1.0)
opt_case("adamax", "adamax", learning_rate=0.01, wd=0.01, clip_gradient=1.0)
opt_case("nadam", "nadam", learning_rate=0.01, wd=0.01)
opt_case("ftml", "ftml", learning_rate=0.05, wd=0.01, clip_gradient=1.0)
opt_case("ftrl", "ftrl", learning_rate=0.1, lamda1=0.02, wd=0.01)
opt_case("lamb", "lamb", learning_rate=0.01, wd=0.01)
opt_case("lamb_bounds", "lamb", learning_rate=0.01, lower_bound=0.5, upper_bound=2.0, bias_correction=False)
opt_case("lamb_mp", "lamb", dtype="float16", learning_rate=0.01, multi_precision=True, wd=0.01)
opt_case("lars", "lars", learning_rate=0.1, momentum=0.9, wd=0.01, eta=0.1)
opt_case("lars_cosine", "lars", momentum=0.9, sched="cosine", eta=0.1)
opt_case("lbsgd", "lbsgd", learning_rate=0.1, momentum=0.9, batch_scale=2, warmup_epochs=1,
         updates_per_epoch=4)
opt_case("dcasgd", "dcasgd", learning_rate=0.1, wd=0.01, lamda=0.1)
opt_case("test", "test", rescale_grad=0.5)
opt_case("sgd_noname", "sgd", learning_rate=0.1, wd=0.1, idx2name=False)


# -- lr schedulers ------------------------------------------------------------------------------
def sched_case(cid, cls, nums, **kwargs):
    s = getattr(mx.lr_scheduler, cls)(**kwargs)
    meta["schedulers"].append({"id": cid, "cls": cls, "kwargs": repr(kwargs), "nums": nums,
                               "values": [s(n) for n in nums]})


RANGE = list(range(0, 40))
sched_case("factor", "FactorScheduler", RANGE, step=5, factor=0.7, base_lr=0.1)
sched_case("factor_stop", "FactorScheduler", RANGE, step=3, factor=0.1, stop_factor_lr=1e-4, base_lr=1.0)
sched_case("factor_warm", "FactorScheduler", RANGE, step=4, factor=0.5, base_lr=0.2, warmup_steps=6,
           warmup_begin_lr=0.01)
sched_case("factor_jump", "FactorScheduler", [0, 3, 17, 18, 40], step=4, factor=0.5)
sched_case("multifactor", "MultiFactorScheduler", RANGE, step=[5, 12, 30], factor=0.3, base_lr=0.5)
sched_case("multifactor_warm", "MultiFactorScheduler", RANGE, step=[8, 20], factor=0.5, base_lr=0.5,
           warmup_steps=4, warmup_mode="constant", warmup_begin_lr=0.1)
sched_case("poly", "PolyScheduler", RANGE, max_update=30, base_lr=0.1, pwr=2)
sched_case("poly_warm", "PolyScheduler", RANGE, max_update=30, base_lr=0.1, pwr=1.5, final_lr=0.01,
           warmup_steps=5, warmup_begin_lr=0.02)
sched_case("cosine", "CosineScheduler", RANGE, max_update=25, base_lr=0.3, final_lr=0.05)
sched_case("cosine_warm", "CosineScheduler", RANGE, max_update=25, base_lr=0.3, warmup_steps=5)


# -- metrics ------------------------------------------------------------------------------------
def metric_case(cid, metric, batches, **kwargs):
    """batches: list of (labels, preds) lists of NumPy arrays."""
    m = mx.metric.create(metric, **kwargs)
    for b, (ls, ps) in enumerate(batches):
        for i, a in enumerate(ls):
            arrays[f"metrics/{cid}/l{b}_{i}"] = a
        for i, a in enumerate(ps):
            arrays[f"metrics/{cid}/p{b}_{i}"] = a
        m.update([mx.nd.array(a, dtype=a.dtype) for a in ls], [mx.nd.array(a, dtype=a.dtype) for a in ps])
    got = m.get()
    m.reset_local()
    ls, ps = batches[-1]
    m.update([mx.nd.array(a, dtype=a.dtype) for a in ls], [mx.nd.array(a, dtype=a.dtype) for a in ps])
    meta["metrics"].append({"id": cid, "metric": metric, "kwargs": repr(kwargs), "n_batches": len(batches),
                            "n": [[len(ls), len(ps)] for ls, ps in batches],
                            "get": _py(got), "get_after_reset_local": _py(m.get()),
                            "get_global": _py(m.get_global())})


def _py(v):
    name, val = v
    if isinstance(val, list):
        return [name, [float(x) for x in val]]
    return [name, float(val)]


def probs(n, k):
    p = rng.uniform(0.05, 1, size=(n, k))
    return (p / p.sum(1, keepdims=True)).astype("float32")


def labels(n, k):
    return rng.randint(0, k, size=n).astype("float32")


cls_batches = [([labels(8, 3)], [probs(8, 3)]) for _ in range(3)]
bin_batches = [([labels(10, 2)], [probs(10, 2)]) for _ in range(3)]
reg_batches = [([rnd(6)], [rnd(6)]), ([rnd(6)], [rnd(6, 1)]), ([rnd(4, 2)], [rnd(4, 2)])]
metric_case("acc", "acc", cls_batches)
metric_case("acc_labels_match", "acc", [([labels(8, 3)], [labels(8, 3)])])
metric_case("topk", "top_k_accuracy", [([labels(8, 5)], [probs(8, 5)]) for _ in range(2)], top_k=3)
metric_case("f1_macro", "f1", bin_batches)
metric_case("f1_micro", "f1", bin_batches, average="micro")
metric_case("mcc_macro", "mcc", bin_batches)
metric_case("mcc_micro", "mcc", bin_batches, average="micro")
metric_case("perplexity", "perplexity", cls_batches, ignore_label=None)
metric_case("perplexity_ignore", "perplexity", cls_batches, ignore_label=1)
metric_case("mae", "mae", reg_batches)
metric_case("mse", "mse", reg_batches)
metric_case("rmse", "rmse", reg_batches)
metric_case("ce", "ce", cls_batches)
metric_case("nll", "nll_loss", cls_batches, eps=1e-6)
metric_case("pearsonr", "pearsonr", [([rnd(10)], [rnd(10)]) for _ in range(2)])
metric_case("pearsonr_micro", "pearsonr", [([rnd(10)], [rnd(10)]) for _ in range(2)], average="micro")
metric_case("pcc", "pcc", [([labels(12, 4)], [probs(12, 4)]) for _ in range(2)])
metric_case("loss", "loss", [([], [rnd(5)]), ([], [rnd(3, 2)])])
metric_case("composite", ["acc", "ce", "mae"], cls_batches)

os.makedirs(OUT, exist_ok=True)
np.savez_compressed(os.path.join(OUT, "optimizer.npz"), **arrays)
with open(os.path.join(OUT, "optimizer.json"), "w") as f:
    json.dump(meta, f, indent=1)
print({k: len(v) for k, v in meta.items()}, len(arrays), "arrays")
