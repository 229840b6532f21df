"""Regressions for what the fuzzing suite (tools/fuzz) found: each was a crash, a hang, a memory
blow-up, a wrong exception type or an error that did not say where it came from."""
import struct

import numpy as np
import pytest

import mxnet as mx
from mxnet.base import MXNetError


def test_load_error_names_the_file(tmp_path):
    path = tmp_path / "broken.params"
    mx.nd.save(str(path), [mx.nd.ones((2, 3))])
    path.write_bytes(path.read_bytes()[:30])
    with pytest.raises(MXNetError, match="broken.params.*Invalid NDArray file format"):
        mx.nd.load(str(path))
    with pytest.raises(MXNetError, match="cannot fit"):
        mx.nd.load_frombuffer(path.read_bytes())


def test_load_impossible_empty_shape():
    # a legacy record (first word = ndim) whose dims hold a 0 and others whose product
    # overflows: NumPy's ValueError escaped
    dims = (0, 2**32 - 1, 2**32 - 1, 2**32 - 1)
    buf = (struct.pack("<QQQ", 0x112, 0, 1) + struct.pack("<I", len(dims))
           + struct.pack(f"<{len(dims)}I", *dims) + struct.pack("<iii", 1, 0, 0) + struct.pack("<Q", 0))
    with pytest.raises(MXNetError, match="impossible shape"):
        mx.nd.load_frombuffer(buf)
    # an ordinary empty legacy record still loads
    buf = (struct.pack("<QQQ", 0x112, 0, 1) + struct.pack("<I", 2) + struct.pack("<2I", 0, 5)
           + struct.pack("<iii", 1, 0, 0) + struct.pack("<Q", 0))
    (a,) = mx.nd.load_frombuffer(buf)
    assert a.shape == (0, 5) and a.dtype == np.float32
