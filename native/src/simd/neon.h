// NEON (AArch64 Advanced SIMD) vector ops for the shared kernels (rows_impl.h), exp (exp_poly.h)
// and log (log_poly.h). Compiled only in neon.cc; internal linkage throughout. Tails go through a
// small stack buffer: nothing past the end of a row is read or written. NEON max/min propagate NaN.
#ifndef SOFTMAX_SIMD_SIMD_NEON_H
#define SOFTMAX_SIMD_SIMD_NEON_H

#include <arm_neon.h>

#include <cstddef>

namespace {

// Loads, stores and masks of the first n lanes of B's vectors, through a buffer of N lanes.
template <class B>
struct NeonTail : B {
  using typename B::T;
  using typename B::V;
  static V load(const T* p, size_t n, T fill) {
    if (n == B::N) return B::loadu(p);
    T buf[B::N];
    for (size_t i = 0; i < B::N; ++i) buf[i] = i < n ? p[i] : fill;
    return B::loadu(buf);
  }
  static void store(T* p, V v, size_t n) {
    if (n == B::N) return B::storeu(p, v);
    T buf[B::N];
    B::storeu(buf, v);
    for (size_t i = 0; i < n; ++i) p[i] = buf[i];
  }
  static V keep(V v, size_t n) {
    if (n == B::N) return v;
    T buf[B::N];
    B::storeu(buf, v);
    for (size_t i = n; i < B::N; ++i) buf[i] = 0;
    return B::loadu(buf);
  }
};

struct NeonF32Base {
  using T = float;
  using V = float32x4_t;
  static constexpr size_t N = 4;
  static V loadu(const T* p) { return vld1q_f32(p); }
  static void storeu(T* p, V v) { vst1q_f32(p, v); }
};

struct NeonF32 : NeonTail<NeonF32Base> {
  static V set1(T v) { return vdupq_n_f32(v); }
  static V zero() { return vdupq_n_f32(0); }
  static V add(V a, V b) { return vaddq_f32(a, b); }
  static V sub(V a, V b) { return vsubq_f32(a, b); }
  static V mul(V a, V b) { return vmulq_f32(a, b); }
  static V fma(V a, V b, V c) { return vfmaq_f32(c, a, b); }
  static V max(V a, V b) { return vmaxq_f32(a, b); }
  static V min(V a, V b) { return vminq_f32(a, b); }
  static V round(V v) { return vrndnq_f32(v); }
  static V div(V a, V b) { return vdivq_f32(a, b); }
  // |v|: the sign bit cleared (NaN stays NaN).
  static V abs(V v) { return vabsq_f32(v); }
  // Lanes where a < b take t, others f; an ordered compare, so NaN in a or b takes f.
  static V select_less(V a, V b, V t, V f) { return vbslq_f32(vcltq_f32(a, b), t, f); }
  // Lanes where p == ±0 become +0, others v (NaN p keeps v).
  static V zero_where_zero(V p, V v) {
    return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(v), vceqzq_f32(p)));
  }
  // x = 2^e · m with m in [√½, √2), for finite x > 0 (subnormals are scaled by 2^25 first): returns
  // m, sets *e; other x give garbage. The same bit work as Avx2F32::split_exponent.
  static V split_exponent(V x, V* e) {
    const uint32x4_t tiny = vcltq_f32(x, vdupq_n_f32(1.17549435e-38f));
    x = vbslq_f32(tiny, vmulq_f32(x, vdupq_n_f32(33554432.0f)), x);
    const int32x4_t j = vsubq_s32(vreinterpretq_s32_f32(x), vdupq_n_s32(0x003504f3));
    const int32x4_t m = vaddq_s32(vandq_s32(j, vdupq_n_s32(0x007fffff)), vdupq_n_s32(0x3f3504f3));
    const V k = vcvtq_f32_s32(vsubq_s32(vshrq_n_s32(j, 23), vdupq_n_s32(126)));
    *e = vsubq_f32(k, vreinterpretq_f32_u32(vandq_u32(tiny, vreinterpretq_u32_f32(vdupq_n_f32(25.0f)))));
    return vreinterpretq_f32_s32(m);
  }
  // p · 2^n for integral n in [-150, 128], as two exactly representable powers of two.
  static V ldexp(V p, V n) {
    const int32x4_t k = vcvtq_s32_f32(n);
    const int32x4_t k1 = vshrq_n_s32(k, 1);
    const int32x4_t k2 = vsubq_s32(k, k1);
    const int32x4_t bias = vdupq_n_s32(127);
    const V f1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(k1, bias), 23));
    const V f2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(k2, bias), 23));
    return vmulq_f32(vmulq_f32(p, f1), f2);
  }
  // Bit i set where lane i of a == b / a > b (ordered: NaN never sets a bit).
  static unsigned mask_equal(V a, V b) { return bits(vceqq_f32(a, b)); }
  static unsigned mask_greater(V a, V b) { return bits(vcgtq_f32(a, b)); }
  static unsigned bits(uint32x4_t m) {
    const uint32x4_t weights = {1, 2, 4, 8};
    return vaddvq_u32(vandq_u32(m, weights));
  }
  // Short rows (softmax/short_rows.h): for every block of 2H lanes, *lo = a's lower H lanes then
  // b's lower H lanes, *hi = a's upper H then b's upper H; lo op hi halves N rows' partials.
  template <size_t H>
  static void transpose_halves(V a, V b, V* lo, V* hi) {
    if constexpr (H == 2) {
      *lo = vcombine_f32(vget_low_f32(a), vget_low_f32(b));
      *hi = vcombine_f32(vget_high_f32(a), vget_high_f32(b));
    } else {
      static_assert(H == 1, "H is a power of two below N");
      *lo = vtrn1q_f32(a, b);
      *hi = vtrn2q_f32(a, b);
    }
  }
  // Every lane = lane I of v.
  template <size_t I>
  static V broadcast_lane(V v) { return vdupq_laneq_f32(v, I); }
  static T hmax(V v) { return vmaxvq_f32(v); }
  static double hsum(V v) {
    return vaddvq_f64(vaddq_f64(vcvt_f64_f32(vget_low_f32(v)), vcvt_high_f64_f32(v)));
  }
};

struct NeonF64Base {
  using T = double;
  using V = float64x2_t;
  static constexpr size_t N = 2;
  static V loadu(const T* p) { return vld1q_f64(p); }
  static void storeu(T* p, V v) { vst1q_f64(p, v); }
};

struct NeonF64 : NeonTail<NeonF64Base> {
  static V set1(T v) { return vdupq_n_f64(v); }
  static V zero() { return vdupq_n_f64(0); }
  static V add(V a, V b) { return vaddq_f64(a, b); }
  static V sub(V a, V b) { return vsubq_f64(a, b); }
  static V mul(V a, V b) { return vmulq_f64(a, b); }
  static V fma(V a, V b, V c) { return vfmaq_f64(c, a, b); }
  static V max(V a, V b) { return vmaxq_f64(a, b); }
  static V min(V a, V b) { return vminq_f64(a, b); }
  static V round(V v) { return vrndnq_f64(v); }
  static V div(V a, V b) { return vdivq_f64(a, b); }
  // |v|: the sign bit cleared (NaN stays NaN).
  static V abs(V v) { return vabsq_f64(v); }
  // Lanes where a < b take t, others f; an ordered compare, so NaN in a or b takes f.
  static V select_less(V a, V b, V t, V f) { return vbslq_f64(vcltq_f64(a, b), t, f); }
  // Lanes where p == ±0 become +0, others v (NaN p keeps v).
  static V zero_where_zero(V p, V v) {
    return vreinterpretq_f64_u64(vbicq_u64(vreinterpretq_u64_f64(v), vceqzq_f64(p)));
  }
  // x = 2^e · m with m in [√½, √2), for finite x > 0 (subnormals are scaled by 2^54 first): returns
  // m, sets *e; other x give garbage. The same bit work as Avx2F32::split_exponent, in 64 bits.
  static V split_exponent(V x, V* e) {
    const uint64x2_t tiny = vcltq_f64(x, vdupq_n_f64(2.2250738585072014e-308));
    x = vbslq_f64(tiny, vmulq_f64(x, vdupq_n_f64(18014398509481984.0)), x);
    const int64x2_t j = vsubq_s64(vreinterpretq_s64_f64(x), vdupq_n_s64(0x0006a09e667f3bcd));
    const int64x2_t m = vaddq_s64(vandq_s64(j, vdupq_n_s64(0x000fffffffffffff)), vdupq_n_s64(0x3fe6a09e667f3bcd));
    const V k = vcvtq_f64_s64(vsubq_s64(vshrq_n_s64(j, 52), vdupq_n_s64(1022)));
    *e = vsubq_f64(k, vreinterpretq_f64_u64(vandq_u64(tiny, vreinterpretq_u64_f64(vdupq_n_f64(54.0)))));
    return vreinterpretq_f64_s64(m);
  }
  static V ldexp(V p, V n) {
    const int64x2_t k = vcvtq_s64_f64(n);
    const int64x2_t k1 = vshrq_n_s64(k, 1);
    const int64x2_t k2 = vsubq_s64(k, k1);
    const int64x2_t bias = vdupq_n_s64(1023);
    const V f1 = vreinterpretq_f64_s64(vshlq_n_s64(vaddq_s64(k1, bias), 52));
    const V f2 = vreinterpretq_f64_s64(vshlq_n_s64(vaddq_s64(k2, bias), 52));
    return vmulq_f64(vmulq_f64(p, f1), f2);
  }
  static unsigned mask_equal(V a, V b) { return bits(vceqq_f64(a, b)); }
  static unsigned mask_greater(V a, V b) { return bits(vcgtq_f64(a, b)); }
  static unsigned bits(uint64x2_t m) {
    const uint64x2_t weights = {1, 2};
    return static_cast<unsigned>(vaddvq_u64(vandq_u64(m, weights)));
  }
  // Short rows: as NeonF32::transpose_halves.
  template <size_t H>
  static void transpose_halves(V a, V b, V* lo, V* hi) {
    static_assert(H == 1, "H is a power of two below N");
    *lo = vtrn1q_f64(a, b);
    *hi = vtrn2q_f64(a, b);
  }
  template <size_t I>
  static V broadcast_lane(V v) { return vdupq_laneq_f64(v, I); }
  static T hmax(V v) { return vmaxvq_f64(v); }
  static double hsum(V v) { return vaddvq_f64(v); }
};

}  // namespace

#endif  // SOFTMAX_SIMD_SIMD_NEON_H
