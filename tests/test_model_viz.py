"""mx.viz.print_summary text and plot_network graphviz sources compared with MXNet 1.9.1's
(recorded by tools/goldens/gen_module.py), and mx.model's error paths."""
import contextlib
import importlib.util
import io
import json
import os

import pytest

import mxnet as mx
from mxnet.base import MXNetError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLD = os.path.join(ROOT, "tests", "goldens", "module")
_spec = importlib.util.spec_from_file_location("gen_module", os.path.join(ROOT, "tools", "goldens",
                                                                           "gen_module.py"))
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)
with open(os.path.join(GOLD, "module.json")) as _f:
    META = json.load(_f)


def _summary(sym, **kw):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        mx.viz.print_summary(sym, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("case", ["mlp", "lenet", "mlp_noshape", "lenet_narrow", "branchy"])
def test_print_summary_text_matches_mxnet(case):
    if case == "mlp":
        text = _summary(gen.mlp(mx), shape={"data": (10, 20)})
    elif case == "mlp_noshape":
        text = _summary(gen.mlp(mx))
    elif case == "lenet":
        text = _summary(gen.lenet(mx), shape={"data": (4, 1, 16, 16)})
    elif case == "lenet_narrow":
        text = _summary(gen.lenet(mx), shape={"data": (4, 1, 16, 16)}, line_length=90,
                        positions=[.3, .6, .8, 1.])
    else:
        net, shape = gen.branchy(mx)
        text = _summary(net, shape=shape)
    assert text == META[f"summary/{case}"]


def test_print_summary_errors():
    with pytest.raises(TypeError):
        mx.viz.print_summary(1)
    with pytest.raises(TypeError):
        mx.viz.print_summary(gen.mlp(mx), shape=(2, 20))
    with pytest.raises(MXNetError):
        mx.viz.print_summary(gen.mlp(mx), shape={"x": (2, 20)})


def _src(dot):
    # graphviz >= 0.20 ends the source with a newline, the oracle's 0.8.4 does not
    return dot.source.rstrip("\n")


def test_plot_network_source_matches_mxnet():
    pytest.importorskip("graphviz")
    net, shape = gen.branchy(mx)
    assert _src(mx.viz.plot_network(gen.lenet(mx), shape={"data": (4, 1, 16, 16)})) == META["plot/lenet"]
    dot = mx.viz.plot_network(gen.mlp(mx), title="t", save_format="png", hide_weights=False,
                              node_attrs={"shape": "oval", "fixedsize": "false"})
    assert _src(dot) == META["plot/mlp_weights"]
    assert dot.format == "png" and dot.name == "t"
    assert _src(mx.viz.plot_network(net, shape=shape, dtype={"x": "float32", "tok": "int32"})) == \
        META["plot/branchy"]
    with pytest.raises(TypeError, match="Symbol"):
        mx.viz.plot_network("not a symbol")


def test_plot_network_without_graphviz_says_what_is_missing(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_graphviz(name, *args, **kwargs):
        if name == "graphviz":
            raise ImportError("No module named 'graphviz'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_graphviz)
    with pytest.raises(ImportError, match="requires graphviz"):
        mx.viz.plot_network(gen.mlp(mx))


def test_model_helpers():
    assert mx.model.BatchEndParam(1, 2, None, {})._fields == ("epoch", "nbatch", "eval_metric", "locals")
    assert type(mx.model.BatchEndParam(1, 2, None, {})).__name__ == "BatchEndParams"
    with pytest.raises(NotImplementedError, match="Module"):
        mx.model.FeedForward(gen.mlp(mx))
    assert mx.visualization is mx.viz and mx.module is mx.mod


def test_plot_network_warns_about_repeated_names():
    net = mx.sym.FullyConnected(mx.sym.var("data"), name="fc", num_hidden=4)
    net = mx.sym.FullyConnected(net, name="fc", num_hidden=2)
    with pytest.warns(RuntimeWarning, match="Repeated names: fc"):
        mx.viz.plot_network(net, shape={"data": (3, 5)})
