// Vector exp, shared by every SIMD ISA: one algorithm, written once over an ISA's vector ops
// (simd_avx2.h, simd_avx512.h, simd_neon.h supply set1/max/min/fma/round/ldexp).
//
// exp_scaled(d, k) = e^(d·s), the form every kernel needs (d = x − max, s = 1 / temperature):
//   1. Clamp: d = min(dhi, max(dlo, d)) with dlo = lo/s, dhi = hi/s (the kernels, whose d is
//      x − max ≤ 0, skip the min). The vector is the second operand, so a NaN survives (x86
//      max/min return the second operand when unordered; NEON propagates NaN). −Inf and −1e30
//      clamp to lo, where the result is 0; +Inf to hi (→ +Inf).
//   2. Range reduction (Cody–Waite): n = round(d·s·log2 e), r = d·s − n·ln2_hi − n·ln2_lo, with
//      |r| ≤ ln2/2. d·s is formed inside an FMA, so temperature adds no rounding of its own;
//      n·ln2_hi is exact (ln2_hi has 15 significant bits in float, 32 in double).
//   3. e^r = 1 + r·(1 + r·q(r)), by Horner's rule:
//      float:  q of degree 4 (a degree-6 polynomial), fitted here by Lawson-weighted least
//              squares for minimax relative error on [−ln2/2, ln2/2]: 3.8e-9 after rounding the
//              coefficients to float (0.03 ULP), so evaluation rounding dominates;
//      double: Taylor series to degree 13: truncation error 4.1e-18 (0.04 ULP).
//   4. Scale by 2^n with the ISA's ldexp (AVX-512 vscalef; AVX2 and NEON multiply by 2^⌊n/2⌋ and
//      2^(n−⌊n/2⌋) built in the exponent field, so subnormal results round once, correctly).
// Special values: NaN → NaN; −Inf → 0; +Inf → +Inf; underflow → 0 or a subnormal; overflow → +Inf.
//
// Measured maximum error; native/test/exp_test.cc measures it again on every run and fails above
// kExpMaxUlp. AVX2 and AVX-512 (Zen 4) give the same figures:
//   float:  0.909 ULP (at x = 5.19979858), over every float32 input in [lo, ln FLT_MAX] (2.2e9 of
//           them; the overflow band above, to hi, is checked to give +Inf);
//   double: 0.893 ULP (at x = −362.86201942847009), over 10^8 random inputs in [lo, hi] and near 0,
//           against long double expl.
// NEON, under qemu: float 0.868 ULP over every 16th float32 input, double 0.881 ULP over
// 6.25·10^6 inputs. ULP is the spacing of the type at the exact result (the subnormal spacing
// below the smallest normal number).
#ifndef SOFTMAX_SIMD_SIMD_EXP_H
#define SOFTMAX_SIMD_SIMD_EXP_H

namespace {

template <typename T>
struct ExpConstants;

template <>
struct ExpConstants<float> {
  static constexpr float lo = -103.98f;  // below ln(2^-150): e^lo rounds to 0
  static constexpr float hi = 88.73f;    // above ln(FLT_MAX): e^hi is +Inf
  static constexpr float log2e = 1.44269502f;
  static constexpr float ln2_hi = 0.693145751953125f;
  static constexpr float ln2_lo = 1.42860677e-06f;
  // q(r) = c[0] + c[1] r + ... ; e^r = 1 + r + r² q(r)
  static constexpr int degree = 4;
  static constexpr float c[] = {0.49999994f, 0.16666521f, 0.041668389f, 0.0083687101f,
                                0.0013814613f};
};

template <>
struct ExpConstants<double> {
  static constexpr double lo = -745.14;  // below ln(2^-1075)
  static constexpr double hi = 709.79;   // above ln(DBL_MAX)
  static constexpr double log2e = 1.4426950408889634;
  static constexpr double ln2_hi = 0.6931471803691238;
  static constexpr double ln2_lo = 1.9082149292705877e-10;
  static constexpr int degree = 11;  // 1/k! for k = 2..13
  static constexpr double c[] = {0.5,
                                 0.16666666666666666,
                                 0.041666666666666664,
                                 0.008333333333333333,
                                 0.001388888888888889,
                                 0.0001984126984126984,
                                 2.48015873015873e-05,
                                 2.7557319223985893e-06,
                                 2.755731922398589e-07,
                                 2.505210838544172e-08,
                                 2.08767569878681e-09,
                                 1.6059043836821613e-10};
};

// The bounds exp_test.cc holds every ISA to: the measured maxima above with a little room (the
// double figure is sampled; NEON's float figure covers a sixteenth of the inputs).
constexpr double kExpMaxUlp = 0.95;

// Per-row constants of e^(d·s).
template <class O>
struct ExpScale {
  typename O::V s, s_log2e, dlo, dhi;
};

template <class O>
ExpScale<O> exp_scale(typename O::T s) {
  using C = ExpConstants<typename O::T>;
  return {O::set1(s), O::set1(s * C::log2e), O::set1(C::lo / s), O::set1(C::hi / s)};
}

// kPositive: d may be > 0 (the general exp, as exp_test.cc measures it); the kernels pass d =
// x − max ≤ 0 (or NaN) and skip the upper clamp, which cannot change such a d.
// kScaled: s may differ from 1 (a temperature); without it, r = d − n·ln2 takes one op fewer.
template <class O, bool kPositive = true, bool kScaled = true>
inline typename O::V exp_scaled(typename O::V d, const ExpScale<O>& k) {
  using C = ExpConstants<typename O::T>;
  using V = typename O::V;
  const V one = O::set1(typename O::T(1));
  d = O::max(k.dlo, d);
  if (kPositive) d = O::min(k.dhi, d);
  const V n = O::round(O::mul(d, k.s_log2e));
  V r = kScaled ? O::fma(d, k.s, O::mul(n, O::set1(-C::ln2_hi))) : O::fma(n, O::set1(-C::ln2_hi), d);
  r = O::fma(n, O::set1(-C::ln2_lo), r);
  V q = O::set1(C::c[C::degree]);
  for (int i = C::degree - 1; i >= 0; --i) q = O::fma(q, r, O::set1(C::c[i]));
  const V p = O::fma(O::fma(q, r, one), r, one);  // 1 + r·(1 + r·q)
  return O::ldexp(p, n);
}

}  // namespace

#endif  // SOFTMAX_SIMD_SIMD_EXP_H
