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
//   every length: docs/develop.md, "Kernel design"). Longer rows store them block by block
//   against the max so far and rescale each block at the end (softmax_long_row); in place, they
//   read the logits twice: online statistics, then a pass that recomputes each exponential.
// - For rows of kPrefetchMin elements or more, the next row is prefetched while the current
//   one's exponentials are computed: such batches outgrow L2 (at 1024×1000 f32 it took softmax
//   from 2,600 to 3,190 Melem/s; from 256 on, cross-entropy lost at 300 classes).
// - Rows of up to kShortMaxCols go N at a time through softmax/short_rows.h.
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
#include "simd/log.h"
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
  static constexpr size_t kPrefetchMin = 512;
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
      sum.add(fold(n, next ? next + b : nullptr, [&](size_t i, size_t c) { return exps(x + b, i, c, mv, k); }));
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

  // The kernels' scale s = 1/T as a vector constant; false when it, 16·s·log2 e (exp_table16's
  // factor) or its clamp bounds would not be normal numbers in T (an extreme temperature: the
  // serial kernels take the call).
  static bool scale_for(double t, ExpScale<O>* k) {
    const T s = static_cast<T>(1.0 / t);
    using C = ExpConstants<T>;
    if (!std::isnormal(s) || !std::isnormal(s * C::log2e * 16) || !std::isnormal(C::lo / s) || !std::isnormal(C::hi / s)) {
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
        const double sum = fold(cols, next_row(x, r, rows, cols), [&](size_t i, size_t n) {
          const V e = exps(x, i, n, mv, k);
          O::store(out + i, e, n);
          return e;
        });
        const V inv = O::set1(static_cast<T>(1.0 / sum));
        each(cols, [&](size_t i, size_t n) { O::store(out + i, O::mul(O::load(out + i, n, 0), inv), n); });
      } else if (x == out || !softmax_long_row(x, out, cols, k, t, next_row(x, r, rows, cols))) {
        // In place (the logits are gone once the first block is written) or a row the blocked
        // kernel leaves: statistics first, then each exponential again.
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

  // A row longer than kStoreMax (not in place), with one exponential per element: block by
  // block, the max from L1 and the exponentials against the max so far, m_b, stored in out; then
  // out is scaled block by block by e^((m_b − m)·s) / sum. False (out then holds nothing of
  // value) for a row the serial kernel takes (a NaN before the first finite entry, +Inf, all
  // −Inf) and for a row whose max rises more than kRises times, which the caller recomputes.
  static bool softmax_long_row(const T* x, T* out, size_t cols, const ExpScale<O>& k, double t, const T* next) {
    constexpr size_t kRises = 32;
    size_t rise_at[kRises];  // the block where the max rose to rise_to
    T rise_to[kRises];
    size_t rises = 0;
    T m = -kInf;
    CompensatedSum sum;
    for (size_t b = 0; b < cols; b += kBlock) {
      const size_t n = std::min(kBlock, cols - b);
      const T mb = max(x + b, n);
      if (mb > m) {
        if (rises == kRises || !std::isfinite(mb)) return false;
        if (m != -kInf) sum.scale(std::exp((static_cast<double>(m) - mb) / t));
        m = mb;
        rise_at[rises] = b;
        rise_to[rises++] = m;
      }
      if (m == -kInf) {  // all −Inf so far (written as 0 below), unless a NaN hides here
        if (has_nan(x + b, n)) return false;
        continue;
      }
      const V mv = O::set1(m);
      sum.add(fold(n, next ? next + b : nullptr, [&](size_t i, size_t c) {
        const V e = exps(x + b, i, c, mv, k);
        O::store(out + b + i, e, c);
        return e;
      }));
    }
    if (rises == 0) return false;  // all −Inf
    const double total = sum.value();
    for (size_t b = 0, j = 0; b < cols; b += kBlock) {
      while (j + 1 < rises && rise_at[j + 1] <= b) ++j;
      // Blocks of −Inf before the first finite entry hold 0 (NaN when a NaN made the sum NaN).
      const bool masked = b < rise_at[0];
      const V scale = O::set1(static_cast<T>(masked ? 0 * total : std::exp((static_cast<double>(rise_to[j]) - m) / t) / total));
      each(std::min(kBlock, cols - b), [&](size_t i, size_t n) {
        O::store(out + b + i, masked ? scale : O::mul(O::load(out + b + i, n, 0), scale), n);
      });
    }
    return true;
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
    if (cols <= kBlock) {
      auto logs = log_batch([&](size_t r, T m, T log_sum) { out[r] = static_cast<T>(static_cast<double>(m) + log_sum); });
      block_rows(x, rows, cols, k, [&](size_t r, T m, double sum) { logs.add(r, m, sum); },
                 [&](size_t r) { serial().log_sum_exp_rows(x + r * cols, out + r, 1, cols); });
      return logs.flush();
    }
    for (size_t r = 0; r < rows; ++r, x += cols) {
      const Stats st = stats(x, cols, k, 1.0, next_row(x, r, rows, cols));
      if (std::isfinite(st.m)) {
        out[r] = static_cast<T>(st.m + std::log(st.sum));
      } else {
        serial().log_sum_exp_rows(x, out + r, 1, cols);
      }
    }
  }

  // The logs of row sums, N at a time with one vector log (simd/log.h: < 1 ULP; rounding a sum to
  // T adds 2^-24 relative to it in float, far inside the contract's 1e-6). done(r, m, log_sum) is
  // called in the order rows were added, when N are waiting or at flush().
  template <class Done>
  struct LogBatch {
    explicit LogBatch(Done d) : done(d) {}
    void add(size_t r, T m, double sum) {
      sums[count] = static_cast<T>(sum);
      maxes[count] = m;
      at[count++] = r;
      if (count == N) flush();
    }
    void flush() {
      if (count == 0) return;
      T logs[N];
      O::store(logs, log_poly<O>(O::load(sums, count, 1)), count);
      for (size_t j = 0; j < count; ++j) done(at[j], maxes[j], logs[j]);
      count = 0;
    }
    Done done;
    T sums[N], maxes[N];
    size_t at[N], count = 0;
  };
  // A LogBatch calling `done` (clang deduces no template arguments for a member template).
  template <class Done>
  static LogBatch<Done> log_batch(Done done) {
    return LogBatch<Done>(done);
  }

  // Rows of at most a block, pipelined: the loop that sums row r's exponentials also takes row
  // r + 1's max, so the passes of neighbouring rows overlap instead of each draining the
  // out-of-order window. row(r, m, sum) for each row with a finite max, special(r) for the others
  // (the serial kernel's rows), in row order.
  template <class Row, class Special>
  static void block_rows(const T* x, size_t rows, size_t cols, const ExpScale<O>& k, Row row, Special special) {
    if (rows == 0) return;  // an empty batch: no row 0 to take the max of
    T m = max(x, cols);
    for (size_t r = 0; r < rows; ++r, x += cols) {
      // The last row takes its own max again, which is read and not used: no branch in the loop.
      const T* next = r + 1 < rows ? x + cols : x;
      if (!std::isfinite(m)) {
        special(r);
        m = max(next, cols);
        continue;
      }
      const V mv = O::set1(m);
      V next_max = O::set1(-kInf);
      const double sum = fold(cols, [&](size_t i, size_t n) {
        next_max = O::max(next_max, O::load(next + i, n, -kInf));
        return exps(x, i, n, mv, k);
      });
      row(r, m, sum);
      m = O::hmax(next_max);
    }
  }
};

}  // namespace

#endif  // SOFTMAX_SIMD_SOFTMAX_SOFTMAX_H
