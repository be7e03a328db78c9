// The SIMD row kernels, written once over an ISA's vector ops `O` (simd_avx2.h, simd_avx512.h,
// simd_neon.h) and included by that ISA's translation unit only. Everything is in an anonymous
// namespace, so each ISA's instantiations stay inside its own object file.
//
// Passes (see DESIGN.md "Performance contract"):
// - row statistics (max m and s = Σ e^((x−m)/T)) read the row once, online: blocks of kBlock
//   elements, each block's max from L1, then its exp-sum; when a block raises the max, the sum so
//   far is rescaled by one scalar exp. Exp sums accumulate in float vectors for at most 8 terms a
//   lane (kFold elements) and are folded into a compensated double, so their error does not grow
//   with cols.
// - log-sum-exp and the cross-entropy loss use only those statistics (one read of the logits);
//   log-softmax adds one pass that writes the output.
// - softmax and the cross-entropy gradient, for rows up to kStoreMaxBytes (the L2 cache of the
//   machines we measure), keep the exponentials: max, exp stored in the output with the sum, then
//   a scaling pass over the output (one exp per element instead of two: at 1024x1000 f32 on
//   AVX-512, softmax 3,180 against 2,930 Melem/s and the fused gradient 2,840 against 1,990;
//   at 8x256000 softmax 3,050 against 2,250). Longer rows read the logits twice and write once:
//   online statistics, then a pass that recomputes each exponential.
// - For rows of kPrefetchMin elements or more, the next row is prefetched while the current
//   one's exponentials are computed (256x32000 softmax: 1,960 to 2,230 Melem/s).
// Rows whose max is not finite (a +Inf, all −Inf, NaN) go to the serial kernel, which has the
// exact PyTorch semantics; NaN with a finite max needs no special case: it makes the sum NaN.
#ifndef SOFTMAX_SIMD_ROWS_IMPL_H
#define SOFTMAX_SIMD_ROWS_IMPL_H

#include <algorithm>
#include <cmath>
#include <limits>

#include "exp_poly.h"
#include "log_poly.h"
#include "row_ranges.h"
#include "row_sum.h"
#include "softmax_simd/kernels.h"

namespace {

constexpr size_t kBlock = 2048;     // online statistics: elements per block
constexpr size_t kStoreMaxBytes = size_t{1} << 20;  // longest row (in bytes) that keeps exponentials

// The serial kernels by element type (for whole calls, or one row with rows = 1).
inline void serial_softmax(const float* x, float* out, size_t rows, size_t cols, double t, int am) {
  softmax_rows_f32_serial(x, out, rows, cols, t, am);
}
inline void serial_softmax(const double* x, double* out, size_t rows, size_t cols, double t, int am) {
  softmax_rows_f64_serial(x, out, rows, cols, t, am);
}
inline void serial_log_softmax(const float* x, float* out, size_t rows, size_t cols, double t, int am) {
  log_softmax_rows_f32_serial(x, out, rows, cols, t, am);
}
inline void serial_log_softmax(const double* x, double* out, size_t rows, size_t cols, double t, int am) {
  log_softmax_rows_f64_serial(x, out, rows, cols, t, am);
}
inline void serial_log_sum_exp(const float* x, float* out, size_t n) { log_sum_exp_rows_f32_serial(x, out, 1, n); }
inline void serial_log_sum_exp(const double* x, double* out, size_t n) { log_sum_exp_rows_f64_serial(x, out, 1, n); }
inline double serial_cross_entropy(const cross_entropy_args_f32& a) { return cross_entropy_rows_f32_serial(&a); }
inline double serial_cross_entropy(const cross_entropy_args_f64& a) { return cross_entropy_rows_f64_serial(&a); }

// kScaled: the temperature is not 1 (exp_scaled needs one op more).
template <class O, bool kScaled>
struct Rows {
  using T = typename O::T;
  using V = typename O::V;
  static constexpr size_t N = O::N;
  static constexpr size_t kFold = 32 * N;  // 4 accumulators x 8 terms a lane
  static constexpr T kInf = std::numeric_limits<T>::infinity();
  static constexpr size_t kStoreMax = kStoreMaxBytes / sizeof(T);
  static constexpr size_t kPrefetchMin = 4096;

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

  static void softmax_rows(const T* x, T* out, size_t rows, size_t cols, double t, int all_masked) {
    ExpScale<O> k;
    if (!scale_for(t, &k)) return serial_softmax(x, out, rows, cols, t, all_masked);
    for (size_t r = 0; r < rows; ++r, x += cols, out += cols) {
      if (cols <= kStoreMax) {
        const T m = max(x, cols);
        if (!std::isfinite(m)) {
          serial_softmax(x, out, 1, cols, t, all_masked);
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
          serial_softmax(x, out, 1, cols, t, all_masked);
          continue;
        }
        const V mv = O::set1(st.m), inv = O::set1(static_cast<T>(1.0 / st.sum));
        each(cols, [&](size_t i, size_t n) { O::store(out + i, O::mul(exps(x, i, n, mv, k), inv), n); });
      }
    }
  }

  static void log_softmax_rows(const T* x, T* out, size_t rows, size_t cols, double t, int all_masked) {
    ExpScale<O> k;
    if (!scale_for(t, &k)) return serial_log_softmax(x, out, rows, cols, t, all_masked);
    for (size_t r = 0; r < rows; ++r, x += cols, out += cols) {
      const Stats st = stats(x, cols, k, t, next_row(x, r, rows, cols));
      if (!std::isfinite(st.m)) {
        serial_log_softmax(x, out, 1, cols, t, all_masked);
        continue;
      }
      const V mv = O::set1(st.m), shift = O::set1(static_cast<T>(-std::log(st.sum)));
      each(cols, [&](size_t i, size_t n) { O::store(out + i, O::fma(O::sub(O::load(x + i, n, 0), mv), k.s, shift), n); });
    }
  }

  static void log_sum_exp_rows(const T* x, T* out, size_t rows, size_t cols) {
    const ExpScale<O> k = exp_scale<O>(1);
    for (size_t r = 0; r < rows; ++r, x += cols) {
      const Stats st = stats(x, cols, k, 1.0, next_row(x, r, rows, cols));
      if (std::isfinite(st.m)) {
        out[r] = static_cast<T>(st.m + std::log(st.sum));
      } else {
        serial_log_sum_exp(x, out + r, cols);
      }
    }
  }

  template <class Args>
  static double cross_entropy_rows(const Args* args) {
    const Args& a = *args;
    ExpScale<O> k;
    if (!scale_for(a.temperature, &k)) return serial_cross_entropy(a);
    const size_t cols = a.cols;
    const double eps = a.label_smoothing, smooth = eps / static_cast<double>(cols);
    const double inv_t = 1.0 / a.temperature;
    CompensatedSum weights;  // W = Σ_c w[c]
    for (size_t c = 0; c < cols; ++c) weights.add(a.weight ? a.weight[c] : 1.0);
    const double weight_total = weights.value();
    const bool soft = a.target_probs != nullptr;
    const bool spread = soft || eps != 0;  // the loss needs Σ u_c (m − x_c) over every class
    const V ta = O::set1(static_cast<T>(1 - eps)), tb = O::set1(static_cast<T>(smooth));

    CompensatedSum total;
    for (size_t r = 0; r < a.rows; ++r) {
      const T* x = a.logits + r * cols;
      T* g = a.grad_out ? a.grad_out + r * cols : nullptr;
      const T* tp = soft ? a.target_probs + r * cols : nullptr;
      const int32_t y = soft ? -1 : a.target[r];
      if (!soft && y == a.ignore_index) {
        if (a.loss_out) a.loss_out[r] = 0;
        if (g) each(cols, [&](size_t i, size_t n) { O::store(g + i, O::zero(), n); });
        continue;
      }
      // u_c: soft, w_c·((1−ε)t_c + ε/C); hard, w_c (the smoothing term's weights).
      auto u = [&](size_t i, size_t n) {
        const V w = a.weight ? O::load(a.weight + i, n, 0) : O::set1(1);
        return soft ? O::mul(w, O::fma(O::load(tp + i, n, 0), ta, tb)) : w;
      };
      const double xy = soft ? 0 : x[y];  // read before the gradient may overwrite the logits
      const double wy = soft ? 0 : (a.weight ? a.weight[y] : 1.0);
      const double scale = a.grad_scale * (a.grad_row_scale ? a.grad_row_scale[r] : 1.0) * inv_t;
      // A row that fits in cache keeps its exponentials in the gradient (one exp per element
      // instead of two), unless the gradient overwrites soft targets that the last pass reads.
      const bool stored = g && cols <= kStoreMax && !(soft && g == tp);
      // Σ u_c is Q for soft targets, and rescales the spread when the online max rises.
      const bool need_u_total = soft || !stored;
      CompensatedSum u_total, u_spread;  // Σ u_c and Σ u_c (m − x_c)
      auto per_block = [&](size_t b, size_t n, V mv) {
        if (!spread) return;
        if (need_u_total) u_total.add(fold(n, [&](size_t i, size_t c) { return O::keep(u(b + i, c), c); }));
        u_spread.add(fold(n, [&](size_t i, size_t c) {
          return O::keep(O::mul(u(b + i, c), O::sub(mv, O::load(x + b + i, c, 0))), c);
        }));
      };
      // Q = Σ q_c: soft, Σ u_c; hard, (1−ε)·w_y + ε/C·W.
      auto q_total = [&] { return soft ? u_total.value() : (1 - eps) * wy + smooth * weight_total; };
      // The gradient's constants are at most Q·scale and (1−ε)·w_y·scale (the sum is ≥ 1); with
      // 1/T near T's maximum they pass it, and the serial kernel, which scales last, takes the row.
      bool grad_in_range = true;
      auto check_grad_range = [&] {
        grad_in_range = !g || (in_range(scale) && in_range(q_total() * scale) && in_range((1 - eps) * wy * scale));
      };
      Stats st;
      if (stored) {
        st = {max(x, cols), 0, false};
        if (std::isfinite(st.m)) {
          const V mv = O::set1(st.m);
          per_block(0, cols, mv);  // before the exponentials overwrite logits that are the gradient
          check_grad_range();
          if (grad_in_range && (!spread || std::isfinite(u_spread.value()))) {
            const T* next = next_row(x, r, a.rows, cols);
            st.sum = fold(cols, [&](size_t i, size_t n) {
              if (next) __builtin_prefetch(next + i);
              const V e = exps(x, i, n, mv, k);
              O::store(g + i, e, n);
              return e;
            });
          }
        }
      } else {
        auto rescale = [&](T m_old, T m_new) { u_spread.add(u_total.value() * (static_cast<double>(m_new) - m_old)); };
        st = stats(x, cols, k, a.temperature, next_row(x, r, a.rows, cols), per_block, rescale);
        check_grad_range();
      }
      // The serial kernel also takes rows whose spread is not finite: −Inf logits (whose +Inf
      // terms per_block skips in an all −Inf block), NaN, or m − x beyond the float range.
      if (!std::isfinite(st.m) || !grad_in_range ||
          (spread && (st.masked_block || !std::isfinite(u_spread.value())))) {
        total.add(serial_cross_entropy(cross_entropy_range(a, r, r + 1)));
        continue;
      }
      const double log_sum = std::log(st.sum);
      double loss;
      if (soft) {
        loss = q_total() * log_sum + u_spread.value() * inv_t;
      } else {
        loss = (1 - eps) * wy * (log_sum + (st.m - xy) * inv_t);
        if (eps != 0) loss += smooth * (weight_total * log_sum + u_spread.value() * inv_t);
      }
      if (a.loss_out) a.loss_out[r] = static_cast<T>(loss);
      total.add(loss);
      if (!g) continue;
      // grad_c = (Q p_c − q_c)·scale/T with p_c = e_c / sum; q_c = u_c (soft) or ε/C·u_c plus
      // (1−ε)·w_y at the label (hard), which is subtracted after the vector pass.
      const V mv = O::set1(st.m), qp = O::set1(static_cast<T>(q_total() * scale / st.sum));
      const V qu = O::set1(static_cast<T>(-scale * (soft ? 1.0 : smooth)));
      auto e = [&](size_t i, size_t n) { return stored ? O::load(g + i, n, 0) : exps(x, i, n, mv, k); };
      if (!soft && eps == 0) {
        each(cols, [&](size_t i, size_t n) { O::store(g + i, O::mul(e(i, n), qp), n); });
      } else {
        each(cols, [&](size_t i, size_t n) { O::store(g + i, O::fma(e(i, n), qp, O::mul(qu, u(i, n))), n); });
      }
      if (!soft) g[y] = static_cast<T>(g[y] - (1 - eps) * wy * scale);
    }
    return total.value();
  }


  // The vector exp over an array (for the exhaustive accuracy test and the benchmarks).
  static void exp_array(const T* x, T* y, size_t len) {
    const ExpScale<O> k = exp_scale<O>(1);
    each(len, [&](size_t i, size_t n) { O::store(y + i, exp_scaled<O, true, false>(O::load(x + i, n, 0), k), n); });
  }

  // The vector log and log1p over an array (for their accuracy test).
  static void log_array(const T* x, T* y, size_t len) {
    each(len, [&](size_t i, size_t n) { O::store(y + i, log_poly<O>(O::load(x + i, n, 1)), n); });
  }
  static void log1p_array(const T* x, T* y, size_t len) {
    each(len, [&](size_t i, size_t n) { O::store(y + i, log1p_poly<O>(O::load(x + i, n, 0)), n); });
  }
};

}  // namespace

#endif  // SOFTMAX_SIMD_ROWS_IMPL_H
