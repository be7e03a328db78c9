// The loop helpers every SIMD kernel body uses, over an ISA's vector ops `O` (avx2.h, avx512.h,
// neon.h): a row in vectors with a masked tail, sums of vectors in several accumulators folded into
// compensated doubles (so their error does not grow with the row's length), and the row max.
#ifndef SOFTMAX_SIMD_SIMD_LOOPS_H
#define SOFTMAX_SIMD_SIMD_LOOPS_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "simd/compensated_sum.h"

namespace {

template <class O>
struct Loops {
  using T = typename O::T;
  using V = typename O::V;
  static constexpr size_t N = O::N;
  static constexpr size_t kFold = 32 * N;  // 4 accumulators x 8 terms a lane
  static constexpr T kInf = std::numeric_limits<T>::infinity();

  // f(i, n) for the vectors of [0, len): n = N, or fewer for the last one.
  template <class F>
  static void each(size_t len, F f) {
    size_t i = 0;
    for (; i + N <= len; i += N) f(i, N);
    if (i < len) f(i, len - i);
  }

  // Sum of the vectors f(i, n) returns over [0, len), in four accumulators (lanes past a tail
  // must come back as 0).
  template <class F>
  static V accumulate(size_t len, F f) {
    V a0 = O::zero(), a1 = O::zero(), a2 = O::zero(), a3 = O::zero();
    size_t i = 0;
    for (; i + 4 * N <= len; i += 4 * N) {
      a0 = O::add(a0, f(i, N));
      a1 = O::add(a1, f(i + N, N));
      a2 = O::add(a2, f(i + 2 * N, N));
      a3 = O::add(a3, f(i + 3 * N, N));
    }
    for (; i + N <= len; i += N) a0 = O::add(a0, f(i, N));
    if (i < len) a1 = O::add(a1, f(i, len - i));
    return O::add(O::add(a0, a1), O::add(a2, a3));
  }

  // As accumulate, folded into a compensated double every kFold elements.
  template <class F>
  static double fold(size_t len, F f) {
    if (len <= kFold) return O::hsum(accumulate(len, f));  // short rows: one fold, nothing to compensate
    CompensatedSum total;
    for (size_t b = 0; b < len; b += kFold) {
      total.add(O::hsum(accumulate(std::min(kFold, len - b), [&](size_t i, size_t n) { return f(b + i, n); })));
    }
    return total.value();
  }

  // As fold, for terms of any finite size whose sum needs absolute accuracy (losses). A float
  // lane sum of 32 terms near FLT_MAX would overflow where their double sum does not (17 squares
  // of 1.5e19 did), so float terms are summed times 2^-6 (exact but for terms below 2^-120, whose
  // error stays under 2^-143 each) and the double result is scaled back: no lane can overflow.
  template <class F>
  static double fold_wide(size_t len, F f) {
    if constexpr (sizeof(T) == sizeof(double)) {
      return fold(len, f);
    } else {
      static_assert(kFold / N <= 32, "a lane sums at most 32 terms");
      const V down = O::set1(T(1.0 / 64));
      return 64 * fold(len, [&](size_t i, size_t n) { return O::mul(f(i, n), down); });
    }
  }

  // As fold, with relative accuracy for tiny terms too (row sums that divide, products that
  // cancel), and fold_wide's range where the float lanes overflowed. f is called twice then: it
  // must only read.
  template <class F>
  static double fold_checked(size_t len, F f) {
    const double s = fold(len, f);
    return std::isfinite(s) ? s : fold_wide(len, f);
  }

  static T max(const T* x, size_t len) {
    V m0 = O::set1(-kInf), m1 = m0;
    size_t i = 0;
    for (; i + 2 * N <= len; i += 2 * N) {
      m0 = O::max(m0, O::load(x + i, N, 0));
      m1 = O::max(m1, O::load(x + i + N, N, 0));
    }
    for (; i < len; i += N) m0 = O::max(m0, O::load(x + i, std::min(N, len - i), -kInf));
    return O::hmax(O::max(m0, m1));
  }

  // v is finite as a T.
  static bool in_range(double v) { return std::isfinite(static_cast<T>(v)); }

  static bool has_nan(const T* x, size_t len) {
    for (size_t i = 0; i < len; ++i) {
      if (x[i] != x[i]) return true;
    }
    return false;
  }

  // A row's sum, with fold_checked's accuracy.
  static double sum(const T* x, size_t len) {
    return fold_checked(len, [&](size_t i, size_t c) { return O::load(x + i, c, 0); });
  }
};

}  // namespace

#endif  // SOFTMAX_SIMD_SIMD_LOOPS_H
