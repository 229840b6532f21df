"""C kernels for the memory-bound passes of pooling, convolution, BatchNorm, the LSTM backward
and the SGD/Adam updates (optional, reached through ``_accel.jit()``).

``_native.c`` is compiled at first use by the system C compiler into a per-user cache and
loaded with ctypes; the library costs well under a megabyte of memory.  When there is no
compiler, or compiling or loading fails, ``AVAILABLE`` is False (``REASON`` says why; set
``MXNEXT_NATIVE_DEBUG=1`` to see it and the compiler's messages on stderr) and every caller
keeps to its NumPy path.  The wrappers take float32/float64 arrays (callers check the dtype),
make the inputs C-contiguous and allocate the outputs; each computes exactly what the NumPy
path computes (the docstrings in ``_native.c`` give the details).

Cache: ``$MXNEXT_CACHE``, else ``$XDG_CACHE_HOME/mxnext`` or ``~/.cache/mxnext``; the file name
hashes the source, the flags, the compiler's version, the machine and the CPU model, so a home
directory shared between machines holds one build per machine.  Compiler: ``$CC``, else the
first of cc, gcc, clang on PATH.
"""
import ctypes
import hashlib
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile

import numpy as np

from ._threads import default_threads, openblas as _openblas

# one library from these sources (each defines its own functions), and the header they share
_HERE = os.path.dirname(os.path.abspath(__file__))
_SOURCES = [os.path.join(_HERE, name) for name in ("_native.c", "_native_conv.c", "_native_convk.c",
                                                  "_native_lstm.c", "_native_pool.c")]
_HEADERS = [os.path.join(_HERE, name) for name in ("_native_vec.h", "_native_threads.h")]
# IEEE semantics: the bit-identical kernels depend on no reassociation and no FMA contraction;
# -fno-math-errno (sqrt need not set errno) only lets sqrt be vectorized
_FLAGS = ["-std=c99", "-O3", "-fPIC", "-fno-fast-math", "-ffp-contract=off", "-fno-math-errno"]
# tried in order until the compiler accepts one
_EXTRA_FLAGS = (["-march=native"], [])
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)


def _debug(msg):
    if os.environ.get("MXNEXT_NATIVE_DEBUG") == "1":
        print(f"mxnext native kernels: {msg}", file=sys.stderr)


def _compiler():
    if os.environ.get("CC"):
        return shlex.split(os.environ["CC"])
    for name in ("cc", "gcc", "clang"):
        path = shutil.which(name)
        if path:
            return [path]
    return None


def _cpu_model():
    """The first CPU's model and instruction-set flags: -march=native code built on one machine
    must not be loaded on another that lacks an extension (VMs of one model name can differ,
    e.g. in AVX-512)."""
    keys = ("model name", "cpu model", "Processor", "flags", "Features", "isa")
    found = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                k = line.split(":", 1)[0].strip()
                if k in keys and k not in found:
                    found[k] = line.split(":", 1)[1].strip()
                if not line.strip() and found:   # the end of the first CPU's block
                    break
    except OSError:
        pass
    return " | ".join(f"{k}: {found[k]}" for k in keys if k in found) or platform.processor()


def _cache_dir():
    if os.environ.get("MXNEXT_CACHE"):
        return os.environ["MXNEXT_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "mxnext")


def _compile(cc, path):
    """Build into ``path`` through a temporary file beside it, so that a concurrent build or
    load never sees a partial library; True on success.  The sources compile in parallel (~10 s
    one after another, ~7 s so on 2 cores), then link."""
    fd, tmp = tempfile.mkstemp(suffix=".so", dir=os.path.dirname(path))
    os.close(fd)
    objdir = tempfile.mkdtemp(prefix="mxnext-build-")
    try:
        for extra in _EXTRA_FLAGS:
            objs = [os.path.join(objdir, f"{i}.o") for i in range(len(_SOURCES))]
            procs = [subprocess.Popen(cc + _FLAGS + extra + ["-c", src, "-o", obj], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)
                     for src, obj in zip(_SOURCES, objs)]
            errors = []
            for proc in procs:
                errors.append(proc.communicate(timeout=300)[1])
            if not any(proc.returncode for proc in procs):
                res = subprocess.run(cc + _FLAGS + extra + ["-shared", "-o", tmp] + objs + ["-lm"],
                                     capture_output=True, text=True, timeout=300)
                if res.returncode == 0:
                    os.replace(tmp, path)
                    return True
                errors.append(res.stderr)
            _debug(f"{' '.join(cc + extra)} failed:\n{''.join(errors)}")
        return False
    finally:
        shutil.rmtree(objdir, ignore_errors=True)
        if os.path.exists(tmp):
            os.unlink(tmp)


def _library():
    """(path of a built library, temporary directory to remove after loading or None), or
    raises OSError/RuntimeError/subprocess errors saying why there is none."""
    cc = _compiler()
    if cc is None:
        raise RuntimeError("no C compiler (cc, gcc or clang on PATH, or $CC)")
    version = subprocess.run(cc + ["--version"], capture_output=True, text=True, timeout=60,
                             check=True).stdout
    h = hashlib.sha256()
    for src in _SOURCES + _HEADERS:
        with open(src, "rb") as f:
            h.update(f.read())
    for part in (" ".join(_FLAGS), repr(_EXTRA_FLAGS), version, platform.machine(), _cpu_model()):
        h.update(b"\0" + part.encode())
    name = f"native-{h.hexdigest()[:20]}.so"
    cache = _cache_dir()
    path = os.path.join(cache, name)
    if os.path.exists(path):
        return path, None
    try:
        os.makedirs(cache, exist_ok=True)
        if _compile(cc, path):
            return path, None
        raise RuntimeError("compiling _native.c failed")
    except OSError as e:  # the cache is not writable: build for this process only
        _debug(f"cache {cache} not usable ({e}); building in a temporary directory")
    tmpdir = tempfile.mkdtemp(prefix="mxnext-native-")
    path = os.path.join(tmpdir, name)
    if not _compile(cc, path):
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise RuntimeError("compiling _native.c failed")
    return path, tmpdir


# argument kinds: p array object (its id), i int64, d double; then the result: v none, i int64
_SIGS = {
    "max_pool_2x2": "piiiiippi i", "max_pool_any": "piiiiiiiiiiippi i", "max_pool_grad": "pppiiiipi v",
    "im2col_image": "piiiiiiiiiiiiipi v", "col2im_image": "piiiiiiiiiiiiipi i",
    "col2im_inner": "piiiiiiiiiiiiiip i", "rows_to_nchw": "ppiiiip v",
    "bn_grad_sums": "ppiiippp v", "bn_normalise": "piiipppp v",
    "bn_train_forward": "piiippdidpppppi i", "bn_train_backward": "ppiiipppippppi v",
    "lstm_bwd_step": "pppppppii v", "bias_act": "ppiiiii v", "relu_grad_colsum": "ppppii v", "relu": "ppii v", "relu_grad": "pppii v", "sgd_update": "pppiddddd ii v", "adam_update": "ppppiddddddd i v",
}
# float32 only
_SIGS_F32 = {"sce_rows": "ppiipppi v", "sce_rows_grad": "ppppiipi v"}
_CT = {"p": ctypes.c_void_p, "i": ctypes.c_int64, "d": ctypes.c_double}


class _Kernels:
    """One dtype's C functions as attributes."""


def _bind(lib):
    """{dtype: _Kernels}; checks first that the library reads array data where NumPy has it."""
    # the data pointer follows the object header (PyArrayObject_fields: PyObject_HEAD, data)
    lib.native_set_offset.argtypes = [ctypes.c_int64]
    lib.native_set_offset(object.__basicsize__)
    lib.native_data.argtypes = [ctypes.c_void_p]
    lib.native_data.restype = ctypes.c_void_p
    for probe in (np.zeros(3), np.zeros((4, 5), np.float32)[1:]):
        if lib.native_data(id(probe)) != probe.ctypes.data:
            raise RuntimeError("cannot locate the data pointer in NumPy array objects")
    tables = bind(lib, _SIGS)
    for name, fn in vars(bind(lib, _SIGS_F32, (_F32,))[_F32]).items():
        setattr(tables[_F32], name, fn)
    return tables


def bind(lib, sigs, dtypes=(_F32, _F64)):
    """{dtype: _Kernels} of the functions ``name_f32``/``name_f64`` of ``lib`` for each
    ``name: signature`` of ``sigs`` (see ``_SIGS``) and each of ``dtypes``."""
    tables = {}
    for dt, suffix in ((_F32, "_f32"), (_F64, "_f64")):
        if dt not in dtypes:
            continue
        k = _Kernels()
        for name, sig in sigs.items():
            args, res = sig.replace(" ", "")[:-1], sig[-1]
            fn = getattr(lib, name + suffix)
            fn.argtypes = [_CT[a] for a in args]
            fn.restype = ctypes.c_int64 if res == "i" else None
            setattr(k, name, fn)
        tables[dt] = k
    return tables


def _load():
    """(kernel tables, library path, library, None) or (None, None, None, why)."""
    try:
        path, tmpdir = _library()
        try:
            lib = ctypes.CDLL(path)
        finally:
            if tmpdir is not None:  # the mapping outlives the file
                shutil.rmtree(tmpdir, ignore_errors=True)
        return _bind(lib), path, lib, None
    except (OSError, RuntimeError, AttributeError, subprocess.SubprocessError) as e:
        _debug(f"unavailable: {e}")
        return None, None, None, str(e) or type(e).__name__


# LIBRARY: the built file; LIB: the loaded library, for other modules' bind()
_K, LIBRARY, LIB, REASON = _load()
AVAILABLE = _K is not None


# -- threads -------------------------------------------------------------------------------------
# OpenBLAS's idle workers spin 2^28 cycles (~0.1 s) after each threaded call before sleeping,
# which in a training step that calls BLAS every few milliseconds is always: they take the
# second core from these kernels' threads (the LSTM loss kernel, 700 x 10000, on 2 threads right
# after a 15 ms GEMM: 5.7 ms with that spin, 5.3 with 2^22 cycles, 3.3 with 2^20).  2^18 (~0.1
# ms) still bridges back-to-back GEMMs and leaves the core to the LSTM time loop, whose threads
# meet every step: the LSTM LM step 80-89 -> 75 ms against 2^22, MLP, LeNet and ResNet-20 the
# same or faster (benchmarks/run.py, the two settings interleaved).
SPIN_EXPONENT = "18"


def _threads_and_spin():
    """Threads for the kernels: $MXNEXT_THREADS, else $OMP_NUM_THREADS, else as many as OpenBLAS
    uses (1 without OpenBLAS), at most one per CPU (``_threads.default_threads``).  When OpenBLAS
    is threaded and $OPENBLAS_THREAD_TIMEOUT is
    not set, shortens its workers' spin to 2^SPIN_EXPONENT cycles (its pool reads the variable
    when it is re-created): set $OPENBLAS_THREAD_TIMEOUT to keep OpenBLAS's own choice."""
    try:
        lib, get_threads = _openblas()
        n = get_threads() if get_threads is not None else None
    except (OSError, AttributeError, ValueError):
        lib, n = None, None
    threads = default_threads(n)
    if (AVAILABLE and lib is not None and (n or 1) > 1 and "OPENBLAS_THREAD_TIMEOUT" not in os.environ
            and hasattr(lib, "openblas_read_env") and hasattr(lib, "blas_thread_shutdown_")):
        os.environ["OPENBLAS_THREAD_TIMEOUT"] = SPIN_EXPONENT
        lib.openblas_read_env()
        lib.blas_thread_shutdown_()   # the next threaded call starts a pool with the new spin
    return threads


THREADS = _threads_and_spin()
# a pass is split over threads only from this many elements a thread.  The pool's dispatch
# costs ~1 us, but right after a GEMM OpenBLAS's workers still spin on the other cores: the MLP
# step (bias + relu of 256 x 512, SGD) is 4-7 % slower at 2^16 than at 2^18
MIN_THREAD_ELEMS = 1 << 18
# ... for relu (no GEMM near it in a convolutional network; 2 threads pay from 64K elements:
# 262144 floats 24 -> 15 us)
MIN_THREAD_ELEMS_LIGHT = 1 << 17
# ... for BatchNorm's passes (ResNet-20 step with these two at 2^16 and 2^18: -2-3 %)
MIN_THREAD_ELEMS_BN = 1 << 16


def _threads(size, per_thread=None):
    """Threads for a pass over ``size`` elements, one per ``per_thread`` (MIN_THREAD_ELEMS)."""
    return max(1, min(THREADS, size // (MIN_THREAD_ELEMS if per_thread is None else per_thread)))


# -- pooling ---------------------------------------------------------------------------------
def max_pool2d(x, kh, kw, sh, sw, ph, pw, oh, ow, check_nan=False):
    """``x`` (B, H, W) with B = N*C -> (max (B, oh, ow), flat index r*W+s of the first max, or
    -1 for a window wholly in the padding, whether a pooled element was NaN: with ``check_nan``,
    else perhaps False for NaN in 2x2 windows).  As in MXNet, the
    max starts from the dtype's lowest finite value and only greater elements replace it: NaN
    and -inf are skipped, and a window of nothing else gives that lowest value, its index being
    the window's first element."""
    x = np.ascontiguousarray(x)
    nb, h, w = x.shape
    y = np.empty((nb, oh, ow), x.dtype)
    idx = np.empty((nb, oh, ow), np.int32)
    k = _K[x.dtype]
    if (kh, kw, sh, sw, ph, pw) == (2, 2, 2, 2, 0, 0) and 2 * oh <= h and 2 * ow <= w:
        nan = k.max_pool_2x2(id(x), nb, h, w, oh, ow, id(y), id(idx), bool(check_nan))
        if nan < 0:
            raise MemoryError("max_pool2d: no memory for the block buffer")
    else:
        nan = k.max_pool_any(id(x), nb, h, w, kh, kw, sh, sw, ph, pw, oh, ow, id(y), id(idx),
                             _threads(x.size, MIN_THREAD_ELEMS_LIGHT))
    return y, idx, bool(nan)


def max_pool2d_grad(dy, idx, t, act, h, w):
    """Scatter ``dy`` (B, oh, ow) to the recorded maxima of a (B, H, W) input, multiplied by the
    derivative of activation ``act`` (0 none, 1 relu, 2 sigmoid, 3 tanh, 4 softrelu) at its
    output ``t`` (B, oh, ow) when ``act`` is not 0."""
    dy = np.ascontiguousarray(dy)
    idx = np.ascontiguousarray(idx, np.int32)
    t = np.ascontiguousarray(t, dy.dtype)
    nb = dy.shape[0]
    dx = np.zeros((nb, h, w), dy.dtype)
    _K[dy.dtype].max_pool_grad(id(dy), id(idx), id(t), act, nb, dy.size // max(nb, 1), h * w, id(dx),
                               _threads(dx.size, MIN_THREAD_ELEMS_LIGHT))
    return dx


# -- convolution -----------------------------------------------------------------------------
def im2col_image(x, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow):
    """Per-image columns (N, C, kh, kw, oh, ow) of ``x`` (N, C, H, W) zero padded by ph/pw, planes
    split over threads."""
    x = np.ascontiguousarray(x)
    n, c, h, w = x.shape
    cols = np.empty((n, c, kh, kw, oh, ow), x.dtype)
    _K[x.dtype].im2col_image(id(x), n * c, h, w, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, id(cols),
                             _threads(cols.size, MIN_THREAD_ELEMS_LIGHT))
    return cols


def col2im_image(cols, h, w, sh, sw, dh, dw, ph, pw):
    """Sum per-image columns (N, C, kh, kw, oh, ow) into the unpadded image (N, C, H, W), in the
    NumPy loop's order (the same bits), planes split over threads."""
    cols = np.ascontiguousarray(cols)
    n, c, kh, kw, oh, ow = cols.shape
    img = np.empty((n, c, h, w), cols.dtype)
    if _K[cols.dtype].col2im_image(id(cols), n * c, kh, kw, oh, ow, h, w, sh, sw, dh, dw, ph, pw, id(img),
                                   _threads(cols.size)):
        raise MemoryError("col2im_image: no memory for the sum buffer")
    return img


def col2im_inner(cols, h, w, sh, sw, dh, dw, ph, pw):
    """Sum batch-inner columns (C, kh, kw, oh, ow, N) into the unpadded image (N, C, H, W), in
    the NumPy loop's order (the same bits)."""
    cols = np.ascontiguousarray(cols)
    c, kh, kw, oh, ow, n = cols.shape
    img = np.empty((n, c, h, w), cols.dtype)
    if _K[cols.dtype].col2im_inner(id(cols), c, kh, kw, oh, ow, n, h, w, sh, sw, dh, dw, ph, pw, id(img)):
        raise MemoryError("col2im_inner: no memory for the sum buffer")
    return img


def rows_to_nchw(y, bias):
    """(F, P, N) GEMM rows -> (N, F, P), plus ``bias`` (F,) when it has F elements."""
    y = np.ascontiguousarray(y)
    f, p, n = y.shape
    bias = np.ascontiguousarray(bias, y.dtype)
    out = np.empty((n, f, p), y.dtype)
    _K[y.dtype].rows_to_nchw(id(y), id(bias), bias.size == f, f, p, n, id(out))
    return out


# -- BatchNorm over the contiguous (outer, C, inner) view of nn_norm ------------------------
def _f64(a):
    return np.ascontiguousarray(a, np.float64)


def grad_sums(g3, x3, mean):
    """Per-channel sum(g) and sum(g * (x - mean)), in float64."""
    x3 = np.ascontiguousarray(x3)
    g3 = np.ascontiguousarray(g3, x3.dtype)
    mean = _f64(mean)
    no, c, ni = x3.shape
    sg, sgx = np.empty(c), np.empty(c)
    _K[x3.dtype].bn_grad_sums(id(g3), id(x3), no, c, ni, id(mean), id(sg), id(sgx))
    return sg, sgx


def normalise(x3, mean, scale, shift):
    """(x - mean) * scale + shift per channel, in x3's dtype (the coefficients too)."""
    x3 = np.ascontiguousarray(x3)
    dt = x3.dtype
    mean, scale, shift = (np.ascontiguousarray(a, dt) for a in (mean, scale, shift))
    out = np.empty_like(x3)
    _K[dt].bn_normalise(id(x3), *x3.shape, id(mean), id(scale), id(shift), id(out))
    return out


def train_forward(x3, gamma, beta, eps, fix_gamma, ill):
    """BatchNorm's training forward on the batch statistics, as ``nn_norm._bn_fwd`` computes it,
    in one call.  Returns (out, mean, var, invstd, shifted), the statistics in float64;
    ``shifted`` says the variance was recomputed on the centred data (E[x^2] > ill * var)."""
    x3 = np.ascontiguousarray(x3)
    gamma, beta = _f64(gamma), _f64(beta)
    c = x3.shape[1]
    out = np.empty_like(x3)
    mean, var, invstd = np.empty(c), np.empty(c), np.empty(c)
    tmp = np.empty(3 * c, x3.dtype)
    shifted = _K[x3.dtype].bn_train_forward(id(x3), *x3.shape, id(gamma), id(beta), eps, bool(fix_gamma),
                                            ill, id(out), id(mean), id(var), id(invstd), id(tmp),
                                            _threads(x3.size, MIN_THREAD_ELEMS_BN))
    return out, mean, var, invstd, bool(shifted)


def train_backward(g3, x3, mean, invstd, gamma, fix_gamma):
    """BatchNorm's backward through the batch statistics, as ``nn_norm._bn_bwd`` computes it:
    (dx, dgamma, dbeta), the parameter gradients in float64 (dgamma before fix_gamma zeroes
    it)."""
    x3 = np.ascontiguousarray(x3)
    g3 = np.ascontiguousarray(g3, x3.dtype)
    mean, invstd, gamma = _f64(mean), _f64(invstd), _f64(gamma)
    c = x3.shape[1]
    dx = np.empty_like(x3)
    dgamma, sg = np.empty(c), np.empty(c)
    tmp = np.empty(4 * c, x3.dtype)
    _K[x3.dtype].bn_train_backward(id(g3), id(x3), *x3.shape, id(mean), id(invstd), id(gamma),
                                   bool(fix_gamma), id(dx), id(dgamma), id(sg), id(tmp),
                                   _threads(x3.size, MIN_THREAD_ELEMS_BN))
    return dx, dgamma, sg


# -- LSTM --------------------------------------------------------------------------------------
def _writable(a, dt):
    """``a`` itself when the kernel can write into it, else a contiguous copy (to copy back)."""
    ok = type(a) is np.ndarray and a.dtype == dt and a.flags.c_contiguous and a.flags.writeable
    return a if ok else np.ascontiguousarray(a, dt)


def lstm_bwd_step(dh, dout, dc, acts, cprev, tc, dgates, one):
    """One backward step of ``rnn_op._lstm_backward`` with the NumPy path's grouping of the
    products (the same bits): from dh, dout, dc (N, H), the gate activations acts (N, 4, H) as
    (i, f, tanh g, o), the previous cell state cprev and tanh of this step's cell state tc,
    write the gate pre-activation gradients into dgates (N, 4, H) and the previous step's cell
    gradient into dc.  ``one``, 1 in the arrays' dtype, selects the float32 or float64 kernel."""
    dt = np.dtype(type(one))
    dh, dout, acts, cprev, tc = (np.ascontiguousarray(a, dt) for a in (dh, dout, acts, cprev, tc))
    dcw, dgw = _writable(dc, dt), _writable(dgates, dt)
    n, h = dh.shape
    _K[dt].lstm_bwd_step(id(dh), id(dout), id(dcw), id(acts), id(cprev), id(tc), id(dgw), n, h)
    if dcw is not dc:
        dc[...] = dcw
    if dgw is not dgates:
        dgates[...] = dgw


# -- dense layers ------------------------------------------------------------------------------
def bias_act(y, bias, act):
    """In place on the C-contiguous 2-D ``y``: add ``bias`` (its last-axis length, or None), then
    relu when ``act`` is 1 (0: none)."""
    m, n = y.shape
    _K[y.dtype].bias_act(id(y), None if bias is None else id(bias), bias is not None, m, n, act,
                         _threads(y.size))


def relu(x, out=None):
    """``maximum(x, 0)`` as NumPy computes it, into ``out`` (``x`` itself for in place) or a new
    array; C-contiguous arrays of one dtype and shape."""
    out = np.empty_like(x) if out is None else out
    _K[x.dtype].relu(id(x), id(out), x.size, _threads(x.size, MIN_THREAD_ELEMS_LIGHT))
    return out


def relu_grad(g, y):
    """``g * heaviside(y, 0)`` as NumPy computes it (a new array), for C-contiguous ``g`` and ``y`` of one
    dtype and shape."""
    d = np.empty_like(y)
    _K[y.dtype].relu_grad(id(g), id(y), id(d), y.size, _threads(y.size, MIN_THREAD_ELEMS_LIGHT))
    return d


def relu_grad_colsum(g, y, db):
    """``g * heaviside(y, 0)`` (a new array) for the relu output ``y``; its column sums go to ``db``."""
    d = np.empty_like(y)
    _K[y.dtype].relu_grad_colsum(id(g), id(y), id(d), id(db), *y.shape)
    return d


# -- losses ------------------------------------------------------------------------------------
def softmax_ce_rows(x, label):
    """For float32 ``x`` (m, n) and int64 labels (m,) in range: (loss (m,) = -log softmax(x)[label],
    e = exp(x - row max) (m, n), s = row sums of e (m,))."""
    m, n = x.shape
    e = np.empty_like(x)
    s, loss = np.empty(m, x.dtype), np.empty(m, x.dtype)
    _K[_F32].sce_rows(id(x), id(label), m, n, id(e), id(s), id(loss), _threads(x.size))
    return loss, e, s


def softmax_ce_rows_grad(e, s, g, label):
    """The gradient of ``softmax_ce_rows``' loss for head gradients ``g`` (m,): ``e * (g / s)``
    by rows, less ``g`` at each label, bit for bit as NumPy computes it (float32 ``e`` (m, n),
    ``s`` and ``g`` (m,), int64 labels in range, all C-contiguous)."""
    m, n = e.shape
    dx = np.empty_like(e)
    _K[_F32].sce_rows_grad(id(e), id(s), id(g), id(label), m, n, id(dx), _threads(e.size))
    return dx


# -- optimizer updates -------------------------------------------------------------------------
def _fits(w, g, *states):
    """Whether the update kernels can update ``w`` and ``states`` in place from ``g``."""
    if type(w) is not np.ndarray or w.dtype not in (_F32, _F64):
        return False
    return all(type(a) is np.ndarray and a.dtype == w.dtype and a.shape == w.shape
               and a.flags.c_contiguous and (a is g or a.flags.writeable) for a in (w, g) + states)


def _r(v):
    return float(np.float32(v))


def sgd_update(w, g, mom, lr, wd, momentum, rescale, clip):
    """``optimizer.sgd._sgd_inplace`` in one pass, bit for bit (float32 arithmetic for float32
    arrays, hyper-parameters rounded to float32 first); False, touching nothing, when the arrays
    do not suit the kernel (not NumPy, float32/float64, C-contiguous, one dtype and shape)."""
    if not (_fits(w, g) if mom is None else _fits(w, g, mom)):
        return False
    _K[w.dtype].sgd_update(id(w), id(g), None if mom is None else id(mom), w.size, _r(lr), _r(wd),
                           _r(momentum), _r(rescale), _r(clip), clip >= 0, _threads(w.size))
    return True


def adam_update(w, g, mean, var, lr, wd, beta1, beta2, eps, rescale, clip):
    """``optimizer.adaptive._adam_inplace`` in one pass, bit for bit; False, touching nothing,
    when the arrays do not suit the kernel (as ``sgd_update``)."""
    if not _fits(w, g, mean, var):
        return False
    _K[w.dtype].adam_update(id(w), id(g), id(mean), id(var), w.size, _r(lr), _r(wd), _r(beta1),
                            _r(beta2), _r(eps), _r(rescale), _r(clip), clip >= 0)
    return True
