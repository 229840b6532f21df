"""Special values (NaN, +-inf, -0.0, values near the float maximum whose sums overflow,
denormals) through every C kernel: the kernels-on and kernels-off paths must give the same
results (NaN and inf in the same places, the same signs of zero where the operation defines
them), and both what MXNet 1.9.1 gives on the same inputs (goldens of
tools/goldens/gen_kernel_special_values.py; the cases are in special_values.py)."""
import os

import numpy as np
import pytest

import mxnet as mx
import special_values as sv
from mxnet.ops import _accel

GOLDENS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "goldens", "kernel_special_values.npz")
_STORE = np.load(GOLDENS)
WHERE = ("in", "head")

# Finite values may differ by rounding where a path sums or evaluates in another order
# (convolutions, dense layers, the LSTM's vector exp and its GEMMs, BatchNorm's sums, overlapping
# pooling windows, expm1 in softrelu's derivative): (rtol, atol) per case prefix; the other
# kernels give NumPy's bits.
TOL = {"conv": (2e-4, 1e-5), "fc": (1e-5, 1e-6), "lstm": (1e-4, 1e-6), "bn": (1e-4, 1e-6),
       "softmax": (1e-5, 1e-7), "pool_3x3": (1e-6, 1e-6), "pool_softrelu": (1e-6, 0),
       "pool_tanh": (1e-6, 0)}
# Kernels whose results are sums: with values near the float maximum, whether a sum overflows
# (to inf, or NaN from inf - inf) depends on its order, which differs between the paths (and
# between MXNet's own CPU kernels and oneDNN); for these only the outputs that stay well inside
# the range are compared.  A sign of zero from a sum is not defined either.
SUMS = ("conv", "fc", "lstm", "bn", "softmax")
# MXNet's own CPU kernels (MXNET_MKLDNN_ENABLED=0) define these: oneDNN's float32 relu maps NaN
# to 0, and its log_softmax gives finite values for rows holding NaN or inf
OWN_KERNELS = ("relu", "relu_op", "fc_relu", "pool_relu", "softmax_ce")   # the goldens have only those results
# Known differences from MXNet, kept (none at present)
NOT_MXNET = set()


def _tol(case):
    return next((v for k, v in TOL.items() if case.startswith(k)), (0, 0))


def differences(a, b, rtol=0, atol=0, signed_zero=True, overflow=False):
    """Where ``a`` and ``b`` disagree: NaN places, infinities and their signs, finite values
    beyond ``atol + rtol * max(|a|, |b|)`` (exact, denormals included, when both are 0), signs
    of exact zeros; with ``overflow``, places where either is not finite or above 1e30 in
    magnitude are left out.  A list of messages (empty when they agree)."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return [f"shape/dtype {a.shape} {a.dtype} vs {b.shape} {b.dtype}"]
    out = []
    with np.errstate(over="ignore", invalid="ignore"):
        keep = np.ones(a.shape, bool)
        if overflow:
            keep = np.isfinite(a) & np.isfinite(b) & (np.abs(a) < 1e30) & (np.abs(b) < 1e30)
        na, nb = np.isnan(a) & keep, np.isnan(b) & keep
        if (na != nb).any():
            out.append(f"NaN at {np.argwhere(na != nb)[:3].tolist()} ({a[na != nb][:3]} vs "
                       f"{b[na != nb][:3]})")
        both = keep & ~np.isnan(a) & ~np.isnan(b)
        ia, ib = np.isinf(a) & both, np.isinf(b) & both
        bad = (ia | ib) & (a != b)
        if bad.any():
            out.append(f"inf at {np.argwhere(bad)[:3].tolist()} ({a[bad][:3]} vs {b[bad][:3]})")
        fin = both & ~ia & ~ib
        off = fin & (np.abs(a - b) > atol + rtol * np.maximum(np.abs(a), np.abs(b)))
    if off.any():
        out.append(f"values at {np.argwhere(off)[:3].tolist()} ({a[off][:3]} vs {b[off][:3]})")
    if signed_zero:
        z = fin & (a == 0) & (b == 0) & (np.signbit(a) != np.signbit(b))
        if z.any():
            out.append(f"signs of zero at {np.argwhere(z)[:3].tolist()}")
    return out


def run(case, kind, where, jit):
    key = f"{case}/{kind}/{where}"
    src = sv.Inputs(key)
    before = _accel.set_jit(jit)
    try:
        with np.errstate(all="ignore"):
            res = sv.CASES[case][0](mx, src)
    finally:
        _accel.set_jit(before)
    if key + "/crc" in _STORE.files:   # the goldens were made from these inputs
        assert int(_STORE[key + "/crc"]) == src.crc, f"{key}: inputs changed, regenerate the goldens"
    return res


def compare(ra, rb, **kw):
    msgs = []
    for name in sorted(set(ra) | set(rb)):
        if name not in ra or name not in rb:
            msgs.append(f"{name}: missing")
            continue
        msgs += [f"{name}: {m}" for m in differences(np.asarray(ra[name]), np.asarray(rb[name]), **kw)]
    return msgs


def golden(case, kind, where, run_name="mx"):
    key = f"{case}/{kind}/{where}/{run_name}/"
    if key + "error" in _STORE.files:
        return None
    return {k[len(key):]: _STORE[k] for k in _STORE.files if k.startswith(key)}


def _options(case, kind, oracle=False):
    rtol, atol = _tol(case)
    sums = case.startswith(SUMS)
    # against MXNet: signs of zero only where an element is copied or compared (pooling, relu)
    signed = not sums and (not oracle or case.startswith(("pool_2x2", "pool_3x3", "relu")))
    return dict(rtol=rtol, atol=atol, signed_zero=signed, overflow=sums and kind == "huge")


def _golden(case, kind, where):
    run_name = "mx_nodnn" if case in OWN_KERNELS else "mx"
    return golden(case, kind, where, run_name)


@pytest.fixture(scope="module")
def calls():
    """The C entry points called while a case runs with the kernels on (ctypes functions
    wrapped for the module's tests)."""
    return _Recorder()


class _Recorder:
    def __init__(self):
        self.seen = set()

    def wrap(self):
        """Wrap every C entry point; returns an undo function."""
        from mxnet.ops import _native, _native_conv, _native_convk, _native_lstm
        undo = []

        def patch(obj, attr, name):
            fn = getattr(obj, attr)
            if fn is None or getattr(fn, "_sv_wrapped", False):
                return

            def rec(*a, _fn=fn):
                self.seen.add(name)
                return _fn(*a)
            rec._sv_wrapped = True
            setattr(obj, attr, rec)
            undo.append(lambda: setattr(obj, attr, fn))
        for table in _native._K.values():
            for name in list(vars(table)):
                patch(table, name, name)
        _native_convk._kernels()    # binds them
        for mod, attrs in ((_native_conv, {"_FWD": "dconv_fwd", "_DX": "dconv_dx", "_DW": "dconv_dw"}),
                           (_native_convk, {"_FWD": "convk_fwd", "_DW": "convk_dw"}),
                           (_native_lstm, {"_FWD": "lstm_seq_fwd", "_BWD": "lstm_seq_bwd"})):
            for attr, name in attrs.items():
                patch(mod, attr, name)
        return lambda: [u() for u in reversed(undo)]


@pytest.mark.parametrize("case", sorted(sv.CASES))
def test_reaches_its_kernels(case, native, calls):
    # a case that no longer reaches its kernels (a dispatch rule changed) tests nothing
    undo = calls.wrap()
    try:
        calls.seen.clear()
        run(case, "negzero", "in", True)   # finite values: no exact-path detour
        assert sv.CASES[case][1] <= calls.seen, f"{case} reached {sorted(calls.seen)}"
    finally:
        undo()


@pytest.mark.parametrize("geom", [(2, 2, 2, 2, 0, 0), (3, 3, 2, 2, 1, 1)])
def test_max_pool_reports_nan(native, geom):
    # the Activation -> Pooling fusion runs in MXNet's order when the C kernel saw NaN
    x = np.random.default_rng(0).standard_normal((3, 8, 8)).astype(np.float32)
    assert native.max_pool2d(x, *geom, 4, 4, check_nan=True)[2] is False
    x[2, 7, 7] = np.nan
    assert native.max_pool2d(x, *geom, 4, 4, check_nan=True)[2] is True
    x[2, 7, 7] = -np.inf
    assert native.max_pool2d(x, *geom, 4, 4, check_nan=True)[2] is False
    big = np.zeros((700, 20, 20), np.float32)   # split over threads where there are several
    big[650, 3, 3] = np.nan
    assert native.max_pool2d(big, *geom, 10, 10, check_nan=True)[2] is True


def _kernels_available():
    if os.environ.get("MXNEXT_JIT", "1") == "0":
        return False
    from mxnet.ops import _native
    return _native.AVAILABLE


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("kind", sv.KINDS)
@pytest.mark.parametrize("case", sorted(sv.CASES))
def test_special_values(case, kind, where):
    """The kernels on and off agree, and each gives MXNet's results (where it defines them)."""
    results = {"off": run(case, kind, where, False)}
    msgs = []
    if _kernels_available():
        results["on"] = run(case, kind, where, True)
        msgs += [f"on/off {m}" for m in compare(results["on"], results["off"], **_options(case, kind))]
    want = _golden(case, kind, where)
    # sums near the float maximum: MXNet's own kernels and oneDNN differ too; NOT_MXNET: kept
    if want is not None and not (kind == "huge" and case.startswith(SUMS)) \
            and (case, kind, where) not in NOT_MXNET:
        o = _options(case, kind, oracle=True)
        o["rtol"], o["atol"] = max(o["rtol"], 1e-5), max(o["atol"], 1e-6)
        for label, res in results.items():
            msgs += [f"{label}/MXNet {m}" for m in compare(res, want, **o)]
    assert not msgs, "\n".join(msgs)


if __name__ == "__main__":   # a table of every disagreement, for working on the kernels
    import sys
    only = sys.argv[1:]
    for case in sv.CASES:
        if only and case not in only:
            continue
        for kind in sv.KINDS:
            for where in WHERE:
                on, off = run(case, kind, where, True), run(case, kind, where, False)
                want = _golden(case, kind, where)
                o = _options(case, kind, oracle=True)
                o["rtol"], o["atol"] = max(o["rtol"], 1e-5), max(o["atol"], 1e-6)
                for label, msgs in (("on/off", compare(on, off, **_options(case, kind))),
                                    ("on/mx", compare(on, want, **o) if want else []),
                                    ("off/mx", compare(off, want, **o) if want else [])):
                    for m in msgs:
                        print(f"{case}/{kind}/{where} {label}: {m}")
