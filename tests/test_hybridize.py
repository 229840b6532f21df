"""hybridize(), export and SymbolBlock against models exported by real MXNet 1.9.1
(tools/goldens/gen_export.py; networks in tests/export_nets.py)."""
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon
from mxnet.gluon import nn
from mxnet.test_utils import assert_almost_equal

from export_nets import NETS

DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "goldens", "export")
IO = np.load(os.path.join(DIR, "io.npz"))


def _inputs(name):
    n = len([k for k in IO.files if k.startswith(f"{name}/in")])
    return [IO[f"{name}/in{i}"] for i in range(n)]


def _check_run(name, block_or_fn, attach=True):
    xs = [mx.nd.array(a) for a in _inputs(name)]
    for x in xs:
        x.attach_grad()
    with autograd.record(train_mode=False):
        out = block_or_fn(*xs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    for i, o in enumerate(outs):
        assert_almost_equal(o, IO[f"{name}/out{i}"], rtol=1e-4, atol=1e-5)
    autograd.backward(outs, [mx.nd.array(IO[f"{name}/head{i}"]) for i in range(len(outs))])
    for i, x in enumerate(xs):
        assert_almost_equal(x.grad, IO[f"{name}/grad{i}"], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", list(NETS))
def test_symbolblock_imports_mxnet_export(name):
    n_in = len(_inputs(name))
    names = ["data"] if n_in == 1 else [f"data{i}" for i in range(n_in)]
    block = gluon.SymbolBlock.imports(os.path.join(DIR, f"{name}-symbol.json"), names,
                                      os.path.join(DIR, f"{name}-0000.params"))
    _check_run(name, block)


@pytest.mark.parametrize("name", list(NETS))
def test_sym_load_and_bind_mxnet_export(name):
    sym = mx.sym.load(os.path.join(DIR, f"{name}-symbol.json"))
    params = mx.nd.load(os.path.join(DIR, f"{name}-0000.params"))
    ins = _inputs(name)
    names = ["data"] if len(ins) == 1 else [f"data{i}" for i in range(len(ins))]
    args = {k[4:]: v for k, v in params.items() if k.startswith("arg:")}
    aux = {k[4:]: v for k, v in params.items() if k.startswith("aux:")}
    args.update({n: mx.nd.array(a) for n, a in zip(names, ins)})
    grads = {n: mx.nd.zeros(a.shape) for n, a in zip(names, ins)}
    exe = sym.bind(mx.cpu(), args, args_grad=grads, grad_req={n: "write" for n in names} | {
        k: "null" for k in args if k not in names}, aux_states=aux)
    exe.forward(is_train=False)
    for i, o in enumerate(exe.outputs):
        assert_almost_equal(o, IO[f"{name}/out{i}"], rtol=1e-4, atol=1e-5)
    exe.backward([mx.nd.array(IO[f"{name}/head{i}"]) for i in range(len(exe.outputs))])
    for i, n in enumerate(names):
        assert_almost_equal(exe.grad_dict[n], IO[f"{name}/grad{i}"], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", list(NETS))
def test_export_is_byte_identical_to_mxnet(name, tmp_path):
    net, shapes = NETS[name]()
    net.initialize()
    net.hybridize()
    net(*[mx.nd.array(a) for a in _inputs(name)])
    ref = gluon.SymbolBlock.imports(os.path.join(DIR, f"{name}-symbol.json"),
                                    ["data"] if len(shapes) == 1 else [f"data{i}" for i in range(len(shapes))],
                                    os.path.join(DIR, f"{name}-0000.params"))
    ours = net.collect_params()
    for k, p in ref.collect_params().items():
        ours[k].set_data(p.data())
    _check_run(name, net)
    net.export(str(tmp_path / name))
    with open(tmp_path / f"{name}-symbol.json") as f, open(os.path.join(DIR, f"{name}-symbol.json")) as g:
        assert f.read() == g.read()
    with open(tmp_path / f"{name}-0000.params", "rb") as f, \
            open(os.path.join(DIR, f"{name}-0000.params"), "rb") as g:
        assert f.read() == g.read()


def test_hybridized_matches_imperative_in_training():
    net, shapes = NETS["resnet"]()
    net.initialize(mx.init.Xavier())
    x = mx.nd.array(np.random.RandomState(0).normal(size=shapes[0]))
    net(x)
    saved = {k: p.data().copy() for k, p in net.collect_params().items()}
    results = []
    for hybrid in (False, True):
        for k, p in net.collect_params().items():
            p.set_data(saved[k])
        net.hybridize(hybrid)
        x.attach_grad()
        with autograd.record():
            y = net(x)
        y.backward()
        results.append((y.asnumpy(), x.grad.asnumpy(),
                        {k: p.data().asnumpy() for k, p in net.collect_params().items()}))
    (y0, g0, p0), (y1, g1, p1) = results
    assert_almost_equal(y1, y0, rtol=1e-5, atol=1e-6)
    assert_almost_equal(g1, g0, rtol=1e-5, atol=1e-6)
    for k in p0:   # running statistics updated the same way
        assert_almost_equal(p1[k], p0[k], rtol=1e-5, atol=1e-6)


def test_deferred_init_through_hybridize_for_custom_block():
    class Custom(gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.w = self.params.get("w", shape=(3, 0), allow_deferred_init=True)

        def hybrid_forward(self, F, x, w):
            return F.FullyConnected(x, w, no_bias=True, num_hidden=3)

    for hybrid in (False, True):
        b = Custom()
        b.initialize()
        if hybrid:
            b.hybridize()
        assert b(mx.nd.ones((2, 7))).shape == (2, 3)
        assert b.w.shape == (3, 7)


def test_export_requires_a_hybridized_forward(tmp_path):
    net = nn.Dense(2, in_units=2)
    net.initialize()
    with pytest.raises(RuntimeError, match="hybridize"):
        net.export(str(tmp_path / "x"))


@pytest.mark.parametrize("name", list(NETS))
def test_inference_plan_matches_imperative(name):
    """Hybridized inference runs the optimised plan (no Dropout, BatchNorm folded into the
    convolution before it); it must give the imperative results."""
    net, shapes = NETS[name]()
    net.initialize(mx.init.Xavier())
    rng = np.random.RandomState(1)
    xs = [mx.nd.array(rng.normal(size=s)) for s in shapes]
    net(*xs)
    for p in net.collect_params().values():
        lo = 0.5 if p.name.endswith("running_var") else -0.5
        p.set_data(mx.nd.array(rng.uniform(lo, lo + 1.0, size=p.shape)))
    want = net(*xs)
    want = want if isinstance(want, (list, tuple)) else [want]
    net.hybridize()
    for _ in range(2):
        got = net(*xs)
        got = got if isinstance(got, (list, tuple)) else [got]
        for g, w in zip(got, want):
            assert_almost_equal(g, w, rtol=1e-4, atol=1e-5)
    steps = [st.op.name for st in net._cached_op.plan._infer[0]]
    assert "Dropout" not in steps
    if name == "resnet":
        # each of the 7 convolutions feeds only a BatchNorm: all are fused with it
        assert steps.count("Convolution+BatchNorm") == 7 and "BatchNorm" not in steps


def test_constant_subgraph_is_computed_once():
    class AddConst(gluon.HybridBlock):
        def hybrid_forward(self, F, x):
            return F.broadcast_add(x, F.ones((1, 3)) * 2)

    blk = AddConst()
    blk.hybridize()
    x = mx.nd.zeros((2, 3))
    assert blk(x).asnumpy().tolist() == [[2.0] * 3] * 2
    plan = blk._cached_op.plan
    assert [st.op.name for st in plan._infer[2]] == ["_ones", "_mul_scalar"]
    assert blk(x + 1).asnumpy().tolist() == [[3.0] * 3] * 2


def test_changing_input_shapes_reuses_one_plan():
    # the compiled plan is shape-generic: new batch sizes (static_shape or not) run without
    # re-tracing, and each call gives what the imperative block gives
    net, _ = NETS["lenet"]()
    ref, _ = NETS["lenet"]()
    rng = np.random.RandomState(2)
    x0 = mx.nd.array(rng.normal(size=(1, 1, 20, 20)))
    for b in (net, ref):
        b.initialize(mx.init.Xavier())
        b(x0)
    for (_, p), (_, q) in zip(sorted(net.collect_params().items()), sorted(ref.collect_params().items())):
        q.set_data(p.data())
    net.hybridize(static_alloc=True, static_shape=True)
    plans = set()
    for batch in (1, 3, 2, 3):
        x = mx.nd.array(rng.normal(size=(batch, 1, 20, 20)))
        y = net(x)
        plans.add(id(net._cached_op))
        assert_almost_equal(y, ref(x), rtol=1e-5, atol=1e-6)
    assert len(plans) == 1
