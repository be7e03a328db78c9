// AVX2 + FMA vector ops for the shared kernels (rows_impl.h), exp (exp_poly.h) and log
// (log_poly.h). Compiled only in avx2.cc, with -mavx2 -mfma; internal linkage throughout. Tails use
// vmaskmov loads and stores, which never touch the lanes masked off: nothing past the end of a row
// is read or written.
#ifndef SOFTMAX_SIMD_SIMD_AVX2_H
#define SOFTMAX_SIMD_SIMD_AVX2_H

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace {

// Sliding window of all-ones then all-zeros lanes: 8 - n entries in, the first n lanes are on.
alignas(32) const int32_t kLaneMask32[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
alignas(32) const int64_t kLaneMask64[8] = {-1, -1, -1, -1, 0, 0, 0, 0};

struct Avx2F32 {
  using T = float;
  using V = __m256;
  static constexpr size_t N = 8;

  static __m256i first(size_t n) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLaneMask32 + 8 - n));
  }
  static V set1(T v) { return _mm256_set1_ps(v); }
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const T* p, size_t n, T fill) {
    if (n == N) return _mm256_loadu_ps(p);
    const __m256i m = first(n);
    return _mm256_blendv_ps(set1(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
  }
  static void store(T* p, V v, size_t n) {
    if (n == N) {
      _mm256_storeu_ps(p, v);
    } else {
      _mm256_maskstore_ps(p, first(n), v);
    }
  }
  static V keep(V v, size_t n) { return n == N ? v : _mm256_and_ps(v, _mm256_castsi256_ps(first(n))); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V min(V a, V b) { return _mm256_min_ps(a, b); }
  static V round(V v) { return _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V div(V a, V b) { return _mm256_div_ps(a, b); }
  // |v|: the sign bit cleared (NaN stays NaN).
  static V abs(V v) { return _mm256_andnot_ps(set1(-0.0f), v); }
  // Lanes where a < b take t, others f; an ordered compare, so NaN in a or b takes f.
  static V select_less(V a, V b, V t, V f) { return _mm256_blendv_ps(f, t, _mm256_cmp_ps(a, b, _CMP_LT_OQ)); }
  // Lanes where p == ±0 become +0, others v (NaN p keeps v).
  static V zero_where_zero(V p, V v) { return _mm256_andnot_ps(_mm256_cmp_ps(p, zero(), _CMP_EQ_OQ), v); }
  // x = 2^e · m with m in [√½, √2), for finite x > 0 (subnormals are scaled by 2^25 first): returns
  // m, sets *e; other x give garbage. Less √½'s fraction bits, x's bits carry into the exponent
  // field exactly when x's fraction is at least √½'s (so m = fraction + √½'s bits is below √2).
  static V split_exponent(V x, V* e) {
    const V tiny = _mm256_cmp_ps(x, set1(1.17549435e-38f), _CMP_LT_OQ);
    x = _mm256_blendv_ps(x, _mm256_mul_ps(x, set1(33554432.0f)), tiny);
    const __m256i sqrt_half = _mm256_set1_epi32(0x3f3504f3);
    const __m256i j = _mm256_sub_epi32(_mm256_castps_si256(x), _mm256_set1_epi32(0x003504f3));
    const __m256i m = _mm256_add_epi32(_mm256_and_si256(j, _mm256_set1_epi32(0x007fffff)), sqrt_half);
    const V k = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srai_epi32(j, 23), _mm256_set1_epi32(126)));
    *e = _mm256_sub_ps(k, _mm256_and_ps(tiny, set1(25.0f)));
    return _mm256_castsi256_ps(m);
  }
  // p · 2^n for integral n in [-150, 128], as two exactly representable powers of two.
  static V ldexp(V p, V n) {
    const __m256i k = _mm256_cvtps_epi32(n);
    const __m256i k1 = _mm256_srai_epi32(k, 1);
    const __m256i k2 = _mm256_sub_epi32(k, k1);
    const __m256i bias = _mm256_set1_epi32(127);
    const V f1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k1, bias), 23));
    const V f2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k2, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, f1), f2);
  }
  // For exp (simd/exp.h): entry j of an 8-entry table with j the low 3 bits of each lane of z's
  // bits (vpermps reads only those); and t · 2^⌊m/8⌋ for z = 1.5·2^23 + m (m an integer), added to
  // t's exponent field: t and the result must be normal numbers.
  static V lookup8(const V* table, V z) { return _mm256_permutevar8x32_ps(table[0], _mm256_castps_si256(z)); }
  static V scale_by_low_bits8(V t, V z) {
    const __m256i k = _mm256_and_si256(_mm256_slli_epi32(_mm256_castps_si256(z), 20), _mm256_set1_epi32(-0x800000));
    return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(t), k));
  }
  // Bit i set where lane i of a == b / a > b (ordered: NaN never sets a bit).
  static unsigned mask_equal(V a, V b) { return _mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_EQ_OQ)); }
  static unsigned mask_greater(V a, V b) { return _mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_GT_OQ)); }
  // Short rows (softmax/short_rows.h): for every block of 2H lanes, *lo = a's lower H lanes then
  // b's lower H lanes, *hi = a's upper H then b's upper H; lo op hi halves N rows' partials.
  template <size_t H>
  static void transpose_halves(V a, V b, V* lo, V* hi) {
    if constexpr (H == 4) {
      *lo = _mm256_permute2f128_ps(a, b, 0x20);
      *hi = _mm256_permute2f128_ps(a, b, 0x31);
    } else if constexpr (H == 2) {
      *lo = _mm256_shuffle_ps(a, b, 0x44);
      *hi = _mm256_shuffle_ps(a, b, 0xEE);
    } else {
      static_assert(H == 1, "H is a power of two below N");
      *lo = _mm256_blend_ps(a, _mm256_moveldup_ps(b), 0xAA);
      *hi = _mm256_blend_ps(_mm256_movehdup_ps(a), b, 0xAA);
    }
  }
  // Every lane = lane I of v.
  template <size_t I>
  static V broadcast_lane(V v) { return _mm256_permutevar8x32_ps(v, _mm256_set1_epi32(I)); }
  static T hmax(V v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
  }
  static double hsum(V v) {
    const __m256d s = _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)),
                                    _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
    const __m128d h = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    return _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
  }
};

struct Avx2F64 {
  using T = double;
  using V = __m256d;
  static constexpr size_t N = 4;

  static __m256i first(size_t n) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLaneMask64 + 4 - n));
  }
  static V set1(T v) { return _mm256_set1_pd(v); }
  static V zero() { return _mm256_setzero_pd(); }
  static V load(const T* p, size_t n, T fill) {
    if (n == N) return _mm256_loadu_pd(p);
    const __m256i m = first(n);
    return _mm256_blendv_pd(set1(fill), _mm256_maskload_pd(p, m), _mm256_castsi256_pd(m));
  }
  static void store(T* p, V v, size_t n) {
    if (n == N) {
      _mm256_storeu_pd(p, v);
    } else {
      _mm256_maskstore_pd(p, first(n), v);
    }
  }
  static V keep(V v, size_t n) { return n == N ? v : _mm256_and_pd(v, _mm256_castsi256_pd(first(n))); }
  static V add(V a, V b) { return _mm256_add_pd(a, b); }
  static V sub(V a, V b) { return _mm256_sub_pd(a, b); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V max(V a, V b) { return _mm256_max_pd(a, b); }
  static V min(V a, V b) { return _mm256_min_pd(a, b); }
  static V round(V v) { return _mm256_round_pd(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V div(V a, V b) { return _mm256_div_pd(a, b); }
  // |v|: the sign bit cleared (NaN stays NaN).
  static V abs(V v) { return _mm256_andnot_pd(set1(-0.0), v); }
  // Lanes where a < b take t, others f; an ordered compare, so NaN in a or b takes f.
  static V select_less(V a, V b, V t, V f) { return _mm256_blendv_pd(f, t, _mm256_cmp_pd(a, b, _CMP_LT_OQ)); }
  // Lanes where p == ±0 become +0, others v (NaN p keeps v).
  static V zero_where_zero(V p, V v) { return _mm256_andnot_pd(_mm256_cmp_pd(p, zero(), _CMP_EQ_OQ), v); }
  // x = 2^e · m with m in [√½, √2), for finite x > 0 (subnormals are scaled by 2^54 first), as
  // Avx2F32::split_exponent. AVX2 has no 64-bit arithmetic shift nor int64 → double: the biased
  // exponent (0..2047 for x > 0) goes into the low bits of 2^52, which is then subtracted.
  static V split_exponent(V x, V* e) {
    const V tiny = _mm256_cmp_pd(x, set1(2.2250738585072014e-308), _CMP_LT_OQ);
    x = _mm256_blendv_pd(x, _mm256_mul_pd(x, set1(18014398509481984.0)), tiny);
    const __m256i sqrt_half = _mm256_set1_epi64x(0x3fe6a09e667f3bcd);
    const __m256i j = _mm256_sub_epi64(_mm256_castpd_si256(x), _mm256_set1_epi64x(0x0006a09e667f3bcd));
    const __m256i m = _mm256_add_epi64(_mm256_and_si256(j, _mm256_set1_epi64x(0x000fffffffffffff)), sqrt_half);
    const V two52 = set1(4503599627370496.0);
    const V biased = _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(j, 52), _mm256_castpd_si256(two52)));
    *e = _mm256_sub_pd(_mm256_sub_pd(biased, set1(4503599627370496.0 + 1022)), _mm256_and_pd(tiny, set1(54.0)));
    return _mm256_castsi256_pd(m);
  }
  // 2^k for integral k in [-1022, 1023]: k + 1023 lands in the low mantissa bits of k + 1.5·2^52
  // + 1023, and a shift by 52 moves it into the exponent field.
  static V pow2(V k) {
    const V shifted = _mm256_add_pd(k, _mm256_set1_pd(6755399441055744.0 + 1023.0));
    return _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_castpd_si256(shifted), 52));
  }
  // p · 2^n for integral n in [-1075, 1024], as two exactly representable powers of two.
  static V ldexp(V p, V n) {
    const V n1 = _mm256_floor_pd(_mm256_mul_pd(n, _mm256_set1_pd(0.5)));
    return _mm256_mul_pd(_mm256_mul_pd(p, pow2(n1)), pow2(_mm256_sub_pd(n, n1)));
  }
  static unsigned mask_equal(V a, V b) { return _mm256_movemask_pd(_mm256_cmp_pd(a, b, _CMP_EQ_OQ)); }
  static unsigned mask_greater(V a, V b) { return _mm256_movemask_pd(_mm256_cmp_pd(a, b, _CMP_GT_OQ)); }
  // Short rows: as Avx2F32::transpose_halves.
  template <size_t H>
  static void transpose_halves(V a, V b, V* lo, V* hi) {
    if constexpr (H == 2) {
      *lo = _mm256_permute2f128_pd(a, b, 0x20);
      *hi = _mm256_permute2f128_pd(a, b, 0x31);
    } else {
      static_assert(H == 1, "H is a power of two below N");
      *lo = _mm256_unpacklo_pd(a, b);
      *hi = _mm256_unpackhi_pd(a, b);
    }
  }
  template <size_t I>
  static V broadcast_lane(V v) { return _mm256_permute4x64_pd(v, static_cast<int>(I * 0x55)); }
  static T hmax(V v) {
    __m128d m = _mm_max_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    m = _mm_max_sd(m, _mm_unpackhi_pd(m, m));
    return _mm_cvtsd_f64(m);
  }
  static double hsum(V v) {
    const __m128d h = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
  }
};

}  // namespace

#endif  // SOFTMAX_SIMD_SIMD_AVX2_H
