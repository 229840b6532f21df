"""Aggregate profiler statistics: memory in use per device, Custom operators' own domain."""
import json

import pytest

import mxnet as mx
from mxnet import profiler


@pytest.fixture
def aggregate(tmp_path):
    profiler.set_config(profile_imperative=True, profile_memory=True, aggregate_stats=True,
                        filename=str(tmp_path / "profile.json"))
    profiler.set_state("run")
    profiler.dumps(reset=True)
    yield
    profiler.set_state("stop")
    profiler.dumps(reset=True)


def test_memory_in_use(aggregate):
    a = mx.nd.ones((100, 100))
    b = a + 1
    c = mx.nd.zeros((10,))
    mx.nd.waitall()
    stats = json.loads(profiler.dumps(format="json"))
    mem = stats["Memory"]["Device Storage"]["Memory: cpu/0"]
    assert stats["Unit"] == {"Time": "ms", "Memory": "kB"}
    # 40 kB, then 80 kB, then 80.04 kB in use (each float32 output counted once)
    assert (mem["Count"], mem["Min"], mem["Max"]) == (3, 40.0, 80.04)
    del a, b, c
    table = profiler.dumps()
    assert "Device Storage" in table and "Max Use  (kB)" in table


def test_custom_operator_domain(aggregate):
    class AddOne(mx.operator.CustomOp):
        def forward(self, is_train, req, in_data, out_data, aux):
            self.assign(out_data[0], req[0], in_data[0] + 1)

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            self.assign(in_grad[0], req[0], out_grad[0] * 2)

    @mx.operator.register("ProfAddOne")
    class AddOneProp(mx.operator.CustomOpProp):
        def list_arguments(self):
            return ["data"]

        def list_outputs(self):
            return ["output"]

        def infer_shape(self, in_shape):
            return [in_shape[0]], [in_shape[0]], []

        def create_operator(self, ctx, shapes, dtypes):
            return AddOne()

    x = mx.nd.zeros((3,))
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Custom(x, op_type="ProfAddOne")
    y.backward()
    stats = json.loads(profiler.dumps(format="json"))["Time"]
    assert set(stats["Custom Operator"]) == {"ProfAddOne::pure_python", "_backward_ProfAddOne::pure_python",
                                             "ProfAddOne::_plus_scalar", "_backward_ProfAddOne::_mul_scalar"}
    assert "Custom" not in stats["operator"] and "_plus_scalar" not in stats["operator"]
