"""Shared test set-up: the tests folder on sys.path, and the MNIST files where MXNet reads them."""
import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "mnist")


def pytest_collection_modifyitems(config, items):
    """Tests marked slow (or fuzz) run only when asked for (``-m slow``, ``-m fuzz``), as the
    markers say."""
    expr = config.getoption("markexpr") or ""
    for marker in ("slow", "fuzz"):
        if marker in expr:
            continue
        skip = pytest.mark.skip(reason=f"{marker}: run with -m {marker}")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="module")
def mnist_home(tmp_path_factory):
    """$MXNET_HOME holding datasets/mnist: the given one, else a copy of ../shared/data/mnist."""
    home = os.environ.get("MXNET_HOME")
    if home and os.path.exists(os.path.join(home, "datasets", "mnist", "train-images-idx3-ubyte.gz")):
        yield home
        return
    if not os.path.isdir(SHARED):
        pytest.fail(f"MNIST files not found: set MXNET_HOME or provide {SHARED}")
    home = str(tmp_path_factory.mktemp("mxnet_home"))
    dst = os.path.join(home, "datasets", "mnist")
    os.makedirs(dst)
    for f in os.listdir(SHARED):
        if f.endswith(".gz"):
            shutil.copy(os.path.join(SHARED, f), dst)
    old = os.environ.get("MXNET_HOME")
    os.environ["MXNET_HOME"] = home
    yield home
    if old is None:
        del os.environ["MXNET_HOME"]
    else:
        os.environ["MXNET_HOME"] = old


@pytest.fixture(params=["numpy", "native"])
def kernels(request):
    """Run a test once on the NumPy kernels and once on the C ones (``mxnet/ops/_native``),
    restoring the process default afterwards."""
    from mxnet.ops import _accel
    if request.param == "native":
        request.getfixturevalue("native")
    before = _accel.set_jit(request.param == "native")
    yield request.param
    _accel.set_jit(before)


@pytest.fixture
def native():
    """The C kernel module, switched on for the test (skipped where it cannot be built or
    ``MXNEXT_JIT=0`` switches it off)."""
    from mxnet.ops import _accel
    if os.environ.get("MXNEXT_JIT", "1") == "0":
        pytest.skip("the C kernels are switched off (MXNEXT_JIT=0)")
    from mxnet.ops import _native
    if not _native.AVAILABLE:
        pytest.skip(f"the C kernels are unavailable: {_native.REASON}")
    before = _accel.set_jit(True)
    yield _native
    _accel.set_jit(before)
