"""mx.gluon.model_zoo.vision against goldens recorded under real MXNet 1.9.1."""
import gzip
import functools
import hashlib
import http.server
import json
import os
import threading
import zipfile

import numpy as np
import pytest

import mxnet as mx
import mxnet.gluon.model_zoo  # noqa: F401  (until mxnet.gluon imports it)
from mxnet.gluon.model_zoo import model_store, vision
from mxnet.gluon.model_zoo.vision import (ResNetV1, ResNetV2, BasicBlockV1, BasicBlockV2,  # noqa: F401
                                          BottleneckV1, BottleneckV2, DenseNet)

GOLD = os.path.join(os.path.dirname(__file__), "goldens", "model_zoo")
with open(os.path.join(GOLD, "cases.json")) as _f:
    CASES = json.load(_f)
with gzip.open(os.path.join(GOLD, "structure.json.gz"), "rt") as _f:
    STRUCTURE = json.load(_f)
OUTPUTS = np.load(os.path.join(GOLD, "outputs.npz"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_load_mxnet_params_and_forward(case):
    net = eval(case["expr"])
    net.load_parameters(os.path.join(GOLD, case["id"] + ".params"))
    y = net(mx.nd.array(OUTPUTS[case["id"] + "/x"]))
    assert repr(net) == case["repr"]   # recorded after the forward pass: shapes are known
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.asnumpy(), OUTPUTS[case["id"] + "/y"], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case_id", ["resnet_v2_basic", "mobilenetv2_0.25"])
def test_hybridized_forward_matches(case_id):
    case = next(c for c in CASES if c["id"] == case_id)
    net = eval(case["expr"])
    net.load_parameters(os.path.join(GOLD, case["id"] + ".params"))
    net.hybridize()
    y = net(mx.nd.array(OUTPUTS[case["id"] + "/x"]))
    np.testing.assert_allclose(y.asnumpy(), OUTPUTS[case["id"] + "/y"], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", sorted(STRUCTURE))
def test_structure_matches_mxnet(name):
    with mx.name.NameManager():   # the goldens were recorded with fresh name counters
        net = vision.get_model(name)
    got = [[k, p.name, list(p.shape)] for k, p in net._collect_params_with_prefix().items()]
    assert got == STRUCTURE[name]["params"]
    if "repr" in STRUCTURE[name]:
        assert repr(net) == STRUCTURE[name]["repr"]


@pytest.mark.parametrize("name,size", [("resnet18_v1", 32), ("resnet50_v2", 32), ("mobilenet1.0", 32),
                                       ("mobilenetv2_0.5", 32)])
def test_forward_shape(name, size):
    net = vision.get_model(name, classes=7)
    net.initialize()
    assert net(mx.nd.ones((2, 3, size, size))).shape == (2, 7)


def test_public_names():
    api = json.load(open("/work/shared/reference/mxnet-1.9.1-api.json"))["mx.gluon.model_zoo.vision"] \
        if os.path.exists("/work/shared/reference/mxnet-1.9.1-api.json") else []
    for name in api:
        assert hasattr(vision, name), name
    assert callable(vision.alexnet) and callable(vision.densenet121)
    assert set(STRUCTURE) == set(vision._models)


def test_errors():
    with pytest.raises(ValueError, match=r"Model foo is not supported. Available options are\n\talexnet\n"):
        vision.get_model("foo")
    with pytest.raises(AssertionError, match="Invalid resnet version: 3. Options are 1 and 2."):
        vision.get_resnet(3, 18)
    with pytest.raises(AssertionError, match=r"Invalid number of layers: 19"):
        vision.get_resnet(1, 19)
    with pytest.raises(AssertionError, match="Unsupported SqueezeNet version 2.0:1.0 or 1.1 expected"):
        vision.SqueezeNet("2.0")
    with pytest.raises(KeyError):
        vision.get_vgg(12)
    assert vision.get_model("ResNet18_V1").__class__ is ResNetV1


def test_model_store_names():
    assert model_store.short_hash("resnet18_v1") == "a0666292"
    assert model_store._model_sha1["mobilenetv2_0.25"] == "ae8f9392789b04822cbb1d98c27283fc5f8aa0a7"
    # MXNet's own 34; libraries imported earlier in the session (GluonNLP) add theirs, as in MXNet
    assert len(model_store._model_sha1) >= 34
    assert model_store._url_format == "{repo_url}gluon/models/{file_name}.zip"


def _fake_store(monkeypatch, tmp_path, name, net):
    """Save ``net`` as the cached file of ``name`` and make the SHA-1 table agree with it."""
    src = tmp_path / "src.params"
    net.save_parameters(str(src))
    sha1 = hashlib.sha1(src.read_bytes()).hexdigest()
    monkeypatch.setitem(model_store._model_sha1, name, sha1)
    return src, sha1


def test_pretrained_uses_cached_file(monkeypatch, tmp_path):
    net = vision.mobilenet0_25()
    net.initialize(mx.init.Uniform(0.5))
    net(mx.nd.ones((1, 3, 32, 32)))
    src, sha1 = _fake_store(monkeypatch, tmp_path, "mobilenet0.25", net)
    root = tmp_path / "models"
    root.mkdir()
    os.replace(src, root / f"mobilenet0.25-{sha1[:8]}.params")
    loaded = vision.get_model("mobilenet0.25", pretrained=True, root=str(root))
    for (k, a), b in zip(net._collect_params_with_prefix().items(),
                         loaded._collect_params_with_prefix().values()):
        np.testing.assert_array_equal(a.data().asnumpy(), b.data().asnumpy(), err_msg=k)


@pytest.fixture
def local_repo(tmp_path):
    """An HTTP server on localhost serving ``tmp_path/repo`` (stands in for the Gluon repository)."""
    repo = tmp_path / "repo"
    (repo / "gluon" / "models").mkdir(parents=True)
    handler = functools.partial(_QuietHandler, directory=str(repo))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield repo, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_download_from_repo_and_offline_error(monkeypatch, tmp_path, local_repo):
    net = vision.squeezenet1_1(classes=3)
    net.initialize()
    net(mx.nd.ones((1, 3, 224, 224)))
    src, sha1 = _fake_store(monkeypatch, tmp_path, "squeezenet1.1", net)
    repo, url = local_repo
    fname = f"squeezenet1.1-{sha1[:8]}"
    with zipfile.ZipFile(repo / "gluon" / "models" / (fname + ".zip"), "w") as zf:
        zf.write(src, fname + ".params")
    monkeypatch.setenv("MXNET_GLUON_REPO", url)
    root = tmp_path / "cache"
    path = model_store.get_model_file("squeezenet1.1", root=str(root))
    assert path == str(root / (fname + ".params")) and os.listdir(root) == [fname + ".params"]
    model_store.purge(str(root))
    assert os.listdir(root) == []

    monkeypatch.setenv("MXNET_GLUON_REPO", url + "nowhere")
    with pytest.raises(OSError, match=f"place {fname}.params .* in {root}"):
        model_store.get_model_file("squeezenet1.1", root=str(root))
