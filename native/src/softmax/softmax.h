// Softmax, log-softmax and log-sum-exp: the SIMD body, written once over an ISA's vector ops `O`
// (simd/avx2.h, simd/avx512.h, simd/neon.h) and included by that ISA's translation unit only
// (isa/table.h). Everything is in an anonymous namespace, so each ISA's instantiations stay inside
// its own object file. The serial twin is softmax/serial.cc.
//
// Passes (see DESIGN.md "Performance contract"):
// - row statistics (max m and s = Σ e^((x−m)/T)) read the row once, online: blocks of kBlock
//   elements, each block's max from L1, then its exp-sum; when a block raises the max, the sum so
//   far is rescaled by one scalar exp. Exp sums accumulate in float vectors for at most 8 terms a
//   lane (kFold elements) and are folded into a compensated double, so their error does not grow
//   with cols.
// - log-sum-exp and the cross-entropy loss (cross_entropy/cross_entropy.h) use only those
//   statistics (one read of the logits);
//   log-softmax adds one pass that writes the output.
// - softmax and the cross-entropy gradient, for rows up to kStoreMaxBytes (the L2 cache of the
//   machines we measure), keep the exponentials: max, exp stored in the output with the sum, then
//   a scaling pass over the output, so one exp per element instead of two (it measured faster at
//   every length: docs/develop.md, "Kernel design"). Longer rows read the logits twice and write
//   once: online statistics, then a pass that recomputes each exponential.
// - For rows of kPrefetchMin elements or more, the next row is prefetched while the current
//   one's exponentials are computed: such rows come from memory, not cache.
// Rows whose max is not finite (a +Inf, all −Inf, NaN) go to the serial kernel, which has the
// exact PyTorch semantics; NaN with a finite max needs no special case: it makes the sum NaN.
#ifndef SOFTMAX_SIMD_SOFTMAX_SOFTMAX_H
#define SOFTMAX_SIMD_SOFTMAX_SOFTMAX_H

#include <algorithm>
#include <cmath>
#include <limits>

#include "isa/typed_kernels.h"
#include "simd/compensated_sum.h"
#include "simd/exp.h"
#include "simd/loops.h"
#include "softmax/short_rows.h"

namespace {

constexpr size_t kBlock = 2048;     // online statistics: elements per block
constexpr size_t kStoreMaxBytes = size_t{1} << 20;  // longest row (in bytes) that keeps exponentials

// kScaled: the temperature is not 1 (exp_scaled needs one op more).
template <class O, bool kScaled>
struct Softmax : Loops<O> {
  using L = Loops<O>;
  using typename L::T;
  using typename L::V;
  using L::N;
  using L::kInf;
  using L::each;
  using L::fold;
  using L::max;
  using L::has_nan;
  static constexpr size_t kStoreMax = kStoreMaxBytes / sizeof(T);
  static constexpr size_t kPrefetchMin = 4096;
  static const typename Typed<T>::Table& serial() { return Typed<T>::serial(); }

  // e^((x[i..i+n) − m)·s), lanes past n zero.
  static V exps(const T* x, size_t i, size_t n, V m, const ExpScale<O>& k) {
    return O::keep(exp_scaled<O, false, kScaled>(O::sub(O::load(x + i, n, 0), m), k), n);
  }

  // Row statistics; `per_block` also sees each block with the max so far, and is told how much
  // the max rose before it (rescale(m_old, m_new)).
  struct Stats {
    T m;
    double sum;
    bool masked_block;  // a whole block of −Inf came before the first finite entry
  };
  // `next`, when not null, is the next row: it is prefetched while the exponentials are computed.
  template <class Block, class Rescale>
  static Stats stats(const T* x, size_t len, const ExpScale<O>& k, double t, const T* next, Block per_block,
                     Rescale rescale) {
    T m = -kInf;
    CompensatedSum sum;
    bool masked_block = false;
    for (size_t b = 0; b < len; b += kBlock) {
      const size_t n = std::min(kBlock, len - b);
      const T mb = max(x + b, n);
      if (mb > m) {
        if (m != -kInf) {
          sum.scale(std::exp((static_cast<double>(m) - mb) / t));
          rescale(m, mb);
        }
        m = mb;
      }
      if (m == -kInf) {  // all −Inf so far: nothing to add, but a NaN must not be lost
        if (has_nan(x + b, n)) return {std::numeric_limits<T>::quiet_NaN(), 0, true};
        masked_block = true;
        continue;
      }
      const V mv = O::set1(m);
      sum.add(fold(n, [&](size_t i, size_t c) {
        if (next) __builtin_prefetch(next + b + i);
        return exps(x + b, i, c, mv, k);
      }));
      per_block(b, n, mv);
    }
    return {m, sum.value(), masked_block};
  }
  static Stats stats(const T* x, size_t len, const ExpScale<O>& k, double t, const T* next) {
    return stats(x, len, k, t, next, [](size_t, size_t, V) {}, [](T, T) {});
  }

  // Row r + 1 when there is one and rows are long enough to come from memory, else null.
  static const T* next_row(const T* x, size_t r, size_t rows, size_t cols) {
    return r + 1 < rows && cols >= kPrefetchMin ? x + cols : nullptr;
  }

  // The kernels' scale s = 1/T as a vector constant; false when it, s·log2 e or its clamp bounds
  // would not be normal numbers in T (an extreme temperature: the serial kernels take the call).
  static bool scale_for(double t, ExpScale<O>* k) {
    const T s = static_cast<T>(1.0 / t);
    using C = ExpConstants<T>;
    if (!std::isnormal(s) || !std::isnormal(s * C::log2e) || !std::isnormal(C::lo / s) || !std::isnormal(C::hi / s)) {
      return false;
    }
    *k = exp_scale<O>(s);
    return true;
  }

  using Short = ShortRows<O, kScaled>;

  // Rows of at most kShortMaxCols: groups of N rows (softmax/short_rows.h); a group the short
  // kernel hands back (a row whose max is not finite) goes to `general`, row for row.
  template <class Group, class General>
  static void short_groups(size_t rows, Group group, General general) {
    for (size_t r = 0; r < rows; r += N) {
      const size_t count = std::min(N, rows - r);
      if (!group(r, count)) general(r, count);
    }
  }

  static void softmax_rows(const T* x, T* out, size_t rows, size_t cols, double t, int all_masked) {
    ExpScale<O> k;
    if (!scale_for(t, &k)) return serial().softmax_rows(x, out, rows, cols, t, all_masked);
    if (Short::fits(cols)) {
      return short_groups(
          rows, [&](size_t r, size_t n) { return Short::softmax_group(x + r * cols, out + r * cols, cols, n, k); },
          [&](size_t r, size_t n) { softmax_general(x + r * cols, out + r * cols, n, cols, t, all_masked, k); });
    }
    softmax_general(x, out, rows, cols, t, all_masked, k);
  }

  static void softmax_general(const T* x, T* out, size_t rows, size_t cols, double t, int all_masked,
                              const ExpScale<O>& k) {
    for (size_t r = 0; r < rows; ++r, x += cols, out += cols) {
      if (cols <= kStoreMax) {
        const T m = max(x, cols);
        if (!std::isfinite(m)) {
          serial().softmax_rows(x, out, 1, cols, t, all_masked);
          continue;
        }
        const V mv = O::set1(m);
        // While the exponentials keep the core busy, the next row streams in (rows out of cache).
        const T* next = next_row(x, r, rows, cols);
        const double sum = fold(cols, [&](size_t i, size_t n) {
          if (next) __builtin_prefetch(next + i);
          const V e = exps(x, i, n, mv, k);
          O::store(out + i, e, n);
          return e;
        });
        const V inv = O::set1(static_cast<T>(1.0 / sum));
        each(cols, [&](size_t i, size_t n) { O::store(out + i, O::mul(O::load(out + i, n, 0), inv), n); });
      } else {
        const Stats st = stats(x, cols, k, t, next_row(x, r, rows, cols));
        if (!std::isfinite(st.m)) {
          serial().softmax_rows(x, out, 1, cols, t, all_masked);
          continue;
        }
        const V mv = O::set1(st.m), inv = O::set1(static_cast<T>(1.0 / st.sum));
        each(cols, [&](size_t i, size_t n) { O::store(out + i, O::mul(exps(x, i, n, mv, k), inv), n); });
      }
    }
  }

  static void log_softmax_rows(const T* x, T* out, size_t rows, size_t cols, double t, int all_masked) {
    ExpScale<O> k;
    if (!scale_for(t, &k)) return serial().log_softmax_rows(x, out, rows, cols, t, all_masked);
    if (Short::fits(cols)) {
      return short_groups(
          rows, [&](size_t r, size_t n) { return Short::log_softmax_group(x + r * cols, out + r * cols, cols, n, k); },
          [&](size_t r, size_t n) { log_softmax_general(x + r * cols, out + r * cols, n, cols, t, all_masked, k); });
    }
    log_softmax_general(x, out, rows, cols, t, all_masked, k);
  }

  static void log_softmax_general(const T* x, T* out, size_t rows, size_t cols, double t, int all_masked,
                                  const ExpScale<O>& k) {
    for (size_t r = 0; r < rows; ++r, x += cols, out += cols) {
      const Stats st = stats(x, cols, k, t, next_row(x, r, rows, cols));
      if (!std::isfinite(st.m)) {
        serial().log_softmax_rows(x, out, 1, cols, t, all_masked);
        continue;
      }
      const V mv = O::set1(st.m), shift = O::set1(static_cast<T>(-std::log(st.sum)));
      each(cols, [&](size_t i, size_t n) { O::store(out + i, O::fma(O::sub(O::load(x + i, n, 0), mv), k.s, shift), n); });
    }
  }

  static void log_sum_exp_rows(const T* x, T* out, size_t rows, size_t cols) {
    const ExpScale<O> k = exp_scale<O>(1);
    if (Short::fits(cols)) {
      return short_groups(
          rows, [&](size_t r, size_t n) { return Short::log_sum_exp_group(x + r * cols, out + r, cols, n, k); },
          [&](size_t r, size_t n) { log_sum_exp_general(x + r * cols, out + r, n, cols, k); });
    }
    log_sum_exp_general(x, out, rows, cols, k);
  }

  static void log_sum_exp_general(const T* x, T* out, size_t rows, size_t cols, const ExpScale<O>& k) {
    for (size_t r = 0; r < rows; ++r, x += cols) {
      const Stats st = stats(x, cols, k, 1.0, next_row(x, r, rows, cols));
      if (std::isfinite(st.m)) {
        out[r] = static_cast<T>(st.m + std::log(st.sum));
      } else {
        serial().log_sum_exp_rows(x, out + r, 1, cols);
      }
    }
  }
};

}  // namespace

#endif  // SOFTMAX_SIMD_SOFTMAX_SOFTMAX_H
