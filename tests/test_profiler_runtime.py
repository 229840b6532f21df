"""mx.profiler (operator timing, trace file, aggregate tables), mx.runtime, mx.engine."""
import json

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, profiler
from mxnet.base import MXNetError
from mxnet.ops import registry


@pytest.fixture
def prof(tmp_path):
    fname = str(tmp_path / "profile.json")
    profiler.set_config(profile_all=True, filename=fname, aggregate_stats=True)
    profiler.dumps(reset=True)
    yield fname
    profiler.set_state("stop")
    profiler.dumps(reset=True)
    profiler.dump()
    profiler.set_config(**profiler._DEFAULTS)


def _table_rows(text, category):
    lines = text.splitlines()
    i = lines.index(category)
    rows = {}
    for line in lines[i + 4:]:
        if not line:
            break
        parts = line.split()
        rows[parts[0]] = parts[1:]
    return rows


def test_operator_timing_and_table(prof):
    profiler.set_state("run")
    a = mx.nd.ones((4, 4))
    a.attach_grad()
    with autograd.record():
        b = mx.nd.dot(a, a) + 1
    b.backward()
    mx.nd.dot(a, a)
    profiler.set_state("stop")
    mx.nd.dot(a, a)                    # not profiled any more
    text = profiler.dumps()
    assert text.startswith("\nProfile Statistics:\n\tNote the difference in units for different entries.\n")
    assert "Name                          Total Count        Time (ms)    Min Time (ms)" in text
    rows = _table_rows(text, "operator")
    assert rows["dot"][0] == "2" and rows["_backward_dot"][0] == "1" and rows["_plus_scalar"][0] == "1"
    cnt, total, mn, mxv, avg = (float(v) for v in rows["dot"])
    assert mn <= avg <= mxv and abs(total - 2 * avg) < 1e-3
    js = json.loads(profiler.dumps(format="json", sort_by="count", reset=True))
    assert js["Time"]["operator"]["dot"]["Count"] == 2
    assert profiler.dumps().count("dot") == 0


def test_zero_cost_when_stopped(prof):
    op = registry.get_op("dot")
    orig = op.forward
    profiler.set_state("run")
    assert op.forward is not orig
    profiler.pause()
    assert op.forward is orig
    mx.nd.dot(mx.nd.ones((2, 2)), mx.nd.ones((2, 2)))
    profiler.resume()
    mx.nd.relu(mx.nd.ones(2))
    profiler.set_state("stop")
    assert op.forward is orig
    rows = _table_rows(profiler.dumps(), "operator")
    assert "dot" not in rows and rows["relu"][0] == "1"


def test_trace_file_and_user_objects(prof):
    profiler.set_state("run")
    mx.nd.ones((2, 2))
    dom = profiler.Domain("mydom")
    task = dom.new_task("mytask")
    task.start()
    task.stop()
    frame = profiler.Frame(dom, "fr")
    frame.start()
    frame.stop()
    ev = profiler.Event("ev")
    ev.start()
    ev.stop()
    cnt = profiler.Counter(dom, "cnt", 5)
    cnt += 3
    cnt.decrement(1)
    profiler.Marker(dom, "mk").mark("process")
    profiler.set_state("stop")
    assert (str(dom), str(task), str(cnt), cnt.value) == ("mydom", "mytask", "cnt", 7)
    profiler.dump()
    with open(prof) as f:
        trace = json.load(f)
    ev_list = trace["traceEvents"]
    phases = {(e["name"], e["ph"]) for e in ev_list}
    assert {("_ones", "B"), ("_ones", "E"), ("mytask", "b"), ("mytask", "e"), ("fr", "("),
            ("ev", "B"), ("mk", "i")} <= phases
    counts = [e["args"]["cnt"] for e in ev_list if e["name"] == "cnt"]
    assert counts == [5, 8, 7]
    b = next(e for e in ev_list if e["name"] == "_ones" and e["ph"] == "B")
    e = next(e for e in ev_list if e["name"] == "_ones" and e["ph"] == "E")
    assert e["ts"] >= b["ts"] and b["cat"] == "operator"
    rows = _table_rows(profiler.dumps(), "mydom")
    assert rows["mytask"][0] == "1"


def test_config_errors(prof):
    with pytest.raises(MXNetError, match="foo"):
        profiler.set_config(foo=1)
    with pytest.raises(KeyError):
        profiler.set_state("foo")
    with pytest.raises(MXNetError, match="server"):
        profiler.set_state("run", profile_process="server")
    with pytest.raises(MXNetError):
        profiler.Event("x").stop()
    profiler.set_config(aggregate_stats=False)
    profiler.dumps(reset=True)
    assert profiler.dumps() == ""


def test_runtime_features():
    f = mx.runtime.Features()
    names = ['CUDA', 'CUDNN', 'NCCL', 'CUDA_RTC', 'TENSORRT', 'CPU_SSE', 'CPU_SSE2', 'CPU_SSE3', 'CPU_SSE4_1',
             'CPU_SSE4_2', 'CPU_SSE4A', 'CPU_AVX', 'CPU_AVX2', 'OPENMP', 'SSE', 'F16C', 'JEMALLOC', 'BLAS_OPEN',
             'BLAS_ATLAS', 'BLAS_MKL', 'BLAS_APPLE', 'LAPACK', 'MKLDNN', 'OPENCV', 'CAFFE', 'PROFILER',
             'DIST_KVSTORE', 'CXX14', 'INT64_TENSOR_SIZE', 'SIGNAL_HANDLER', 'DEBUG', 'TVM_OP']
    assert list(f.keys()) == names
    assert f.is_enabled("cuda") == (mx.context.num_gpus() > 0) == f["CUDA"].enabled
    assert not f.is_enabled("MKLDNN") and f.is_enabled("PROFILER") and f.is_enabled("LAPACK")
    assert repr(f["MKLDNN"]) == "✖ MKLDNN" and repr(f["PROFILER"]) == "✔ PROFILER"
    with pytest.raises(RuntimeError, match="FOO"):
        f.is_enabled("foo")
    blas = str(np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]).lower()
    assert f.is_enabled("BLAS_OPEN") == ("openblas" in blas)
    feats = mx.runtime.feature_list()
    assert [x.name for x in feats] == names and isinstance(feats[0], mx.runtime.Feature)


def test_engine_bulk():
    mx.engine.set_bulk_size(0)
    assert mx.engine.set_bulk_size(5) == 0
    assert mx.engine.set_bulk_size(3) == 5
    with mx.engine.bulk(10):
        assert mx.engine.set_bulk_size(10) == 10
    assert mx.engine.set_bulk_size(0) == 3
