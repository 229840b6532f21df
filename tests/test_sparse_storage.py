"""Storage types through the registry: which operators keep sparse storage, which fall back to
dense with MXNet's message and which refuse, eagerly and in bound graphs, against real MXNet 1.9.1
(tests/goldens/sparse_storage.json, written by tools/goldens/gen_sparse_storage.py)."""
import json
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError
from mxnet.ndarray import sparse as nd_sparse
from mxnet.ops.registry import get_op

pytest.importorskip("scipy")

with open(os.path.join(os.path.dirname(__file__), "goldens", "sparse_storage.json")) as f:
    GOLDEN = json.load(f)
ARRAYS = {k: np.array(v, dtype=np.float32) for k, v in GOLDEN["arrays"].items()}
CASES = GOLDEN["cases"]


def _first_seen():
    """Case ids that are the first of their (operator, storage types): MXNet prints a fallback
    message once per operator and storage types, so only those record whether it falls back."""
    seen, first = set(), set()
    for c in CASES:
        key = (c["op"], tuple(c["stypes"]))
        if key not in seen:
            seen.add(key)
            first.add(c["id"])
    return first


FIRST = _first_seen()


def _resolve(root, name):
    return getattr(root._internal, name) if name.startswith("_") else getattr(root, name)


def _kwargs(case):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}


def _inputs(case):
    return [mx.nd.array(ARRAYS[n]).tostype(s) for n, s in zip(case["inputs"], case["stypes"])]


def _name(case):
    kw = ",".join(f"{k}={v}" for k, v in case["kwargs"].items())
    return f"{case['id']}-{case['op']}({','.join(case['stypes'])}{';' + kw if kw else ''})"


@pytest.fixture
def fresh_log():
    """MXNet prints each fallback message once: start from an empty log, and leave the log as it was."""
    saved = set(nd_sparse._logged)
    nd_sparse._logged.clear()
    yield
    nd_sparse._logged.clear()
    nd_sparse._logged.update(saved)


@pytest.mark.parametrize("case", CASES, ids=_name)
def test_eager_storage(case, capfd, fresh_log):
    gold = case["eager"]
    ins = _inputs(case)
    capfd.readouterr()
    if "error" in gold:
        with pytest.raises(MXNetError):
            _resolve(mx.nd, case["op"])(*ins, **_kwargs(case)).wait_to_read()
        return
    out = _resolve(mx.nd, case["op"])(*ins, **_kwargs(case))
    err = capfd.readouterr().err
    assert out.stype == gold["stype"]
    np.testing.assert_allclose(out.asnumpy(), np.array(gold["value"]), rtol=1e-5, atol=1e-6)
    if case["id"] in FIRST:
        assert ("Storage type fallback detected" in err) == gold["fallback"], err
    if "Storage type fallback detected" in err:
        # MXNet's message: operator, storage types, parameters, device
        ins = "".join(f"{s}, " for s in case["stypes"])
        assert f"operator = {get_op(case['op']).name}" in err
        assert f"input storage types = [{ins}]" in err and "context.dev_mask = cpu" in err


@pytest.mark.parametrize("case", [c for c in CASES if c["graph"]], ids=_name)
def test_graph_storage(case, fresh_log):
    gold = case["graph"]
    ins = _inputs(case)
    names = [f"x{i}" for i in range(len(ins))]
    sym = _resolve(mx.sym, case["op"])(*[mx.sym.var(n, stype=s) for n, s in zip(names, case["stypes"])],
                                        **_kwargs(case))
    stypes = dict(zip(names, case["stypes"]))
    shapes = {n: a.shape for n, a in zip(names, ins)}
    if "error" in gold:
        with pytest.raises(MXNetError):
            exe = sym.simple_bind(mx.cpu(), grad_req="null", stype_dict=stypes, **shapes)
            for n, a in zip(names, ins):
                a.copyto(exe.arg_dict[n])
            exe.forward()[0].wait_to_read()
        return
    exe = sym.simple_bind(mx.cpu(), grad_req="null", stype_dict=stypes, **shapes)
    assert [exe.arg_dict[n].stype for n in names] == gold["arg_stypes"]
    for n, a in zip(names, ins):
        a.copyto(exe.arg_dict[n])
    out = exe.forward(is_train=False)[0]
    assert out.stype == gold["stype"]
    np.testing.assert_allclose(out.asnumpy(), np.array(gold["value"]), rtol=1e-5, atol=1e-6)
