// NEON (AArch64 Advanced SIMD) vector ops for the shared kernels (rows_impl.h) and exp
// (exp_poly.h). Compiled only in neon.cc; internal linkage throughout. Tails go through a small
// stack buffer: nothing past the end of a row is read or written. NEON max/min propagate NaN.
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
  static constexpr const char* name = "neon";
  static V set1(T v) { return vdupq_n_f32(v); }
  static V zero() { return vdupq_n_f32(0); }
  static V add(V a, V b) { return vaddq_f32(a, b); }
  static V sub(V a, V b) { return vsubq_f32(a, b); }
  static V mul(V a, V b) { return vmulq_f32(a, b); }
  static V fma(V a, V b, V c) { return vfmaq_f32(c, a, b); }
  static V max(V a, V b) { return vmaxq_f32(a, b); }
  static V min(V a, V b) { return vminq_f32(a, b); }
  static V round(V v) { return vrndnq_f32(v); }
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
  static constexpr const char* name = "neon";
  static V set1(T v) { return vdupq_n_f64(v); }
  static V zero() { return vdupq_n_f64(0); }
  static V add(V a, V b) { return vaddq_f64(a, b); }
  static V sub(V a, V b) { return vsubq_f64(a, b); }
  static V mul(V a, V b) { return vmulq_f64(a, b); }
  static V fma(V a, V b, V c) { return vfmaq_f64(c, a, b); }
  static V max(V a, V b) { return vmaxq_f64(a, b); }
  static V min(V a, V b) { return vminq_f64(a, b); }
  static V round(V v) { return vrndnq_f64(v); }
  static V ldexp(V p, V n) {
    const int64x2_t k = vcvtq_s64_f64(n);
    const int64x2_t k1 = vshrq_n_s64(k, 1);
    const int64x2_t k2 = vsubq_s64(k, k1);
    const int64x2_t bias = vdupq_n_s64(1023);
    const V f1 = vreinterpretq_f64_s64(vshlq_n_s64(vaddq_s64(k1, bias), 52));
    const V f2 = vreinterpretq_f64_s64(vshlq_n_s64(vaddq_s64(k2, bias), 52));
    return vmulq_f64(vmulq_f64(p, f1), f2);
  }
  static T hmax(V v) { return vmaxvq_f64(v); }
  static double hsum(V v) { return vaddvq_f64(v); }
};

}  // namespace

#endif  // SOFTMAX_SIMD_SIMD_NEON_H
