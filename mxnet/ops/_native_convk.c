/* Direct KxK (K = 1..7) stride-1 convolutions, any padding, NCHW float32 (wrappers and dispatch:
 * _native_convk.py): forward, data gradient and weight gradient, for LeNet's 5x5 layers.
 *
 * The approach of _native_conv.c (its 3x3 kernels): rows of output pixels in vectors of 8, a
 * register block of OB output channels x TV pixel vectors (forward), DOB output channels x K
 * kernel columns (weight gradient); the data gradient is the forward of dy padded by K-1-pad
 * with the kernel flipped and channels swapped.  Differences: K is a compile-time constant of
 * each specialization (switch over 1..7); the forward reads the weights in their own layout
 * (strides per output/input channel, flipped by index: no packing pass, which at batch 1 costs
 * as much as the arithmetic) and the images in place when no padding is needed (pad 0 and an
 * output width that is a multiple of 8: LeNet's); the weight gradient sums chunks of images
 * per register block.  Rows whose width is not a multiple of 8 are computed in whole vectors:
 * the forward stores only the valid lanes; the weight gradient reads zero-padded copies of dy
 * and masks the data lanes past the width (so an inf there cannot make 0 * inf = NaN).
 *
 * Threads (_native_threads.h): images, or blocks of output channels of the weight gradient,
 * each computed by one thread, so the bits do not depend on the thread count.
 *
 * Compiled into the library of _native.c; float32 tolerance only, so FMA contraction is on
 * here.  GCC/Clang vector extensions, else a plain-C struct of 8 floats (correct, slower).
 */
#include "_native_vec.h"
#include "_native_threads.h"

/* register blocks (twice as large with REGS32) */
#ifndef KOB
#define KOB 8                      /* forward: output channels per block */
#endif
#ifndef KTV
#define KTV (REGS32 ? 3 : 1)       /* forward: pixel vectors per block */
#endif
#define MAXK 7

/* weight gradient: output channels per block for kernel width K (DOB x K sums + K data vectors
   + one dy vector in registers) */
#define KDOB(K) (REGS32 ? ((K) <= 3 ? 8 : (K) == 4 ? 6 : (K) == 5 ? 5 : (K) == 6 ? 4 : 3) \
                        : ((K) <= 2 ? 4 : (K) <= 4 ? 2 : 1))

/* -- forward / data gradient -------------------------------------------------------------------- */
/* One tile: OB output channels (the first nf stored) x V pixel vectors.  xo[v]: offset of the
   vector's first input pixel in each (padded) input plane; oo[v]: of its output in each output
   plane; nl[v]: its valid lanes.  Weight of output channel o, input channel i, tap k (= kh*K+kw):
   w[o*so + i*si + (flip ? K*K-1-k : k)]. */
INLINE void fk_tile(const int K, const int FLIP, const int V, const float *x, i64 plane, i64 wp,
                    const float *w, i64 so, i64 si, const float *bias, float *out, i64 oplane,
                    i64 c, int nf, const i64 *xo, const i64 *oo, const int *nl)
{
    v8 acc[KOB][KTV];
    const float *wo[KOB];
    for (int o = 0; o < KOB; o++) {
        int oc = o < nf ? o : nf - 1;  /* past nf: a duplicate, not stored */
        wo[o] = w + oc * so + (FLIP ? K * K - 1 : 0);
        for (int v = 0; v < V; v++)
            acc[o][v] = bias ? bc(bias[oc]) : zero8();
    }
    for (i64 i = 0; i < c; i++) {
        const float *xi = x + i * plane;
        for (int kh = 0; kh < K; kh++)
            for (int kw = 0; kw < K; kw++) {
                const int k = kh * K + kw;
                v8 xv[KTV];
                for (int v = 0; v < V; v++)
                    xv[v] = ld(xi + xo[v] + kh * wp + kw);
                for (int o = 0; o < KOB; o++) {
                    v8 b = bc(wo[o][FLIP ? -k : k]);
                    for (int v = 0; v < V; v++)
                        acc[o][v] = madd(acc[o][v], b, xv[v]);
                }
            }
        for (int o = 0; o < KOB; o++)
            wo[o] += si;
    }
    for (int v = 0; v < V; v++) {
        if (nl[v] == 8) {
            for (int o = 0; o < nf; o++)
                st(out + o * oplane + oo[v], acc[o][v]);
        } else {
            float t[8];
            for (int o = 0; o < nf; o++) {
                st(t, acc[o][v]);
                memcpy(out + o * oplane + oo[v], t, (size_t)nl[v] * sizeof(float));
            }
        }
    }
}

/* One image: x (c, planes of wp-strided rows, already padded) -> out (f, oh, ow). */
INLINE void fk_image(const int K, const int FLIP, const float *x, i64 plane, i64 wp,
                     const float *w, i64 so, i64 si, const float *bias, float *out,
                     i64 c, i64 f, i64 oh, i64 ow)
{
    i64 nvr = (ow + 7) / 8, nv = oh * nvr, oplane = oh * ow;
    for (i64 ob = 0; ob < f; ob += KOB) {
        int nf = f - ob < KOB ? (int)(f - ob) : KOB;
        const float *wb = w + ob * so, *bb = bias ? bias + ob : NULL;
        float *ob_out = out + ob * oplane;
        i64 p = 0;
        while (p < nv) {
            i64 xo[KTV], oo[KTV];
            int nl[KTV];
            int V = nv - p < KTV ? (int)(nv - p) : KTV;
            for (int v = 0; v < V; v++) {
                i64 r = (p + v) / nvr, col = (p + v) % nvr * 8;
                xo[v] = r * wp + col;
                oo[v] = r * ow + col;
                nl[v] = ow - col < 8 ? (int)(ow - col) : 8;
            }
            if (V == KTV)
                fk_tile(K, FLIP, KTV, x, plane, wp, wb, so, si, bb, ob_out, oplane, c, nf, xo, oo, nl);
#if KTV > 1
            else if (V == 1)
                fk_tile(K, FLIP, 1, x, plane, wp, wb, so, si, bb, ob_out, oplane, c, nf, xo, oo, nl);
#endif
#if KTV > 2
            else if (V == 2)
                fk_tile(K, FLIP, 2, x, plane, wp, wb, so, si, bb, ob_out, oplane, c, nf, xo, oo, nl);
#endif
            p += V;
        }
    }
}

static void fk_image_any(int k, int flip, const float *x, i64 plane, i64 wp, const float *w, i64 so,
                         i64 si, const float *bias, float *out, i64 c, i64 f, i64 oh, i64 ow)
{
    switch (k * 2 + (flip != 0)) {
#define FK(K, F) case K * 2 + F: fk_image(K, F, x, plane, wp, w, so, si, bias, out, c, f, oh, ow); break;
    FK(1, 0) FK(2, 0) FK(3, 0) FK(4, 0) FK(5, 0) FK(6, 0) FK(7, 0)
    FK(1, 1) FK(2, 1) FK(3, 1) FK(4, 1) FK(5, 1) FK(6, 1) FK(7, 1)
#undef FK
    default: break;
    }
}

/* Where the kernels read an image: in place (1: rows of w, planes of h * w) when it needs no
   padding and the output rows fill whole vectors, else (0) a zero-padded copy whose rows hold
   the output row rounded up to 8 pixels plus K - 1, in planes of h + 2ph rows. */
static int image_layout(i64 h, i64 w, i64 k, i64 ph, i64 pw, i64 ow, i64 *wp, i64 *plane)
{
    int in_place = ph == 0 && pw == 0 && ow % 8 == 0;
    *wp = in_place ? w : (ow + 7) / 8 * 8 + k - 1;
    *plane = (h + 2 * ph) * *wp;
    return in_place;
}

/* np planes of h rows of w from src into the zeroed padded planes at dst (see image_layout). */
static void pad_planes(float *dst, i64 plane, i64 wp, i64 ph, i64 pw, const float *src, i64 np, i64 h, i64 w)
{
    for (i64 i = 0; i < np; i++)
        for (i64 r = 0; r < h; r++)
            memcpy(dst + i * plane + (r + ph) * wp + pw, src + (i * h + r) * w, (size_t)w * sizeof(float));
}

/* The forward over images [m0, m1) (see convk_fwd_f32), each read in place or from this
   thread's padded copy. */
typedef struct {
    const float *x, *wt, *bias;
    float *y;
    i64 c, f, h, w, k, ph, pw, flip, oh, ow, so, si;
    int err;
} fk_job;

static void fk_range(void *p, i64 m0, i64 m1)
{
    fk_job *q = p;
    const i64 c = q->c, f = q->f, h = q->h, w = q->w, k = q->k, oh = q->oh, ow = q->ow;
    i64 wp, plane;
    float *xp = NULL;
    if (!image_layout(h, w, k, q->ph, q->pw, ow, &wp, &plane)) {
        xp = calloc((size_t)(c * plane), sizeof(float));
        if (!xp) {
            SET_FLAG(&q->err);
            return;
        }
    }
    for (i64 m = m0; m < m1; m++) {
        const float *xm = q->x + m * c * h * w;
        if (xp) {
            pad_planes(xp, plane, wp, q->ph, q->pw, xm, c, h, w);
            xm = xp;
        }
        fk_image_any((int)k, (int)q->flip, xm, plane, wp, q->wt, q->so, q->si, q->bias,
                     q->y + m * f * oh * ow, c, f, oh, ow);
    }
    free(xp);
}

/* y (n, f, oh, ow) = the KxK stride-1 convolution of x (n, c, h, w) zero padded by ph/pw
   (oh = h + 2ph - K + 1, likewise ow) with weights, plus bias (f,) unless bo is NULL.
   flip = 0: weights (f, c, K, K).  flip = 1 (the data gradient: x is dy, y is dx, pads K-1-pad):
   weights (c, f, K, K), used flipped with channels swapped.  Images are split over nthreads
   threads, each computed by one.  Returns 0, 1 when out of memory, 2 for a kernel size outside
   1..7. */
i64 convk_fwd_f32(const void *xo, const void *wo, const void *bo, void *yo, i64 n, i64 c, i64 f,
                  i64 h, i64 w, i64 k, i64 ph, i64 pw, i64 flip, i64 nthreads)
{
    if (k < 1 || k > MAXK)
        return 2;
    fk_job q = {native_data(xo), native_data(wo), bo ? (const float *)native_data(bo) : NULL,
                native_data(yo), c, f, h, w, k, ph, pw, flip, h + 2 * ph - k + 1, w + 2 * pw - k + 1,
                flip ? k * k : c * k * k, flip ? f * k * k : k * k, 0};
    if (q.oh <= 0 || q.ow <= 0)
        return 0;
    /* about four blocks per thread: balance, and one padded buffer per block */
    run_blocks(fk_range, &q, n, 4, nthreads);
    return q.err;
}

/* -- weight gradient ------------------------------------------------------------------------------ */
/* One block over nb images: output channels d[0..DOB) (dy planes, row stride drow, image stride
   dimg; the first nf are real), data plane xi (padded, image stride ximg, kernel row kh
   applied), oh rows of nvr vectors, the last with `tail` valid lanes (0: all 8).  Adds
   sum(dy * x shifted by kw) to dst[o * ostride + kw]. */
INLINE void dk_block(const int K, const int DOB, const float *xi, i64 ximg, i64 wp,
                     const float *const *d, i64 dimg, i64 drow, i64 oh, i64 nvr, int tail, i64 nb,
                     float *dst, i64 ostride, int nf)
{
    v8 acc[8][MAXK];  /* literal sizes: a variable-length array would live in memory */
    for (int o = 0; o < DOB; o++)
        for (int kw = 0; kw < K; kw++)
            acc[o][kw] = zero8();
    v8i m = lanes_below(tail);
    i64 nfull = tail ? nvr - 1 : nvr;
    for (i64 im = 0; im < nb; im++) {
        const float *xr = xi + im * ximg;
        i64 dofs = im * dimg;
        for (i64 r = 0; r < oh; r++, xr += wp, dofs += drow) {
            for (i64 cv = 0; cv < nfull; cv++) {
                v8 xv[MAXK];
                for (int kw = 0; kw < K; kw++)
                    xv[kw] = ld(xr + cv * 8 + kw);
                for (int o = 0; o < DOB; o++) {
                    v8 dv = ld(d[o] + dofs + cv * 8);
                    KEEP(dv);
                    for (int kw = 0; kw < K; kw++)
                        acc[o][kw] = madd(acc[o][kw], dv, xv[kw]);
                }
            }
            if (tail) {
                i64 cv = nfull;
                v8 xv[MAXK];
                for (int kw = 0; kw < K; kw++)
                    xv[kw] = mask8(ld(xr + cv * 8 + kw), m);
                for (int o = 0; o < DOB; o++) {
                    v8 dv = ld(d[o] + dofs + cv * 8);
                    KEEP(dv);
                    for (int kw = 0; kw < K; kw++)
                        acc[o][kw] = madd(acc[o][kw], dv, xv[kw]);
                }
            }
        }
    }
    /* lane sums, 8 vectors at a time */
    v8 flat[8 * MAXK + 8];
    for (int o = 0; o < DOB; o++)
        for (int kw = 0; kw < K; kw++)
            flat[o * K + kw] = acc[o][kw];
    for (int j = DOB * K; j < DOB * K + 8; j++)
        flat[j] = zero8();
    for (int s0 = 0; s0 < DOB * K; s0 += 8) {
        float sum[8];
        st(sum, reduce8(flat + s0));
        for (int j = 0; j < 8 && s0 + j < DOB * K; j++)
            if ((s0 + j) / K < nf)
                dst[(s0 + j) / K * ostride + (s0 + j) % K] += sum[j];
    }
}

/* One chunk of nb images: x planes (padded or in place: image stride ximg, channel stride
   plane, row stride wp), dy planes (image stride dimg, channel stride dch, row stride drow).
   Adds its sums to dw (f, c, K, K). */
INLINE void dk_chunk(const int K, const int DOB, const float *x, i64 ximg, i64 plane, i64 wp,
                     const float *dy, i64 dimg, i64 dch, i64 drow, float *dw, i64 c, i64 f, i64 oh,
                     i64 ow, i64 nb, i64 ob0, i64 ob1)
{
    i64 nvr = (ow + 7) / 8;
    int tail = (int)(ow % 8);
    for (i64 ob = ob0 * DOB; ob < f && ob < ob1 * DOB; ob += DOB) {
        int nf = f - ob < DOB ? (int)(f - ob) : DOB;
        const float *d[8];
        for (int o = 0; o < DOB; o++)
            d[o] = dy + (ob + (o < nf ? o : nf - 1)) * dch;
        for (i64 i = 0; i < c; i++)
            for (int kh = 0; kh < K; kh++)
                dk_block(K, DOB, x + i * plane + kh * wp, ximg, wp, d, dimg, drow, oh, nvr, tail, nb,
                         dw + (ob * c + i) * K * K + kh * K, c * K * K, nf);
    }
}

static void dk_chunk_any(int k, const float *x, i64 ximg, i64 plane, i64 wp, const float *dy, i64 dimg,
                         i64 dch, i64 drow, float *dw, i64 c, i64 f, i64 oh, i64 ow, i64 nb, i64 ob0,
                         i64 ob1)
{
    switch (k) {
#define DK(K) case K: dk_chunk(K, KDOB(K), x, ximg, plane, wp, dy, dimg, dch, drow, dw, c, f, oh, ow, nb, ob0, ob1); break;
    DK(1) DK(2) DK(3) DK(4) DK(5) DK(6) DK(7)
#undef DK
    default: break;
    }
}

/* The weight gradient for the blocks [ob0, ob1) of KDOB(k) output channels (see convk_dw_f32):
   every chunk of images in order, padded into this thread's own buffers where needed. */
typedef struct {
    const float *x, *dy;
    float *dw;
    i64 n, c, f, h, w, k, ph, pw, oh, ow, nb;
    i64 wp, plane, wr;   /* image_layout's, and dy's rows rounded up to 8 */
    int xin, err;
} dk_job;

static void dk_range(void *p, i64 ob0, i64 ob1)
{
    dk_job *q = p;
    const i64 c = q->c, f = q->f, h = q->h, w = q->w, k = q->k, ph = q->ph, pw = q->pw;
    const i64 oh = q->oh, ow = q->ow, nb = q->nb, wp = q->wp, plane = q->plane, wr = q->wr;
    const int xin = q->xin, dyin = ow % 8 == 0;
    float *xp = NULL, *dp = NULL;
    if (!xin || !dyin) {
        xp = calloc((size_t)((xin ? 0 : nb * c * plane) + (dyin ? 0 : nb * f * oh * wr)), sizeof(float));
        if (!xp) {
            SET_FLAG(&q->err);
            return;
        }
        dp = xp + (xin ? 0 : nb * c * plane);
    }
    for (i64 m0 = 0; m0 < q->n; m0 += nb) {
        i64 cnt = q->n - m0 < nb ? q->n - m0 : nb;
        const float *xs = q->x + m0 * c * h * w, *ds = q->dy + m0 * f * oh * ow;
        if (!xin) {
            pad_planes(xp, plane, wp, ph, pw, xs, cnt * c, h, w);
            xs = xp;
        }
        if (!dyin) {
            for (i64 r2 = 0; r2 < cnt * f; r2++)
                for (i64 r = 0; r < oh; r++)
                    memcpy(dp + (r2 * oh + r) * wr, ds + (r2 * oh + r) * ow, (size_t)ow * sizeof(float));
            ds = dp;
        }
        i64 drow = dyin ? ow : wr;
        dk_chunk_any((int)k, xs, c * plane, plane, wp, ds, f * oh * drow, oh * drow, drow, q->dw, c, f,
                     oh, ow, cnt, ob0, ob1);
    }
    free(xp);
}

/* dw (f, c, K, K) = the weight gradient of the KxK stride-1 convolution of x (n, c, h, w) zero
   padded by ph/pw, for the output gradient dy (n, f, oh, ow), summed over chunks of about
   `cache` bytes of data (images padded, dy).  The blocks of output channels are split over
   nthreads threads; each sums its own over every chunk in order, so the bits do not depend on
   the split.  Returns 0, 1 when out of memory, 2 for a kernel size outside 1..7. */
i64 convk_dw_f32(const void *xo, const void *dyo, void *dwo, i64 n, i64 c, i64 f, i64 h, i64 w,
                 i64 k, i64 ph, i64 pw, i64 cache, i64 nthreads)
{
    if (k < 1 || k > MAXK)
        return 2;
    dk_job q = {native_data(xo), native_data(dyo), native_data(dwo), n, c, f, h, w, k, ph, pw,
                h + 2 * ph - k + 1, w + 2 * pw - k + 1, 0, 0, 0, 0, 0, 0};
    memset(q.dw, 0, (size_t)(f * c * k * k) * sizeof(float));
    if (q.oh <= 0 || q.ow <= 0 || n == 0)
        return 0;
    q.wr = (q.ow + 7) / 8 * 8;
    q.xin = image_layout(h, w, k, ph, pw, q.ow, &q.wp, &q.plane);
    i64 img_bytes = (c * q.plane + f * q.oh * q.wr) * (i64)sizeof(float);
    q.nb = cache / img_bytes;
    if (q.nb < 1)
        q.nb = 1;
    if (q.nb > n)
        q.nb = n;
    i64 nob = (f + KDOB(k) - 1) / KDOB(k);
    run_blocks(dk_range, &q, nob, 1, nthreads);
    return q.err;
}
