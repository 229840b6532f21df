"""Consistent inputs for the operators with C kernels (``mxnet/ops/_native*``), so that their
fuzz cases reach the kernels instead of failing the shape checks: random but matching shapes,
edge sizes (batch 0, 1x1 images, kernels as large as the input), the parameter combinations
the kernels specialise on, float32 mostly (the kernels' dtype), and special values in a third
of the cases.  ``template(name, rng)`` gives ``(arrays, params)`` or None for other operators.
"""
import numpy as np

_SPECIALS = np.array([np.nan, np.inf, -np.inf, -0.0, 3e38, -3e38, 1e-40, 1e30])


def _arr(rng, shape, special, dtype=np.float32, scale=1.0):
    a = np.asarray(rng.standard_normal(shape) * scale, dtype=dtype)
    if special and a.size:
        m = rng.random(shape) < 0.15
        a[m] = rng.choice(_SPECIALS, size=int(m.sum())).astype(dtype)
    return a


def _pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def _dtype(rng):
    return np.float32 if rng.random() < 0.85 else np.float64


def _conv(rng, special, deconv=False):
    nd = _pick(rng, (2, 2, 2, 1, 3))
    k = _pick(rng, (1, 3, 3, 5, 7, 2))
    stride = _pick(rng, (1, 1, 2, 3))
    pad = _pick(rng, (0, k // 2, 1))
    dilate = _pick(rng, (1, 1, 1, 2))
    group = _pick(rng, (1, 1, 2))
    c = group * _pick(rng, (1, 2, 3, 8))
    f = group * _pick(rng, (1, 2, 4, 8))
    n = _pick(rng, (0, 1, 2, 3))
    span = dilate * (k - 1) + 1
    size = [max(1, int(rng.integers(span - 2 * pad, span + 8))) for _ in range(nd)]
    dt = _dtype(rng)
    data = _arr(rng, (n, c) + tuple(size), special, dt)
    wshape = (c, f // group) if deconv else (f, c // group)
    weight = _arr(rng, wshape + (k,) * nd, special, dt, 0.3)
    no_bias = bool(rng.integers(2))
    params = {"kernel": (k,) * nd, "stride": (stride,) * nd, "pad": (pad,) * nd,
              "dilate": (dilate,) * nd, "num_filter": f, "num_group": group, "no_bias": no_bias}
    arrays = [data, weight] + ([] if no_bias else [_arr(rng, (f,), special, dt)])
    return arrays, params


def _pooling(rng, special):
    nd = _pick(rng, (2, 2, 2, 1, 3))
    k = _pick(rng, (1, 2, 2, 3, 5))
    size = tuple(int(rng.integers(1, 10)) for _ in range(nd))
    params = {"kernel": (k,) * nd, "stride": (_pick(rng, (1, 2, k)),) * nd,
              "pad": (_pick(rng, (0, 0, k // 2)),) * nd,
              "pool_type": _pick(rng, ("max", "max", "avg", "sum", "lp")),
              "pooling_convention": _pick(rng, ("valid", "full", "same")),
              "global_pool": rng.random() < 0.15}
    if params["pool_type"] == "lp":
        params["p_value"] = _pick(rng, (1, 2, 3))
    if params["pool_type"] == "avg":
        params["count_include_pad"] = bool(rng.integers(2))
    data = _arr(rng, (_pick(rng, (0, 1, 2, 3)), _pick(rng, (1, 3, 8))) + size, special, _dtype(rng))
    return [data], params


def _batchnorm(rng, special):
    c = _pick(rng, (1, 3, 8))
    shape = _pick(rng, ((2, c), (2, c, 5), (2, c, 4, 4), (1, c, 1, 1), (0, c, 3, 3), (3, c, 2, 2, 2)))
    dt = _dtype(rng)
    arrays = [_arr(rng, shape, special, dt), _arr(rng, (c,), special, dt), _arr(rng, (c,), special, dt),
              _arr(rng, (c,), special, dt), np.abs(_arr(rng, (c,), special, dt))]
    params = {"fix_gamma": bool(rng.integers(2)), "use_global_stats": rng.random() < 0.3,
              "eps": _pick(rng, (1e-3, 1e-5, 0.0, 1e-30)), "momentum": _pick(rng, (0.9, 0.0, 1.0)),
              "output_mean_var": rng.random() < 0.3}
    return arrays, params


def _dense(rng, special):
    n, h = _pick(rng, (0, 1, 2, 7)), _pick(rng, (1, 3, 16))
    shape = _pick(rng, ((n, 5), (n, 2, 3), (n, 3, 2, 2)))
    flatten = bool(rng.integers(2))
    k = int(np.prod(shape[1:])) if flatten else shape[-1]
    no_bias = bool(rng.integers(2))
    dt = _dtype(rng)
    arrays = [_arr(rng, shape, special, dt), _arr(rng, (h, k), special, dt, 0.3)]
    if not no_bias:
        arrays.append(_arr(rng, (h,), special, dt))
    return arrays, {"num_hidden": h, "no_bias": no_bias, "flatten": flatten}


def _update(rng, special, nstate):
    shape = _pick(rng, ((5,), (3, 4), (0,), (2, 3, 4), ()))
    dt = _dtype(rng)
    arrays = [_arr(rng, shape, special, dt) for _ in range(2)]
    arrays += [np.abs(_arr(rng, shape, special, dt)) for _ in range(nstate)]
    params = {"lr": _pick(rng, (0.1, 0.0, 1e30)), "wd": _pick(rng, (0.0, 1e-4, 1.0)),
              "rescale_grad": _pick(rng, (1.0, 0.5, 1e-30)),
              "clip_gradient": _pick(rng, (-1.0, 0.5, 0.0))}
    return arrays, params


def _rnn(rng, special):
    mode = _pick(rng, ("lstm", "lstm", "gru", "rnn_tanh", "rnn_relu"))
    gates = {"lstm": 4, "gru": 3}.get(mode, 1)
    t, n, i, h = _pick(rng, (1, 3, 5)), _pick(rng, (0, 1, 2, 4)), _pick(rng, (1, 3, 8)), _pick(rng, (1, 4, 8))
    layers, bidir = _pick(rng, (1, 1, 2)), rng.random() < 0.3
    dirs = 2 if bidir else 1
    size = 0
    for layer in range(layers):
        inp = i if layer == 0 else h * dirs
        size += dirs * gates * h * (inp + h + 2)
    dt = np.float32 if rng.random() < 0.7 else np.float64
    arrays = [_arr(rng, (t, n, i), special, dt), _arr(rng, (size,), special, dt, 0.3),
              _arr(rng, (layers * dirs, n, h), special, dt)]
    if mode == "lstm":
        arrays.append(_arr(rng, (layers * dirs, n, h), special, dt))
    params = {"mode": mode, "state_size": h, "num_layers": layers, "bidirectional": bidir,
              "state_outputs": bool(rng.integers(2))}
    return arrays, params


def _im2col(rng, special):
    k = _pick(rng, (1, 2, 3))
    x = _arr(rng, (_pick(rng, (0, 1, 2)), _pick(rng, (1, 3))) + (int(rng.integers(k, 8)),) * 2, special)
    return [x], {"kernel": (k, k), "stride": (_pick(rng, (1, 2)),) * 2, "pad": (_pick(rng, (0, 1)),) * 2}


def _col2im(rng, special):
    k, c, hw = _pick(rng, (1, 2, 3)), _pick(rng, (1, 3)), int(rng.integers(3, 8))
    stride, pad = _pick(rng, (1, 2)), _pick(rng, (0, 1))
    out = (hw + 2 * pad - k) // stride + 1
    x = _arr(rng, (_pick(rng, (0, 1, 2)), c * k * k, out * out), special)
    return [x], {"output_size": (hw, hw), "kernel": (k, k), "stride": (stride, stride),
                 "pad": (pad, pad)}


def _softmax_ce(rng, special):
    n, k = _pick(rng, (0, 1, 4, 9)), _pick(rng, (1, 2, 10))
    label = rng.integers(0, k, size=(n,)).astype(np.float32)
    return [_arr(rng, (n, k), special, _dtype(rng), 3.0), label], {}


def _activation(rng, special):
    shape = _pick(rng, ((4,), (2, 3), (0, 5), (2, 3, 4, 5), (), (1, 131)))
    return [_arr(rng, shape, special, _dtype(rng), 3.0)], {
        "act_type": _pick(rng, ("relu", "relu", "sigmoid", "tanh", "softrelu", "softsign"))}


_TEMPLATES = {
    "Convolution": _conv, "Deconvolution": lambda r, s: _conv(r, s, deconv=True),
    "Pooling": _pooling, "BatchNorm": _batchnorm, "FullyConnected": _dense,
    "sgd_update": lambda r, s: _update(r, s, 0), "sgd_mom_update": lambda r, s: _update(r, s, 1),
    "adam_update": lambda r, s: _update(r, s, 2), "RNN": _rnn, "im2col": _im2col,
    "col2im": _col2im, "_softmax_cross_entropy_pick": _softmax_ce, "Activation": _activation,
}


def template(name, rng):
    fn = _TEMPLATES.get(name)
    if fn is None:
        return None
    return fn(rng, rng.random() < 0.35)


def names():
    return sorted(_TEMPLATES)
