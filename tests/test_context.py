"""Contexts, versions and the GPU context without a GPU backend."""
import pytest

import mxnet as mx


def test_version_and_contexts():
    assert mx.__version__ == "1.9.1"
    assert mx.__mxnext_version__
    assert str(mx.cpu()) == "cpu(0)" and repr(mx.gpu(1)) == "gpu(1)"
    assert mx.cpu(0) == mx.Context("cpu", 0) and mx.cpu(0) != mx.cpu(1)
    assert mx.current_context() == mx.cpu(0)
    with mx.Context("cpu", 2):
        assert mx.current_context() == mx.cpu(2)
        assert mx.nd.zeros((2,)).context == mx.cpu(2)
    assert mx.current_context() == mx.cpu(0)
    assert isinstance(mx.context.num_gpus(), int)


def test_bad_context_arguments():
    with pytest.raises(mx.MXNetError, match="device_type"):
        mx.Context("tpu", 0)
    with pytest.raises(mx.MXNetError, match="device_id"):
        mx.Context("cpu", -1)


@pytest.mark.skipif(mx.context.num_gpus() > 0, reason="checks the error raised without a GPU")
def test_gpu_context_fails_clearly_without_gpu():
    with pytest.raises(mx.MXNetError, match="gpu"):
        mx.nd.zeros((2,), ctx=mx.gpu(0))


def test_cpu_contexts_share_memory_space():
    # as in MXNet, cpu(i) arrays mix freely; the result lives on the first input's context
    a = mx.nd.ones((2,), ctx=mx.cpu(0))
    b = mx.nd.ones((2,), ctx=mx.cpu(1))
    assert (a + b).context == mx.cpu(0)
    assert (b + a).context == mx.cpu(1)
