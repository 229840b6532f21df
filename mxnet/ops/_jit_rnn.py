"""Numba kernel for the fused RNN operator's LSTM backward (optional).

Imported only after ``_accel.jit()`` returned non-None.  One backward time step of
``rnn_op._lstm_backward`` as a single serial loop (a step holds batch x hidden elements, far
too few to wake a thread pool, and it runs right after a GEMM whose threads still spin).  The
products are grouped exactly as the NumPy path groups them, so both give the same bits.
"""
from numba import njit


@njit(cache=True)
def lstm_bwd_step(dh, dout, dc, acts, cprev, tc, dgates, one):
    """Given dh (N, H) from the later step, the output gradient dout (N, H) and the cell gradient
    dc (N, H), the step's gate activations acts (N, 4, H) as (i, f, tanh g, o), the previous cell
    state cprev and tanh of this step's cell state tc: write the gate pre-activation gradients
    into dgates (N, 4, H) and the previous step's cell gradient into dc.  ``one`` is 1 in the
    arrays' dtype, so that float32 arithmetic stays float32."""
    N, H = dh.shape
    for n in range(N):
        for j in range(H):
            dht = dh[n, j] + dout[n, j]
            i = acts[n, 0, j]
            f = acts[n, 1, j]
            g = acts[n, 2, j]
            o = acts[n, 3, j]
            t = tc[n, j]
            dct = dht * (o * (one - t * t)) + dc[n, j]
            dgates[n, 0, j] = dct * (g * (i * (one - i)))
            dgates[n, 1, j] = dct * (cprev[n, j] * (f * (one - f)))
            dgates[n, 2, j] = dct * (i * (one - g * g))
            dgates[n, 3, j] = dht * (t * o * (one - o))
            dc[n, j] = dct * f

