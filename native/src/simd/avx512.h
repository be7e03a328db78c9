// AVX-512F vector ops for the shared kernels (rows_impl.h), exp (exp_poly.h) and log (log_poly.h).
// Compiled only in avx512.cc, with -mavx512f; everything here has internal linkage, so no AVX-512
// code can be linked into another ISA's kernels. Tails use masked loads and stores: nothing past
// the end of a row is read or written.
#ifndef SOFTMAX_SIMD_SIMD_AVX512_H
#define SOFTMAX_SIMD_SIMD_AVX512_H

#include <immintrin.h>

#include <cstddef>

// GCC 12 reports its own _mm512_undefined_ps() inside max/min, getexp/getmant and extract
// intrinsics as (maybe-)uninitialized.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace {

struct Avx512F32 {
  using T = float;
  using V = __m512;
  static constexpr size_t N = 16;

  static __mmask16 first(size_t n) { return static_cast<__mmask16>((1u << n) - 1); }
  static V set1(T v) { return _mm512_set1_ps(v); }
  static V zero() { return _mm512_setzero_ps(); }
  // n lanes from p (n <= N); the other lanes hold `fill`.
  static V load(const T* p, size_t n, T fill) {
    return n == N ? _mm512_loadu_ps(p) : _mm512_mask_loadu_ps(set1(fill), first(n), p);
  }
  static void store(T* p, V v, size_t n) {
    if (n == N) {
      _mm512_storeu_ps(p, v);
    } else {
      _mm512_mask_storeu_ps(p, first(n), v);
    }
  }
  // Lanes from n on become 0.
  static V keep(V v, size_t n) { return n == N ? v : _mm512_maskz_mov_ps(first(n), v); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V max(V a, V b) { return _mm512_max_ps(a, b); }
  static V min(V a, V b) { return _mm512_min_ps(a, b); }
  static V round(V v) { return _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V div(V a, V b) { return _mm512_div_ps(a, b); }
  // |v|: the sign bit cleared (NaN stays NaN).
  static V abs(V v) { return _mm512_abs_ps(v); }
  // Lanes where a < b take t, others f; an ordered compare, so NaN in a or b takes f.
  static V select_less(V a, V b, V t, V f) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), f, t); }
  // Lanes where p == ±0 become +0, others v (NaN p keeps v: != is unordered-true).
  static V zero_where_zero(V p, V v) { return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(p, zero(), _CMP_NEQ_UQ), v); }
  // x = 2^e · m with m in [√½, √2), for finite x > 0, subnormals included (vgetexp / vgetmant
  // normalise them): returns m, sets *e. The split at √2 is the float nearest it, as on AVX2.
  static V split_exponent(V x, V* e) {
    const V m = _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
    const __mmask16 high = _mm512_cmp_ps_mask(m, set1(1.41421354f), _CMP_GE_OQ);
    const V k = _mm512_getexp_ps(x);
    *e = _mm512_mask_add_ps(k, high, k, set1(1));
    return _mm512_mask_mul_ps(m, high, m, set1(0.5f));
  }
  static V ldexp(V p, V n) { return _mm512_scalef_ps(p, n); }
  // For exp (simd/exp.h): p · 2^⌊n⌋ (vscalef floors n), and +0 in lanes where a < b (an ordered
  // compare: NaN keeps p · 2^⌊n⌋); entry j of a 16-entry table (one vector) with j the low 4 bits
  // of each lane of z's bits (vpermps reads only those).
  static V ldexp_floor_unless_less(V p, V n, V a, V b) {
    return _mm512_maskz_scalef_ps(_mm512_cmp_ps_mask(a, b, _CMP_NLT_UQ), p, n);
  }
  static V lookup16(const V* table, V z) { return _mm512_permutexvar_ps(_mm512_castps_si512(z), table[0]); }
  // Bit i set where lane i of a == b / a > b (ordered: NaN never sets a bit).
  static unsigned mask_equal(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static unsigned mask_greater(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  // Short rows (softmax/short_rows.h): for every block of 2H lanes, *lo = a's lower H lanes then
  // b's lower H lanes, *hi = a's upper H then b's upper H; lo op hi halves N rows' partials.
  template <size_t H>
  static void transpose_halves(V a, V b, V* lo, V* hi) {
    if constexpr (H == 8) {
      *lo = _mm512_shuffle_f32x4(a, b, 0x44);
      *hi = _mm512_shuffle_f32x4(a, b, 0xEE);
    } else if constexpr (H == 4) {
      *lo = _mm512_permutex2var_ps(a, _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27), b);
      *hi = _mm512_permutex2var_ps(a, _mm512_setr_epi32(4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31), b);
    } else if constexpr (H == 2) {
      *lo = _mm512_shuffle_ps(a, b, 0x44);
      *hi = _mm512_shuffle_ps(a, b, 0xEE);
    } else {
      static_assert(H == 1, "H is a power of two below N");
      *lo = _mm512_mask_blend_ps(0xAAAA, a, _mm512_moveldup_ps(b));
      *hi = _mm512_mask_blend_ps(0xAAAA, _mm512_movehdup_ps(a), b);
    }
  }
  // Every lane = lane I of v.
  template <size_t I>
  static V broadcast_lane(V v) { return _mm512_permutexvar_ps(_mm512_set1_epi32(I), v); }
  static T hmax(V v) { return _mm512_reduce_max_ps(v); }
  static double hsum(V v) {
    const __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
    const __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
    return _mm512_reduce_add_pd(_mm512_add_pd(lo, hi));
  }
};

struct Avx512F64 {
  using T = double;
  using V = __m512d;
  static constexpr size_t N = 8;

  static __mmask8 first(size_t n) { return static_cast<__mmask8>((1u << n) - 1); }
  static V set1(T v) { return _mm512_set1_pd(v); }
  static V zero() { return _mm512_setzero_pd(); }
  static V load(const T* p, size_t n, T fill) {
    return n == N ? _mm512_loadu_pd(p) : _mm512_mask_loadu_pd(set1(fill), first(n), p);
  }
  static void store(T* p, V v, size_t n) {
    if (n == N) {
      _mm512_storeu_pd(p, v);
    } else {
      _mm512_mask_storeu_pd(p, first(n), v);
    }
  }
  static V keep(V v, size_t n) { return n == N ? v : _mm512_maskz_mov_pd(first(n), v); }
  static V add(V a, V b) { return _mm512_add_pd(a, b); }
  static V sub(V a, V b) { return _mm512_sub_pd(a, b); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V max(V a, V b) { return _mm512_max_pd(a, b); }
  static V min(V a, V b) { return _mm512_min_pd(a, b); }
  static V round(V v) { return _mm512_roundscale_pd(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V div(V a, V b) { return _mm512_div_pd(a, b); }
  // |v|: the sign bit cleared (NaN stays NaN).
  static V abs(V v) { return _mm512_abs_pd(v); }
  // Lanes where a < b take t, others f; an ordered compare, so NaN in a or b takes f.
  static V select_less(V a, V b, V t, V f) { return _mm512_mask_blend_pd(_mm512_cmp_pd_mask(a, b, _CMP_LT_OQ), f, t); }
  // Lanes where p == ±0 become +0, others v (NaN p keeps v: != is unordered-true).
  static V zero_where_zero(V p, V v) { return _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(p, zero(), _CMP_NEQ_UQ), v); }
  // x = 2^e · m with m in [√½, √2), for finite x > 0, subnormals included: as Avx512F32's.
  static V split_exponent(V x, V* e) {
    const V m = _mm512_getmant_pd(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
    const __mmask8 high = _mm512_cmp_pd_mask(m, set1(1.4142135623730951), _CMP_GE_OQ);
    const V k = _mm512_getexp_pd(x);
    *e = _mm512_mask_add_pd(k, high, k, set1(1));
    return _mm512_mask_mul_pd(m, high, m, set1(0.5));
  }
  static V ldexp(V p, V n) { return _mm512_scalef_pd(p, n); }
  // As Avx512F32's: the 16-entry table is two vectors, j's bit 3 picks one (vpermt2pd).
  static V ldexp_floor_unless_less(V p, V n, V a, V b) {
    return _mm512_maskz_scalef_pd(_mm512_cmp_pd_mask(a, b, _CMP_NLT_UQ), p, n);
  }
  static V lookup16(const V* table, V z) { return _mm512_permutex2var_pd(table[0], _mm512_castpd_si512(z), table[1]); }
  static unsigned mask_equal(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ); }
  static unsigned mask_greater(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ); }
  // Short rows: as Avx512F32::transpose_halves.
  template <size_t H>
  static void transpose_halves(V a, V b, V* lo, V* hi) {
    if constexpr (H == 4) {
      *lo = _mm512_shuffle_f64x2(a, b, 0x44);
      *hi = _mm512_shuffle_f64x2(a, b, 0xEE);
    } else if constexpr (H == 2) {
      *lo = _mm512_permutex2var_pd(a, _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13), b);
      *hi = _mm512_permutex2var_pd(a, _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15), b);
    } else {
      static_assert(H == 1, "H is a power of two below N");
      *lo = _mm512_unpacklo_pd(a, b);
      *hi = _mm512_unpackhi_pd(a, b);
    }
  }
  template <size_t I>
  static V broadcast_lane(V v) { return _mm512_permutexvar_pd(_mm512_set1_epi64(I), v); }
  static T hmax(V v) { return _mm512_reduce_max_pd(v); }
  static double hsum(V v) { return _mm512_reduce_add_pd(v); }
};

}  // namespace

#endif  // SOFTMAX_SIMD_SIMD_AVX512_H
