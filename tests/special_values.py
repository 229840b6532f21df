"""Special-value cases for every C kernel (``mxnet/ops/_native*``), shared by the golden
generator (``tools/goldens/gen_kernel_special_values.py``, run under real MXNet 1.9.1) and
``tests/test_kernel_special_values.py`` (mxnext with the kernels on and off).

Each case is a program ``prog(mx, src)`` written against MXNet's public API only, so that the
same code runs on both: it asks ``src`` (an ``Inputs``) for its arrays by name, shape and
dtype, and returns a dict of NumPy results (outputs, gradients, updated states).
``KERNELS`` names the C entry points each case reaches with the kernels on (the test checks it).
"""
import zlib

import numpy as np

# kinds of special values placed in the inputs
KINDS = ("nan", "inf", "negzero", "huge", "denormal")


def spiked(rng, shape, dtype, kind, count=3):
    """Standard normal values of ``shape`` with ``count`` of kind ``kind`` at random places, and
    at the first and the last."""
    a = rng.standard_normal(shape).astype(dtype)
    flat = a.reshape(-1)
    if not flat.size or kind is None:
        return a
    # Python floats, rounded to the dtype on assignment (the same bits whatever NumPy's casting)
    big, tiny = float(np.finfo(dtype).max), float(np.finfo(dtype).tiny)
    vals = {"nan": [np.nan], "inf": [np.inf, -np.inf],
            "negzero": [-0.0, 0.0, -0.0],
            "huge": [big * 0.9, -big * 0.9, big],
            "denormal": [tiny / 64, -tiny / 1024, 1e-45]}[kind]
    # the first and last elements too: a convolution's corner taps, the borders of a window
    pos = np.unique(np.concatenate([[0, flat.size - 1], rng.choice(flat.size, min(count, flat.size),
                                                                    replace=False)]))
    for i, p in enumerate(pos):
        flat[p] = vals[i % len(vals)]
    if kind == "negzero":   # and a run of small negative values, whose relu/products are -0
        flat[rng.choice(flat.size, min(count, flat.size), replace=False)] = -1e-30
    return a


class Inputs:
    """``src`` of the case ``key`` = "<case>/<kind>/<where>": its arrays are standard normal
    values with special values of ``kind`` in the inputs (``where`` "in") or in the head
    gradients ("head"), drawn from a RandomState seeded by the key (whose stream NumPy keeps
    fixed), in the order the program asks for them; ``crc`` sums up what was drawn, so that
    goldens recorded from other inputs are noticed."""

    def __init__(self, key):
        self.kind, self.where = key.split("/")[1:]
        self.rng = np.random.RandomState(zlib.crc32(key.encode()))
        self.crc = 0

    def __call__(self, name, shape, dtype):
        spike = (self.where == "head") == name.startswith("head")
        a = spiked(self.rng, shape, np.dtype(dtype), self.kind if spike else None)
        self.crc = zlib.crc32(name.encode() + a.tobytes(), self.crc)
        return a


def _nd(mx, a):
    return mx.nd.array(a, dtype=a.dtype)


def _grads(mx, src, fn, ins, train=True, head_shape=None):
    """Run ``fn`` over the named inputs ``ins`` {name: (shape, dtype)} under autograd, backward
    from a recorded head gradient; {"out", "d<name>"...}."""
    xs = {k: _nd(mx, src(k, s, d)) for k, (s, d) in ins.items()}
    for x in xs.values():
        x.attach_grad()
    with mx.autograd.record(train_mode=train):
        y = fn(**xs)
    out = y[0] if isinstance(y, (list, tuple)) else y
    head = src("head", out.shape, np.dtype(out.dtype))
    out.backward(_nd(mx, head))
    res = {"out": out.asnumpy()}
    res.update({"d" + k: x.grad.asnumpy() for k, x in xs.items()})
    return res


def _pool(kernel, stride, pad=(0, 0), shape=(2, 3, 8, 8), dtype=np.float32, **kw):
    def prog(mx, src):
        return _grads(mx, src, lambda x: mx.nd.Pooling(x, kernel=kernel, stride=stride, pad=pad,
                                                        pool_type="max", **kw),
                      {"x": (shape, dtype)})
    return prog


def _pool_act(act):
    """Activation then max pooling through a bound symbol (the executor fuses the pair and the
    C scatter applies the activation's derivative)."""
    def prog(mx, src):
        x = mx.sym.Variable("x")
        y = mx.sym.Pooling(mx.sym.Activation(x, act_type=act), kernel=(2, 2), stride=(2, 2),
                           pool_type="max")
        return _bound(mx, src, y, {"x": (2, 3, 8, 8)})
    return prog


def _bound(mx, src, sym, shapes):
    """Forward (training) and backward of a symbol through simple_bind."""
    ex = sym.simple_bind(mx.cpu(), grad_req="write", **shapes)
    for k in shapes:
        ex.arg_dict[k][:] = _nd(mx, src(k, shapes[k], np.dtype(np.float32)))
    out = ex.forward(is_train=True)[0]
    ex.backward(_nd(mx, src("head", out.shape, np.dtype(np.float32))))
    res = {"out": out.asnumpy()}
    res.update({"d" + k: ex.grad_dict[k].asnumpy() for k in shapes})
    return res


def _conv(xshape, wshape, stride=(1, 1), pad=(0, 0), dilate=(1, 1), bias=True, dtype=np.float32):
    def prog(mx, src):
        ins = {"x": (xshape, dtype), "w": (wshape, dtype)}
        if bias:
            ins["b"] = ((wshape[0],), dtype)
        k = wshape[2:]
        return _grads(mx, src, lambda x, w, b=None: mx.nd.Convolution(
            x, w, b, kernel=k, stride=stride, pad=pad, dilate=dilate, num_filter=wshape[0],
            no_bias=not bias), ins)
    return prog


def _bn(dtype, fix_gamma, global_stats=False, train=True):
    def prog(mx, src):
        c = 3
        shape = (4, c, 4, 5)
        mm = _nd(mx, src("moving_mean", (c,), dtype) * 0.1)
        mv = _nd(mx, np.abs(src("moving_var", (c,), dtype)) + 0.5)
        res = _grads(mx, src, lambda x, gamma, beta: mx.nd.BatchNorm(
            x, gamma, beta, mm, mv, fix_gamma=fix_gamma, use_global_stats=global_stats),
            {"x": (shape, dtype), "gamma": ((c,), dtype), "beta": ((c,), dtype)}, train=train)
        if fix_gamma:   # MXNet leaves gamma's gradient unwritten (zero) or zeroes it
            del res["dgamma"]
        res["moving_mean"], res["moving_var"] = mm.asnumpy(), mv.asnumpy()
        return res
    return prog


def _fc(dtype):
    def prog(mx, src):
        return _grads(mx, src, lambda x, w, b: mx.nd.FullyConnected(x, w, b, num_hidden=6),
                      {"x": ((5, 7), dtype), "w": ((6, 7), dtype), "b": ((6,), dtype)})
    return prog


def _fc_relu(mx, src):
    x = mx.sym.Variable("x")
    y = mx.sym.Activation(mx.sym.FullyConnected(x, num_hidden=6, name="fc"), act_type="relu")
    return _bound(mx, src, y, {"x": (5, 7), "fc_weight": (6, 7), "fc_bias": (6,)})


def _relu(dtype):
    def prog(mx, src):
        return _grads(mx, src, lambda x: mx.nd.Activation(x, act_type="relu"),
                      {"x": ((4, 33), dtype)})
    return prog


def _relu_op(mx, src):
    return _grads(mx, src, lambda x: mx.nd.relu(x), {"x": ((4, 33), np.float32)})


def _sce(mx, src):
    x = _nd(mx, src("x", (6, 10), np.dtype(np.float32)))
    label = mx.nd.array(np.arange(6) % 10)
    x.attach_grad()
    with mx.autograd.record():
        loss = mx.gluon.loss.SoftmaxCrossEntropyLoss()(x, label)
    loss.backward(_nd(mx, src("head", loss.shape, np.dtype(np.float32))))
    return {"out": loss.asnumpy(), "dx": x.grad.asnumpy()}


def _lstm(dtype):
    def prog(mx, src):
        T, N, C, H = 3, 2, 4, 5
        npar = 4 * H * (C + H) + 8 * H
        x = _nd(mx, src("x", (T, N, C), dtype))
        p = _nd(mx, src("params", (npar,), dtype) * 0.3)
        h0 = _nd(mx, src("h0", (1, N, H), dtype))
        c0 = _nd(mx, src("c0", (1, N, H), dtype))
        for a in (x, p, h0, c0):
            a.attach_grad()
        with mx.autograd.record():
            out, hn, cn = mx.nd.RNN(x, p, h0, c0, state_size=H, num_layers=1, mode="lstm",
                                    state_outputs=True)
        heads = [_nd(mx, src(k, a.shape, dtype)) for k, a in (("head", out), ("head_h", hn), ("head_c", cn))]
        mx.autograd.backward([out, hn, cn], heads)
        return {"out": out.asnumpy(), "hn": hn.asnumpy(), "cn": cn.asnumpy(), "dx": x.grad.asnumpy(),
                "dparams": p.grad.asnumpy(), "dh0": h0.grad.asnumpy(), "dc0": c0.grad.asnumpy()}
    return prog


def _sgd(dtype, **kw):
    def prog(mx, src):
        opt = mx.optimizer.SGD(learning_rate=0.1, **kw)
        w = _nd(mx, src("w", (40,), dtype))
        g = _nd(mx, src("g", (40,), dtype))
        state = opt.create_state(0, w)
        if state is not None:
            state[:] = _nd(mx, src("mom", (40,), dtype))
        opt.update(0, w, g, state)
        res = {"w": w.asnumpy()}
        if state is not None:
            res["mom"] = state.asnumpy()
        return res
    return prog


def _adam(dtype, **kw):
    def prog(mx, src):
        opt = mx.optimizer.Adam(learning_rate=0.1, **kw)
        w = _nd(mx, src("w", (40,), dtype))
        g = _nd(mx, src("g", (40,), dtype))
        mean, var = opt.create_state(0, w)
        mean[:] = _nd(mx, src("mean", (40,), dtype))
        var[:] = _nd(mx, np.abs(src("var", (40,), dtype)))
        opt.update(0, w, g, (mean, var))
        return {"w": w.asnumpy(), "mean": mean.asnumpy(), "var": var.asnumpy()}
    return prog


F32, F64 = np.float32, np.float64

# name: (program, C entry points reached with the kernels on)
CASES = {
    "pool_2x2": (_pool((2, 2), (2, 2)), {"max_pool_2x2", "max_pool_grad"}),
    "pool_2x2_f64": (_pool((2, 2), (2, 2), dtype=F64), {"max_pool_2x2", "max_pool_grad"}),
    "pool_3x3_pad1": (_pool((3, 3), (1, 1), (1, 1)), {"max_pool_any", "max_pool_grad"}),
    "pool_3x3_s2_full": (_pool((3, 3), (2, 2), pooling_convention="full", shape=(2, 3, 8, 9)),
                         {"max_pool_any", "max_pool_grad"}),
    "pool_relu": (_pool_act("relu"), {"max_pool_2x2", "max_pool_grad", "relu"}),
    "pool_sigmoid": (_pool_act("sigmoid"), {"max_pool_2x2", "max_pool_grad"}),
    "pool_tanh": (_pool_act("tanh"), {"max_pool_2x2", "max_pool_grad"}),
    "pool_softrelu": (_pool_act("softrelu"), {"max_pool_2x2", "max_pool_grad"}),
    "conv_im2col": (_conv((2, 3, 9, 9), (4, 3, 3, 3), stride=(2, 2)), {"im2col_image", "col2im_image"}),
    "conv_im2col_dilate": (_conv((2, 3, 9, 9), (4, 3, 2, 2), dilate=(2, 2), pad=(1, 1), stride=(2, 1)),
                           {"im2col_image", "col2im_image"}),
    "conv_inner": (_conv((8, 3, 7, 7), (4, 3, 2, 2), stride=(2, 2), pad=(1, 1)),
                   {"rows_to_nchw", "col2im_inner"}),
    "conv_im2col_f64": (_conv((2, 3, 9, 9), (4, 3, 3, 3), stride=(2, 2), dtype=F64),
                        {"im2col_image", "col2im_image"}),
    "conv_inner_f64": (_conv((8, 3, 7, 7), (4, 3, 2, 2), stride=(2, 2), pad=(1, 1), dtype=F64),
                       {"rows_to_nchw", "col2im_inner"}),
    "conv_3x3s1": (_conv((2, 4, 8, 8), (4, 4, 3, 3), pad=(1, 1)), {"dconv_fwd", "dconv_dx", "dconv_dw"}),
    "conv_3x3s2": (_conv((2, 4, 4, 16), (4, 4, 3, 3), stride=(2, 2), pad=(1, 1)),
                   {"dconv_fwd", "dconv_dx", "dconv_dw"}),
    "conv_1x1s1": (_conv((2, 4, 8, 8), (4, 4, 1, 1)), {"dconv_dx", "dconv_dw"}),
    "conv_1x1s2": (_conv((2, 4, 4, 16), (4, 4, 1, 1), stride=(2, 2)), {"dconv_fwd", "dconv_dx", "dconv_dw"}),
    "convk_5x5_pad2": (_conv((2, 8, 16, 8), (2, 8, 5, 5), pad=(2, 2)), {"convk_fwd", "convk_dw"}),
    "convk_5x5_gemm_dx": (_conv((2, 3, 20, 12), (2, 3, 5, 5), bias=False),
                          {"convk_fwd", "convk_dw", "col2im_image"}),
    "bn_train": (_bn(F32, False), {"bn_train_forward", "bn_train_backward"}),
    "bn_train_fix_gamma": (_bn(F32, True), {"bn_train_forward", "bn_train_backward"}),
    "bn_train_f64": (_bn(F64, False), {"bn_train_forward", "bn_train_backward"}),
    "bn_inference_grad": (_bn(F32, False, train=False), {"bn_normalise", "bn_train_backward"}),
    "bn_global_stats": (_bn(F32, False, global_stats=True), {"bn_normalise", "bn_grad_sums"}),
    "fc_bias": (_fc(F32), {"bias_act"}),
    "fc_bias_f64": (_fc(F64), {"bias_act"}),
    "fc_relu": (_fc_relu, {"bias_act", "relu_grad_colsum"}),
    "relu": (_relu(F32), {"relu", "relu_grad"}),
    "relu_f64": (_relu(F64), {"relu", "relu_grad"}),
    "relu_op": (_relu_op, set()),   # the relu operator, which the kernels do not serve: the same results
    "softmax_ce": (_sce, {"sce_rows", "sce_rows_grad"}),
    "lstm": (_lstm(F32), {"lstm_seq_fwd", "lstm_seq_bwd"}),
    "lstm_f64": (_lstm(F64), {"lstm_bwd_step"}),
    "sgd": (_sgd(F32), {"sgd_update"}),
    "sgd_mom_wd_clip": (_sgd(F32, momentum=0.9, wd=0.01, clip_gradient=1.0), {"sgd_update"}),
    "sgd_f64_wd": (_sgd(F64, wd=0.01), {"sgd_update"}),
    "adam": (_adam(F32), {"adam_update"}),
    "adam_wd_clip": (_adam(F32, wd=0.01, clip_gradient=1.0), {"adam_update"}),
    "adam_f64": (_adam(F64), {"adam_update"}),
}
