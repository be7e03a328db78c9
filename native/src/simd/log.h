// Vector log and log1p, shared by every SIMD ISA: one algorithm, written once over an ISA's vector
// ops (simd_avx2.h, simd_avx512.h, simd_neon.h supply split_exponent, div, fma, select_less, ...).
//
// log(x), for finite x > 0:
//   1. Range reduction: x = 2^k·m with m in [√½, √2) (split_exponent: AVX-512 vgetexp/vgetmant;
//      AVX2 and NEON integer work on the bits, after scaling subnormals by 2^25 / 2^54), so
//      log x = k·ln2 + log(1 + f) with f = m − 1, exact, in [−0.293, 0.415).
//   2. s = f / (2 + f), |s| ≤ 0.1716, and log(1 + f) = 2 atanh(s) = 2s + s·R(s²). As 2s = f − s·f
//      and s·f = f²/2 − s·f²/2: log(1 + f) = f − f²/2 + s·(f²/2 + R(z)), z = s². The errors of s
//      (rounding 2 + f, then the division) only reach the last term, at most f³/4 ≈ 0.018, and
//      −f²/2 is formed exactly inside an FMA.
//   3. R(z) = z·(c0 + c1 z + ...) by Horner's rule, with coefficients fitted here by Lawson-weighted
//      least squares in 50-digit arithmetic, for minimax absolute error of R on z in [0, 0.02945]
//      (the log's relative error is at most half of it; the leading ones stay near 2/3, 2/5, ...
//      of the Taylor series of 2 atanh):
//      float:  degree 3 in z (3 coefficients): |ΔR| ≤ 1.7e-9 with the coefficients in float;
//      double: degree 7 in z (7 coefficients): |ΔR| ≤ 2.5e-18.
//   4. hi + lo = k·ln2_hi + f exactly (Fast2Sum: k·ln2_hi is exact, and |k·ln2_hi| ≥ |f| unless
//      k = 0, where lo = 0); the small terms s·(f²/2 + R) + k·ln2_lo + lo are summed first, then
//      −f²/2 in one FMA, then hi: the last rounding is the only one of a full ULP's weight.
//   One division; all arithmetic in the element type (float is not widened to double).
// Special values: ±0 → −Inf; x < 0 (−Inf too) → NaN; NaN → NaN; +Inf → +Inf; subnormals are as
// accurate as normal numbers. The lanes are patched with select_less after the arithmetic.
//
// log1p(x): u = 1 + x, c = x − (u − 1) (the rounding error of u: exact while u ≤ 2^24 resp. 2^53,
// negligible beyond), log1p(x) = log u + c/u, c/u joining the small terms of step 4 (0 where c = 0,
// so that x = −1 gives log 0 = −Inf rather than 0/0). Tiny x: u = 1 and the result is c/1 = x
// exactly, subnormals included (log1p(1e-30) = 1e-30). Two divisions. Special values: −1 → −Inf;
// x < −1 → NaN; NaN → NaN; +Inf → +Inf; −0 → +0 (the one sign it loses).
//
// Measured maximum error; native/test/log_test.cc measures it again on every run and fails above
// kLogMaxUlp / kLog1pMaxUlp. AVX2 and AVX-512 (Zen 4) give the same figures, bit for bit (the same
// m, k and operations):
//   log float:    0.743 ULP (at x = 0.703095019), over every positive float32 input;
//   log double:   0.755 ULP (at x = 1.4011813921687388) over 10^9 random inputs (half of them
//                 near 1 or in (0, 4), where the worst cases are), against long double logl;
//                 0.749 over the test's 10^8;
//   log1p float:  0.739 ULP (at x = 0.41099152) over every float32 x ≥ 0, 0.743 ULP (at
//                 x = −0.296904981) over every x in (−1, 0);
//   log1p double: 0.741 ULP (at x = 0.41125696255697947) over 5·10^7 random x ≥ 0 (mostly in
//                 [0, 2]), 0.751 ULP (at x = −0.29314580627176012), the most of two runs of
//                 5·10^7 in (−1, 0); against long double log1pl.
// The worst cases have |f| near its ends (x, or 1 + x for log1p, near √½ or √2), where the
// result is as small as 0.35 and the rounding of s·(f²/2 + R), of the small terms and of the
// final sum add up.
// NEON, under qemu: over every positive float32 the same 0.743 ULP at the same x; with
// SSM_EXP_STRIDE=16 each figure and worst input equals x86's at that stride (e.g. double log
// 0.732 ULP over 6.25·10^6 inputs).
// ULP is the spacing of the type at the exact result (the subnormal spacing below the smallest
// normal number).
#ifndef SOFTMAX_SIMD_SIMD_LOG_H
#define SOFTMAX_SIMD_SIMD_LOG_H

#include <limits>

#include "simd/vector_ops.h"

namespace {

template <typename T>
struct LogConstants;

template <>
struct LogConstants<float> {
  static constexpr float ln2_hi = 0.693145751953125f;  // 15 bits: k·ln2_hi is exact (|k| ≤ 152)
  static constexpr float ln2_lo = 1.42860677e-06f;     // ln2 − ln2_hi
  // R(z) = z·(c[0] + c[1] z + c[2] z²)
  static constexpr int degree = 2;
  static constexpr float c[] = {0.666667759f, 0.399775356f, 0.298719227f};
};

template <>
struct LogConstants<double> {
  static constexpr double ln2_hi = 0.6931471803691238;     // 32 bits: k·ln2_hi is exact (|k| ≤ 1075)
  static constexpr double ln2_lo = 1.9082149292705877e-10;  // ln2 − ln2_hi
  // R(z) = z·(c[0] + c[1] z + ... + c[6] z⁶); 2/(2j + 1) from the Taylor series of 2 atanh, refitted
  static constexpr int degree = 6;
  static constexpr double c[] = {0.6666666666666734,  0.3999999999941458,  0.28571428742410854,
                                 0.22222198570643145, 0.18183564466228166, 0.15314046766458236,
                                 0.1479598954661979};
};

// The bounds log_test.cc holds every ISA to: the measured maxima above with a little room (the
// double figures are sampled, and so are NEON's).
constexpr double kLogMaxUlp = 0.85;
constexpr double kLog1pMaxUlp = 0.85;

// log(2^k·m) + corr for m in [√½, √2) (split_exponent's) and integral k (corr: log1p's
// correction, below the type's epsilon, or 0).
template <class O>
inline typename O::V log_split(typename O::V m, typename O::V k, typename O::V corr) {
  using C = LogConstants<typename O::T>;
  using V = typename O::V;
  const V f = O::sub(m, O::set1(1));  // exact
  const V s = O::div(f, O::add(O::set1(2), f));
  const V z = O::mul(s, s);
  V q = O::set1(C::c[C::degree]);
  for (int i = C::degree - 1; i >= 0; --i) q = O::fma(q, z, O::set1(C::c[i]));
  const V a = O::mul(k, O::set1(C::ln2_hi));  // exact
  const V hi = O::add(a, f);
  const V lo = O::sub(f, O::sub(hi, a));  // hi + lo = k·ln2_hi + f
  const V h = O::mul(O::mul(O::set1(0.5), f), f);  // f²/2, rounded: only s·h sees it
  // The small terms (|s·(f²/2 + R)| ≤ f³/4, the others below an ULP of the result), then −f²/2,
  // exactly, in the FMA, then hi.
  const V small = O::fma(s, O::fma(q, z, h), O::fma(k, O::set1(C::ln2_lo), O::add(lo, corr)));
  return O::add(hi, O::fma(O::mul(O::set1(-0.5), f), f, small));
}

// log(x) + corr for finite x > 0; other x give garbage, which log_specials replaces.
template <class O>
inline typename O::V log_core(typename O::V x, typename O::V corr) {
  typename O::V k;
  const typename O::V m = O::split_exponent(x, &k);
  return log_split<O>(m, k, corr);
}

// r where x is finite and > 0; else −Inf (±0), NaN (x < 0, NaN) or +Inf.
template <class O>
inline typename O::V log_specials(typename O::V x, typename O::V r) {
  using T = typename O::T;
  const T inf = std::numeric_limits<T>::infinity();
  r = O::select_less(x, O::set1(inf), r, x);  // +Inf and NaN are their own log
  r = O::select_less(x, O::set1(std::numeric_limits<T>::denorm_min()), O::set1(-inf), r);  // x ≤ 0
  return select_negative<O>(x, O::set1(std::numeric_limits<T>::quiet_NaN()), r);
}

template <class O>
inline typename O::V log_poly(typename O::V x) {
  return log_specials<O>(x, log_core<O>(x, O::zero()));
}

template <class O>
inline typename O::V log1p_poly(typename O::V x) {
  using V = typename O::V;
  const V one = O::set1(1);
  const V u = O::add(one, x);
  const V c = O::sub(x, O::sub(u, one));
  return log_specials<O>(u, log_core<O>(u, O::zero_where_zero(c, O::div(c, u))));
}

// log(p / q) for finite p > 0 and finite q ≥ 0 (+Inf where q = 0; lanes where p = 0 are the
// caller's to replace). Where p / q is a normal number in every lane that counts, its log, as
// ever; else (q subnormal, p / q beyond the type's range) the quotient of the mantissas (in (½, 2),
// one rounding, as p / q has) with the difference of the exponents.
template <class O>
inline typename O::V log_quotient(typename O::V p, typename O::V q) {
  using V = typename O::V;
  using T = typename O::T;
  const V r = O::div(p, q);
  const unsigned tiny = O::mask_greater(O::set1(std::numeric_limits<T>::min()), r) & ~O::mask_equal(p, O::zero());
  if (!tiny && !O::mask_greater(r, O::set1(std::numeric_limits<T>::max()))) return log_poly<O>(r);
  V kp, kq, k;
  const V mp = O::split_exponent(p, &kp), mq = O::split_exponent(q, &kq);
  const V m = O::split_exponent(O::div(mp, mq), &k);
  const V log = log_split<O>(m, O::add(k, O::sub(kp, kq)), O::zero());
  return O::select_less(q, O::set1(std::numeric_limits<T>::denorm_min()), O::set1(std::numeric_limits<T>::infinity()), log);
}

}  // namespace

#endif  // SOFTMAX_SIMD_SIMD_LOG_H
