/* Direct 3x3 stride-1 pad-1 convolutions, NCHW float32 (wrappers and dispatch: _native_conv.py).
 *
 * Forward, data gradient (the forward of dy with the kernel flipped and channels swapped) and
 * weight gradient, vectorized along image rows: 8 output pixels of a row per vector, a register
 * block of OB output channels x up to TV pixel vectors (forward), OB output channels x 3 kernel
 * columns (weight gradient).  Each image is first copied into a zero-padded scratch whose rows
 * are rounded up to a multiple of 8 (+2 for the padding), so every shifted load stays inside the
 * buffer and any width works: outputs past the width are computed and dropped (forward), and
 * their products are masked out of the weight gradient (so that an inf in the data next to
 * them cannot turn a 0 * inf into NaN where the GEMM path never multiplies).
 *
 * Compiled into the library of _native.c (same flags: -O3 -march=native, no FMA contraction);
 * these functions only need float32 tolerance against NumPy, so FMA contraction is switched on
 * here.  The vector type is GCC/Clang's vector extension; other compilers get a plain-C struct
 * of 8 floats with the same operations (correct, slower).  Results differ from the GEMM path
 * only in the order of the float32 sums.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int64_t i64;

void *native_data(const void *obj);   /* _native.c: the data pointer of a NumPy array object */

#if defined(__clang__)
#pragma clang fp contract(fast)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=fast")
#endif

#if (defined(__GNUC__) || defined(__clang__)) && !defined(NO_VECTOR_EXT)
#define INLINE static inline __attribute__((always_inline))
typedef float v8 __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
INLINE v8 ld(const float *p) { v8 v; memcpy(&v, p, sizeof v); return v; }
INLINE void st(float *p, v8 v) { memcpy(p, &v, sizeof v); }
INLINE v8 bc(float a) { v8 v = {a, a, a, a, a, a, a, a}; return v; }
INLINE v8 zero8(void) { v8 v = {0, 0, 0, 0, 0, 0, 0, 0}; return v; }
INLINE v8 madd(v8 acc, v8 a, v8 b) { return acc + a * b; }
INLINE v8 mask8(v8 a, v8i m) { return (v8)((v8i)a & m); }
INLINE v8i lanes_below(int k) { v8i l = {0, 1, 2, 3, 4, 5, 6, 7}; return l < k; }
/* pins a loaded vector in a register: without it GCC folds the load into each of the FMAs
   that use it, tripling the loads of the inner loops */
#if (defined(__x86_64__) || defined(__i386__)) && !defined(NO_KEEP)
#define KEEP(v) __asm__("" : "+x"(v))
#else
#define KEEP(v) ((void)0)
#endif
/* lane j of the result: the sum of the 8 lanes of a[j] (a tree of shuffles and adds) */
#if defined(__clang__)
#define SHUF(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define SHUF(a, b, ...) __builtin_shuffle(a, b, (v8i){__VA_ARGS__})
#endif
INLINE v8 reduce8(const v8 *a)
{
    v8 p[4], q[2];
    for (int j = 0; j < 4; j++)  /* p[j]: pairs of lanes of a[2j] and a[2j+1], interleaved */
        p[j] = SHUF(a[2 * j], a[2 * j + 1], 0, 8, 2, 10, 4, 12, 6, 14)
             + SHUF(a[2 * j], a[2 * j + 1], 1, 9, 3, 11, 5, 13, 7, 15);
    for (int j = 0; j < 2; j++)
        q[j] = SHUF(p[2 * j], p[2 * j + 1], 0, 1, 8, 9, 4, 5, 12, 13)
             + SHUF(p[2 * j], p[2 * j + 1], 2, 3, 10, 11, 6, 7, 14, 15);
    return SHUF(q[0], q[1], 0, 1, 2, 3, 8, 9, 10, 11) + SHUF(q[0], q[1], 4, 5, 6, 7, 12, 13, 14, 15);
}
#else
#define INLINE static inline
#define KEEP(v) ((void)0)
typedef struct { float v[8]; } v8;
typedef struct { int32_t v[8]; } v8i;
INLINE v8 ld(const float *p) { v8 r; memcpy(&r, p, sizeof r); return r; }
INLINE void st(float *p, v8 v) { memcpy(p, &v, sizeof v); }
INLINE v8 bc(float a) { v8 r; for (int j = 0; j < 8; j++) r.v[j] = a; return r; }
INLINE v8 zero8(void) { return bc(0.0f); }
INLINE v8 madd(v8 acc, v8 a, v8 b) { for (int j = 0; j < 8; j++) acc.v[j] += a.v[j] * b.v[j]; return acc; }
INLINE v8 mask8(v8 a, v8i m) { for (int j = 0; j < 8; j++) if (!m.v[j]) a.v[j] = 0.0f; return a; }
INLINE v8i lanes_below(int k) { v8i r; for (int j = 0; j < 8; j++) r.v[j] = j < k ? -1 : 0; return r; }
INLINE v8 reduce8(const v8 *a)
{
    v8 r;
    for (int j = 0; j < 8; j++) {
        float s = 0;
        for (int l = 0; l < 8; l++)
            s += a[j].v[l];
        r.v[j] = s;
    }
    return r;
}
#endif

/* Register blocks.  Forward: OB output channels x TV pixel vectors of accumulators, plus one
   input vector and one broadcast weight.  Weight gradient: DOB output channels x 3 kernel
   columns, plus 3 input vectors and one output-gradient vector.  With 32 vector registers
   (AVX-512VL, also for 256-bit vectors) the blocks are twice as large. */
#if defined(__AVX512VL__)
#define REGS32 1
#else
#define REGS32 0
#endif
#ifndef OB
#define OB 8
#endif
#ifndef TV
#define TV (REGS32 ? 2 : 1)
#endif
#ifndef DOB
#define DOB (REGS32 ? 8 : 4)
#endif
#if DOB > 8
#error "DOB > 8: the block sums are reduced 8 vectors at a time"
#endif

/* Copy image planes src (c, h, w) into the interior (offset one row and one column) of dst
   (c, h + 2, wp), whose border the caller zeroed. */
static void pad_planes(const float *src, float *dst, i64 c, i64 h, i64 w, i64 wp)
{
    for (i64 i = 0; i < c; i++)
        for (i64 r = 0; r < h; r++)
            memcpy(dst + (i * (h + 2) + r + 1) * wp + 1, src + (i * h + r) * w, (size_t)w * sizeof(float));
}

/* Weights for the forward kernel: (ceil(f / OB), c, 9, OB), zero beyond f.  Plain: w is
   (f, c, 3, 3).  Transposed (data gradient): w is (c, f, 3, 3) and is used flipped, so that
   packed[o][i][k] = w[i][o][8 - k]. */
static void pack_weights(const float *w, i64 f, i64 c, int transposed, float *out)
{
    i64 fb = (f + OB - 1) / OB;
    memset(out, 0, (size_t)(fb * c * 9 * OB) * sizeof(float));
    for (i64 o = 0; o < f; o++)
        for (i64 i = 0; i < c; i++)
            for (int k = 0; k < 9; k++) {
                float v = transposed ? w[(i * f + o) * 9 + 8 - k] : w[(o * c + i) * 9 + k];
                out[((o / OB * c + i) * 9 + k) * OB + o % OB] = v;
            }
}

/* One forward tile: nf (<= OB) output channels x V pixel vectors starting at vector p0 of the
   (h, wr / 8) grid of output vectors. */
INLINE void fwd_tile(const int V, const float *xp, const float *wb, const float *bias, float *out,
                     i64 c, i64 plane, i64 wp, i64 p0, i64 rowv, i64 orow, i64 oplane, int nf)
{
    i64 xo[TV], oo[TV];
    v8 acc[OB][TV];
    for (int v = 0; v < V; v++) {
        i64 r = (p0 + v) / rowv, col = (p0 + v) % rowv * 8;
        xo[v] = r * wp + col;
        oo[v] = r * orow + col;
    }
    for (int o = 0; o < OB; o++)
        for (int v = 0; v < V; v++)
            acc[o][v] = bias ? bc(bias[o]) : zero8();
    for (i64 i = 0; i < c; i++) {
        const float *xi = xp + i * plane;
        const float *wi = wb + i * 9 * OB;
        for (int kh = 0; kh < 3; kh++)
            for (int kw = 0; kw < 3; kw++) {
                v8 xv[TV];
                for (int v = 0; v < V; v++)
                    xv[v] = ld(xi + xo[v] + kh * wp + kw);
                for (int o = 0; o < OB; o++) {
                    v8 b = bc(wi[(kh * 3 + kw) * OB + o]);
                    for (int v = 0; v < V; v++)
                        acc[o][v] = madd(acc[o][v], b, xv[v]);
                }
            }
    }
    for (int o = 0; o < nf; o++)
        for (int v = 0; v < V; v++)
            st(out + o * oplane + oo[v], acc[o][v]);
}

/* Forward of one padded image xp (c, h + 2, wp) into out (f, h, orow-strided rows of wr). */
static void fwd_image(const float *xp, const float *wt, const float *bias, float *out,
                      i64 c, i64 f, i64 h, i64 wr, i64 wp, i64 orow)
{
    i64 rowv = wr / 8, nv = h * rowv, plane = (h + 2) * wp, oplane = h * orow;
    float bb[OB];
    for (i64 ob = 0; ob < f; ob += OB) {
        int nf = f - ob < OB ? (int)(f - ob) : OB;
        const float *bp = NULL;
        if (bias) {
            for (int o = 0; o < OB; o++)
                bb[o] = o < nf ? bias[ob + o] : 0.0f;
            bp = bb;
        }
        const float *wb = wt + ob * c * 9;
        float *ob_out = out + ob * oplane;
        i64 p = 0;
        for (; p + TV <= nv; p += TV)
            fwd_tile(TV, xp, wb, bp, ob_out, c, plane, wp, p, rowv, orow, oplane, nf);
        switch (nv - p) {
#define TAIL(k) case k: if (k < TV) fwd_tile(k < TV ? k : 1, xp, wb, bp, ob_out, c, plane, wp, p, rowv, orow, oplane, nf); break;
        TAIL(1) TAIL(2) TAIL(3) TAIL(4) TAIL(5) TAIL(6) TAIL(7)
#undef TAIL
        default: break;
        }
    }
}

/* -- threads ---------------------------------------------------------------------------------
   A call may split its images over nthreads threads (POSIX threads, created per call: ~20 us
   against calls of milliseconds).  Work items (images, or chunks of them) are taken from a
   shared counter, so a thread slowed by another process (OpenBLAS's spinning workers) takes
   fewer; every result is the same bits whatever thread computed it (the weight gradient sums
   per-item partial sums in item order).  Without POSIX threads, GCC atomics, or when
   pthread_create is not linked in (the symbols are weak) or fails, the caller runs every item. */
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__unix__) || defined(__APPLE__)) && !defined(NO_THREADS)
#include <pthread.h>
#define HAVE_THREADS 1
#if defined(__ELF__)
#pragma weak pthread_create
#pragma weak pthread_join
#endif
#define NEXT_ITEM(p) __atomic_fetch_add((p), 1, __ATOMIC_RELAXED)
#else
#define HAVE_THREADS 0
#define NEXT_ITEM(p) ((*(p))++)
#endif

#define MAX_THREADS 64

typedef void (*worker_fn)(void *);
typedef struct {
    worker_fn fn;
    void *arg;
} worker_call;

#if HAVE_THREADS
static void *thread_main(void *call)
{
    worker_call *wc = call;
    wc->fn(wc->arg);
    return NULL;
}
#endif

/* Runs fn(arg) on nthreads threads (the caller's among them) and waits for all. */
static void run_workers(worker_fn fn, void *arg, i64 nthreads)
{
#if HAVE_THREADS
    pthread_t tid[MAX_THREADS];
    worker_call job = {fn, arg};
    int started = 0;
    if (nthreads > MAX_THREADS)
        nthreads = MAX_THREADS;
    if (pthread_create != NULL && pthread_join != NULL)
        for (i64 t = 1; t < nthreads; t++) {
            if (pthread_create(&tid[started], NULL, thread_main, &job) != 0)
                break;
            started++;
        }
    fn(arg);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
#else
    (void)nthreads;
    fn(arg);
#endif
}

/* -- forward and data gradient ---------------------------------------------------------------- */
typedef struct {
    const float *x, *wt, *bias;
    float *y;
    i64 n, c, f, h, w, wr, wp, plane;
    i64 next;  /* the next image to take */
} fwd_job;

static void fwd_worker(void *arg)
{
    fwd_job *j = arg;
    i64 c = j->c, f = j->f, h = j->h, w = j->w, wr = j->wr, wp = j->wp;
    size_t nx = (size_t)(c * j->plane), no = wr == w ? 0 : (size_t)(f * h * wr);
    float *xp = calloc(nx + no, sizeof(float));
    if (!xp)  /* no memory: the other workers (or the caller's retry) take the items */
        return;
    float *tmp = xp + nx;
    for (;;) {
        i64 m = NEXT_ITEM(&j->next);
        if (m >= j->n)
            break;
        pad_planes(j->x + m * c * h * w, xp, c, h, w, wp);
        float *ym = j->y + m * f * h * w;
        if (wr == w) {
            fwd_image(xp, j->wt, j->bias, ym, c, f, h, wr, wp, w);
        } else {
            fwd_image(xp, j->wt, j->bias, tmp, c, f, h, wr, wp, wr);
            for (i64 r = 0; r < f * h; r++)
                memcpy(ym + r * w, tmp + r * wr, (size_t)w * sizeof(float));
        }
    }
    free(xp);
}

/* y (n, f, h, w) = conv(x (n, c, h, w), w) + bias, 3x3, stride 1, pad 1, on up to nthreads
   threads.  transposed = 0: weights (f, c, 3, 3); transposed = 1: weights (c, f, 3, 3) used
   flipped with channels swapped (the data gradient: x is dy, y is dx).  has_bias: bias (f,) is
   added.  Returns 0, or 1 when out of memory. */
i64 conv3x3_fwd_f32(const void *xo, const void *wo, const void *bo, i64 has_bias, void *yo,
                    i64 n, i64 c, i64 f, i64 h, i64 w, i64 transposed, i64 nthreads)
{
    fwd_job j;
    i64 fb = (f + OB - 1) / OB;
    float *wt = malloc((size_t)(fb * OB * c * 9) * sizeof(float));
    if (!wt)
        return 1;
    pack_weights(native_data(wo), f, c, (int)transposed, wt);
    j.x = native_data(xo);
    j.wt = wt;
    j.bias = has_bias ? (const float *)native_data(bo) : NULL;
    j.y = native_data(yo);
    j.n = n, j.c = c, j.f = f, j.h = h, j.w = w;
    j.wr = (w + 7) / 8 * 8, j.wp = j.wr + 2, j.plane = (h + 2) * j.wp;
    j.next = 0;
    run_workers(fwd_worker, &j, nthreads < n ? nthreads : n);
    if (j.next < n)  /* every worker failed before taking its images */
        fwd_worker(&j);
    free(wt);
    return j.next < n;
}

/* -- weight gradient ---------------------------------------------------------------------------- */
/* Weight-gradient accumulation for output channels ob..ob+DOB (rows of dy: d[o], row stride
   drow, image stride dimg), input channel plane xi (padded, image stride ximg, kernel row kh
   already applied), over nb images: NF full vectors per row (a constant where it is small, so
   that the row is unrolled; NF < 0: nfull), then a masked tail of `tail` lanes if nonzero. */
INLINE void dw_rows(const int NF, const float *xi, i64 ximg, const float *const *d, i64 dimg,
                    i64 drow, i64 h, i64 wp, i64 nfull, int tail, v8 acc[DOB][3], i64 nb)
{
    v8i m = lanes_below(tail);
    i64 nv = NF >= 0 ? NF : nfull;
    for (i64 im = 0; im < nb; im++) {
        const float *xr = xi + im * ximg;
        i64 dofs = im * dimg;
        for (i64 r = 0; r < h; r++, xr += wp, dofs += drow) {
            for (i64 cv = 0; cv < nv; cv++) {
                v8 x0 = ld(xr + cv * 8), x1 = ld(xr + cv * 8 + 1), x2 = ld(xr + cv * 8 + 2);
                for (int o = 0; o < DOB; o++) {
                    v8 dv = ld(d[o] + dofs + cv * 8);
                    KEEP(dv);
                    acc[o][0] = madd(acc[o][0], dv, x0);
                    acc[o][1] = madd(acc[o][1], dv, x1);
                    acc[o][2] = madd(acc[o][2], dv, x2);
                }
            }
            if (tail) {
                i64 cv = nv;
                v8 x0 = mask8(ld(xr + cv * 8), m), x1 = mask8(ld(xr + cv * 8 + 1), m),
                   x2 = mask8(ld(xr + cv * 8 + 2), m);
                for (int o = 0; o < DOB; o++) {
                    v8 dv = ld(d[o] + dofs + cv * 8);
                    KEEP(dv);
                    acc[o][0] = madd(acc[o][0], dv, x0);
                    acc[o][1] = madd(acc[o][1], dv, x1);
                    acc[o][2] = madd(acc[o][2], dv, x2);
                }
            }
        }
    }
}

/* One weight-gradient block over nb images: output channels ob.. (DOB of them, duplicates past
   f), input channel i, kernel row kh.  Its 3 x DOB sums go to pp[k * DOB + o] (k the kernel
   column), added when add, else stored. */
static void dw_block(const float *xi, i64 ximg, const float *const *d, i64 dimg, i64 drow, i64 h,
                     i64 wp, i64 nfull, int tail, float *pp, int add, i64 nb)
{
    v8 acc[DOB][3];
    for (int o = 0; o < DOB; o++)
        for (int k = 0; k < 3; k++)
            acc[o][k] = zero8();
#ifdef NO_SPEC
    dw_rows(-1, xi, ximg, d, dimg, drow, h, wp, nfull, tail, acc, nb);
#else
    if (tail)
        dw_rows(-1, xi, ximg, d, dimg, drow, h, wp, nfull, tail, acc, nb);
    else if (nfull == 1)
        dw_rows(1, xi, ximg, d, dimg, drow, h, wp, nfull, 0, acc, nb);
    else if (nfull == 2)
        dw_rows(2, xi, ximg, d, dimg, drow, h, wp, nfull, 0, acc, nb);
    else if (nfull == 4)
        dw_rows(4, xi, ximg, d, dimg, drow, h, wp, nfull, 0, acc, nb);
    else
        dw_rows(-1, xi, ximg, d, dimg, drow, h, wp, nfull, 0, acc, nb);
#endif
    for (int k = 0; k < 3; k++) {
        v8 t[8];
        float sum[8];
        for (int o = 0; o < 8; o++)
            t[o] = o < DOB ? acc[o < DOB ? o : 0][k] : zero8();
        st(sum, reduce8(t));
        for (int o = 0; o < DOB; o++)
            pp[k * DOB + o] = add ? pp[k * DOB + o] + sum[o] : sum[o];
    }
}


typedef struct {
    const float *x, *dy;
    float *part;  /* per item: (f, c, 9) partial sums */
    i64 n, c, f, h, w, wr, wp, plane, nb, band, nitems;
    i64 next;  /* the next item to take */
} dw_job;

/* Work item: images [it * nb, +nb): padded into xp, dy rows (zero-padded to wr when w is not a
   multiple of 8) into dp; sums into part[it], band rows at a time (whole images when nb > 1). */
static void dw_worker(void *arg)
{
    dw_job *j = arg;
    i64 c = j->c, f = j->f, h = j->h, w = j->w, wr = j->wr, wp = j->wp, plane = j->plane, nb = j->nb;
    i64 kp = (f + DOB - 1) / DOB * DOB * c * 9;
    i64 nfull = w / 8;
    int tail = (int)(w % 8);
    size_t nx = (size_t)(nb * c * plane), nd = nb == 1 && wr == w ? 0 : (size_t)(nb * kp / (c * 9) * h * wr);
    float *xp = calloc(nx + nd, sizeof(float));
    if (!xp)  /* no memory: the other workers (or the caller's retry) take the items */
        return;
    float *dp = xp + nx;
    for (;;) {
        i64 it = NEXT_ITEM(&j->next);
        if (it >= j->nitems)
            break;
        i64 m0 = it * nb, cnt = j->n - m0 < nb ? j->n - m0 : nb;
        float *part = j->part + it * kp;
        /* image im, channel i is padded plane im * c + i */
        pad_planes(j->x + m0 * c * h * w, xp, cnt * c, h, w, wp);
        /* dy: read in place for single images of a width that is a multiple of 8; else copied
           to blocks (ceil(f / DOB), cnt, DOB, h, wr) so that each block's rows are contiguous
           (images of the same channel lie a multiple of 4 KB apart: reading 8 channels of
           many images at once thrashes the L1 cache's sets), zero-padded to wr */
        int copy = cnt > 1 || wr != w;
        const float *src = j->dy + m0 * f * h * w;
        if (copy)
            for (i64 im = 0; im < cnt; im++)
                for (i64 o = 0; o < f; o++) {
                    float *dst = dp + ((o / DOB * cnt + im) * DOB + o % DOB) * h * wr;
                    for (i64 r = 0; r < h; r++)
                        memcpy(dst + r * wr, src + ((im * f + o) * h + r) * w, (size_t)w * sizeof(float));
                }
        i64 drow = copy ? wr : w, dimg = copy ? DOB * h * wr : f * h * w;
        i64 band = cnt > 1 ? h : j->band;
        for (i64 r0 = 0; r0 < h; r0 += band) {
            i64 rows = h - r0 < band ? h - r0 : band;
            for (i64 ob = 0; ob < f; ob += DOB) {
                const float *d[DOB];
                for (int o = 0; o < DOB; o++) {  /* past f: a duplicate, its sums unused */
                    i64 oc = ob + o < f ? o : 0;
                    d[o] = (copy ? dp + ((ob / DOB * cnt) * DOB + oc) * h * wr : src + (ob + oc) * h * w)
                           + r0 * drow;
                }
                for (i64 i = 0; i < c; i++)
                    for (int kh = 0; kh < 3; kh++)
                        dw_block(xp + i * plane + (r0 + kh) * wp, c * plane, d, dimg, drow, rows,
                                 wp, nfull, tail, part + ((ob / DOB * c + i) * 9 + kh * 3) * DOB, r0 > 0, cnt);
            }
        }
    }
    free(xp);
}

/* dw (f, c, 3, 3) = the weight gradient of the 3x3 stride-1 pad-1 convolution of x (n, c, h, w)
   for the output gradient dy (n, f, h, w), on up to nthreads threads.  Work items are chunks of
   nb images (up to ~pixels output pixels each, their data within ~cache bytes), or single images
   in bands of rows of about `pixels` pixels.  Each item sums into its own (ceil(f / DOB), c, 9, DOB) block of partial
   sums; they are added in item order.  Returns 0, or 1 when out of memory. */
i64 conv3x3_dw_f32(const void *xo, const void *dyo, void *dwo, i64 n, i64 c, i64 f, i64 h, i64 w,
                   i64 pixels, i64 cache, i64 nthreads)
{
    dw_job j;
    float *dw = native_data(dwo);
    i64 wr = (w + 7) / 8 * 8, per = h * wr, kp = (f + DOB - 1) / DOB * DOB * c * 9;
    i64 img_bytes = (c * (h + 2) * (wr + 2) + kp / (c * 9) * h * wr) * (i64)sizeof(float);
    if (pixels < 8)
        pixels = 8;
    j.nb = per >= pixels ? 1 : pixels / per;
    if (j.nb > 1 && j.nb * img_bytes > cache)  /* the item's data (x padded, dy copied) in cache */
        j.nb = cache / img_bytes > 1 ? cache / img_bytes : 1;
    if (j.nb > n)
        j.nb = n;
    j.band = per >= pixels ? (pixels / wr > 0 ? pixels / wr : 1) : h;
    j.nitems = (n + j.nb - 1) / j.nb;
    i64 max_items = ((i64)16 << 20) / kp > 1 ? ((i64)16 << 20) / kp : 1;  /* <= 64 MB of sums */
    if (j.nitems > max_items) {
        j.nb = (n + max_items - 1) / max_items;
        j.nitems = (n + j.nb - 1) / j.nb;
    }
    j.part = malloc((size_t)(j.nitems * kp) * sizeof(float));
    if (!j.part)
        return 1;
    j.x = native_data(xo), j.dy = native_data(dyo);
    j.n = n, j.c = c, j.f = f, j.h = h, j.w = w;
    j.wr = wr, j.wp = wr + 2, j.plane = (h + 2) * j.wp;
    j.next = 0;
    run_workers(dw_worker, &j, nthreads < j.nitems ? nthreads : j.nitems);
    if (j.next < j.nitems)
        dw_worker(&j);
    int fail = j.next < j.nitems;
    if (!fail) {
        float *sum = j.part;
        for (i64 it = 1; it < j.nitems; it++)
            for (i64 q = 0; q < kp; q++)
                sum[q] += j.part[it * kp + q];
        for (i64 o = 0; o < f; o++)
            for (i64 i = 0; i < c; i++)
                for (int k = 0; k < 9; k++)
                    dw[(o * c + i) * 9 + k] = sum[((o / DOB * c + i) * 9 + k) * DOB + o % DOB];
    }
    free(j.part);
    return fail;
}
