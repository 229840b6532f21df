/* Direct convolutions, NCHW float32 (wrappers and dispatch: _native_conv.py): 3x3 with stride 1
 * or 2 and pad 1, 1x1 with stride 1 or 2 and pad 0 (ResNet's) -- forward, data gradient and
 * weight gradient.
 *
 * Every case is one engine over a prepared copy of each image: vectors of 8 output pixels along
 * a row, a register block of OB output channels x up to TV pixel vectors (forward, data
 * gradient) or OB output channels x 3 taps (weight gradient).  The preparation turns every case
 * into unit-stride shifted reads: 3x3 stride 1 pads the image (rows rounded up to a multiple of
 * 8, +2); 3x3 stride 2 splits the padded image into its 4 phases (even/odd rows x even/odd
 * columns), each tap then reading one phase at a shift of 0 or 1; 1x1 flattens the image into
 * one row (stride 2: of the even pixels).  Data gradients are forwards of the output gradient
 * with the weights transposed (3x3 stride 1: flipped too); for 3x3 stride 2 the data gradient's
 * 4 phases are 4 such convolutions with 1, 2, 2 and 4 taps, interleaved afterwards.  Outputs
 * past the width are computed and dropped (forward), and their products masked out of the
 * weight gradient (so that an inf in the data next to them cannot turn a 0 * inf into NaN where
 * the GEMM path never multiplies).
 *
 * Compiled into the library of _native.c (same flags: -O3 -march=native, no FMA contraction);
 * these functions only need float32 tolerance against NumPy, so FMA contraction is switched on
 * here.  The vector type is GCC/Clang's vector extension; other compilers get a plain-C struct
 * of 8 floats with the same operations (correct, slower).  Results differ from the GEMM path
 * only in the order of the float32 sums.
 */
#include "_native_vec.h"

/* Register blocks.  Forward: OB output channels x TV pixel vectors of accumulators, plus one
   input vector and one broadcast weight.  Weight gradient: DOB output channels x 3 kernel
   columns, plus 3 input vectors and one output-gradient vector.  With 32 vector registers
   (REGS32) the blocks are twice as large. */
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

/* Convolution kinds (the `kind` argument of the entry points; _native_conv.py has the same). */
enum { K3S1 = 0, K3S2 = 1, K1S1 = 2, K1S2 = 3 };

#define R8(v) (((v) + 7) / 8 * 8)

/* Copy image planes src (c, h, w) into dst: plane i's row r at dst + i * dplane + off + r * drow.
   The rest of dst (the padding) is the caller's: zeroed once, never written. */
static void copy_planes(const float *src, float *dst, i64 c, i64 h, i64 w, i64 dplane, i64 drow, i64 off)
{
    for (i64 i = 0; i < c; i++)
        for (i64 r = 0; r < h; r++)
            memcpy(dst + i * dplane + off + r * drow, src + (i * h + r) * w, (size_t)w * sizeof(float));
}

/* The 4 phases of the 1-padded planes src (c, h, w): dst (c, 4, ho + 1, wq), phase a * 2 + b's
   (i, j) = padded (2i + a, 2j + b) = src (2i + a - 1, 2j + b - 1). */
static void phase_planes(const float *src, float *dst, i64 c, i64 h, i64 w, i64 ho, i64 wq)
{
    i64 ph = (ho + 1) * wq;
    for (i64 i = 0; i < c; i++)
        for (i64 r = 0; r < h; r++) {
            const float *s = src + (i * h + r) * w;
            float *d0 = dst + (i * 4 + ((r + 1) & 1) * 2) * ph + ((r + 1) >> 1) * wq, *d1 = d0 + ph;
            for (i64 q = 0; q < w / 2; q++) {  /* even columns to phase b = 1, odd ones to b = 0 */
                d1[q] = s[2 * q];
                d0[q + 1] = s[2 * q + 1];
            }
            if (w & 1)
                d1[w / 2] = s[w - 1];
        }
}

/* The even pixels (2r, 2s) of planes src (c, h, w) as rows of ho * wo: dst (c, dplane). */
static void decimate(const float *src, float *dst, i64 c, i64 h, i64 w, i64 ho, i64 wo, i64 dplane)
{
    for (i64 i = 0; i < c; i++)
        for (i64 r = 0; r < ho; r++) {
            const float *s = src + (i * h + 2 * r) * w;
            float *d = dst + i * dplane + r * wo;
            for (i64 q = 0; q < wo; q++)
                d[q] = s[2 * q];
        }
}

/* Weights for the forward engine: (ceil(f / OB), c, nt, OB), zero beyond f; tap k is kernel
   element taps[k] of the kk.  Plain: w is (f, c, kk).  Transposed (data gradient): w is
   (c, f, kk), packed[o][i] = w[i][o]. */
static void pack_weights(const float *w, i64 f, i64 c, int kk, int nt, const int *taps, int transposed, float *out)
{
    i64 fb = (f + OB - 1) / OB;
    memset(out, 0, (size_t)(fb * c * nt * OB) * sizeof(float));
    for (i64 o = 0; o < f; o++)
        for (i64 i = 0; i < c; i++)
            for (int k = 0; k < nt; k++)
                out[((o / OB * c + i) * nt + k) * OB + o % OB] =
                    w[(transposed ? i * f + o : o * c + i) * kk + taps[k]];
}

/* One forward tile: nf (<= OB) output channels x V pixel vectors starting at vector p0 of the
   (rows, rowv) grid of output vectors; tap k of input channel i reads xp + i * plane + toff[k],
   shifted by the pixel's row * wp + column. */
INLINE void fwd_tile(const int V, const int NT, const float *xp, const i64 *toff, const float *wb,
                     const float *bias, float *out, i64 c, i64 plane, i64 wp, i64 p0, i64 rowv,
                     i64 orow, i64 oplane, int nf)
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
        const float *wi = wb + i * NT * OB;
        for (int k = 0; k < NT; k++) {
            v8 xv[TV];
            for (int v = 0; v < V; v++)
                xv[v] = ld(xi + toff[k] + xo[v]);
            for (int o = 0; o < OB; o++) {
                v8 b = bc(wi[k * OB + o]);
                for (int v = 0; v < V; v++)
                    acc[o][v] = madd(acc[o][v], b, xv[v]);
            }
        }
    }
    for (int o = 0; o < nf; o++)
        for (int v = 0; v < V; v++)
            st(out + o * oplane + oo[v], acc[o][v]);
}

/* The forward engine over one prepared image xp (c planes of `plane`, rows of wp): out (f, h,
   orow-strided rows of wr) = sum over the NT taps; NT a constant, so the tap loop unrolls. */
INLINE void grid_nt(const int NT, const float *xp, const i64 *toff, const float *wt, const float *bias,
                    float *out, i64 c, i64 f, i64 plane, i64 wp, i64 h, i64 wr, i64 orow)
{
    i64 rowv = wr / 8, nv = h * rowv, oplane = h * orow;
    float bb[OB];
    for (i64 ob = 0; ob < f; ob += OB) {
        int nf = f - ob < OB ? (int)(f - ob) : OB;
        const float *bp = NULL;
        if (bias) {
            for (int o = 0; o < OB; o++)
                bb[o] = o < nf ? bias[ob + o] : 0.0f;
            bp = bb;
        }
        const float *wb = wt + ob * c * NT;
        float *ob_out = out + ob * oplane;
        i64 p = 0;
        for (; p + TV <= nv; p += TV)
            fwd_tile(TV, NT, xp, toff, wb, bp, ob_out, c, plane, wp, p, rowv, orow, oplane, nf);
        switch (nv - p) {
#define TAIL(k) case k: if (k < TV) fwd_tile(k < TV ? k : 1, NT, xp, toff, wb, bp, ob_out, c, plane, wp, p, rowv, orow, oplane, nf); break;
        TAIL(1) TAIL(2) TAIL(3) TAIL(4) TAIL(5) TAIL(6) TAIL(7)
#undef TAIL
        default: break;
        }
    }
}

/* grid_nt for the tap counts used: 9 (3x3), 1 (1x1), 2 and 4 (phases of a strided gradient) */
static void grid(int nt, const float *xp, const i64 *toff, const float *wt, const float *bias, float *out,
                 i64 c, i64 f, i64 plane, i64 wp, i64 h, i64 wr, i64 orow)
{
    switch (nt) {
    case 1: grid_nt(1, xp, toff, wt, bias, out, c, f, plane, wp, h, wr, orow); break;
    case 2: grid_nt(2, xp, toff, wt, bias, out, c, f, plane, wp, h, wr, orow); break;
    case 4: grid_nt(4, xp, toff, wt, bias, out, c, f, plane, wp, h, wr, orow); break;
    default: grid_nt(9, xp, toff, wt, bias, out, c, f, plane, wp, h, wr, orow); break;
    }
}

/* -- threads: see _native_threads.h; the weight gradient sums per-item partial sums in item
   order, so its result too is the same bits whatever the thread count ---------------------- */
#include "_native_threads.h"

/* -- forward and data gradient ---------------------------------------------------------------- */
/* How an input image is prepared, and how the computed grid becomes the output image. */
enum { IN_PAD, IN_PHASE, IN_FLAT, IN_DECIM, IN_PADBR };
enum { OUT_ROWS, OUT_SCATTER2, OUT_PHASES };

typedef struct {
    const float *x, *bias;
    float *y;
    const float *wt[4];  /* packed weights of each pass */
    i64 toff[4][9];      /* tap offsets of each pass */
    int nt[4], npass, in_mode, out_mode;
    i64 n, c, f;         /* images, input and output channels of the engine */
    i64 ih, iw;          /* input image */
    i64 oh, ow;          /* output image */
    i64 gh, gw, wr;      /* each pass computes gh rows of wr >= gw pixels (gw of them kept) */
    i64 sw;              /* OUT_SCATTER2, IN_DECIM: the width of the stride-2 grid */
    i64 plane, wq;       /* prepared input: channel stride, row stride */
    i64 next;            /* the next image to take */
} fwd_job;

/* Image xm (c, ih, iw) into dst in input layout `mode` (see set_input): rows wq apart, planes
   `plane` apart; gh/gw the computed grid (IN_DECIM: gw = ho * wo). */
static void prepare_image(int mode, const float *xm, float *dst, i64 c, i64 ih, i64 iw, i64 gh,
                          i64 gw, i64 wo, i64 wq, i64 plane)
{
    switch (mode) {
    case IN_PAD: copy_planes(xm, dst, c, ih, iw, plane, wq, wq + 1); break;
    case IN_PHASE: phase_planes(xm, dst, c, ih, iw, gh, wq); break;
    case IN_DECIM: decimate(xm, dst, c, ih, iw, gw / wo, wo, plane); break;
    case IN_PADBR: copy_planes(xm, dst, c, ih, iw, plane, wq, 0); break;
    default: copy_planes(xm, dst, c, 1, gw, plane, plane, 0);
    }
}

static void fwd_worker(void *arg)
{
    fwd_job *j = arg;
    i64 c = j->c, f = j->f, gh = j->gh, gw = j->gw, wr = j->wr;
    int in_place = j->in_mode == IN_FLAT && j->plane == gw, direct = j->out_mode == OUT_ROWS && wr == gw;
    size_t nx = in_place ? 0 : (size_t)(c * j->plane), no = direct ? 0 : (size_t)(j->npass * f * gh * wr);
    float *xp = calloc(nx + no + 1, sizeof(float));
    if (!xp)  /* no memory: the other workers (or the caller's retry) take the items */
        return;
    float *tmp = xp + nx;
    for (;;) {
        i64 m = NEXT_ITEM(&j->next);
        if (m >= j->n)
            break;
        const float *xm = j->x + m * c * j->ih * j->iw, *src = xp;
        if (in_place)
            src = xm;
        else
            prepare_image(j->in_mode, xm, xp, c, j->ih, j->iw, gh, gw, j->sw, j->wq, j->plane);
        float *ym = j->y + m * f * j->oh * j->ow, *g = direct ? ym : tmp;
        i64 orow = direct ? gw : wr;
        for (int p = 0; p < j->npass; p++)
            grid(j->nt[p], src, j->toff[p], j->wt[p], j->bias, g + p * f * gh * orow, c, f, j->plane,
                 j->wq, gh, wr, orow);
        if (j->out_mode == OUT_ROWS && !direct) {
            for (i64 r = 0; r < f * gh; r++)
                memcpy(ym + r * gw, tmp + r * wr, (size_t)gw * sizeof(float));
        } else if (j->out_mode == OUT_SCATTER2) {  /* (r, s) of the grid to (2r, 2s), zeros between */
            i64 sw = j->sw, sh = gw / sw;
            memset(ym, 0, (size_t)(f * j->oh * j->ow) * sizeof(float));
            for (i64 o = 0; o < f; o++)
                for (i64 r = 0; r < sh; r++)
                    for (i64 s = 0; s < sw; s++)
                        ym[(o * j->oh + 2 * r) * j->ow + 2 * s] = tmp[o * wr + r * sw + s];
        } else if (j->out_mode == OUT_PHASES) {  /* pass a * 2 + b holds the pixels (2i + a, 2j + b) */
            for (i64 o = 0; o < f; o++)
                for (i64 r = 0; r < j->oh; r++) {
                    const float *t0 = tmp + ((r & 1) * 2 * f + o) * gh * wr + (r >> 1) * wr;
                    const float *t1 = t0 + f * gh * wr;
                    float *d = ym + (o * j->oh + r) * j->ow;
                    for (i64 s = 0; s < j->ow / 2; s++) {
                        d[2 * s] = t0[s];
                        d[2 * s + 1] = t1[s];
                    }
                    if (j->ow & 1)
                        d[j->ow - 1] = t0[j->ow / 2];
                }
        }
    }
    free(xp);
}

/* Runs the job's passes with packed weights; returns 0, or 1 when out of memory. */
static i64 run_fwd(fwd_job *j, const float *w, int kk, const int taps[4][9], int transposed, i64 nthreads)
{
    i64 fb = (j->f + OB - 1) / OB, per = fb * OB * j->c * 9;
    float *wt = malloc((size_t)(j->npass * per) * sizeof(float));
    if (!wt)
        return 1;
    for (int p = 0; p < j->npass; p++) {
        pack_weights(w, j->f, j->c, kk, j->nt[p], taps[p], transposed, wt + p * per);
        j->wt[p] = wt + p * per;
    }
    j->next = 0;
    run_workers(fwd_worker, j, nthreads < j->n ? nthreads : j->n);
    if (j->next < j->n)  /* every worker failed before taking its images */
        fwd_worker(j);
    free(wt);
    return j->next < j->n;
}

/* Output length of a kind along an axis of length s. */
static i64 out_len(i64 kind, i64 s)
{
    return kind == K3S1 || kind == K1S1 ? s : kind == K3S2 ? (s + 1) / 2 : (s - 1) / 2 + 1;
}

/* Channel stride of a 1x1 convolution's image of gw pixels: read in place (gw) where rows of
   vectors fit and the planes do not lie a multiple of 1 KB apart; else copied, planes 64 bytes
   apart beyond a multiple of 8 floats (the 16-64 planes that a pixel vector reads at once, or
   8 of them with 3 more in the weight gradient, would otherwise share a few L1 cache sets: a
   64 -> 16 forward on 32x32 images ran at 30 GFLOP/s instead of ~100). */
static i64 flat_plane(i64 gw, int may_read_in_place)
{
    return may_read_in_place && gw % 8 == 0 && gw % 256 != 0 ? gw : R8(gw) + 16;
}

/* Row and plane strides (*wq, *plane) of the prepared input in layout `mode` for a grid of
   gh x gw outputs in rows of wr. */
static void input_layout(int mode, i64 gh, i64 gw, i64 wr, i64 *wq, i64 *plane)
{
    *wq = mode == IN_PAD ? wr + 2 : mode == IN_PHASE || mode == IN_PADBR ? wr + 1 : wr;
    *plane = mode == IN_PAD ? (gh + 2) * *wq : mode == IN_PHASE ? 4 * (gh + 1) * *wq
           : mode == IN_PADBR ? (gh + 1) * *wq : flat_plane(gw, mode == IN_FLAT);
}

/* Input layout of the job for the grid it computes (gh, gw, wr set). */
static void set_input(fwd_job *j, int mode)
{
    j->in_mode = mode;
    input_layout(mode, j->gh, j->gw, j->wr, &j->wq, &j->plane);
}

/* The forward's input layout for a kind of convolution (the weight gradient prepares its data
   the same way). */
static int input_mode(i64 kind)
{
    return kind == K3S1 ? IN_PAD : kind == K3S2 ? IN_PHASE : kind == K1S1 ? IN_FLAT : IN_DECIM;
}

/* y (n, f, ho, wo) = conv(x (n, c, h, w), w (f, c, k, k)) + bias (f,) when has_bias, for a kind
   (3x3 pad 1 or 1x1 pad 0, stride 1 or 2), on up to nthreads threads.  Returns 0, or 1 when out
   of memory. */
i64 dconv_fwd_f32(const void *xo, const void *wto, const void *bo, i64 has_bias, void *yo,
                  i64 n, i64 c, i64 f, i64 h, i64 w, i64 kind, i64 nthreads)
{
    static const int taps[4][9] = {{0, 1, 2, 3, 4, 5, 6, 7, 8}};
    fwd_job j = {0};
    int k3 = kind == K3S1 || kind == K3S2;
    j.x = native_data(xo), j.y = native_data(yo);
    j.bias = has_bias ? (const float *)native_data(bo) : NULL;
    j.n = n, j.c = c, j.f = f, j.ih = h, j.iw = w;
    j.oh = out_len(kind, h), j.ow = out_len(kind, w);
    j.gh = k3 ? j.oh : 1, j.gw = k3 ? j.ow : j.oh * j.ow, j.wr = R8(j.gw), j.sw = j.ow;
    j.npass = 1, j.nt[0] = k3 ? 9 : 1, j.out_mode = OUT_ROWS;
    set_input(&j, input_mode(kind));
    for (int t = 0; t < 9; t++)  /* tap (kh, kw) */
        j.toff[0][t] = kind == K3S1 ? t / 3 * j.wq + t % 3
                     : ((t / 3 & 1) * 2 + (t % 3 & 1)) * (j.gh + 1) * j.wq + t / 6 * j.wq + t % 3 / 2;
    return run_fwd(&j, native_data(wto), k3 ? 9 : 1, taps, 0, nthreads);
}

/* dx (n, c, h, w) = the data gradient of dconv_fwd_f32 (same arguments) for the output gradient
   dy (n, f, ho, wo).  Returns 0, or 1 when out of memory. */
i64 dconv_dx_f32(const void *dyo, const void *wto, void *dxo, i64 n, i64 c, i64 f, i64 h, i64 w,
                 i64 kind, i64 nthreads)
{
    /* 3x3 stride 1: all taps flipped; stride 2: the phases (even, even), (even, odd), (odd,
       even), (odd, odd) of dx, each reading dy at shifts (row, column) of 0 or 1 */
    static const int flipped[4][9] = {{8, 7, 6, 5, 4, 3, 2, 1, 0}};
    static const int phases[4][9] = {{4}, {3, 5}, {1, 7}, {0, 2, 6, 8}};
    fwd_job j = {0};
    i64 ho = out_len(kind, h), wo = out_len(kind, w);
    j.x = native_data(dyo), j.y = native_data(dxo);
    j.n = n, j.c = f, j.f = c, j.ih = ho, j.iw = wo, j.oh = h, j.ow = w;
    j.npass = 1, j.nt[0] = 1, j.out_mode = OUT_ROWS, j.sw = wo;
    if (kind == K3S1) {
        j.gh = h, j.gw = w, j.wr = R8(w), j.nt[0] = 9;
        set_input(&j, IN_PAD);
        for (int t = 0; t < 9; t++)
            j.toff[0][t] = t / 3 * j.wq + t % 3;
        return run_fwd(&j, native_data(wto), 9, flipped, 1, nthreads);
    }
    if (kind == K3S2) {
        j.gh = ho, j.gw = wo, j.wr = R8(wo), j.npass = 4, j.out_mode = OUT_PHASES;
        set_input(&j, IN_PADBR);
        for (int p = 0; p < 4; p++) {
            j.nt[p] = p == 0 ? 1 : p == 3 ? 4 : 2;
            for (int t = 0; t < j.nt[p]; t++) {  /* kernel row 0 reads dy row a + 1, column 0 column b + 1 */
                int kh = phases[p][t] / 3, kw = phases[p][t] % 3;
                j.toff[p][t] = (kh == 0) * j.wq + (kw == 0);
            }
        }
        return run_fwd(&j, native_data(wto), 9, phases, 1, nthreads);
    }
    static const int one[4][9] = {{0}};
    j.gh = 1, j.gw = ho * wo, j.wr = R8(j.gw);
    if (kind == K1S2)
        j.out_mode = OUT_SCATTER2;
    set_input(&j, IN_FLAT);
    return run_fwd(&j, native_data(wto), 1, one, 1, nthreads);
}

/* -- weight gradient ---------------------------------------------------------------------------- */
/* Weight-gradient accumulation for output channels ob..ob+DOB (rows of dy: d[o], row stride
   drow, image stride dimg) and 3 taps reading x[0..2] (prepared rows, row stride wp, image stride
   ximg), over nb images: NF full vectors per row (a constant where it is small, so that the row
   is unrolled; NF < 0: nfull), then a masked tail of `tail` lanes if nonzero. */
INLINE void dw_rows(const int NF, const float *const *x, i64 ximg, const float *const *d, i64 dimg,
                    i64 drow, i64 h, i64 wp, i64 nfull, int tail, v8 acc[DOB][3], i64 nb)
{
    v8i m = lanes_below(tail);
    i64 nv = NF >= 0 ? NF : nfull;
    for (i64 im = 0; im < nb; im++) {
        const float *x0 = x[0] + im * ximg, *x1 = x[1] + im * ximg, *x2 = x[2] + im * ximg;
        i64 dofs = im * dimg;
        for (i64 r = 0; r < h; r++, x0 += wp, x1 += wp, x2 += wp, dofs += drow) {
            for (i64 cv = 0; cv < nv; cv++) {
                v8 a0 = ld(x0 + cv * 8), a1 = ld(x1 + cv * 8), a2 = ld(x2 + cv * 8);
                for (int o = 0; o < DOB; o++) {
                    v8 dv = ld(d[o] + dofs + cv * 8);
                    KEEP(dv);
                    acc[o][0] = madd(acc[o][0], dv, a0);
                    acc[o][1] = madd(acc[o][1], dv, a1);
                    acc[o][2] = madd(acc[o][2], dv, a2);
                }
            }
            if (tail) {
                i64 cv = nv;
                v8 a0 = mask8(ld(x0 + cv * 8), m), a1 = mask8(ld(x1 + cv * 8), m), a2 = mask8(ld(x2 + cv * 8), m);
                for (int o = 0; o < DOB; o++) {
                    v8 dv = ld(d[o] + dofs + cv * 8);
                    KEEP(dv);
                    acc[o][0] = madd(acc[o][0], dv, a0);
                    acc[o][1] = madd(acc[o][1], dv, a1);
                    acc[o][2] = madd(acc[o][2], dv, a2);
                }
            }
        }
    }
}

/* One weight-gradient block over nb images: output channels ob.. (DOB of them, duplicates past
   f) x 3 taps.  Its 3 x DOB sums go to pp[k * DOB + o] (k the tap), added when add, else
   stored. */
static void dw_block(const float *const *x, i64 ximg, const float *const *d, i64 dimg, i64 drow, i64 h,
                     i64 wp, i64 nfull, int tail, float *pp, int add, i64 nb)
{
    v8 acc[DOB][3];
    for (int o = 0; o < DOB; o++)
        for (int k = 0; k < 3; k++)
            acc[o][k] = zero8();
#ifdef NO_SPEC
    dw_rows(-1, x, ximg, d, dimg, drow, h, wp, nfull, tail, acc, nb);
#else
    if (tail)
        dw_rows(-1, x, ximg, d, dimg, drow, h, wp, nfull, tail, acc, nb);
    else if (nfull == 1)
        dw_rows(1, x, ximg, d, dimg, drow, h, wp, nfull, 0, acc, nb);
    else if (nfull == 2)
        dw_rows(2, x, ximg, d, dimg, drow, h, wp, nfull, 0, acc, nb);
    else if (nfull == 4)
        dw_rows(4, x, ximg, d, dimg, drow, h, wp, nfull, 0, acc, nb);
    else
        dw_rows(-1, x, ximg, d, dimg, drow, h, wp, nfull, 0, acc, nb);
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
    float *part;  /* per item: kp partial sums */
    i64 kind, n, c, f, h, w;
    i64 gh, gw, wr;  /* dy's grid: gh rows of gw pixels (1x1: one row), wr = gw rounded up to 8 */
    i64 plane, wq;   /* prepared x: channel stride, row stride (as for the forward) */
    i64 kp, nb, band, nitems;
    i64 next;  /* the next item to take */
} dw_job;

/* Work item: images [it * nb, +nb): x prepared into xp (1x1 with rows of a multiple of 8: read
   in place), dy rows (zero-padded to wr when gw is not a multiple of 8) into dp; sums into
   part[it], band rows at a time (whole images when nb > 1).  Partial sums: 3x3
   (ceil(f / DOB), c, 9, DOB); 1x1 (ceil(f / DOB), c rounded up to 3, DOB). */
static void dw_worker(void *arg)
{
    dw_job *j = arg;
    i64 c = j->c, f = j->f, gh = j->gh, gw = j->gw, wr = j->wr, wq = j->wq, plane = j->plane, nb = j->nb;
    i64 nfull = gw / 8, kind = j->kind, c3 = (c + 2) / 3 * 3, dpl = gh * wr + 16;
    int tail = (int)(gw % 8), k3 = kind == K3S1 || kind == K3S2, in_place = kind == K1S1 && plane == gw;
    size_t nx = in_place ? 0 : (size_t)(nb * c * plane), nd = nb == 1 && wr == gw ? 0 : (size_t)(nb * R8(f) * dpl);
    float *xp = calloc(nx + nd + 1, sizeof(float));
    if (!xp)  /* no memory: the other workers (or the caller's retry) take the items */
        return;
    float *dp = xp + nx;
    for (;;) {
        i64 it = NEXT_ITEM(&j->next);
        if (it >= j->nitems)
            break;
        i64 m0 = it * nb, cnt = j->n - m0 < nb ? j->n - m0 : nb;
        float *part = j->part + it * j->kp;
        const float *xs = in_place ? j->x + m0 * c * plane : xp;
        for (i64 im = 0; im < cnt && !in_place; im++) {
            const float *xm = j->x + (m0 + im) * c * j->h * j->w;
            float *dst = xp + im * c * plane;
            prepare_image(input_mode(kind), xm, dst, c, j->h, j->w, gh, gw, out_len(K1S2, j->w), wq, plane);
        }
        /* dy: read in place for single images of a width that is a multiple of 8; else copied
           to blocks (ceil(f / DOB), cnt, DOB, planes of gh rows of wr + 16 floats) so that
           each block's rows are near each other (images of the same channel lie a multiple of
           4 KB apart: reading 8 channels of many images at once thrashes the L1 cache's sets;
           the 16 floats keep planes of 1024 floats off each other's sets), zero-padded to wr */
        int copy = cnt > 1 || wr != gw;
        const float *src = j->dy + m0 * f * gh * gw;
        if (copy)
            for (i64 im = 0; im < cnt; im++)
                for (i64 o = 0; o < f; o++) {
                    float *dst = dp + ((o / DOB * cnt + im) * DOB + o % DOB) * dpl;
                    for (i64 r = 0; r < gh; r++)
                        memcpy(dst + r * wr, src + ((im * f + o) * gh + r) * gw, (size_t)gw * sizeof(float));
                }
        i64 drow = copy ? wr : gw, dimg = copy ? DOB * dpl : f * gh * gw;
        i64 band = cnt > 1 ? gh : j->band, ph = (gh + 1) * wq;
        for (i64 r0 = 0; r0 < gh; r0 += band) {
            i64 rows = gh - r0 < band ? gh - r0 : band;
            for (i64 ob = 0; ob < f; ob += DOB) {
                const float *d[DOB];
                for (int o = 0; o < DOB; o++) {  /* past f: a duplicate, its sums unused */
                    i64 oc = ob + o < f ? o : 0;
                    d[o] = (copy ? dp + ((ob / DOB * cnt) * DOB + oc) * dpl : src + (ob + oc) * gh * gw)
                           + r0 * drow;
                }
                float *pb = part + ob / DOB * (k3 ? c * 9 : c3) * DOB;
                if (!k3) {  /* the 3 taps: input channels i, i + 1, i + 2 (past c: duplicates) */
                    for (i64 i = 0; i < c; i += 3) {
                        const float *x[3] = {xs + i * plane, xs + (i + 1 < c ? i + 1 : i) * plane,
                                             xs + (i + 2 < c ? i + 2 : i) * plane};
                        dw_block(x, c * plane, d, dimg, drow, rows, wq, nfull, tail, pb + i * DOB, 0, cnt);
                    }
                    continue;
                }
                for (i64 i = 0; i < c; i++)
                    for (int kh = 0; kh < 3; kh++) {  /* the 3 taps: kernel columns 0, 1, 2 */
                        const float *b = xs + i * plane;
                        const float *x[3];
                        if (kind == K3S1) {
                            b += (r0 + kh) * wq;
                            x[0] = b, x[1] = b + 1, x[2] = b + 2;
                        } else {  /* row phase kh & 1; columns: phase 0, phase 1, phase 0 shifted */
                            b += (kh & 1) * 2 * ph + (r0 + kh / 2) * wq;
                            x[0] = b, x[1] = b + ph, x[2] = b + 1;
                        }
                        dw_block(x, c * plane, d, dimg, drow, rows, wq, nfull, tail,
                                 pb + (i * 9 + kh * 3) * DOB, r0 > 0, cnt);
                    }
            }
        }
    }
    free(xp);
}

/* dw (f, c, k, k) = the weight gradient of dconv_fwd_f32 (same arguments) for the output
   gradient dy (n, f, ho, wo), on up to nthreads threads.  Work items are chunks of nb images (up
   to ~pixels output pixels each, their data within ~cache bytes), or single images in bands of
   rows of about `pixels` pixels.  Each item sums into its own block of partial sums; they are
   added in item order.  Returns 0, or 1 when out of memory. */
i64 dconv_dw_f32(const void *xo, const void *dyo, void *dwo, i64 n, i64 c, i64 f, i64 h, i64 w,
                 i64 kind, i64 pixels, i64 cache, i64 nthreads)
{
    dw_job j = {0};
    float *dw = native_data(dwo);
    int k3 = kind == K3S1 || kind == K3S2;
    i64 ho = out_len(kind, h), wo = out_len(kind, w);
    j.kind = kind, j.n = n, j.c = c, j.f = f, j.h = h, j.w = w;
    j.gh = k3 ? ho : 1, j.gw = k3 ? wo : ho * wo, j.wr = R8(j.gw);
    input_layout(input_mode(kind), j.gh, j.gw, j.wr, &j.wq, &j.plane);
    j.kp = R8(f) / 8 * DOB * (k3 ? c * 9 : (c + 2) / 3 * 3);
    i64 per = j.gh * j.wr, img_bytes = (c * j.plane + R8(f) * (per + 16)) * (i64)sizeof(float);
    if (pixels < 8)
        pixels = 8;
    j.nb = per >= pixels ? 1 : pixels / per;
    /* the item's data (x prepared, dy copied) in cache; but with many channels an item's own
       block of partial sums is as large (128 -> 128 channels: 590 KB), and summing one block
       per image costs more than the cache misses (12x12 images: 107 -> 130 GFLOP/s) */
    i64 lim = j.kp * (i64)sizeof(float) * 5 / 4;
    lim = lim > cache ? lim : cache;
    if (j.nb > 1 && j.nb * img_bytes > lim)
        j.nb = lim / img_bytes > 1 ? lim / img_bytes : 1;
    if (j.nb > n)
        j.nb = n;
    j.band = per >= pixels ? (pixels / j.wr > 0 ? pixels / j.wr : 1) : j.gh;
    j.nitems = (n + j.nb - 1) / j.nb;
    i64 max_items = ((i64)16 << 20) / j.kp > 1 ? ((i64)16 << 20) / j.kp : 1;  /* <= 64 MB of sums */
    if (j.nitems > max_items) {
        j.nb = (n + max_items - 1) / max_items;
        j.nitems = (n + j.nb - 1) / j.nb;
    }
    j.part = malloc((size_t)(j.nitems * j.kp) * sizeof(float));
    if (!j.part)
        return 1;
    j.x = native_data(xo), j.dy = native_data(dyo);
    run_workers(dw_worker, &j, nthreads < j.nitems ? nthreads : j.nitems);
    if (j.next < j.nitems)
        dw_worker(&j);
    int fail = j.next < j.nitems;
    if (!fail) {
        float *sum = j.part;
        i64 cs = k3 ? c * 9 : (c + 2) / 3 * 3;  /* partial sums per block of DOB output channels */
        for (i64 it = 1; it < j.nitems; it++)
            for (i64 q = 0; q < j.kp; q++)
                sum[q] += j.part[it * j.kp + q];
        for (i64 o = 0; o < f; o++)
            for (i64 q = 0; q < (k3 ? c * 9 : c); q++)
                dw[o * (k3 ? c * 9 : c) + q] = sum[(o / DOB * cs + q) * DOB + o % DOB];
    }
    free(j.part);
    return fail;
}
