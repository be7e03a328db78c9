// Entropy, cross-entropy and KL divergence of probability rows: the SIMD body over an ISA's
// vector ops `O`, included by an ISA's translation unit only (isa/table.h); the serial twin is
// information/serial.cc. A checking pass over every row (negative, non-finite, the sum), then one
// pass per row with one vector log an element. Row sums use Loops::fold_checked (relative accuracy
// for tiny entries, no overflow for huge ones); the terms p·log(·) are bounded (p ≤ 1) and take
// Loops::fold.
#ifndef SOFTMAX_SIMD_INFORMATION_INFORMATION_H
#define SOFTMAX_SIMD_INFORMATION_INFORMATION_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "simd/log.h"
#include "simd/loops.h"
#include "softmax_simd/kernels.h"

namespace {

template <class O>
struct Information : Loops<O> {
  using L = Loops<O>;
  using typename L::T;
  using typename L::V;
  using L::fold;
  using L::fold_checked;
  using L::sum;

  static V one() { return O::set1(T(1)); }

  // Entries finite and ≥ 0 (a NaN or ±Inf makes the sum non-finite), and the sum within
  // `tolerance` of 1, or (to normalize) > 0.
  static bool valid_row(const T* x, size_t cols, bool normalize, double tolerance) {
    V most_negative = O::zero();
    const double s = fold_checked(cols, [&](size_t i, size_t c) {
      const V v = O::load(x + i, c, 0);
      most_negative = O::max(most_negative, O::sub(O::zero(), v));
      return v;
    });
    if (O::hmax(most_negative) > 0 || !std::isfinite(s)) return false;
    return normalize ? s > 0 : std::fabs(s - 1) <= tolerance;
  }

  // x / s as (x·pow2)·rest, for a row sum s > 0: 1 / s split into a power of two and a factor,
  // both in T's normal range, where 1 / s itself need not be (float sums below 2.9e-39 or above
  // 8.5e37). Two roundings, as x·(1 / s) has; x·pow2 is exact unless x / s is subnormal.
  struct Inverse {
    V pow2, rest;
    V apply(V x) const { return O::mul(O::mul(x, pow2), rest); }
  };
  static Inverse inverse(double s) {
    const int k = std::clamp(-std::ilogb(s), std::numeric_limits<T>::min_exponent - 1, std::numeric_limits<T>::max_exponent - 1);
    return {O::set1(static_cast<T>(std::ldexp(1.0, k))), O::set1(static_cast<T>(1 / std::ldexp(s, k)))};
  }

  template <class Args>
  static int64_t information_rows(const Args* args) {
    const Args& a = *args;
    const size_t cols = a.cols;
    for (size_t r = 0; r < a.rows; ++r) {
      if (!valid_row(a.p + r * cols, cols, a.normalize, a.tolerance) ||
          (a.q && !valid_row(a.q + r * cols, cols, a.normalize, a.tolerance))) {
        return static_cast<int64_t>(r);
      }
    }
    const double sign = a.measure == SSM_KL_DIVERGENCE ? 1.0 : -1.0;
    // Σ p·log(·) over a row, p and q scaled by `sp` and `sq`; 0 where p is 0 (tail lanes load
    // p = 0).
    auto row = [&](const T* p, const T* q, auto sp, auto sq) {
      return fold(cols, [&](size_t i, size_t c) {
        const V pn = sp(O::load(p + i, c, 0));
        V log;
        if (a.measure == SSM_KL_DIVERGENCE) {
          log = log_quotient<O>(pn, sq(O::load(q + i, c, 1)));
        } else {
          log = log_poly<O>(a.measure == SSM_CROSS_ENTROPY ? sq(O::load(q + i, c, 1)) : pn);
        }
        return O::zero_where_zero(pn, O::mul(pn, log));
      });
    };
    const auto as_is = [](V x) { return x; };
    for (size_t r = 0; r < a.rows; ++r) {
      const T* p = a.p + r * cols;
      const T* q = a.q ? a.q + r * cols : nullptr;
      double value;
      if (a.normalize) {
        // Normalizing sums each row again: keeping the checking pass's sums would need a buffer
        // of rows values (kernels do not allocate), for 13-28% on rows of 1000 and more.
        const Inverse ip = inverse(sum(p, cols)), iq = q ? inverse(sum(q, cols)) : Inverse{one(), one()};
        value = row(p, q, [&](V x) { return ip.apply(x); }, [&](V x) { return iq.apply(x); });
      } else {
        value = row(p, q, as_is, as_is);
      }
      a.out[r] = static_cast<T>(sign * value * a.scale);
    }
    return -1;
  }
};

}  // namespace

#endif  // SOFTMAX_SIMD_INFORMATION_INFORMATION_H
