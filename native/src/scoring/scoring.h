// The scoring kernel (kernels.h, score_args): the SIMD body over an ISA's vector ops `O`, included
// by that ISA's translation unit only (isa/table.h); the serial twin is scoring/serial.cc. Per row:
// - with anything that needs the probabilities: the online statistics of softmax/softmax.h (max and
//   Σ e^(x − max) in one read, blocks from L1); a NaN makes the sum NaN;
// - otherwise (argmax, raw top k): a vector max that also sums x − x, which is NaN when the row
//   holds a NaN or an infinity;
// then the first index of the max (a vector compare from the start of the row, in cache) and the
// top k (a heap of k indices; whole vectors are compared with the heap's threshold, and only
// entries above it are offered, so once the heap has filled a row costs one compare a vector).
// Rows with a NaN or an infinite max go to the serial kernel, which has the exact semantics.
#ifndef SOFTMAX_SIMD_SCORING_SCORING_H
#define SOFTMAX_SIMD_SCORING_SCORING_H

#include <cmath>
#include <limits>

#include "scoring/top_k.h"
#include "simd/compensated_sum.h"
#include "simd/row_ranges.h"
#include "softmax/softmax.h"
#include "softmax_simd/kernels.h"

namespace {

template <class O>
struct Scoring : Softmax<O, false> {
  using R = Softmax<O, false>;
  using typename R::T;
  using typename R::V;
  using R::N;
  using R::kInf;

  // The row's max, and whether every entry is finite.
  static T checked_max(const T* x, size_t len, bool* finite) {
    V m0 = O::set1(-kInf), m1 = m0, z = O::zero();
    size_t i = 0;
    for (; i + 2 * N <= len; i += 2 * N) {
      const V a = O::load(x + i, N, 0), b = O::load(x + i + N, N, 0);
      m0 = O::max(m0, a);
      m1 = O::max(m1, b);
      z = O::add(z, O::add(O::sub(a, a), O::sub(b, b)));
    }
    for (; i < len; i += N) {
      const size_t n = std::min(N, len - i);
      const V a = O::load(x + i, n, -kInf);
      m0 = O::max(m0, a);
      z = O::add(z, O::keep(O::sub(a, a), n));  // not the fill lanes: −Inf − −Inf is NaN
    }
    *finite = O::hsum(z) == 0;
    return O::hmax(O::max(m0, m1));
  }

  // The first index where x == m (m is in the row).
  static size_t first_equal(const T* x, size_t len, T m) {
    const V mv = O::set1(m);
    for (size_t i = 0; i < len; i += N) {
      const size_t n = std::min(N, len - i);
      const unsigned hits = O::mask_equal(O::load(x + i, n, std::numeric_limits<T>::quiet_NaN()), mv);
      if (hits) return i + static_cast<size_t>(__builtin_ctz(hits));
    }
    return 0;
  }

  template <class Args>
  static double score_rows(const Args* args) {
    const Args& a = *args;
    const size_t cols = a.cols;
    const bool need_sum = a.confidence || a.log_sum_exp || a.nll || a.labels || (a.k && a.top_probabilities);
    const ExpScale<O> unit = exp_scale<O>(1);
    CompensatedSum total;
    // Row r, from its max m and sum (when need_sum) or finiteness.
    auto finish = [&](size_t r, T m, double sum, bool ordinary) {
      const T* x = a.logits + r * cols;
      if (!ordinary) {
        const auto row = score_range(a, r, r + 1);
        total.add(Typed<T>::serial().score_rows(&row));
        return;
      }
      const auto arg = static_cast<int32_t>(first_equal(x, cols, m));
      if (a.predictions) a.predictions[r] = arg;
      if (a.log_sum_exp) a.log_sum_exp[r] = static_cast<T>(m + std::log(sum));
      if (a.confidence) a.confidence[r] = static_cast<T>(1 / sum);
      if (a.labels) {
        const double nll = std::log(sum) + (static_cast<double>(m) - x[a.labels[r]]);
        if (a.nll) a.nll[r] = static_cast<T>(nll);
        total.add(nll);
      }
      if (a.k) top_k(x, cols, a.k, a.top_indices + r * a.k, a.top_values + r * a.k, a.top_probabilities, m, sum);
    };
    auto one_row = [&](size_t r) {
      const T* x = a.logits + r * cols;
      if (need_sum) {
        const typename R::Stats st = R::stats(x, cols, unit, 1.0, R::next_row(x, r, a.rows, cols));
        finish(r, st.m, st.sum, std::isfinite(st.m) && std::isfinite(st.sum));
      } else {
        bool ordinary;
        const T m = checked_max(x, cols, &ordinary);
        finish(r, m, 0, ordinary);
      }
    };
    if (need_sum && R::Short::fits(cols)) {
      // Short rows: the max and the sum of N rows at a time (softmax/short_rows.h).
      R::short_groups(
          a.rows,
          [&](size_t r0, size_t n) {
            typename O::V mv, sv;
            if (!R::Short::stats_group(a.logits + r0 * cols, cols, n, unit, &mv, &sv)) return false;
            alignas(64) T m[N], s[N];
            O::store(m, mv, N);
            O::store(s, sv, N);
            for (size_t r = 0; r < n; ++r) finish(r0 + r, m[r], s[r], std::isfinite(s[r]));
            return true;
          },
          [&](size_t r0, size_t n) {
            for (size_t r = r0; r < r0 + n; ++r) one_row(r);
          });
    } else {
      for (size_t r = 0; r < a.rows; ++r) one_row(r);
    }
    return total.value();
  }

  static void top_k(const T* x, size_t cols, size_t k, int32_t* idx, T* val, bool probabilities, T m, double sum) {
    TopK<T> top(x, idx, k);
    for (size_t i = k; i < cols; i += N) {
      const size_t n = std::min(N, cols - i);
      unsigned above = O::mask_greater(O::load(x + i, n, -kInf), O::set1(top.threshold()));
      for (; above; above &= above - 1) top.offer(i + static_cast<size_t>(__builtin_ctz(above)));
    }
    top.finish();
    for (size_t j = 0; j < k; ++j) {
      const T v = x[idx[j]];
      val[j] = probabilities ? static_cast<T>(std::exp(static_cast<double>(v) - m) / sum) : v;
    }
  }

};

}  // namespace

#endif  // SOFTMAX_SIMD_SCORING_SCORING_H
