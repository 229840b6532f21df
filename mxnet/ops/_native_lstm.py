"""The time loop of a plain float32 LSTM layer in C (``_native_lstm.c``, built into the library
of ``_native``): each step's recurrent product and its gate arithmetic in one pass over register
tiles, split by hidden units over ``_native.THREADS`` threads that meet once per step.

``rnn_op._lstm_forward``/``_lstm_backward`` call it for float32 NumPy arrays when the library
has it (``AVAILABLE``); results agree with their NumPy loops to float32 rounding.
"""
import ctypes

import numpy as np

from . import _native

_P, _I = ctypes.c_void_p, ctypes.c_int64


def _bind(lib):
    if lib is None:
        return None, None
    try:
        fwd, bwd = lib.lstm_seq_fwd_f32, lib.lstm_seq_bwd_f32
    except AttributeError:
        return None, None
    fwd.argtypes = [_P] * 5 + [_I] * 4
    bwd.argtypes = [_P] * 8 + [_I] * 4
    fwd.restype = bwd.restype = _I
    return fwd, bwd


_FWD, _BWD = _bind(_native.LIB)
AVAILABLE = _FWD is not None
# a step is split over threads only from this many multiply-adds (N x H x 4H) on: below it the
# per-step barrier costs more than the second thread brings
MIN_THREAD_MACS = 1 << 18


def _threads(n, h):
    return _native.THREADS if n * h * 4 * h >= MIN_THREAD_MACS else 1


def _check(fail, what):
    if fail:
        raise MemoryError(f"LSTM {what}: no memory for the packed weights")


def forward(acts, wh, hs, cs, tcs):
    """The time loop of ``rnn_op._lstm_forward`` over its buffers, in place: ``acts`` (T, N, 4,
    H) float32 holds the input pre-activations with both biases and receives the gate
    activations (i, f, tanh g, o); ``hs``, ``cs`` (T+1, N, H) hold the initial state and receive
    the states, ``tcs`` (T, N, H) tanh of each cell state.  All C-contiguous; ``wh`` (4H, H)."""
    T, N, _, H = acts.shape
    wh = np.ascontiguousarray(wh, np.float32)
    _check(_FWD(id(acts), id(wh), id(hs), id(cs), id(tcs), T, N, H, _threads(N, H)), "forward")


def backward(acts, wh, cs, tcs, dout, dh, dc, dgates):
    """The time loop of ``rnn_op._lstm_backward``: from ``_lstm_forward``'s buffers, the output
    gradient ``dout`` (T, N, H) and the incoming state gradients ``dh``, ``dc`` (N, H), writes
    the gate gradients ``dgates`` (T, N, 4, H) and leaves the initial state's gradients in
    ``dh`` and ``dc`` (C-contiguous float32 arrays, updated in place)."""
    T, N, _, H = acts.shape
    wh = np.ascontiguousarray(wh, np.float32)
    dout = np.ascontiguousarray(dout, np.float32)
    _check(_BWD(id(acts), id(wh), id(cs), id(tcs), id(dout), id(dh), id(dc), id(dgates), T, N, H,
                _threads(N, H)), "backward")
