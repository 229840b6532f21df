/* Vectors of 8 floats for the direct convolutions (_native_conv.c, _native_convk.c): GCC/Clang
 * vector extensions, else a plain-C struct with the same operations (correct, slower).  These
 * kernels need only float32 tolerance against NumPy, so FMA contraction is on in the files that
 * include this (the rest of the library keeps IEEE operation order).
 */
#ifndef NATIVE_VEC_H
#define NATIVE_VEC_H

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
#define VEC_EXT 1
#define INLINE static inline __attribute__((always_inline))
typedef float v8 __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
INLINE v8 ld(const float *p) { v8 v; memcpy(&v, p, sizeof v); return v; }
INLINE void st(float *p, v8 v) { memcpy(p, &v, sizeof v); }
INLINE v8 bc(float a) { v8 v = {a, a, a, a, a, a, a, a}; return v; }
INLINE v8 zero8(void) { v8 v = {0, 0, 0, 0, 0, 0, 0, 0}; return v; }
INLINE v8 madd(v8 acc, v8 a, v8 b) { return acc + a * b; }
INLINE v8 vadd(v8 a, v8 b) { return a + b; }
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
#define VEC_EXT 0
#define INLINE static inline
#define KEEP(v) ((void)0)
typedef struct { float v[8]; } v8;
typedef struct { int32_t v[8]; } v8i;
INLINE v8 ld(const float *p) { v8 r; memcpy(&r, p, sizeof r); return r; }
INLINE void st(float *p, v8 v) { memcpy(p, &v, sizeof v); }
INLINE v8 bc(float a) { v8 r; for (int j = 0; j < 8; j++) r.v[j] = a; return r; }
INLINE v8 zero8(void) { return bc(0.0f); }
INLINE v8 madd(v8 acc, v8 a, v8 b) { for (int j = 0; j < 8; j++) acc.v[j] += a.v[j] * b.v[j]; return acc; }
INLINE v8 vadd(v8 a, v8 b) { for (int j = 0; j < 8; j++) a.v[j] += b.v[j]; return a; }
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

/* 32 vector registers with AVX-512VL (also for 256-bit vectors): register blocks can be twice
   as large */
#if defined(__AVX512VL__)
#define REGS32 1
#else
#define REGS32 0
#endif

#endif
