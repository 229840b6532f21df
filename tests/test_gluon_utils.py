"""gluon.utils: split/load, clip_global_norm, sha1, download (against a local HTTP server)."""
import collections
import hashlib
import http.server
import os
import threading
import warnings

import numpy as np
import pytest

import mxnet as mx
from mxnet.gluon import utils


def test_split_data_and_load():
    parts = utils.split_data(mx.nd.ones((2, 3)), 3, even_split=False)
    assert [p.shape for p in parts] == [(1, 3), (1, 3), (0, 3)]
    x = mx.nd.array(np.arange(15).reshape(5, 3))
    parts = utils.split_data(x, 2, batch_axis=1, even_split=False)
    assert [p.shape for p in parts] == [(5, 2), (5, 1)]
    np.testing.assert_array_equal(parts[1].asnumpy(), np.arange(15).reshape(5, 3)[:, 2:])
    with pytest.raises(ValueError, match="cannot be evenly split into 2 slices along axis 0"):
        utils.split_data(x, 2)
    loaded = utils.split_and_load(np.arange(8).reshape(4, 2), [mx.cpu(0), mx.cpu(1)])
    assert [p.context for p in loaded] == [mx.cpu(0), mx.cpu(1)]
    assert loaded[1].asnumpy().tolist() == [[4, 5], [6, 7]]


def test_clip_global_norm_matches_mxnet():
    a = [mx.nd.ones((2, 2)) * 3, mx.nd.ones((3,)) * 4]
    norm = utils.clip_global_norm(a, 1.0)
    assert isinstance(norm, float) and abs(norm - 9.165152) < 1e-5   # MXNet 1.9.1's values
    assert abs(float(a[0].asnumpy()[0, 0]) - 0.32732683) < 1e-7
    assert a[0].dtype == np.float32
    r = utils.clip_global_norm([mx.nd.ones((2, 2)) * 3], 1.0, check_isfinite=False)
    assert isinstance(r, mx.nd.NDArray) and r.shape == (1,) and r.dtype == np.float32
    small = [mx.nd.ones((2,)) * 0.1]
    utils.clip_global_norm(small, 10.0)
    np.testing.assert_allclose(small[0].asnumpy(), 0.1, rtol=1e-6)   # below max_norm: unchanged
    with pytest.warns(UserWarning, match="nan or inf"):
        utils.clip_global_norm([mx.nd.array([np.inf, 1.0])], 1.0)


def test_misc_helpers():
    assert utils._brief_print_list(list(range(20))) == \
        "'0', '1', '2', ..., '16', '17', '18', '19'"
    assert utils._indent("a\nb", 2) == "a\n  b"
    assert not utils.shape_is_known((2, 0)) and not utils.shape_is_known(())
    assert utils.shape_is_known((2, 3)) and not utils.shape_is_known(None)
    hooks = collections.OrderedDict()   # what Block uses (a plain dict has no weakref)
    h = utils.HookHandle()
    h.attach(hooks, print)
    assert list(hooks.values()) == [print]
    with h:
        pass
    assert len(hooks) == 0
    os.environ.pop("MXNET_GLUON_REPO", None)
    assert utils._get_repo_file_url("gluon/dataset/mnist", "x.gz") == \
        "https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/gluon/dataset/mnist/x.gz"


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "srv"
    root.mkdir()
    (root / "file.bin").write_bytes(b"hello mxnext" * 1000)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(root), **k)

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_download(server, tmp_path, capsys):
    data = b"hello mxnext" * 1000
    sha1 = hashlib.sha1(data).hexdigest()
    out = tmp_path / "dl"
    out.mkdir()
    fname = utils.download(server + "/file.bin", path=str(out), sha1_hash=sha1)
    assert fname == str(out / "file.bin") and open(fname, "rb").read() == data
    assert utils.check_sha1(fname, sha1) and not utils.check_sha1(fname, "0" * 40)
    assert os.listdir(out) == ["file.bin"]          # no temporary file left behind
    # present and matching: nothing fetched
    os.utime(fname, (0, 0))
    utils.download(server + "/file.bin", path=fname, sha1_hash=sha1)
    assert os.stat(fname).st_mtime == 0
    # a wrong hash fails after the retries, leaving the old file untouched
    with pytest.raises(UserWarning, match="hash does not match"):
        utils.download(server + "/file.bin", path=str(out / "other.bin"), sha1_hash="0" * 40,
                       retries=1)
    assert os.listdir(out) == ["file.bin"]
    with pytest.raises(Exception):
        utils.download(server + "/missing.bin", path=str(out / "m.bin"), retries=1)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        utils.download(server + "/file.bin", path=str(out / "v.bin"), verify_ssl=False)
    assert any("verify_ssl=False" in str(x.message) for x in w)
