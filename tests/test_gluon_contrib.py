"""gluon.contrib.nn layers against real MXNet 1.9.1 (cases recorded by tools/goldens/gen_gluon_rnn.py)."""
import pytest

import mxnet as mx
from mxnet.gluon import nn
from mxnet.gluon.contrib import nn as cnn
from test_gluon_rnn import CASES, check_case

CONTRIB_CASES = [c for c in CASES if "cnn." in c["ctor"]]


@pytest.mark.parametrize("case", CONTRIB_CASES, ids=[c["id"] for c in CONTRIB_CASES])
def test_matches_mxnet(case):
    check_case(case)


def test_reprs_and_prefixes():
    c = cnn.HybridConcurrent(axis=1)
    c.add(nn.Dense(2))
    c.add(cnn.Identity())
    assert repr(c) == ("HybridConcurrent(\n  (0): Dense(None -> 2, linear)\n  (1): Identity(\n  \n  )\n)")
    assert c.prefix.startswith("hybridconcurrent")
    assert repr(cnn.PixelShuffle3D((1, 2, 3))) == "PixelShuffle3D((1, 2, 3))"
    assert repr(cnn.PixelShuffle1D(3)) == "PixelShuffle1D(3)"
    bn = cnn.SyncBatchNorm(in_channels=3, num_devices=2, prefix="sbn_")
    assert repr(bn) == ("SyncBatchNorm(eps=1e-05, momentum=0.9, fix_gamma=False, use_global_stats=False, "
                        "ndev=2, key='sbn_', in_channels=3)")


def test_pixelshuffle_shapes_and_errors():
    y = cnn.PixelShuffle2D(2)(mx.nd.arange(16).reshape((1, 4, 2, 2)))
    assert y.shape == (1, 1, 4, 4)
    # channel group k = (i*2 + j) lands at pixel (2h + i, 2w + j)
    assert y.asnumpy()[0, 0, 0].tolist() == [0, 4, 1, 5]
    with pytest.raises(AssertionError):
        cnn.PixelShuffle2D((1, 2, 3))
