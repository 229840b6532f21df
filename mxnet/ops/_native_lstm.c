/* The time loop of a plain LSTM layer for float32 (rnn_op._lstm_forward / _lstm_backward): each
 * step's recurrent product with the gate arithmetic done in its register tiles, on a team of
 * threads that each own a range of hidden units and meet once per step.
 *
 * A step multiplies N x H by H x 4H (20 x 200 x 800 in the benchmark's language model), a
 * product OpenBLAS runs at under half the machine's peak even on two threads, and the NumPy gate
 * arithmetic between the products costs about as much again.  Here the thread owning hidden
 * units j computes the four gates of those units for a block of rows in registers and finishes
 * the cell there; the next step reads every unit of h (forward) or every gate gradient
 * (backward), hence the barrier.  Sums run in k order with FMA, so results agree with NumPy to
 * float32 rounding, not bit for bit; each output is computed by one thread in one order, so the
 * bits do not depend on the number of threads.
 *
 * Layouts (all C-contiguous): acts (T, N, 4, H) gates in the order i, f, g, o; hs and cs (T+1,
 * N, H) with the initial state first; tcs, dout (T, N, H); wh (4H, H) as MXNet stores it.
 */
#include "_native_vec.h"
#include "_native_threads.h"
#include <math.h>

#define RB (REGS32 ? 5 : 2) /* rows per register tile */
#define VB 4                /* vectors of hidden units per backward tile */

/* ---- 8 hidden units at a time (one unit in the plain-C build) -------------------------------- */
#if VEC_EXT
typedef v8 lane;
#define LW 8
/* the first cnt of 8 floats (the rest zero), and the converse store */
INLINE lane lload(const float *p, int cnt)
{
    if (cnt == 8)
        return ld(p);
    lane v = zero8();
    memcpy(&v, p, (size_t)cnt * sizeof(float));
    return v;
}
INLINE void lstore(float *p, lane v, int cnt)
{
    if (cnt == 8)
        st(p, v);
    else
        memcpy(p, &v, (size_t)cnt * sizeof(float));
}
INLINE lane lc(float a) { return bc(a); }
INLINE v8 vsel(v8i m, v8 a, v8 b) { return (v8)((m & (v8i)a) | (~m & (v8i)b)); }
/* exp on 8 lanes (Cephes' expf: x = n ln2 + r, a degree-6 polynomial in r, times 2^n), with x
   clamped to [-87, 88], where 2^n stays a normal float; the callers saturate long before.  Past
   expf's overflow it is inf, as libm's: the sigmoid of a very negative input is then exactly 0,
   as NumPy's, so that 0 * inf in the cell state is NaN on both paths. */
INLINE v8 vexp(v8 x)
{
    v8i over = x > bc(88.7228394f);
    x = vsel(x < bc(-87.0f), bc(-87.0f), x);
    x = vsel(x > bc(88.0f), bc(88.0f), x);
    v8 t = x * bc(1.44269504088896341f) + bc(12582912.0f); /* 1.5 * 2^23: rounds to an integer */
    v8 n = t - bc(12582912.0f);
    v8 r = x - n * bc(0.693359375f) + n * bc(2.12194440e-4f);
    v8 p = bc(1.9875691500e-4f);
    p = p * r + bc(1.3981999507e-3f);
    p = p * r + bc(8.3334519073e-3f);
    p = p * r + bc(4.1665795894e-2f);
    p = p * r + bc(1.6666665459e-1f);
    p = p * r + bc(5.0000001201e-1f);
    p = p * (r * r) + r + bc(1.0f);
    v8i e = ((v8i)t - 0x4B400000 + 127) << 23;
    return vsel(over, bc(INFINITY), p * (v8)e);
}
INLINE lane lsig(lane x) { return bc(1.0f) / (bc(1.0f) + vexp(-x)); }
/* tanh: Cephes' odd polynomial below |x| = 0.625, 1 - 2 / (exp(2|x|) + 1) with x's sign above */
INLINE lane ltanh(lane x)
{
    v8 a = (v8)((v8i)x & 0x7fffffff);
    v8 z = x * x;
    v8 p = bc(-5.70498872745e-3f);
    p = p * z + bc(2.06390887954e-2f);
    p = p * z - bc(5.37397155531e-2f);
    p = p * z + bc(1.33314422036e-1f);
    p = p * z - bc(3.33332819422e-1f);
    p = p * z * x + x;
    v8 big = bc(1.0f) - bc(2.0f) / (vexp(a + a) + bc(1.0f));
    big = (v8)((v8i)big | ((v8i)x & ~0x7fffffff));
    return vsel(a < bc(0.625f), p, big);
}
#else
typedef float lane;
#define LW 1
INLINE lane lload(const float *p, int cnt) { (void)cnt; return *p; }
INLINE void lstore(float *p, lane v, int cnt) { (void)cnt; *p = v; }
INLINE lane lc(float a) { return a; }
INLINE lane lsig(lane x) { return 1.0f / (1.0f + expf(-x)); }
INLINE lane ltanh(lane x) { return tanhf(x); }
#endif

/* One step's cell for LW units of one row: a points at the row's (4, H) gate pre-activations
   (input part and biases) at the first unit, gh holds the recurrent sums of the four gates; the
   activations replace the pre-activations, and c, tanh(c), h = o tanh(c) are written. */
INLINE void cell_fwd(float *a, i64 H, const lane *gh, const float *cp, float *c, float *tc, float *h, int cnt)
{
    lane i = lsig(lload(a, cnt) + gh[0]);
    lane f = lsig(lload(a + H, cnt) + gh[1]);
    lane g = ltanh(lload(a + 2 * H, cnt) + gh[2]);
    lane o = lsig(lload(a + 3 * H, cnt) + gh[3]);
    lane cn = f * lload(cp, cnt) + i * g;
    lane t = ltanh(cn);
    lstore(a, i, cnt);
    lstore(a + H, f, cnt);
    lstore(a + 2 * H, g, cnt);
    lstore(a + 3 * H, o, cnt);
    lstore(c, cn, cnt);
    lstore(tc, t, cnt);
    lstore(h, o * t, cnt);
}

/* One backward step for LW units of one row, as rnn_op._lstm_backward's NumPy path: dh is the
   gradient reaching h from the next step, a the row's gate activations, cp the previous cell
   state; writes the four gate gradients at dg (stride H) and the previous step's cell gradient
   over dc. */
INLINE void cell_bwd(lane dh, const float *dout, float *dc, const float *a, i64 H, const float *cp,
                     const float *tc, float *dg, int cnt)
{
    lane one = lc(1.0f);
    lane dht = dh + lload(dout, cnt);
    lane i = lload(a, cnt), f = lload(a + H, cnt), g = lload(a + 2 * H, cnt), o = lload(a + 3 * H, cnt);
    lane t = lload(tc, cnt);
    lane dct = dht * (o * (one - t * t)) + lload(dc, cnt);
    lstore(dg, dct * (g * (i * (one - i))), cnt);
    lstore(dg + H, dct * (lload(cp, cnt) * (f * (one - f))), cnt);
    lstore(dg + 2 * H, dct * (i * (one - g * g)), cnt);
    lstore(dg + 3 * H, dht * (t * o * (one - o)), cnt);
    lstore(dc, dct * f, cnt);
}

/* ---- register tiles ----------------------------------------------------------------------- */
typedef struct {
    float *acts, *hs, *cs, *tcs, *dgates, *dh, *dc, *packed;
    const float *wh, *dout;
    i64 T, N, H, JV;
} lstm_job;

/* Forward tile: R rows from n0 x the 8 units of vector jv at step t.  wf is the vector's packed
   block (H, 4, 8): wf[(k * 4 + g) * 8 + l] = wh[g * H + 8 jv + l][k]. */
INLINE void fwd_tile(const int R, i64 n0, const lstm_job *q, i64 t, i64 jv, const float *wf)
{
    const i64 H = q->H, N = q->N;
    const float *hp = q->hs + (t * N + n0) * H;
    v8 acc[RB][4];
    for (int r = 0; r < R; r++)
        for (int g = 0; g < 4; g++)
            acc[r][g] = zero8();
    for (i64 k = 0; k < H; k++) {
        v8 b[4];
        for (int g = 0; g < 4; g++) {
            b[g] = ld(wf + (k * 4 + g) * 8);
            KEEP(b[g]);
        }
        for (int r = 0; r < R; r++) {
            v8 x = bc(hp[r * H + k]);
            for (int g = 0; g < 4; g++)
                acc[r][g] = madd(acc[r][g], x, b[g]);
        }
    }
    i64 j = jv * 8;
    int cnt = H - j < 8 ? (int)(H - j) : 8;
    for (int r = 0; r < R; r++) {
        i64 n = n0 + r, u = (t * N + n) * H + j;
        float *a = q->acts + (t * N + n) * 4 * H + j;
        const float *cp = q->cs + u;
        float *c = q->cs + u + N * H, *tc = q->tcs + u, *h = q->hs + u + N * H;
#if VEC_EXT
        cell_fwd(a, H, acc[r], cp, c, tc, h, cnt);
#else
        float s[4][8];
        for (int g = 0; g < 4; g++)
            st(s[g], acc[r][g]);
        for (int l = 0; l < cnt; l++) {
            lane gh[4] = {s[0][l], s[1][l], s[2][l], s[3][l]};
            cell_fwd(a + l, H, gh, cp + l, c + l, tc + l, h + l, 1);
        }
#endif
    }
}

/* The cell gradient for the LW units at (n, j) of step t, dh arriving from step t + 1. */
INLINE void bwd_units(const lstm_job *q, i64 t, i64 n, i64 j, lane dh, int cnt)
{
    const i64 H = q->H, N = q->N, u = (t * N + n) * H + j, a = (t * N + n) * 4 * H + j;
    cell_bwd(dh, q->dout + u, q->dc + n * H + j, q->acts + a, H, q->cs + u, q->tcs + u, q->dgates + a, cnt);
}

/* Backward tile: R rows from n0 x V unit vectors from jv0, the product of step t's gate
   gradients (N, 4H) with wh (4H, H) = the gradient reaching h at step t - 1, then that step's
   cell gradient (or, at t = 0, the result dh).  wb is packed (JV, 4H, 8): wb[(jv * 4H + c) * 8
   + l] = wh[c][8 jv + l]. */
INLINE void bwd_tile(const int R, i64 n0, const int V, const lstm_job *q, i64 t, i64 jv0)
{
    const i64 H = q->H, N = q->N, H4 = 4 * H;
    const float *dg = q->dgates + (t * N + n0) * H4;
    const float *wb = q->packed + jv0 * H4 * 8;
    v8 acc[RB][VB];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++)
            acc[r][v] = zero8();
    for (i64 c = 0; c < H4; c++) {
        v8 b[VB];
        for (int v = 0; v < V; v++) {
            b[v] = ld(wb + (v * H4 + c) * 8);
            KEEP(b[v]);
        }
        for (int r = 0; r < R; r++) {
            v8 x = bc(dg[r * H4 + c]);
            for (int v = 0; v < V; v++)
                acc[r][v] = madd(acc[r][v], x, b[v]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) {
            i64 n = n0 + r, j = (jv0 + v) * 8;
            int cnt = H - j < 8 ? (int)(H - j) : 8;
            if (t == 0) {
                float s[8];
                st(s, acc[r][v]);
                memcpy(q->dh + n * H + j, s, (size_t)cnt * sizeof(float));
                continue;
            }
#if VEC_EXT
            bwd_units(q, t - 1, n, j, acc[r][v], cnt);
#else
            float s[8];
            st(s, acc[r][v]);
            for (int l = 0; l < cnt; l++)
                bwd_units(q, t - 1, n, j + l, s[l], 1);
#endif
        }
}

/* ---- the teams ------------------------------------------------------------------------------ */
/* TILE(R, n0, ...) over the rows of N: tiles of RB rows, then one of the rest, R a constant in
   each call so that every tile size is its own specialization */
#if RB > 4
#define REST_TILE(TILE, n0, rest, ...)                     \
    switch (rest) {                                        \
    case 4: TILE(4, n0, __VA_ARGS__); break;               \
    case 3: TILE(3, n0, __VA_ARGS__); break;               \
    case 2: TILE(2, n0, __VA_ARGS__); break;               \
    case 1: TILE(1, n0, __VA_ARGS__); break;               \
    default: break;                                        \
    }
#else
#define REST_TILE(TILE, n0, rest, ...) \
    if ((rest) == 1)                   \
        TILE(1, n0, __VA_ARGS__)
#endif
#define ROW_TILES(N, TILE, ...)                            \
    do {                                                   \
        i64 n0_ = 0;                                       \
        for (; n0_ + RB <= (N); n0_ += RB)                 \
            TILE(RB, n0_, __VA_ARGS__);                    \
        REST_TILE(TILE, n0_, (N) - n0_, __VA_ARGS__);      \
    } while (0)

/* A thread owns whole chunks of VB unit vectors (team_share), so that every vector is computed
   by the same specialization of the tiles whatever the number of threads (specializations may
   contract multiply-adds differently, and the bits would follow the thread count); chunks() is
   the most threads that can share a loop. */
static i64 chunks(i64 JV) { return (JV + VB - 1) / VB; }

static void fwd_worker(void *p, team *tm, int index, int size)
{
    const lstm_job *q = p;
    const i64 H = q->H, N = q->N;
    i64 jv0, jv1;
    team_share(q->JV, VB, index, size, &jv0, &jv1);
    for (i64 jv = jv0; jv < jv1; jv++) {   /* each thread packs the blocks it reads */
        float *wf = q->packed + jv * H * 32;
        for (int g = 0; g < 4; g++)
            for (int l = 0; l < 8; l++) {
                i64 j = jv * 8 + l;
                const float *row = q->wh + (g * H + j) * H;
                for (i64 k = 0; k < H; k++)
                    wf[(k * 4 + g) * 8 + l] = j < H ? row[k] : 0.0f;
            }
    }
    for (i64 t = 0; t < q->T; t++) {
        if (t > 0)
            team_barrier(tm);   /* h of step t is complete */
        for (i64 jv = jv0; jv < jv1; jv++)
            ROW_TILES(N, fwd_tile, q, t, jv, q->packed + jv * H * 32);
    }
}

INLINE void bwd_rows(const int V, const lstm_job *q, i64 t, i64 jv)
{
    ROW_TILES(q->N, bwd_tile, V, q, t, jv);
}

static void bwd_worker(void *p, team *tm, int index, int size)
{
    const lstm_job *q = p;
    const i64 H = q->H, N = q->N, H4 = 4 * H;
    i64 jv0, jv1;
    team_share(q->JV, VB, index, size, &jv0, &jv1);
    for (i64 jv = jv0; jv < jv1; jv++)
        for (i64 c = 0; c < H4; c++)
            for (int l = 0; l < 8; l++) {
                i64 j = jv * 8 + l;
                q->packed[(jv * H4 + c) * 8 + l] = j < H ? q->wh[c * H + j] : 0.0f;
            }
    /* the last step's cell gradient, from the incoming dh */
    for (i64 n = 0; n < N; n++)
        for (i64 j = jv0 * 8; j < jv1 * 8 && j < H; j += LW) {
            int cnt = H - j < LW ? (int)(H - j) : LW;
            bwd_units(q, q->T - 1, n, j, lload(q->dh + n * H + j, cnt), cnt);
        }
    for (i64 t = q->T - 1; t >= 0; t--) {
        team_barrier(tm);       /* the gate gradients of step t are complete */
        i64 jv = jv0;
        for (; jv + VB <= jv1; jv += VB)
            bwd_rows(VB, q, t, jv);
        switch (jv1 - jv) {
        case 3: bwd_rows(3, q, t, jv); break;
        case 2: bwd_rows(2, q, t, jv); break;
        case 1: bwd_rows(1, q, t, jv); break;
        default: break;
        }
    }
}

/* Runs a worker over q's arrays: the packed weights, JV * H * 32 floats (JV blocks of H x 4 x 8
   forward, of 4H x 8 backward), and the team.  0, or 1 when out of memory. */
static i64 run_job(lstm_job *q, team_fn worker, i64 T, i64 N, i64 H, i64 nthreads)
{
    if (T <= 0 || N <= 0 || H <= 0)
        return 0;
    q->T = T;
    q->N = N;
    q->H = H;
    q->JV = (H + 7) / 8;
    q->packed = malloc((size_t)(q->JV * H * 32) * sizeof(float));
    if (!q->packed)
        return 1;
    run_team(worker, q, nthreads < chunks(q->JV) ? nthreads : chunks(q->JV));
    free(q->packed);
    return 0;
}

/* The forward time loop: acts holds the input part of the pre-activations with both biases
   added and receives the activations; hs[0], cs[0] hold the initial state.  0, or 1 when out of
   memory. */
i64 lstm_seq_fwd_f32(const void *actso, const void *who, const void *hso, const void *cso,
                     const void *tcso, i64 T, i64 N, i64 H, i64 nthreads)
{
    lstm_job q = {0};
    q.acts = native_data(actso);
    q.wh = native_data(who);
    q.hs = native_data(hso);
    q.cs = native_data(cso);
    q.tcs = native_data(tcso);
    return run_job(&q, fwd_worker, T, N, H, nthreads);
}

/* The backward time loop: from dout and the incoming dh, dc (N, H), writes the gate gradients
   dgates (T, N, 4, H) and leaves the gradients of the initial state in dh and dc.  0, or 1 when
   out of memory. */
i64 lstm_seq_bwd_f32(const void *actso, const void *who, const void *cso, const void *tcso,
                     const void *douto, const void *dho, const void *dco, const void *dgateso,
                     i64 T, i64 N, i64 H, i64 nthreads)
{
    lstm_job q = {0};
    q.acts = native_data(actso);
    q.wh = native_data(who);
    q.cs = native_data(cso);
    q.tcs = native_data(tcso);
    q.dout = native_data(douto);
    q.dh = native_data(dho);
    q.dc = native_data(dco);
    q.dgates = native_data(dgateso);
    return run_job(&q, bwd_worker, T, N, H, nthreads);
}
