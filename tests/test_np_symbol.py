"""NumPy-style symbols (mx.sym.np / mx.sym.npx): JSON byte-identical to MXNet 1.9.1's and values
from running the graphs, against goldens recorded by tools/goldens/gen_np_symbol.py."""
import builtins
import json
import os
import sys

import numpy as onp
import pytest

import mxnet as mx
from mxnet import npx
from mxnet.base import MXNetError

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "goldens", "np_symbol")
sys.path.insert(0, HERE)
import np_symbol_cases as cases  # noqa: E402
import np_symbol_nets as nets  # noqa: E402

with open(os.path.join(HERE, "golden.json")) as _f:
    GOLDEN = json.load(_f)
ARRAYS = onp.load(os.path.join(HERE, "golden.npz"))
EXPRS = {r["id"]: r for r in GOLDEN["exprs"]}
NETS = {r["id"]: r for r in GOLDEN["nets"]}


@pytest.fixture(autouse=True)
def np_mode():
    npx.set_np()
    yield
    npx.reset_np()


def _env():
    env = {"np": mx.sym.np, "npx": mx.sym.npx, "onp": onp}
    env.update({n: mx.sym.var(n).as_np_ndarray() for n in cases.VARS})
    return env


def _build(expr):
    with mx.name.NameManager():
        out = eval(expr, _env())  # noqa: S307 - the expressions are ours
    return mx.sym.Group(list(out)) if isinstance(out, (list, tuple)) else out


def _body(js):
    """The JSON without its trailing graph attributes (checked on their own below)."""
    return js[:js.rindex('"attrs"')]


@pytest.mark.parametrize("cid", sorted(EXPRS))
def test_expr_json_and_values(cid):
    rec = EXPRS[cid]
    if "error" in rec:
        with pytest.raises(getattr(builtins, rec["error"], None) or MXNetError):
            _build(rec["expr"])
        return
    sym = _build(rec["expr"])
    assert type(sym).__name__ == rec["type"]
    assert _body(sym.tojson()) == _body(rec["json"])
    if "n_out" not in rec:
        return
    vals = cases.inputs()
    args = {n: mx.nd.array(vals[n], dtype=vals[n].dtype) for n in sym.list_arguments()}
    aux = {n: mx.nd.array(vals[n]) for n in sym.list_auxiliary_states()}
    outs = sym.as_nd_ndarray().bind(mx.cpu(), args, aux_states=aux).forward()
    assert len(outs) == rec["n_out"]
    for j, o in enumerate(outs):
        want = ARRAYS[f"{cid}:{j}"]
        got = o.asnumpy()
        assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape, want.dtype,
                                                                     want.shape)
        onp.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_json_graph_attributes_mark_np_shape():
    rec = EXPRS["op_chain"]
    assert _build(rec["expr"]).tojson() == rec["json"]
    npx.reset_np()
    assert '"is_np_shape"' not in _build(rec["expr"]).tojson()


@pytest.mark.parametrize("expr, index", [
    ("npx.relu(np.tanh(x) * 2 - y).reshape((3, 2))[1:, ::-1]", (slice(1, None), slice(None, None, -1))),
    ("(x - y)[1:]", slice(1, None)),
])
def test_loaded_json_runs_like_the_graph(expr, index):
    sym = _build(expr)
    vals = cases.inputs()
    x, y = vals["x"], vals["y"]
    want = (onp.maximum(onp.tanh(x) * 2 - y, 0).reshape(3, 2) if "relu" in expr else x - y)[index]
    loaded = mx.sym.load_json(sym.tojson())
    for s in (sym, loaded):
        plan = s._plan()
        outs, _ = plan.run([vals[n] for n in plan.arg_names], [], is_train=False)
        onp.testing.assert_allclose(outs[0], want, rtol=1e-6)


def test_symbol_type_and_conversions():
    x = mx.sym.var("x")
    assert type(x).__name__ == "Symbol"
    nx = x.as_np_ndarray()
    assert isinstance(nx, mx.sym.np._Symbol) and isinstance(nx, mx.sym.Symbol)
    assert type(nx.as_nd_ndarray()) is mx.sym.Symbol
    assert type(mx.sym.np.tanh(x)) is mx.sym.np._Symbol
    with pytest.raises(AttributeError):
        nx.shape
    with pytest.raises(TypeError):
        len(nx)
    with pytest.raises(IndexError):
        nx[None]
    with pytest.raises(ValueError):
        nx[::0]
    with pytest.raises(AttributeError):
        abs(nx)
    # the split family gives a list of np symbols, one per part (one part too), as MXNet does
    for parts, n in ((mx.sym.np.split(nx, 2), 2), (mx.sym.np.split(nx, 1), 1),
                     (mx.sym.np.split(nx, [1, 3]), 3), (mx.sym.np.hsplit(nx, 2), 2),
                     (mx.sym.np.vsplit(nx, 2), 2), (mx.sym.np.array_split(nx, 3), 3)):
        assert type(parts) is list and len(parts) == n
        assert all(type(p) is mx.sym.np._Symbol and len(p.list_outputs()) == 1 for p in parts)
    assert type(mx.sym.np.split(nx, 1)[0][:, -1]) is mx.sym.np._Symbol


def _np_hybridize_supported():
    from mxnet.gluon import block
    return not hasattr(block, "_np_mode")  # the imperative fallback under set_np


needs_np_hybridize = pytest.mark.skipif(not _np_hybridize_supported(),
                                        reason="gluon/block.py still runs blocks imperatively under set_np")


def _load_net(name):
    build, shape = nets.NETS[name]
    net = build(mx)
    net.initialize()
    net.hybridize()
    x = mx.np.array(ARRAYS[f"net:{name}:x"])
    net(x)  # traces the graph with the parameters' unknown dims, then finishes their initialisation
    for pname, p in net.collect_params().items():
        p.set_data(mx.nd.array(ARRAYS[f"net:{name}:param:{pname}"]))
    return net, x


@needs_np_hybridize
@pytest.mark.parametrize("name", sorted(NETS))
def test_gluon_hybridize_export(name, tmp_path):
    net, x = _load_net(name)
    out = net(x)
    assert isinstance(out, mx.np.ndarray)
    onp.testing.assert_allclose(out.asnumpy(), ARRAYS[f"net:{name}:out"], rtol=1e-5, atol=1e-6)
    net.export(str(tmp_path / name))
    got = (tmp_path / f"{name}-symbol.json").read_text()
    assert got == NETS[name]["json"]
    # the exported graph runs as a plan with the right values
    sym = mx.sym.load(str(tmp_path / f"{name}-symbol.json"))
    params = {k: p.data().asnumpy() for k, p in net.collect_params().items()}
    plan = sym._plan()
    feed = dict(params, data=x.asnumpy())
    outs, _ = plan.run([feed[n] for n in plan.arg_names], [feed[n] for n in plan.aux_names], is_train=False)
    onp.testing.assert_allclose(outs[0], ARRAYS[f"net:{name}:out"], rtol=1e-5, atol=1e-6)


@needs_np_hybridize
def test_gluon_hybridized_gradient_matches_imperative():
    net, x = _load_net("custom")
    grads = []
    for active in (False, True):
        net.hybridize(active)
        with mx.autograd.record():
            y = net(x)
        y.backward()
        grads.append(net.collect_params()["custom_weight"].grad().asnumpy().copy())
    onp.testing.assert_allclose(grads[1], grads[0], rtol=1e-5, atol=1e-6)
    assert onp.abs(grads[0]).sum() > 0
