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
    if (need_sum && R::Short::fits(cols)) {
      // Short rows: the max and the sum of N rows at a time (softmax/short_rows.h) and their logs
      // in one vector; a group the short kernel hands back takes the block path below.
      R::short_groups(
          a.rows,
          [&](size_t r0, size_t n) {
            typename O::V mv, sv;
            if (!R::Short::stats_group(a.logits + r0 * cols, cols, n, unit, &mv, &sv)) return false;
            alignas(64) T m[N], s[N], logs[N];
            O::store(m, mv, N);
            O::store(s, sv, N);
            O::store(logs, log_poly<O>(sv), N);
            for (size_t r = 0; r < n; ++r) {
              if (!std::isfinite(s[r])) {  // a NaN: the serial kernel's row
                total.add(serial_row(a, r0 + r));
                continue;
              }
              row_outputs(a, r0 + r, m[r], s[r]);
              log_outputs(a, r0 + r, m[r], logs[r], &total);
            }
            return true;
          },
          [&](size_t r0, size_t n) {
            const auto part = score_range(a, r0, r0 + n);
            total.add(block_score_rows(part, unit));
          });
      return total.value();
    }
    if (need_sum && cols <= kBlock) return block_score_rows(a, unit);
    for (size_t r = 0; r < a.rows; ++r) {
      const T* x = a.logits + r * cols;
      T m;
      double sum = 0;
      bool ordinary;
      if (need_sum) {
        const typename R::Stats st = R::stats(x, cols, unit, 1.0, R::next_row(x, r, a.rows, cols));
        m = st.m;
        sum = st.sum;
        ordinary = std::isfinite(m) && std::isfinite(sum);
      } else {
        m = checked_max(x, cols, &ordinary);
      }
      if (!ordinary) {
        total.add(serial_row(a, r));
        continue;
      }
      row_outputs(a, r, m, sum);
      if (a.log_sum_exp || a.labels) log_outputs(a, r, m, std::log(sum), &total);
    }
    return total.value();
  }

  // Rows of at most a block: their statistics pipelined and the logs of 16 sums at once
  // (softmax.h, block_rows and LogBatch); a serial row first takes the logs waiting before it, so
  // the NLL total adds in row order.
  template <class Args>
  static double block_score_rows(const Args& a, const ExpScale<O>& unit) {
    CompensatedSum total;
    auto logs = R::log_batch([&](size_t r, T m, T log_sum) { log_outputs(a, r, m, log_sum, &total); });
    const bool need_log = a.log_sum_exp || a.labels;
    auto serial = [&](size_t r) {  // after the logs waiting before it: the total adds in row order
      logs.flush();
      total.add(serial_row(a, r));
    };
    R::block_rows(a.logits, a.rows, a.cols, unit,
                  [&](size_t r, T m, double sum) {
                    if (!std::isfinite(sum)) return serial(r);  // a NaN
                    row_outputs(a, r, m, sum);
                    if (need_log) logs.add(r, m, sum);
                  },
                  serial);
    logs.flush();
    return total.value();
  }

  // Row r by the serial kernel (NaN, infinite max: the exact semantics); returns its NLL.
  template <class Args>
  static double serial_row(const Args& a, size_t r) {
    const auto row = score_range(a, r, r + 1);
    return Typed<T>::serial().score_rows(&row);
  }

  // A row's outputs that need no log: the prediction, the confidence and the top k.
  template <class Args>
  static void row_outputs(const Args& a, size_t r, T m, double sum) {
    const T* x = a.logits + r * a.cols;
    if (a.predictions) a.predictions[r] = static_cast<int32_t>(first_equal(x, a.cols, m));
    if (a.confidence) a.confidence[r] = static_cast<T>(1 / sum);
    if (a.k) top_k(x, a.cols, a.k, a.top_indices + r * a.k, a.top_values + r * a.k, a.top_probabilities, m, sum);
  }

  // A row's outputs from log Σ e^(x − m): the log-sum-exp and the NLL (added to the total).
  template <class Args>
  static void log_outputs(const Args& a, size_t r, T m, double log_sum, CompensatedSum* total) {
    if (a.log_sum_exp) a.log_sum_exp[r] = static_cast<T>(m + log_sum);
    if (a.labels) {
      const double nll = log_sum + (static_cast<double>(m) - a.logits[r * a.cols + a.labels[r]]);
      if (a.nll) a.nll[r] = static_cast<T>(nll);
      total->add(nll);
    }
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
