// The loop helpers every SIMD kernel body uses, over an ISA's vector ops `O` (avx2.h, avx512.h,
// neon.h): a row in vectors with a masked tail, sums of vectors in several accumulators folded into
// compensated doubles (so their error does not grow with the row's length), and the row max.
//
// A kernel hands its body to a helper as f(i, n): the vector of elements [i, i + n). Every full
// vector is f(i, N), in a loop that tests nothing but its bound; the partial vector at the end of
// the row, if any, is one call f(i, n) with n < N after that loop. The helpers are flattened (every
// call in them inlined, the kernel's body and what it calls included: SSM_FLATTEN), so n is the
// constant N in the full-vector loop, the body's tail cases (n == N in O::load, store, keep) fold
// away, and no vector goes through a call: GCC had left the bodies of long rows' folds, exp
// included, out of line, one call a vector.
#ifndef SOFTMAX_SIMD_SIMD_LOOPS_H
#define SOFTMAX_SIMD_SIMD_LOOPS_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "simd/compensated_sum.h"

#if defined(__GNUC__)
#define SSM_FLATTEN __attribute__((flatten))
#else
#define SSM_FLATTEN
#endif

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
  SSM_FLATTEN static void each(size_t len, F f) {
    const size_t full = len - len % N;
    for (size_t i = 0; i < full; i += N) f(i, N);
    if (full < len) f(full, len - full);
  }

  // Sum of the vectors f(i, n) returns over [from, to), in four accumulators (lanes past a tail
  // must come back as 0).
  template <class F>
  static V accumulate(size_t from, size_t to, F& f) {
    const size_t full = to - (to - from) % N;
    V a0 = O::zero(), a1 = O::zero(), a2 = O::zero(), a3 = O::zero();
    size_t i = from;
    for (; i + 4 * N <= full; i += 4 * N) {
      a0 = O::add(a0, f(i, N));
      a1 = O::add(a1, f(i + N, N));
      a2 = O::add(a2, f(i + 2 * N, N));
      a3 = O::add(a3, f(i + 3 * N, N));
    }
    for (; i < full; i += N) a0 = O::add(a0, f(i, N));
    if (full < to) a1 = O::add(a1, f(full, to - full));
    return O::add(O::add(a0, a1), O::add(a2, a3));
  }

  // As accumulate over [0, len), folded into a compensated double every kFold elements (a short
  // row is one block, one fold: nothing to compensate).
  template <class F>
  SSM_FLATTEN static double fold(size_t len, F f) {
    CompensatedSum total;
    size_t b = 0;
    for (; len - b > kFold; b += kFold) total.add(O::hsum(accumulate(b, b + kFold, f)));
    total.add(O::hsum(accumulate(b, len, f)));
    return total.value();
  }

  // As fold; when `ahead` is not null, the len elements from it (the next row, coming from memory)
  // are prefetched while the sum runs, one prefetch a vector. Two loops, with and without the
  // prefetch, so the test of `ahead` is made once a row, not once a vector.
  template <class F>
  static double fold(size_t len, const T* ahead, F f) {
    if (!ahead) return fold(len, f);
    return fold(len, [&](size_t i, size_t n) {
      __builtin_prefetch(ahead + i);
      return f(i, n);
    });
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
    for (; i + N <= len; i += N) m0 = O::max(m0, O::load(x + i, N, 0));
    if (i < len) m0 = O::max(m0, O::load(x + i, len - i, -kInf));
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
