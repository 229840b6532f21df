"""mx.gluon.contrib rnn/data/cnn against real MXNet 1.9.1 (tools/goldens/gen_gluon_contrib.py)."""
import json
import os
import sys

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd
from mxnet.gluon import rnn  # noqa: F401  (used by the constructor expressions)
from mxnet.gluon.contrib import cnn as ccnn  # noqa: F401
from mxnet.gluon.contrib import rnn as crnn
from mxnet.test_utils import assert_almost_equal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools", "goldens"))
from gen_gluon_contrib import N, run  # noqa: E402

DIR = os.path.join(HERE, "goldens", "gluon_contrib")
with open(os.path.join(DIR, "cases.json")) as f:
    CASES = json.load(f)
ARRAYS = np.load(os.path.join(DIR, "cases.npz"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_mxnet(case):
    cid = case["id"]
    block = eval(case["ctor"])
    assert repr(block).split("(")[0] == case["repr"].split("(")[0]
    block.load_parameters(os.path.join(DIR, f"{cid}.params"))
    assert repr(block) == case["repr"]
    if case["call"][0] != "block":
        assert [list(i["shape"]) for i in block.state_info(N)] == case["state_info"]
    assert sorted(block.collect_params().keys()) == sorted(case["params"])
    xs = [mx.nd.array(ARRAYS[f"{cid}/in{i}"]) for i in range(case["n_in"])]
    for x in xs[:case["n_float"]]:
        x.attach_grad()
    with autograd.record(train_mode=False):
        outs = run(block, case["call"], xs)
    assert len(outs) == case["n_out"]
    for i, o in enumerate(outs):
        assert_almost_equal(o, ARRAYS[f"{cid}/out{i}"], rtol=1e-4, atol=1e-5, names=(f"out{i}", "mxnet"))
    if not case["grad"]:
        return
    autograd.backward(outs, [mx.nd.array(ARRAYS[f"{cid}/head{i}"]) for i in range(len(outs))])
    for i, x in enumerate(xs[:case["n_float"]]):
        assert_almost_equal(x.grad, ARRAYS[f"{cid}/grad_in{i}"], rtol=1e-4, atol=1e-5, names=(f"grad_in{i}", "mxnet"))
    for name, p in block._collect_params_with_prefix().items():
        assert_almost_equal(p.grad(), ARRAYS[f"{cid}/grad_{name}"], rtol=1e-4, atol=1e-5,
                            names=(f"grad_{name}", "mxnet"))


def test_param_names_and_shapes():
    c = crnn.Conv2DGRUCell((3, 8, 8), 4, (3, 3), 5, i2h_pad=1, prefix="g_")
    assert sorted(c.collect_params().keys()) == ["g_h2h_bias", "g_h2h_weight", "g_i2h_bias", "g_i2h_weight"]
    assert c.i2h_weight.shape == (12, 3, 3, 3) and c.h2h_weight.shape == (12, 4, 5, 5)
    assert c.state_info(2)[0]["shape"] == (2, 4, 8, 8)
    nhwc = crnn.Conv2DLSTMCell((8, 8, 3), 2, 3, 3, conv_layout="NHWC")
    assert nhwc.i2h_weight.shape == (8, 3, 3, 3) and nhwc.state_info(1)[0]["shape"] == (1, 6, 6, 2)
    with pytest.raises(AssertionError, match="Only support odd number"):
        crnn.Conv1DRNNCell((1, 4), 2, 3, 2)
    with pytest.raises(AssertionError, match="list/tuple of length 3"):
        crnn.Conv3DRNNCell((1, 4, 4, 4), 2, (3, 3), 3)


def test_variational_dropout_shares_mask_over_time():
    base = rnn.RNNCell(50, input_size=50, h2h_weight_initializer="zeros")
    cell = crnn.VariationalDropoutCell(base, drop_inputs=0.5)
    cell.initialize()
    base.i2h_weight.set_data(mx.nd.eye(50))
    x = mx.nd.ones((2, 4, 50))
    with autograd.record(train_mode=True):
        out, _ = cell.unroll(4, x, merge_outputs=True)
    o = out.asnumpy()
    kept = o != 0
    assert kept.any() and not kept.all()
    assert (kept == kept[:, :1]).all()  # same units dropped at every step
    np.testing.assert_allclose(o[kept], np.tanh(2.0), rtol=1e-6)


def test_dynamic_unroll_matches_unroll():
    cell = rnn.LSTMCell(3, input_size=2)
    cell.initialize(mx.init.Uniform(0.5))
    x = mx.nd.random.uniform(shape=(4, 2, 2))
    st = cell.begin_state(2)
    o1, s1 = crnn.rnn_cell.dynamic_unroll(cell, x, st, layout="TNC")
    o2, s2 = cell.unroll(4, x, st, layout="TNC", merge_outputs=True)
    assert_almost_equal(o1, o2)
    for a, b in zip(s1, s2):
        assert_almost_equal(a, b)


# ---- data ----
import hashlib  # noqa: E402
import zipfile  # noqa: E402

from mxnet.gluon.contrib.data import IntervalSampler, text  # noqa: E402
from gen_gluon_contrib import wikitext_scenario, WIKI_TEXT  # noqa: E402


def test_wikitext_and_sampler_match_mxnet(tmp_path, monkeypatch):
    with open(os.path.join(DIR, "wikitext.json")) as f:
        want = json.load(f)
    monkeypatch.setattr(text, "check_sha1", lambda *a: True)
    got = json.loads(json.dumps(wikitext_scenario(str(tmp_path))))
    assert got == want


def _sha1(path):
    with open(path, "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()


def test_wikitext_downloads_and_caches(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "gluon" / "dataset" / "wikitext-103").mkdir(parents=True)
    zpath = repo / "gluon" / "dataset" / "wikitext-103" / "wikitext-103-v1.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("wikitext-103/wiki.test.tokens", WIKI_TEXT)
        zf.writestr("wikitext-103/", "")
    tokens = tmp_path / "t.tokens"
    tokens.write_text(WIKI_TEXT, encoding="utf8")
    monkeypatch.setattr(text.WikiText103, "_archive_file", ("wikitext-103-v1.zip", _sha1(zpath)))
    monkeypatch.setattr(text.WikiText103, "_data_file", {"test": ("wiki.test.tokens", _sha1(tokens))})
    monkeypatch.setenv("MXNET_GLUON_REPO", repo.as_uri() + "/")
    root = tmp_path / "cache"
    ds = text.WikiText103(root=str(root), segment="test", seq_len=4)
    assert sorted(os.listdir(root)) == ["wiki.test.tokens", "wikitext-103-v1.zip"]
    assert len(ds) == 9 and ds[0][0].dtype == np.int32
    zpath.unlink()  # cached: no second download
    assert len(text.WikiText103(root=str(root), segment="test", seq_len=35)) == 1


def test_wikitext_offline_error(tmp_path, monkeypatch):
    monkeypatch.setenv("MXNET_GLUON_REPO", (tmp_path / "nowhere").as_uri() + "/")
    with pytest.raises(OSError, match="wiki.train.tokens is missing and downloading .*wikitext-2-v1.zip failed"):
        text.WikiText2(root=str(tmp_path / "c"))
    with pytest.raises(ValueError, match="segment"):
        text.WikiText2(root=str(tmp_path / "c"), segment="dev")


def test_interval_sampler_errors():
    with pytest.raises(AssertionError, match="Interval 5 must be smaller than or equal to length 3"):
        IntervalSampler(3, 5)


# ---- cnn: deformable convolution operators ----
from golden import case_ids, load_cases, run_case  # noqa: E402
from fd import check_fd  # noqa: E402

OP_CASES = load_cases("gluon_contrib/deform")


@pytest.mark.parametrize("case", OP_CASES, ids=case_ids(OP_CASES))
def test_deform_ops_match_mxnet(case):
    run_case(case, rtol=1e-4, atol=1e-5)


def _offsets(rng, shape, scale):
    """Offsets kept away from integer sample positions, where bilinear sampling has kinks."""
    off = rng.uniform(-scale, scale, size=shape)
    return np.round(off) + np.clip(off - np.round(off), -0.4, 0.4) * 0.8 + 0.5


def test_deform_fd_gradients():
    rng = np.random.RandomState(0)
    dc = mx.nd.contrib.DeformableConvolution
    check_fd(lambda x, o, w, b: dc(x, o, w, b, kernel=(2, 2), pad=(1, 1), num_filter=2),
             [rng.normal(size=(1, 2, 3, 3)), _offsets(rng, (1, 8, 4, 4), 1.5), rng.normal(size=(2, 2, 2, 2)),
              rng.normal(size=2)])
    check_fd(lambda x, o, w: dc(x, o, w, kernel=(3, 1), stride=(2, 1), num_filter=2, num_group=2,
                                num_deformable_group=2, no_bias=True),
             [rng.normal(size=(2, 4, 5, 3)), _offsets(rng, (2, 12, 2, 3), 1.0), rng.normal(size=(2, 2, 3, 1))])


def test_modulated_deform_fd_gradients():
    rng = np.random.RandomState(1)
    mdc = mx.nd.contrib.ModulatedDeformableConvolution
    check_fd(lambda x, o, m, w, b: mdc(x, o, m, w, b, kernel=(2, 2), num_filter=3, num_deformable_group=2),
             [rng.normal(size=(1, 4, 3, 4)), _offsets(rng, (1, 16, 2, 3), 1.5), rng.uniform(0, 2, (1, 8, 2, 3)),
              rng.normal(size=(3, 4, 2, 2)), rng.normal(size=3)])


def test_zero_offsets_equal_convolution_and_block_errors():
    rng = np.random.RandomState(2)
    x = mx.nd.array(rng.normal(size=(2, 4, 5, 5)))
    w = mx.nd.array(rng.normal(size=(6, 2, 3, 3)))
    b = mx.nd.array(rng.normal(size=6))
    kw = dict(kernel=(3, 3), stride=(2, 1), pad=(1, 1), dilate=(1, 2), num_filter=6, num_group=2)
    conv = mx.nd.Convolution(x, w, b, **kw)
    off = mx.nd.zeros((2, 18) + conv.shape[2:])
    assert_almost_equal(mx.nd.contrib.DeformableConvolution(x, off, w, b, **kw), conv, rtol=1e-5, atol=1e-5)
    mask = mx.nd.ones((2, 9) + conv.shape[2:])
    assert_almost_equal(mx.nd.contrib.ModulatedDeformableConvolution(x, off, mask, w, b, **kw), conv,
                        rtol=1e-5, atol=1e-5)
    with pytest.raises(mx.base.MXNetError, match="offset must have shape"):
        mx.nd.contrib.DeformableConvolution(x, off[:, :4], w, b, **kw)
    blk = ccnn.DeformableConvolution(6, 3, padding=1, groups=2)
    blk.initialize()
    assert blk(x).shape == (2, 6, 5, 5) and blk.deformable_conv_weight.shape == (6, 2, 3, 3)
    with pytest.raises(AssertionError, match="NCHW"):
        ccnn.DeformableConvolution(2, layout="NCW")
