/* C kernels for the NumPy backend's memory-bound passes, compiled at first use by _native.py.
 *
 * Every kernel exists for float (suffix _f32) and double (_f64): this file includes itself
 * twice with T and FN() defined.  Arrays are C-contiguous; sizes are int64_t; outputs are
 * allocated by the caller.  Each kernel computes what its NumPy counterpart computes, with the
 * same operation order where the tests expect identical bits (col2im, the LSTM step, the
 * optimizer updates), so the build must keep IEEE semantics: no -ffast-math, no FMA
 * contraction.  The larger passes split their rows or planes over the pool's threads
 * (_native_threads.h), each part computed by one thread, so the bits do not depend on it.
 */
#ifndef NATIVE_PASS
#define NATIVE_PASS

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int64_t i64;

#include "_native_threads.h"

/* Arrays arrive as NumPy array objects (their id() in Python: reading the data pointer there,
   through __array_interface__ or .ctypes, costs ~1 us per array, more than many kernel calls).
   The pointer is the object's first field after the Python object header, at the offset that
   _native.py sets once and checks against .ctypes.data. */
static i64 data_offset;

void native_set_offset(i64 offset) { data_offset = offset; }

#define ARR(obj) (*(void **)((const char *)(obj) + data_offset))

void *native_data(const void *obj) { return ARR(obj); }

/* independent float64 accumulators of the BatchNorm sums: lanes the compiler can vectorize
   without reassociating anything */
#define LANES 16
#define CBLK 32
#define BN_GROUP 4 /* channels per unit of BatchNorm's split over threads */

#define T float
#define UT uint32_t
#define FN(name) name##_f32
#define EXPM1 expm1f
#define SQRT sqrtf
#define LOWEST (-FLT_MAX)
#include "_native.c"
#undef T
#undef UT
#undef FN
#undef EXPM1
#undef SQRT
#undef LOWEST

#define T double
#define UT uint64_t
#define FN(name) name##_f64
#define EXPM1 expm1
#define SQRT sqrt
#define LOWEST (-DBL_MAX)
#include "_native.c"

/* ---- float32 only ------------------------------------------------------------------------ */

/* FMA contraction for the softmax below (float32 tolerance only; the rest keeps IEEE order) */
#if defined(__GNUC__) && !defined(__clang__)
#define FAST_FP __attribute__((optimize("fp-contract=fast")))
#else
#define FAST_FP
#endif

/* exp(x) for x <= 0 (a softmax's x - max), vectorizable: Cephes' range reduction and degree-6
   polynomial (within 1 ulp here, NumPy's own float32 exp within ~2.5); results below float32's
   normal range (x < -87.34) are 0, which no softmax sum can tell from a subnormal. */
FAST_FP static inline float exp_nonpos(float x)
{
    const float magic = 12582912.0f;   /* 1.5 * 2^23: adding it rounds to an integer */
    float xc = x < -87.3365447f ? -87.3365447f : x;
    float t = xc * 1.44269504088896341f + magic;
    float n = t - magic;
    uint32_t tb, mb;
    memcpy(&tb, &t, 4);
    memcpy(&mb, &magic, 4);
    float r = xc - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    uint32_t sb = (tb - mb + 127u) << 23;   /* 2^n, n = t - magic read from its bits */
    float scale;
    memcpy(&scale, &sb, 4);
    return x < -87.3365447f ? 0.0f : p * scale;
}

/* The maximum of x[0..n), NaN skipped (-inf when all are NaN).  A vector of 8 running maxima:
   gcc vectorizes neither a ?: maximum loop nor fmaxf under IEEE flags. */
static float row_max_f32(const float *x, i64 n)
{
    i64 j = 0;
    float mx = -INFINITY;
#if defined(__GNUC__) || defined(__clang__)
    typedef float v8f __attribute__((vector_size(32)));
    typedef int32_t v8m __attribute__((vector_size(32)));
    v8f mv = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
    for (; j + 8 <= n; j += 8) {
        v8f v;
        memcpy(&v, x + j, sizeof v);
        v8m gt = v > mv;   /* false for NaN: the lane keeps its maximum */
        mv = (v8f)(((v8m)v & gt) | ((v8m)mv & ~gt));
    }
    for (int k = 0; k < 8; k++)
        mx = mv[k] > mx ? mv[k] : mx;
#endif
    for (; j < n; j++)
        mx = x[j] > mx ? x[j] : mx;
    return mx;
}

/* Sparse softmax cross-entropy over the rows of x (m, n), in two passes over each row while it
   is in cache (NumPy makes five over the whole array): e = exp(x - max), s = sum(e) (float32
   lanes, then float64), loss = log(s) - (x[label] - max).  The max skips NaN: a NaN still makes
   its row's s, loss and (through s) every gradient NaN, as NumPy's NaN max does. */
typedef struct {
    const float *x;
    const int64_t *lab;
    float *e, *s, *loss;
    i64 n;
} sce_ctx;

FAST_FP static void sce_range(void *p, i64 r0, i64 r1)
{
    sce_ctx *c = p;
    const i64 n = c->n;
    for (i64 i = r0; i < r1; i++) {
        const float *restrict xr = c->x + i * n;
        float *restrict er = c->e + i * n;
        float mx = row_max_f32(xr, n);
        float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        i64 j = 0;
        for (; j + 8 <= n; j += 8)
            for (int k = 0; k < 8; k++) {
                float v = exp_nonpos(xr[j + k] - mx);
                er[j + k] = v;
                acc[k] += v;
            }
        double tot = 0;
        for (int k = 0; k < 8; k++)
            tot += acc[k];
        for (; j < n; j++) {
            float v = exp_nonpos(xr[j] - mx);
            er[j] = v;
            tot += v;
        }
        c->s[i] = (float)tot;
        c->loss[i] = logf(c->s[i]) - (xr[c->lab[i]] - mx);
    }
}

void sce_rows_f32(const void *xo, const void *labo, i64 m, i64 n, void *eo, void *so, void *losso,
                  i64 nthreads)
{
    sce_ctx c = {ARR(xo), ARR(labo), ARR(eo), ARR(so), ARR(losso), n};
    run_ranges(sce_range, &c, m, (65536 + n - 1) / n, nthreads);
}

/* The gradient of sce_rows' loss for head gradients g (m,): dx = e * (g / s) row by row, less g
   at the label, with the NumPy path's operations (one division per row, one product per
   element), so the same bits. */
typedef struct {
    const float *e, *s, *g;
    const int64_t *lab;
    float *dx;
    i64 n;
} sce_grad_ctx;

static void sce_grad_range(void *p, i64 r0, i64 r1)
{
    sce_grad_ctx *c = p;
    const i64 n = c->n;
    for (i64 i = r0; i < r1; i++) {
        const float *restrict er = c->e + i * n;
        float *restrict dr = c->dx + i * n;
        const float f = c->g[i] / c->s[i];
        for (i64 j = 0; j < n; j++)
            dr[j] = er[j] * f;
        dr[c->lab[i]] -= c->g[i];
    }
}

void sce_rows_grad_f32(const void *eo, const void *so, const void *go, const void *labo, i64 m, i64 n,
                       void *dxo, i64 nthreads)
{
    sce_grad_ctx c = {ARR(eo), ARR(so), ARR(go), ARR(labo), ARR(dxo), n};
    run_ranges(sce_grad_range, &c, m, (65536 + n - 1) / n, nthreads);
}

#else /* the kernels, once per dtype */

/* ---- max pooling over (B, H, W) planes ---------------------------------------------------- */

/* 2x2 windows at stride 2, as MXNet takes the max: from the lowest finite value, only greater
   elements replacing it, so NaN and -inf never win and a window of nothing else gives that
   lowest value, its gradient going to the first element.  Each element is first raised to the
   lowest finite value (NaN and -inf become it: one max instruction); the result is then the
   first maximum in the order (r, s), (r, s+1), (r+1, s), (r+1, s+1), k its flat offset in the
   plane.  Computed in two branch-free stages that gcc vectorizes: per row pair, the first
   maximum of each column's two elements into a block buffer; then over the whole block at
   once, of each horizontal pair, ties going to the smaller offset (which restores the order
   above).  Selects are bit blends: compiled as branches they mispredict on every other
   window.  Returns -1 when out of memory, else with check_nan whether a pooled element was NaN
   (1 or 0; the test costs ~15 % of the kernel's time, so only the caller that needs it asks). */
/* a if sel is all ones, else b (sel all zeros), through the bits of the values */
static inline T FN(blend)(T a, T b, UT sel)
{
    UT ua, ub;
    memcpy(&ua, &a, sizeof a);
    memcpy(&ub, &b, sizeof b);
    ua = (ua & sel) | (ub & ~sel);
    memcpy(&a, &ua, sizeof a);
    return a;
}

#define PB 64
int FN(max_pool_2x2)(const void *xo, i64 nb, i64 h, i64 w, i64 oh, i64 ow, void *yo, void *idxo,
                     i64 check_nan)
{
    const T *restrict x = ARR(xo);
    T *restrict y = ARR(yo);
    int32_t *restrict idx = ARR(idxo);
    const i64 tw = 2 * ow, rows = nb * oh;
    T *t = malloc((size_t)(PB * tw) * (sizeof(T) + sizeof(int32_t)));
    if (!t)
        return -1;
    int32_t *tk = (int32_t *)(t + PB * tw);
    int nan = 0;
    for (i64 r0 = 0; r0 < rows; r0 += PB) {
        const i64 nr = rows - r0 < PB ? rows - r0 : PB;
        for (i64 r = 0; r < nr; r++) {
            const i64 b = (r0 + r) / oh, i = (r0 + r) % oh;
            const T *a0 = x + (b * h + 2 * i) * w, *a1 = a0 + w;
            const int32_t base = (int32_t)(2 * i * w), w32 = (int32_t)w;
            T *restrict tr = t + r * tw;
            int32_t *restrict kr = tk + r * tw;
            for (i64 c = 0; c < tw; c++) {
                if (check_nan)   /* invariant: the compiler makes a loop without the test */
                    nan |= (a0[c] != a0[c]) | (a1[c] != a1[c]);
                T a = a0[c] > LOWEST ? a0[c] : LOWEST, v = a1[c] > LOWEST ? a1[c] : LOWEST;
                UT sel = -(UT)(v > a);
                tr[c] = FN(blend)(v, a, sel);
                kr[c] = base + (int32_t)c + (w32 & (int32_t)sel);
            }
        }
        T *restrict yo2 = y + r0 * ow;
        int32_t *restrict io = idx + r0 * ow;
        for (i64 o = 0; o < nr * ow; o++) {
            T p = t[2 * o], q = t[2 * o + 1];
            int32_t kp = tk[2 * o], kq = tk[2 * o + 1];
            UT sel = -(UT)((q > p) | ((q == p) & (kq < kp)));
            yo2[o] = FN(blend)(q, p, sel);
            io[o] = (int32_t)((kq & (int32_t)sel) | (kp & ~(int32_t)sel));
        }
    }
    free(t);
    return nan;
}

/* Any window: max over the window's part inside the plane, as MXNet takes it: from the lowest
   finite value, only greater elements replace it (NaN and -inf never do), the gradient of a
   window with nothing greater going to the window's first element when that lies inside the
   plane, as MXNet's oneDNN kernels and the NumPy path do (index -1: no element gets it).
   Returns 1 when a pooled element was NaN, else 0. */
typedef struct {
    const T *x;
    T *y;
    int32_t *idx;
    i64 h, w, kh, kw, sh, sw, ph, pw, oh, ow;
    int nan;
} FN(pool_ctx);

static void FN(pool_range)(void *q, i64 b0, i64 b1)
{
    FN(pool_ctx) *c = q;
    const i64 h = c->h, w = c->w, kh = c->kh, kw = c->kw, sh = c->sh, sw = c->sw, ph = c->ph;
    const i64 pw = c->pw, oh = c->oh, ow = c->ow;
    T *restrict y = c->y;
    int32_t *restrict idx = c->idx;
    int nan = 0;
    for (i64 b = b0; b < b1; b++) {
        const T *xb = c->x + b * h * w;
        for (i64 i = 0; i < oh; i++) {
            i64 r0 = i * sh - ph;
            i64 rs = r0 > 0 ? r0 : 0, re = r0 + kh < h ? r0 + kh : h;
            for (i64 j = 0; j < ow; j++) {
                i64 s0 = j * sw - pw;
                i64 ss = s0 > 0 ? s0 : 0, se = s0 + kw < w ? s0 + kw : w;
                T m = LOWEST;
                i64 k = -1;
                for (i64 r = rs; r < re; r++)
                    for (i64 s = ss; s < se; s++) {
                        T v = xb[r * w + s];
                        nan |= v != v;
                        if (v > m) {
                            m = v;
                            k = r * w + s;
                        }
                    }
                if (k < 0 && r0 >= 0 && s0 >= 0 && r0 < h && s0 < w)
                    k = r0 * w + s0;
                y[(b * oh + i) * ow + j] = m;
                idx[(b * oh + i) * ow + j] = (int32_t)k;
            }
        }
    }
    if (nan)
        SET_FLAG(&c->nan);
}

i64 FN(max_pool_any)(const void *xo, i64 nb, i64 h, i64 w, i64 kh, i64 kw, i64 sh, i64 sw,
                     i64 ph, i64 pw, i64 oh, i64 ow, void *yo, void *idxo, i64 nthreads)
{
    FN(pool_ctx) c = {ARR(xo), ARR(yo), ARR(idxo), h, w, kh, kw, sh, sw, ph, pw, oh, ow, 0};
    run_blocks(FN(pool_range), &c, nb, 4, nthreads);
    return c.nan;
}

typedef struct {
    const T *dy, *t;
    const int32_t *idx;
    T *dx;
    i64 act, nout, hw;
} FN(pool_grad_ctx);

static void FN(pool_grad_range)(void *q, i64 b0, i64 b1)
{
    const FN(pool_grad_ctx) *c = q;
    const T *restrict dy = c->dy, *restrict t = c->t;
    const int32_t *restrict idx = c->idx;
    const i64 act = c->act, nout = c->nout;
    for (i64 b = b0; b < b1; b++) {
        T *dxb = c->dx + b * c->hw;
        for (i64 p = b * nout; p < (b + 1) * nout; p++) {
            int32_t k = idx[p];
            if (k < 0)
                continue;
            T g = dy[p], v = t[p];
            switch (act) {
            case 1: g = v > 0 ? g : g * 0; break;
            case 2: g = g * v * (1 - v); break;   /* NumPy's order: (g * y) * (1 - y) */
            case 3: g = g * (1 - v * v); break;
            case 4: g = g * -EXPM1(-v); break;
            default: break;
            }
            dxb[k] += g;
        }
    }
}

void FN(max_pool_grad)(const void *dyo, const void *idxo, const void *to, i64 act, i64 nb,
                       i64 nout, i64 hw, void *dxo, i64 nthreads)
{
    FN(pool_grad_ctx) c = {ARR(dyo), ARR(to), ARR(idxo), ARR(dxo), act, nout, hw};
    run_blocks(FN(pool_grad_range), &c, nb, 4, nthreads);
}

/* ---- convolution columns ------------------------------------------------------------------ */

/* Per-image columns (N, C, kh, kw, oh, ow) of x (N, C, H, W), zero outside the image; planes
   split over threads. */
typedef struct {
    const T *x;
    T *cols;
    i64 h, w, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow;
} FN(i2c_ctx);

static void FN(i2c_range)(void *q, i64 p0, i64 p1)
{
    const FN(i2c_ctx) *c = q;
    const i64 h = c->h, w = c->w, kh = c->kh, kw = c->kw, sh = c->sh, sw = c->sw, dh = c->dh;
    const i64 dw = c->dw, ph = c->ph, pw = c->pw, oh = c->oh, ow = c->ow;
    const T *restrict x = c->x;
    T *restrict cols = c->cols + p0 * kh * kw * oh * ow;
    for (i64 p = p0; p < p1; p++) {
        const T *xp = x + p * h * w;
        for (i64 ki = 0; ki < kh; ki++)
            for (i64 kj = 0; kj < kw; kj++) {
                /* the output columns j whose input column j*sw - pw + kj*dw lies in [0, w) */
                i64 lo = pw - kj * dw, hi = w + pw - kj * dw;   /* need lo <= j*sw < hi */
                i64 j0 = lo <= 0 ? 0 : (lo + sw - 1) / sw;
                i64 j1 = hi <= 0 ? 0 : (hi + sw - 1) / sw;
                j0 = j0 < ow ? j0 : ow;
                j1 = j1 < ow ? j1 : ow;
                j1 = j1 > j0 ? j1 : j0;
                for (i64 i = 0; i < oh; i++) {
                    i64 r = i * sh - ph + ki * dh;
                    if (r < 0 || r >= h) {
                        memset(cols, 0, (size_t)ow * sizeof(T));
                        cols += ow;
                        continue;
                    }
                    const T *src = xp + r * w - pw + kj * dw;
                    i64 j = 0;
                    for (; j < j0; j++)
                        cols[j] = 0;
                    if (sw == 1)
                        for (; j < j1; j++)
                            cols[j] = src[j];
                    else
                        for (; j < j1; j++)
                            cols[j] = src[j * sw];
                    for (; j < ow; j++)
                        cols[j] = 0;
                    cols += ow;
                }
            }
    }
}

void FN(im2col_image)(const void *xo, i64 nc, i64 h, i64 w, i64 kh, i64 kw, i64 sh, i64 sw,
                      i64 dh, i64 dw, i64 ph, i64 pw, i64 oh, i64 ow, void *colso, i64 nthreads)
{
    FN(i2c_ctx) c = {ARR(xo), ARR(colso), h, w, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow};
    run_blocks(FN(i2c_range), &c, nc, 4, nthreads);
}

/* Sum per-image columns (N, C, kh, kw, oh, ow) into img (N, C, H, W): per plane in a zeroed
   padded buffer, offset by offset as the NumPy loop adds them (identical sums); planes are
   split over threads, each summed by one. */
typedef struct {
    const T *cols;
    T *img;
    i64 kh, kw, oh, ow, h, w, sh, sw, dh, dw, ph, pw, ah, aw;
    int err;
} FN(c2i_ctx);

static void FN(c2i_range)(void *q, i64 p0, i64 p1)
{
    FN(c2i_ctx) *c = q;
    const i64 kh = c->kh, kw = c->kw, oh = c->oh, ow = c->ow, h = c->h, w = c->w, aw = c->aw;
    T *acc = malloc((size_t)(c->ah * aw) * sizeof(T));
    if (!acc) {
        SET_FLAG(&c->err);
        return;
    }
    const T *restrict cols = c->cols + p0 * kh * kw * oh * ow;
    for (i64 p = p0; p < p1; p++) {
        memset(acc, 0, (size_t)(c->ah * aw) * sizeof(T));
        for (i64 ki = 0; ki < kh; ki++)
            for (i64 kj = 0; kj < kw; kj++)
                for (i64 i = 0; i < oh; i++) {
                    T *row = acc + (i * c->sh + ki * c->dh) * aw + kj * c->dw;
                    for (i64 j = 0; j < ow; j++)
                        row[j * c->sw] += cols[j];
                    cols += ow;
                }
        T *dst = c->img + p * h * w;
        for (i64 r = 0; r < h; r++)
            memcpy(dst + r * w, acc + (r + c->ph) * aw + c->pw, (size_t)w * sizeof(T));
    }
    free(acc);
}

int FN(col2im_image)(const void *colso, i64 nc, i64 kh, i64 kw, i64 oh, i64 ow, i64 h, i64 w,
                     i64 sh, i64 sw, i64 dh, i64 dw, i64 ph, i64 pw, void *imgo, i64 nthreads)
{
    i64 hp = (oh - 1) * sh + (kh - 1) * dh + 1, wp = (ow - 1) * sw + (kw - 1) * dw + 1;
    FN(c2i_ctx) c = {ARR(colso), ARR(imgo), kh, kw, oh, ow, h, w, sh, sw, dh, dw, ph, pw,
                     hp > h + ph ? hp : h + ph, wp > w + pw ? wp : w + pw, 0};
    run_blocks(FN(c2i_range), &c, nc, 4, nthreads);
    return c.err ? -1 : 0;
}

/* Sum batch-inner columns (C, kh, kw, oh, ow, N) into img (N, C, H, W), per channel in a
   padded (H, W, N) buffer, offset by offset as col2im_image. */
int FN(col2im_inner)(const void *colso, i64 c, i64 kh, i64 kw, i64 oh, i64 ow, i64 n, i64 h,
                     i64 w, i64 sh, i64 sw, i64 dh, i64 dw, i64 ph, i64 pw, void *imgo)
{
    const T *restrict cols = ARR(colso);
    T *restrict img = ARR(imgo);
    i64 hp = (oh - 1) * sh + (kh - 1) * dh + 1, wp = (ow - 1) * sw + (kw - 1) * dw + 1;
    i64 ah = hp > h + ph ? hp : h + ph, aw = wp > w + pw ? wp : w + pw;
    T *acc = malloc((size_t)(ah * aw * n) * sizeof(T));
    if (!acc)
        return -1;
    for (i64 ch = 0; ch < c; ch++) {
        memset(acc, 0, (size_t)(ah * aw * n) * sizeof(T));
        for (i64 ki = 0; ki < kh; ki++)
            for (i64 kj = 0; kj < kw; kj++)
                for (i64 i = 0; i < oh; i++)
                    for (i64 j = 0; j < ow; j++) {
                        T *a = acc + ((i * sh + ki * dh) * aw + j * sw + kj * dw) * n;
                        for (i64 b = 0; b < n; b++)
                            a[b] += cols[b];
                        cols += n;
                    }
        for (i64 b = 0; b < n; b++) {
            T *dst = img + (b * c + ch) * h * w;
            for (i64 r = 0; r < h; r++)
                for (i64 s = 0; s < w; s++)
                    dst[r * w + s] = acc[((r + ph) * aw + s + pw) * n + b];
        }
    }
    free(acc);
    return 0;
}

/* (F, P, N) GEMM rows -> (N, F, P), plus bias (F,) when with_bias (else a plain copy), in
   tiles so that both the strided reads and the writes stay in cache. */
void FN(rows_to_nchw)(const void *yo, const void *biaso, i64 with_bias, i64 f, i64 p, i64 n,
                      void *outo)
{
    const T *restrict y = ARR(yo), *restrict bias = ARR(biaso);
    T *restrict out = ARR(outo);
    enum { TILE = 16 };
    for (i64 c = 0; c < f; c++) {
        const T *yc = y + c * p * n;
        for (i64 i0 = 0; i0 < p; i0 += TILE) {
            i64 i1 = i0 + TILE < p ? i0 + TILE : p;
            for (i64 k = 0; k < n; k++) {
                T *o = out + (k * f + c) * p;
                if (with_bias)
                    for (i64 i = i0; i < i1; i++)
                        o[i] = yc[i * n + k] + bias[c];
                else
                    for (i64 i = i0; i < i1; i++)
                        o[i] = yc[i * n + k];
            }
        }
    }
}

/* ---- BatchNorm over the (outer, C, inner) view -------------------------------------------- */

/* The sums run over blocks of CBLK channels, each channel with LANES float64 accumulators kept
   across the outer rows: reduced once per channel, not once per (short) row. */
#define SUMS_BEGIN                                                                               \
    for (i64 j0 = jlo; j0 < jhi; j0 += CBLK) {                                                   \
        i64 nj = jhi - j0 < CBLK ? jhi - j0 : CBLK;                                              \
        memset(a, 0, sizeof a);                                                                  \
        memset(q, 0, sizeof q);                                                                  \
        for (i64 o = 0; o < no; o++)                                                             \
            for (i64 j = 0; j < nj; j++) {                                                       \
                i64 off = (o * c + j0 + j) * ni, k = 0;                                          \
                double *aj = a[j], *qj = q[j];
#define SUMS_END(s1, s2)                                                                         \
            }                                                                                    \
        for (i64 j = 0; j < nj; j++) {                                                           \
            double u = 0, v = 0;                                                                 \
            for (int l = 0; l < LANES; l++) {                                                    \
                u += a[j][l];                                                                    \
                v += q[j][l];                                                                    \
            }                                                                                    \
            s1[j0 + j] = u;                                                                      \
            s2[j0 + j] = v;                                                                      \
        }                                                                                        \
    }

/* Per-channel sum and sum of squares, in float64, for channels [jlo, jhi). */
static void FN(moments)(const T *x, i64 no, i64 c, i64 ni, double *s1, double *s2, i64 jlo, i64 jhi)
{
    double a[CBLK][LANES], q[CBLK][LANES];
    SUMS_BEGIN
    for (; k + LANES <= ni; k += LANES)
        for (int l = 0; l < LANES; l++) {
            double v = x[off + k + l];
            aj[l] += v;
            qj[l] += v * v;
        }
    for (; k < ni; k++) {
        double v = x[off + k];
        aj[0] += v;
        qj[0] += v * v;
    }
    SUMS_END(s1, s2)
}

/* Per-channel sum of (x - mean)^2 in float64 (the first sum, of x - mean, is unused). */
static void FN(centred_sumsq)(const T *x, i64 no, i64 c, i64 ni, const double *mean, double *s,
                              double *scratch, i64 jlo, i64 jhi)
{
    double a[CBLK][LANES], q[CBLK][LANES];
    SUMS_BEGIN
    double m = mean[j0 + j];
    for (; k + LANES <= ni; k += LANES)
        for (int l = 0; l < LANES; l++) {
            double d = x[off + k + l] - m;
            qj[l] += d * d;
        }
    for (; k < ni; k++) {
        double d = x[off + k] - m;
        qj[0] += d * d;
    }
    (void)aj;
    SUMS_END(scratch, s)
}

/* Per-channel sum(g) and sum(g * (x - mean)) in float64. */
static void FN(grad_sums)(const T *g, const T *x, i64 no, i64 c, i64 ni, const double *mean,
                          double *sg, double *sgx, i64 jlo, i64 jhi)
{
    double a[CBLK][LANES], q[CBLK][LANES];
    SUMS_BEGIN
    double m = mean[j0 + j];
    for (; k + LANES <= ni; k += LANES)
        for (int l = 0; l < LANES; l++) {
            double gv = g[off + k + l];
            aj[l] += gv;
            qj[l] += gv * (x[off + k + l] - m);
        }
    for (; k < ni; k++) {
        double gv = g[off + k];
        aj[0] += gv;
        qj[0] += gv * (x[off + k] - m);
    }
    SUMS_END(sg, sgx)
}

/* (x - mean) * scale + shift per channel, in T, for channels [jlo, jhi). */
static void FN(normalise)(const T *x, i64 no, i64 c, i64 ni, const T *mean, const T *scale,
                          const T *shift, T *out, i64 jlo, i64 jhi)
{
    for (i64 o = 0; o < no; o++)
        for (i64 j = jlo; j < jhi; j++) {
            i64 off = (o * c + j) * ni;
            T m = mean[j], a = scale[j], b = shift[j];
            for (i64 k = 0; k < ni; k++)
                out[off + k] = (x[off + k] - m) * a + b;
        }
}

/* g * a + (x - mean) * b + c0 per channel, in T, for channels [jlo, jhi). */
static void FN(data_grad)(const T *g, const T *x, i64 no, i64 c, i64 ni, const T *mean,
                          const T *a, const T *b, const T *c0, T *out, i64 jlo, i64 jhi)
{
    for (i64 o = 0; o < no; o++)
        for (i64 j = jlo; j < jhi; j++) {
            i64 off = (o * c + j) * ni;
            T m = mean[j], p = a[j], q = b[j], r = c0[j];
            for (i64 k = 0; k < ni; k++)
                out[off + k] = g[off + k] * p + (x[off + k] - m) * q + r;
        }
}

/* Exported forms of grad_sums and normalise (nn_norm calls them on their own). */
void FN(bn_grad_sums)(const void *go, const void *xo, i64 no, i64 c, i64 ni, const void *meano,
                      void *sgo, void *sgxo)
{
    FN(grad_sums)(ARR(go), ARR(xo), no, c, ni, ARR(meano), ARR(sgo), ARR(sgxo), 0, c);
}

void FN(bn_normalise)(const void *xo, i64 no, i64 c, i64 ni, const void *meano,
                      const void *scaleo, const void *shifto, void *outo)
{
    FN(normalise)(ARR(xo), no, c, ni, ARR(meano), ARR(scaleo), ARR(shifto), ARR(outo), 0, c);
}

/* BatchNorm's training forward on the batch statistics (nn_norm._bn_fwd's formulas): writes
   out and the float64 mean, var, invstd (C,); returns whether the variance had to be
   recomputed on the centred data (then for every channel, as the NumPy path does).  gamma and
   beta are float64; tmp holds 3*C of T.  Channels are split over a team of threads in groups
   of BN_GROUP (every channel's sums run in the same order whatever the split, so the same
   bits); the threads meet once, to agree on the recomputation. */
typedef struct {
    const T *x;
    const double *gamma, *beta;
    double eps, ill;
    i64 no, c, ni, fix_gamma;
    T *out, *tmp;
    double *mean, *var, *invstd;
    int shifted;
} FN(bnf_job);

static void FN(bnf_worker)(void *p, team *tm, int index, int size)
{
    FN(bnf_job) *q = p;
    const i64 no = q->no, c = q->c, ni = q->ni;
    double *mean = q->mean, *var = q->var, *invstd = q->invstd;
    T *tmp = q->tmp;
    double n = (double)(no * ni);
    i64 jlo, jhi;
    team_share(c, BN_GROUP, index, size, &jlo, &jhi);
    FN(moments)(q->x, no, c, ni, mean, var, jlo, jhi);
    int shifted = 0;
    for (i64 j = jlo; j < jhi; j++) {
        double sq = var[j] / n, v;
        mean[j] = mean[j] / n;
        v = sq - mean[j] * mean[j];
        var[j] = v < 0 ? 0 : v; /* keeps NaN, like np.maximum */
        shifted |= sq > q->ill * var[j];
    }
    if (shifted)
        SET_FLAG(&q->shifted);
    team_barrier(tm);
    if (q->shifted) {
        FN(centred_sumsq)(q->x, no, c, ni, mean, var, invstd, jlo, jhi); /* invstd: scratch */
        for (i64 j = jlo; j < jhi; j++)
            var[j] = var[j] / n;
    }
    for (i64 j = jlo; j < jhi; j++) {
        invstd[j] = 1 / sqrt(var[j] + q->eps);
        tmp[j] = (T)mean[j];
        tmp[c + j] = (T)(q->fix_gamma ? invstd[j] : invstd[j] * q->gamma[j]);
        tmp[2 * c + j] = (T)q->beta[j];
    }
    FN(normalise)(q->x, no, c, ni, tmp, tmp + c, tmp + 2 * c, q->out, jlo, jhi);
}

i64 FN(bn_train_forward)(const void *xo, i64 no, i64 c, i64 ni, const void *gammao,
                         const void *betao, double eps, i64 fix_gamma, double ill, void *outo,
                         void *meano, void *varo, void *invstdo, void *tmpo, i64 nthreads)
{
    FN(bnf_job) q = {ARR(xo), ARR(gammao), ARR(betao), eps, ill, no, c, ni, fix_gamma, ARR(outo),
                     ARR(tmpo), ARR(meano), ARR(varo), ARR(invstdo), 0};
    i64 ng = (c + BN_GROUP - 1) / BN_GROUP;
    run_team(FN(bnf_worker), &q, nthreads < ng ? nthreads : ng);
    return q.shifted;
}

/* BatchNorm's backward through the batch statistics (nn_norm._bn_bwd's formulas): writes dx,
   dgamma and sg (the beta gradient), float64 (C,).  gamma is float64; tmp holds 4*C of T.
   Every channel is independent: groups of BN_GROUP channels split over threads. */
typedef struct {
    const T *g, *x;
    const double *mean, *invstd, *gamma;
    i64 no, c, ni, fix_gamma;
    T *dx, *tmp;
    double *dgamma, *sg;
} FN(bnb_job);

static void FN(bnb_range)(void *p, i64 g0, i64 g1)
{
    FN(bnb_job) *q = p;
    const i64 no = q->no, c = q->c, ni = q->ni;
    const double *invstd = q->invstd;
    double *dgamma = q->dgamma, *sg = q->sg;
    T *tmp = q->tmp;
    double n = (double)(no * ni);
    i64 jlo = g0 * BN_GROUP, jhi = g1 * BN_GROUP < c ? g1 * BN_GROUP : c;
    FN(grad_sums)(q->g, q->x, no, c, ni, q->mean, sg, dgamma, jlo, jhi);
    for (i64 j = jlo; j < jhi; j++) {
        double gs = q->fix_gamma ? invstd[j] : invstd[j] * q->gamma[j];
        dgamma[j] = invstd[j] * dgamma[j];
        tmp[j] = (T)q->mean[j];
        tmp[c + j] = (T)gs;
        tmp[2 * c + j] = (T)(gs * (-invstd[j] * dgamma[j] / n));
        tmp[3 * c + j] = (T)(-gs * sg[j] / n);
    }
    FN(data_grad)(q->g, q->x, no, c, ni, tmp, tmp + c, tmp + 2 * c, tmp + 3 * c, q->dx, jlo, jhi);
}

void FN(bn_train_backward)(const void *go, const void *xo, i64 no, i64 c, i64 ni,
                           const void *meano, const void *invstdo, const void *gammao,
                           i64 fix_gamma, void *dxo, void *dgammao, void *sgo, void *tmpo, i64 nthreads)
{
    FN(bnb_job) q = {ARR(go), ARR(xo), ARR(meano), ARR(invstdo), ARR(gammao), no, c, ni, fix_gamma,
                     ARR(dxo), ARR(tmpo), ARR(dgammao), ARR(sgo)};
    i64 ng = (c + BN_GROUP - 1) / BN_GROUP;
    run_blocks(FN(bnb_range), &q, ng, 1, nthreads);
}

/* ---- LSTM ---------------------------------------------------------------------------------- */

/* One backward time step of rnn_op._lstm_backward, products grouped as its NumPy path groups
   them: dgates (N, 4, H) from dh, dout, dc (N, H) and acts (N, 4, H) = (i, f, tanh g, o),
   cprev and tc = tanh(c); dc is overwritten with the previous step's cell gradient. */
void FN(lstm_bwd_step)(const void *dho, const void *douto, void *dco, const void *actso,
                       const void *cprevo, const void *tco, void *dgateso, i64 nn, i64 hh)
{
    const T *restrict dh = ARR(dho), *restrict dout = ARR(douto), *restrict tc = ARR(tco);
    const T *restrict cprev = ARR(cprevo), *restrict acts = ARR(actso);
    T *restrict dc = ARR(dco), *restrict dgates = ARR(dgateso);
    for (i64 n = 0; n < nn; n++) {
        /* one pointer per row: the form in which gcc sees the accesses as unit-stride */
        const T *ai = acts + n * 4 * hh, *af = ai + hh, *ag = af + hh, *ao = ag + hh;
        T *di = dgates + n * 4 * hh, *df = di + hh, *dg = df + hh, *dgo = dg + hh;
        const T *dhn = dh + n * hh, *don = dout + n * hh, *tcn = tc + n * hh;
        const T *cpn = cprev + n * hh;
        T *dcn = dc + n * hh;
        for (i64 j = 0; j < hh; j++) {
            T dht = dhn[j] + don[j];
            T i = ai[j], f = af[j], gg = ag[j], o = ao[j], t = tcn[j];
            T dct = dht * (o * (1 - t * t)) + dcn[j];
            di[j] = dct * (gg * (i * (1 - i)));
            df[j] = dct * (cpn[j] * (f * (1 - f)));
            dg[j] = dct * (i * (1 - gg * gg));
            dgo[j] = dht * (t * o * (1 - o));
            dcn[j] = dct * f;
        }
    }
}

/* ---- optimizer updates --------------------------------------------------------------------- */

/* NumPy's clip: NaN propagates, ties keep the bound (np.core clip's MAX/MIN macros). */
static inline T FN(clip)(T v, T lo, T hi)
{
    if (v != v)
        return v;
    v = v > lo ? v : lo;
    return v < hi ? v : hi;
}

/* optimizer.sgd._sgd_inplace in one pass, operation by operation (the hyper-parameters arrive
   already rounded to float32 as there).  One loop per case: gcc vectorizes each, not a loop
   that tests mom inside. */
typedef struct {
    T *w, *mom;
    const T *g;
    T lr, mo, rs, c, lrwd;
    i64 use_clip;
} FN(sgd_ctx);

static void FN(sgd_range)(void *p, i64 k0, i64 k1)
{
    FN(sgd_ctx) *q = p;
    T *restrict w = q->w;
    const T *restrict g = q->g;
    const T lr = q->lr, mo = q->mo, rs = q->rs, c = q->c, lrwd = q->lrwd;
    const i64 use_clip = q->use_clip;   /* locals: the compiler unswitches the loops on them */
    /* the decay term even for wd = 0, as MXNet: 0 * inf makes an infinite weight NaN */
    if (!q->mom) {
        for (i64 k = k0; k < k1; k++) {
            T t = g[k] * rs;
            if (use_clip)
                t = FN(clip)(t, -c, c);
            t = t * lr;
            w[k] = w[k] - (t + w[k] * lrwd);
        }
        return;
    }
    T *restrict mom = q->mom;
    for (i64 k = k0; k < k1; k++) {
        T t = g[k] * rs;
        if (use_clip)
            t = FN(clip)(t, -c, c);
        t = t * lr;
        T m = mom[k] * mo - w[k] * lrwd;
        m = m - t;
        mom[k] = m;
        w[k] = w[k] + m;
    }
}

void FN(sgd_update)(void *wo, const void *go, void *momo, i64 size, double lr_, double wd_,
                    double momentum_, double rescale_, double clip_, i64 use_clip, i64 nthreads)
{
    const T lr = (T)lr_, wd = (T)wd_;
    FN(sgd_ctx) q = {ARR(wo), momo ? ARR(momo) : NULL, ARR(go), lr, (T)momentum_, (T)rescale_,
                     (T)clip_, lr * wd, use_clip};
    run_ranges(FN(sgd_range), &q, size, 1 << 16, nthreads);
}

/* optimizer.adaptive._adam_inplace in one pass, operation by operation (hyper-parameters
   rounded to float32 as there). */
void FN(adam_update)(void *wo, const void *go, void *meano, void *varo, i64 size, double lr_,
                     double wd_, double beta1_, double beta2_, double eps_, double rescale_,
                     double clip_, i64 use_clip)
{
    T *restrict w = ARR(wo), *restrict mean = ARR(meano), *restrict var = ARR(varo);
    const T *restrict g = ARR(go);
    const T lr = (T)lr_, wd = (T)wd_, b1 = (T)beta1_, b2 = (T)beta2_, eps = (T)eps_;
    const T rs = (T)rescale_, c = (T)clip_, omb1 = 1 - b1, omb2 = 1 - b2;
    for (i64 k = 0; k < size; k++) {
        T t = g[k] * rs + wd * w[k];   /* even for wd = 0, as MXNet */
        if (use_clip)
            t = FN(clip)(t, -c, c);
        T m = mean[k] * b1 + t * omb1;
        T v = var[k] * b2 + t * omb2 * t;
        mean[k] = m;
        var[k] = v;
        w[k] = w[k] - m * lr / (SQRT(v) + eps);
    }
}

/* ---- dense layers ---------------------------------------------------------------------- */

/* y (m, n) += bias (n) when with_bias, then relu when act is 1, in place in one pass: NumPy's
   `y += b` broadcast and `maximum(y, 0)` as two whole-array passes cost 3x more at 256x512.
   relu keeps NaN (np.maximum propagates it). */
typedef struct {
    T *y;
    const T *b;
    i64 n, act;
} FN(bias_ctx);

static void FN(bias_rows)(void *p, i64 r0, i64 r1)
{
    FN(bias_ctx) *c = p;
    const T *restrict b = c->b;
    const i64 n = c->n;
    for (i64 i = r0; i < r1; i++) {
        T *restrict r = c->y + i * n;
        if (b && c->act == 1)
            for (i64 j = 0; j < n; j++) {
                T v = r[j] + b[j];
                r[j] = (v > 0 || v != v) ? v : 0;
            }
        else if (b)
            for (i64 j = 0; j < n; j++)
                r[j] = r[j] + b[j];
        else if (c->act == 1)
            for (i64 j = 0; j < n; j++) {
                T v = r[j];
                r[j] = (v > 0 || v != v) ? v : 0;
            }
    }
}

void FN(bias_act)(void *yo, const void *biaso, i64 with_bias, i64 m, i64 n, i64 act, i64 nthreads)
{
    FN(bias_ctx) c = {ARR(yo), with_bias ? ARR(biaso) : NULL, n, act};
    run_ranges(FN(bias_rows), &c, m, (16384 + n - 1) / n, nthreads);
}

/* Activation relu as NumPy computes it, elementwise over flat arrays split over threads:
   forward y = maximum(x, 0) (NaN kept, -0 -> 0), backward d = g * heaviside(y, 0) (so inf * 0 is
   NaN, -g * 0 is -0, and NaN where y is NaN). */
typedef struct {
    const T *a, *y;
    T *out;
} FN(relu_ctx);

/* The derivative factor of relu at its output v: 1 above zero, 0 at or below, NaN at NaN (as
   NumPy's heaviside(v, 0) and MXNet's own kernels give). */
static inline T FN(relu_step)(T v)
{
    return v > 0 ? (T)1 : v != v ? v : (T)0;
}

static void FN(relu_range)(void *p, i64 k0, i64 k1)
{
    FN(relu_ctx) *c = p;
    const T *restrict x = c->a;
    T *restrict out = c->out;
    for (i64 k = k0; k < k1; k++) {
        T v = x[k];
        out[k] = (v > 0 || v != v) ? v : 0;
    }
}

static void FN(relu_grad_range)(void *p, i64 k0, i64 k1)
{
    FN(relu_ctx) *c = p;
    const T *restrict g = c->a, *restrict y = c->y;
    T *restrict out = c->out;
    for (i64 k = k0; k < k1; k++)
        out[k] = g[k] * FN(relu_step)(y[k]);
}

void FN(relu)(const void *xo, void *outo, i64 size, i64 nthreads)
{
    FN(relu_ctx) c = {ARR(xo), NULL, ARR(outo)};
    run_ranges(FN(relu_range), &c, size, 1 << 15, nthreads);
}

void FN(relu_grad)(const void *go, const void *yo, void *outo, i64 size, i64 nthreads)
{
    FN(relu_ctx) c = {ARR(go), ARR(yo), ARR(outo)};
    run_ranges(FN(relu_grad_range), &c, size, 1 << 15, nthreads);
}

/* Backward of relu(x @ w.T + b) up to the product: d = g * heaviside(y, 0), as the relu
   backward (so inf * 0 is NaN there too), and the bias gradient db = column sums of d, in one pass
   over rows (the sums in T, row by row, as a BLAS product with ones sums in T). */
void FN(relu_grad_colsum)(const void *go, const void *yo, void *do_, void *dbo, i64 m, i64 n)
{
    const T *restrict g = ARR(go), *restrict y = ARR(yo);
    T *restrict d = ARR(do_), *restrict db = ARR(dbo);
    for (i64 j = 0; j < n; j++)
        db[j] = 0;
    for (i64 i = 0; i < m; i++) {
        const T *restrict gr = g + i * n, *restrict yr = y + i * n;
        T *restrict dr = d + i * n;
        for (i64 j = 0; j < n; j++) {
            T v = gr[j] * FN(relu_step)(yr[j]);
            dr[j] = v;
            db[j] += v;
        }
    }
}

#endif
