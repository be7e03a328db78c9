// Vector exp, shared by every SIMD ISA: written once over an ISA's vector ops (avx2.h, avx512.h,
// neon.h supply set1/max/min/fma/round/ldexp, AVX-512 lookup16 and AVX2 lookup8 for the table forms).
//
// exp_scaled(d, k) = e^(d·s), the form every kernel needs (d = x − max, s = 1 / temperature). Three
// algorithms: AVX-512 (vpermps for float, vpermt2pd over two vectors for double) takes exp_table16;
// AVX2 float exp_table8 (vpermps over 8 lanes); AVX2 double and NEON the polynomial form.
//
// Polynomial form (exp_poly):
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
//
// Table form (exp_table16). Float: 13 vector ops an element with the kernel's x − max and sum,
// against the polynomial form's 15 (6,480 against 5,560 Melem/s in an L1-resident exp-and-sum
// loop on AVX-512, Xeon with 2 FMA ports); double: 18 against 22.
//   1. z = 16·d·s·log2 e + 1.5·2^23 (2^52 for double) in one FMA: its low mantissa bits hold
//      n = round(16·d·s·log2 e) = 16k + j, j in [0, 16); n/16 = z/16 − magic/16 exactly, in one more FMA.
//   2. r = d·s − (n/16)·ln2_hi − (n/16)·ln2_lo, |r| ≤ ln2/32 (float's ln2_hi has 12 bits and n/16
//      at most 12, double's 32 and 15: their product is exact).
//   3. t_j = 2^(j/16) from a 16-entry table held in registers, indexed by z's low 4 bits (vpermps
//      and vpermt2pd read only those); e^r ≈ 1 + r·q(r): float, q = 1 + c2 r + c3 r², minimax
//      relative error 1.6e-9 (0.03 ULP), and t_j·e^r = t_j + (t_j·r)·q in one final FMA; double, q
//      of degree 6 (Taylor to r^7, 1.2e-18: 0.01 ULP), and the table entries' own rounding errors,
//      from a second table, go into the polynomial: t_j + t_j·(r·q + error_j).
//   4. Scale by 2^k = 2^⌊n/16⌋ with vscalef (which floors its exponent operand), masked: lanes with
//      d < dlo (−Inf, and everything whose result is below half the smallest subnormal) become +0;
//      the compare is unordered-true, so NaN passes through as NaN. For d > 0 (kPositive) d is
//      first clamped at dhi, as in the polynomial form.
//   Float's table entries are rounded to float (up to 0.45 ULP off, j = 3), and that error passes
//   to the result on top of its final rounding: the maximum is just under 1 ULP. The error table,
//   as double has it (one more permute), gives 0.77 ULP but took the loop above from 6,480 to
//   5,800 Melem/s, most of the gain: not taken for float.
// Table form for AVX2 float (exp_table8): AVX2 has no vscalef, and the polynomial form's ldexp
// there takes 9 ops. 17 ops an element against 23 with the kernel's x − max and sum; softmax f32
// 1024x1000 went from 1,351 to 1,640 Melem/s on AVX2 (+21%), logSumExp +26%, CE with gradient +21%.
//   1. Clamp d = max(dlo, d) (and min(dhi, d) for kPositive), as in the polynomial form.
//   2. z = 8·d·s·log2 e + 1.5·2^23 + 8·bias: its low bits hold 8·(k + bias) + j, n = 8k + j;
//      n/8 exactly in one more FMA; r = d·s − (n/8)·ln2 in two, |r| ≤ ln2/16.
//   3. t_j = 2^(j/8) from an 8-entry table in a register (vpermps, z's low 3 bits), scaled by
//      2^(k + bias) with an integer add to its exponent field (bits 3.. of z's integer, shifted to
//      bit 23): bias 100 for d ≤ 0 keeps 2^(k + bias)·t_j normal down to k = −150, bias −1 for
//      d > 0 up to k = 128 (the kernels, d ≤ 0, use 100 alone). t_j is a table entry, finite
//      whatever d is: a NaN d reaches the result through r.
//   4. q of degree 3 (minimax, 1.9e-10 relative on [−ln2/16, ln2/16]); e = t + (t·r)·q, then one
//      multiply by 2^−bias, which rounds subnormal results once and overflows to +Inf.
//   The entries of 2^(j/8) are at most 0.34 ULP off (against 0.45 for 16 entries), so no error
//   table is needed.
// Special values: NaN → NaN; −Inf → 0; +Inf → +Inf; underflow → 0 or a subnormal; overflow → +Inf.
//
// Measured maximum error; native/test/exp_test.cc measures it again on every run and fails above
// kExpMaxUlpFloat / kExpMaxUlpDouble:
//   AVX-512 float (exp_table16): 0.9998 ULP (at x = −83.0261917), over every float32 input in
//           [lo, ln FLT_MAX] (2.2e9 of them; the overflow band above, to hi, is checked to give +Inf);
//           s = 1 (a temperature adds one rounding of r, a few thousandths of an ULP);
//   AVX2 float (exp_table8): 0.9279 ULP (at x = −87.8136139, a subnormal result; 0.9094 at
//           79.3219681 for normal results), over the same inputs (the polynomial form: 0.909);
//   AVX-512 double (exp_table16): 0.767 ULP (at x = −708.41928081379513, a subnormal result), over
//           10^8 random inputs in [lo, hi] and near 0, against long double expl;
//   AVX2 double (polynomial): 0.893 ULP (at x = −362.86201942847009), over the same inputs.
// NEON, under qemu: float 0.868 ULP over every 16th float32 input, double 0.881 ULP over
// 6.25·10^6 inputs. ULP is the spacing of the type at the exact result (the subnormal spacing
// below the smallest normal number).
#ifndef SOFTMAX_SIMD_SIMD_EXP_H
#define SOFTMAX_SIMD_SIMD_EXP_H

#include <type_traits>

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

// The bounds exp_test.cc holds every ISA to: float, 1 ULP (exp_table16's 0.9998 is exhaustive,
// so exact; exp_table8 measures 0.928, the polynomial form 0.909); double, the polynomial form's measured maximum
// with a little room (the figures are sampled; NEON's covers a sixteenth of the inputs).
constexpr double kExpMaxUlpFloat = 1.0;
constexpr double kExpMaxUlpDouble = 0.95;

// exp_table16's constants (see the top of this file).
template <typename T>
struct ExpTable16Constants;

template <>
struct ExpTable16Constants<float> {
  static constexpr float magic = 12582912.0f;       // 1.5·2^23: z = magic + n keeps n in its low mantissa bits
  static constexpr float log2e_16 = 23.0831203f;     // 16 log2 e
  static constexpr float ln2_hi = 0.693115234375f;  // 2839/4096: 12 bits, so n/16 · ln2_hi is exact
  static constexpr float ln2_lo = 3.19461833e-05f;
  // e^r ≈ 1 + r·q(r), q(r) = c[0] + c[1] r + ...: minimax relative error 1.6e-9 on [−ln2/32, ln2/32]
  // (coefficients in float)
  static constexpr int degree = 2;  // of q
  static constexpr float c[] = {1.0f, 0.50001615f, 0.16666718f};
  static constexpr bool corrected = false;  // no second table of the entries' rounding errors
  // 2^(j/16) rounded to float, j = 0..15
  alignas(64) static constexpr float table[16] = {
      0x1.000000p+0f, 0x1.0b5586p+0f, 0x1.172b84p+0f, 0x1.2387a6p+0f, 0x1.306fe0p+0f, 0x1.3dea64p+0f,
      0x1.4bfdaep+0f, 0x1.5ab07ep+0f, 0x1.6a09e6p+0f, 0x1.7a1148p+0f, 0x1.8ace54p+0f, 0x1.9c4918p+0f,
      0x1.ae89fap+0f, 0x1.c199bep+0f, 0x1.d5818ep+0f, 0x1.ea4afap+0f};
  alignas(64) static constexpr float error[16] = {};
};

template <>
struct ExpTable16Constants<double> {
  static constexpr double magic = 6755399441055744.0;  // 1.5·2^52
  static constexpr double log2e_16 = 23.083120654223414;
  // 32 bits: n/16 (at most 15 bits) · ln2_hi is exact
  static constexpr double ln2_hi = ExpConstants<double>::ln2_hi;
  static constexpr double ln2_lo = ExpConstants<double>::ln2_lo;
  // Taylor to degree 7: truncation error 1.2e-18 (0.01 ULP) on [−ln2/32, ln2/32]
  static constexpr int degree = 6;
  static constexpr double c[] = {1.0, 0.5, 0.16666666666666666, 0.041666666666666664, 0.008333333333333333,
                                 0.001388888888888889, 0.0001984126984126984};
  // The entries' rounding errors (up to 0.5 ULP, which the result would inherit) are added into the
  // polynomial: t_j·(1 + error_j)·(1 + r·q) ≈ t_j + t_j·(r·q + error_j).
  static constexpr bool corrected = true;
  // 2^(j/16) rounded to double, j = 0..15, and (2^(j/16) − table[j]) / table[j]
  alignas(64) static constexpr double table[16] = {
      0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
      0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0,
      0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
      0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0};
  alignas(64) static constexpr double error[16] = {
      0.0, 8.189317638195515e-17, -2.7939114859515733e-17, 7.826573258636076e-17,
      3.3484623336251524e-17, 3.750854201303127e-17, 1.9572585293112036e-17, 5.68648095791174e-17,
      -6.835808657661922e-17, -2.3591094770850053e-17, 5.1548301170786783e-17, 1.5341410053603723e-17,
      4.875160526227062e-17, 1.685487290628973e-17, 1.790126907604513e-17, -5.545065618639427e-17};
};

// exp_table8's constants (float, 8 lanes; see the top of this file).
struct ExpTable8Constants {
  static constexpr float magic = 12582912.0f;    // 1.5·2^23
  static constexpr float log2e_8 = 11.5415602f;  // 8 log2 e
  static constexpr float ln2_hi = ExpTable16Constants<float>::ln2_hi;  // 12 bits; n/8 has at most 11
  static constexpr float ln2_lo = ExpTable16Constants<float>::ln2_lo;
  // e^r ≈ 1 + r·q(r): minimax relative error 1.9e-10 on [−ln2/16, ln2/16] (coefficients in float)
  static constexpr int degree = 3;
  static constexpr float c[] = {1.0f, 0.5f, 0.16668028f, 0.041660544f};
  // 2^(j/8) rounded to float, j = 0..7 (at most 0.34 ULP off)
  alignas(32) static constexpr float table[8] = {0x1.000000p+0f, 0x1.172b84p+0f, 0x1.306fe0p+0f, 0x1.4bfdaep+0f,
                                                 0x1.6a09e6p+0f, 0x1.8ace54p+0f, 0x1.ae89fap+0f, 0x1.d5818ep+0f};
  // The table entry is scaled by 2^(k + bias) in its exponent field, which must stay normal, and the
  // result by 2^−bias: bias 100 for d ≤ 0 (k in [−150, 0]), −1 for d > 0 (k in [0, 128]).
  static constexpr int bias_negative = 100, bias_positive = -1;
  static constexpr float unscale_negative = 0x1p-100f, unscale_positive = 2.0f;  // 2^−bias
};

// The ISAs whose exp is exp_table16: a 16-entry table lookup over 16 / N vectors (O::lookup16) and a
// masked, flooring ldexp (O::ldexp_floor_unless_less).
template <class O, class = void>
struct HasLookup16 : std::false_type {};
template <class O>
struct HasLookup16<O, decltype(void(&O::lookup16))> : std::true_type {};
template <class O>
constexpr bool kExpTable16 = HasLookup16<O>::value;
// The ISAs whose float exp is exp_table8: an 8-entry table lookup (O::lookup8) and a scale of
// normal numbers by the integer in z's low bits (O::scale_by_low_bits8).
template <class O, class = void>
struct HasLookup8 : std::false_type {};
template <class O>
struct HasLookup8<O, decltype(void(&O::lookup8))> : std::true_type {};
template <class O>
constexpr bool kExpTable8 = HasLookup8<O>::value;

// Per-row constants of e^(d·s). exp_table16 uses s_log2e = 16·s·log2 e, the table and its errors.
template <class O>
struct ExpScale {
  using V = typename O::V;
  V s, s_log2e, dlo, dhi;
  V table[2], error[2];  // 16 entries in 16 / N vectors
};

template <class O>
ExpScale<O> exp_scale(typename O::T s) {
  using T = typename O::T;
  using C = ExpConstants<T>;
  ExpScale<O> k;
  k.s = O::set1(s);
  k.dlo = O::set1(C::lo / s);
  k.dhi = O::set1(C::hi / s);
  if constexpr (kExpTable16<O>) {
    using C16 = ExpTable16Constants<T>;
    static_assert(16 % O::N == 0 && 16 / O::N <= 2, "the table fills one or two vectors");
    k.s_log2e = O::set1(s * C16::log2e_16);
    for (size_t i = 0; i < 2; ++i) {
      const size_t at = i * O::N % 16;
      k.table[i] = O::load(C16::table + at, O::N, 0);
      k.error[i] = O::load(C16::error + at, O::N, 0);
    }
  } else if constexpr (kExpTable8<O>) {
    k.s_log2e = O::set1(s * ExpTable8Constants::log2e_8);
    k.table[0] = k.table[1] = O::load(ExpTable8Constants::table, 8, 0);
  } else {
    k.s_log2e = O::set1(s * C::log2e);
  }
  return k;
}

// e^(d·s) by a 16-entry table: n = round(16·d·s·log2 e) = 16k + j, r = d·s − n·ln2/16 (|r| ≤ ln2/32),
// e^(d·s) = 2^k · t_j · (1 + r·q(r)) with t_j = 2^(j/16) from the table. Lanes with d < dlo (−Inf,
// everything below the type's range) are zeroed by the mask of the final scale; NaN passes.
template <class O, bool kPositive, bool kScaled>
inline typename O::V exp_table16(typename O::V d, const ExpScale<O>& k) {
  using T = typename O::T;
  using C = ExpTable16Constants<T>;
  using V = typename O::V;
  if (kPositive) d = O::min(k.dhi, d);
  const V z = O::fma(d, k.s_log2e, O::set1(C::magic));                  // magic + n, n = 16k + j
  const V n16 = O::fma(z, O::set1(T(1) / 16), O::set1(-C::magic / 16));  // n/16, exactly
  V r = kScaled ? O::fma(d, k.s, O::mul(n16, O::set1(-C::ln2_hi))) : O::fma(n16, O::set1(-C::ln2_hi), d);
  r = O::fma(n16, O::set1(-C::ln2_lo), r);
  const V t = O::lookup16(k.table, z);  // t_j: j is z's low 4 bits
  V q = O::set1(C::c[C::degree]);
  for (int i = C::degree - 1; i >= 0; --i) q = O::fma(q, r, O::set1(C::c[i]));
  V e;
  if constexpr (C::corrected) {
    e = O::fma(t, O::fma(r, q, O::lookup16(k.error, z)), t);  // t + t·(r·q + error_j)
  } else {
    e = O::fma(O::mul(t, r), q, t);  // t + t·r·q: one rounding at the end
  }
  return O::ldexp_floor_unless_less(e, n16, d, k.dlo);  // 2^⌊n/16⌋ = 2^k
}

// e^(d·s) by an 8-entry table, for ISAs without a masked, flooring ldexp (AVX2): n = round(8·d·s·log2 e)
// = 8k + j, r = d·s − n·ln2/8 (|r| ≤ ln2/16), e^(d·s) = 2^−bias · (2^(k + bias) · t_j) · (1 + r·q(r)).
// 2^(k + bias) · t_j is an integer add to t_j's exponent field (t_j is a table entry, finite even
// when d is NaN, whose NaN then reaches the result through r); the last multiply by 2^−bias rounds
// subnormal results once, and overflows to +Inf.
template <class O, bool kPositive, bool kScaled>
inline typename O::V exp_table8(typename O::V d, const ExpScale<O>& k) {
  using C = ExpTable8Constants;
  using V = typename O::V;
  d = O::max(k.dlo, d);
  if (kPositive) d = O::min(k.dhi, d);
  const V biased_negative = O::set1(C::magic + 8 * C::bias_negative);
  const V unscale_negative = O::set1(C::unscale_negative);
  // z = magic + 8·bias + n: its low bits hold 8·(k + bias) + j
  const V m = kPositive ? O::select_less(O::zero(), d, O::set1(C::magic + 8 * C::bias_positive), biased_negative)
                        : biased_negative;
  const V z = O::fma(d, k.s_log2e, m);
  const V n8 = O::fma(z, O::set1(0.125f), O::mul(m, O::set1(-0.125f)));  // n/8, exactly
  V r = kScaled ? O::fma(d, k.s, O::mul(n8, O::set1(-C::ln2_hi))) : O::fma(n8, O::set1(-C::ln2_hi), d);
  r = O::fma(n8, O::set1(-C::ln2_lo), r);
  const V t = O::scale_by_low_bits8(O::lookup8(k.table, z), z);  // 2^(k + bias) · t_j
  V q = O::set1(C::c[C::degree]);
  for (int i = C::degree - 1; i >= 0; --i) q = O::fma(q, r, O::set1(C::c[i]));
  const V e = O::fma(O::mul(t, r), q, t);
  const V unscale = kPositive ? O::select_less(O::zero(), d, O::set1(C::unscale_positive), unscale_negative) : unscale_negative;
  return O::mul(e, unscale);
}

// The polynomial form (see the top of this file).
template <class O, bool kPositive, bool kScaled>
inline typename O::V exp_poly(typename O::V d, const ExpScale<O>& k) {
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

// kPositive: d may be > 0 (the general exp, as exp_test.cc measures it); the kernels pass d =
// x − max ≤ 0 (or NaN) and skip the upper clamp, which cannot change such a d.
// kScaled: s may differ from 1 (a temperature); without it, r = d − n·ln2 takes one op fewer.
template <class O, bool kPositive = true, bool kScaled = true>
inline typename O::V exp_scaled(typename O::V d, const ExpScale<O>& k) {
  if constexpr (kExpTable16<O>) {
    return exp_table16<O, kPositive, kScaled>(d, k);
  } else if constexpr (kExpTable8<O> && std::is_same_v<typename O::T, float>) {
    return exp_table8<O, kPositive, kScaled>(d, k);
  } else {
    return exp_poly<O, kPositive, kScaled>(d, k);
  }
}

}  // namespace

#endif  // SOFTMAX_SIMD_SIMD_EXP_H
