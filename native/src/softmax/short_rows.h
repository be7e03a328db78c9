// Short rows (cols ≤ kShortMaxCols): softmax, log-softmax, log-sum-exp and the class-index
// cross-entropy with its gradient, N rows at a time (N = the vector's lane count: 16 float rows on
// AVX-512, 8 on AVX2, 4 on NEON; half as many double rows). The SIMD body over an ISA's vector ops
// `O`, used by softmax/softmax.h and cross_entropy/cross_entropy.h; included by an ISA's
// translation unit only (isa/table.h), inside an anonymous namespace like every SIMD header.
//
// A row of up to a few vectors pays, in the general kernels, for two horizontal reductions (max,
// sum), a scalar log or division and the block machinery: about 90 cycles a 10-class row. Here a
// group of N rows runs in three short passes, each row in its own vectors (a masked tail, −Inf in
// the lanes past the row):
//   1. each row's vectors are combined lane-wise into one vector of partial maxima; the N partial
//      vectors are reduced together by a transposing tree (reduce_rows: transpose_halves, then the
//      op, log2 N times; N − 1 combines in all), whose result holds row r's max in lane r. No row
//      waits for its own horizontal reduction, and the group's rows overlap in the core.
//   2. each row's max is broadcast from its lane, its exponentials e^((x − m)/T) computed (and, for
//      softmax and the gradient, stored in the output), summed lane-wise, and reduced as in 1:
//      lane r of S is row r's sum.
//   3. per group, one vector division (softmax: 1/S; the gradient: w_y·scale/S) or one vector log
//      (log-sum-exp, log-softmax, the loss: simd/log.h); per row, a broadcast and one multiply
//      (or FMA) a vector over the output, which is still in L1.
// The group's rows (N rows of at most kShortMaxCols) stay in L1 between the passes: a row is read
// from memory once and written once.
//
// Numerics: the sum of a row's terms is a tree in float (at most log2(N) + kShortMaxCols/N terms a
// chain), within DESIGN.md's bounds without the compensated fold of long rows; logs come from the
// vector log (0.75 ULP), the exp from simd/exp.h (< 1 ULP), whose clamp keeps NaN.
// Special values: a group in which some row's max is not finite (+Inf, all −Inf, NaN; a NaN the
// lane-wise max dropped makes its row's sum NaN, as it must) is handed back to the caller, which
// runs the general kernel on those rows (it has the exact PyTorch semantics, by way of the serial
// twin); so are cross-entropy rows whose gradient constants leave T's range. Rows past the end of
// the batch (the last group) and ignored cross-entropy rows take zero partials and are not written
// by the vector passes.
#ifndef SOFTMAX_SIMD_SOFTMAX_SHORT_ROWS_H
#define SOFTMAX_SIMD_SOFTMAX_SHORT_ROWS_H

#include <cmath>
#include <cstdint>
#include <utility>

#include "simd/compensated_sum.h"
#include "simd/exp.h"
#include "simd/log.h"
#include "simd/loops.h"

namespace {

// A group's passes are one function each, with every helper (the row loops, exp, log, the
// reduction tree) inlined into it: the N rows' vectors then stay in registers and the rows' work
// interleaves (SSM_FLATTEN, simd/loops.h). GCC and clang inline only part of it unasked (measured
// 5x slower at 4096x10).

// Rows of at most this many classes take the short-row kernels (a group of N rows then stays in L1:
// 16 rows of 128 floats are 8 KiB).
constexpr size_t kShortMaxCols = 128;

// f(std::integral_constant<size_t, I>{}) for I = 0 .. K − 1, unrolled.
template <size_t K, class F, size_t... I>
inline void static_for_impl(F&& f, std::index_sequence<I...>) {
  (f(std::integral_constant<size_t, I>{}), ...);
}
template <size_t K, class F>
inline void static_for(F&& f) {
  static_for_impl<K>(f, std::make_index_sequence<K>{});
}

template <class O, bool kScaled>
struct ShortRows : Loops<O> {
  using L = Loops<O>;
  using typename L::T;
  using typename L::V;
  using L::N;
  using L::kInf;
  using L::in_range;

  static bool fits(size_t cols) { return cols <= kShortMaxCols; }

  // Lane r of the result = op over the lanes of v[r] (v is clobbered). Level H pairs v[i] with
  // v[i + H]: lanes [0, N/2) of the pair's result hold v[i]'s half-reduced partials, the upper
  // lanes v[i + H]'s; after log2 N levels lane r holds row r.
  template <size_t H = N / 2, class Op>
  static V reduce_rows(V* v, Op op) {
    static_for<H>([&](auto i) {
      V lo, hi;
      O::template transpose_halves<H>(v[i], v[i + H], &lo, &hi);
      v[i] = op(lo, hi);
    });
    if constexpr (H == 1) {
      return v[0];
    } else {
      return reduce_rows<H / 2>(v, op);
    }
  }
  struct MaxOp {
    V operator()(V a, V b) const { return O::max(a, b); }
  };
  struct AddOp {
    V operator()(V a, V b) const { return O::add(a, b); }
  };

  // Lane-wise max of a row's vectors (−Inf past the row).
  static V row_max(const T* x, size_t cols) {
    if (cols <= N) return O::load(x, cols, -kInf);
    V m = O::load(x, N, 0);
    size_t i = N;
    for (; i + N <= cols; i += N) m = O::max(m, O::load(x + i, N, 0));
    if (i < cols) m = O::max(m, O::load(x + i, cols - i, -kInf));
    return m;
  }

  // Lane-wise sum of a row's e^((x − m)·s); stored to e when kStore (e may be x). The lanes past
  // the row take d = 0, then 0: an exponential that underflows (e^−Inf) costs Zen 4 a microcode
  // assist in vscalef, about 100 cycles (4096x10 ran 5x slower with −Inf there).
  template <bool kStore>
  static V row_exps(const T* x, size_t cols, V m, const ExpScale<O>& k, T* e) {
    auto one = [&](size_t i, size_t n) {
      const V d = O::sub(O::load(x + i, n, 0), m);
      const V v = exp_scaled<O, false, kScaled>(n == N ? d : O::keep(d, n), k);
      if (kStore) O::store(e + i, v, n);
      return O::keep(v, n);
    };
    if (cols <= N) return one(0, cols);
    // Rows of several vectors come from memory in large batches: the same place in the next
    // group (N rows on) is prefetched, and so is the output there.
    const size_t ahead = N * cols;
    __builtin_prefetch(x + ahead);
    if (kStore) __builtin_prefetch(e + ahead, 1);
    V s = one(0, N);
    size_t i = N;
    for (; i + N <= cols; i += N) {
      __builtin_prefetch(x + i + ahead);
      if (kStore) __builtin_prefetch(e + i + ahead, 1);
      s = O::add(s, one(i, N));
    }
    if (i < cols) s = O::add(s, one(i, cols - i));
    return s;
  }

  // out[i] = f(out[i] or x[i]) over a row's vectors.
  template <class F>
  static void row_map(const T* x, T* out, size_t cols, F f) {
    size_t i = 0;
    for (; i + N <= cols; i += N) O::store(out + i, f(O::load(x + i, N, 0)), N);
    if (i < cols) O::store(out + i, f(O::load(x + i, cols - i, 0)), cols - i);
  }

  // Bits of the first n lanes.
  static unsigned first_bits(size_t n) { return n >= 32 ? ~0u : (1u << n) - 1; }

  // The rows of a group that are not in the batch (r ≥ count, in the last group) repeat its last
  // row: the passes then have no branch per row, and their lanes are never written.
  static size_t clamp(size_t r, size_t count) { return r < count ? r : count - 1; }

  // Pass 1 for rows [0, count) of a group: lane r of *m = row r's max; false when one is not
  // finite.
  static bool group_max(const T* x, size_t cols, size_t count, V* m) {
    V v[N];
    static_for<N>([&](auto r) { v[r] = row_max(x + clamp(r, count) * cols, cols); });
    *m = reduce_rows(v, MaxOp{});
    return O::mask_equal(O::sub(*m, *m), O::zero()) == first_bits(N);
  }

  // Pass 2: lane r of the result = row r's sum; exponentials stored to e's rows when kStore (e
  // may be x: rows past the batch then must not read what their row stored, so they are skipped).
  template <bool kStore>
  static V group_sum(const T* x, T* e, size_t cols, size_t count, V m, const ExpScale<O>& k) {
    V v[N];
    static_for<N>([&](auto r) {
      const V mr = O::template broadcast_lane<r>(m);
      if (kStore) {
        v[r] = r < count ? row_exps<true>(x + r * cols, cols, mr, k, e + r * cols) : O::zero();
      } else {
        v[r] = row_exps<false>(x + clamp(r, count) * cols, cols, mr, k, nullptr);
      }
    });
    return reduce_rows(v, AddOp{});
  }

  // Pass 2 for rows of one vector (cols ≤ N): the exponentials stay in registers, in e[r] (lanes
  // past the row 0). Storing them and reading them back in pass 3 measured slower than the whole
  // general kernel on Zen 4 (masked stores, then loads of the same lines).
  static V group_sum_kept(const T* x, V* e, size_t cols, size_t count, V m, const ExpScale<O>& k) {
    V v[N];
    static_for<N>([&](auto r) {
      e[r] = row_exps<false>(x + clamp(r, count) * cols, cols, O::template broadcast_lane<r>(m), k, nullptr);
      v[r] = e[r];
    });
    return reduce_rows(v, AddOp{});
  }

  // 1 in lane y (y < N), else 0: a load from kUnitAt + 16 − y.
  static V unit(size_t y) {
    alignas(64) static constexpr T kUnitAt[32] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static_assert(N <= 16, "kUnitAt has room for 16 lanes");
    return O::load(kUnitAt + 16 - y, N, 0);
  }

  // Softmax of `count` ≤ N rows; false (nothing written) when the caller must take them.
  SSM_FLATTEN static bool softmax_group(const T* x, T* out, size_t cols, size_t count, const ExpScale<O>& k) {
    V m;
    if (!group_max(x, cols, count, &m)) return false;
    if (cols <= N) {
      V e[N];
      const V inv = O::div(O::set1(1), group_sum_kept(x, e, cols, count, m, k));
      static_for<N>([&](auto r) {
        if (r < count) O::store(out + r * cols, O::mul(e[r], O::template broadcast_lane<r>(inv)), cols);
      });
      return true;
    }
    const V inv = O::div(O::set1(1), group_sum<true>(x, out, cols, count, m, k));
    static_for<N>([&](auto r) {
      if (r < count) {
        const V f = O::template broadcast_lane<r>(inv);
        row_map(out + r * cols, out + r * cols, cols, [&](V e) { return O::mul(e, f); });
      }
    });
    return true;
  }

  SSM_FLATTEN static bool log_softmax_group(const T* x, T* out, size_t cols, size_t count, const ExpScale<O>& k) {
    V m;
    if (!group_max(x, cols, count, &m)) return false;
    const V log_s = log_poly<O>(group_sum<false>(x, nullptr, cols, count, m, k));
    if (cols > N) {  // the next group's output, which the pass below does not store into
      for (size_t i = 0; i < N * cols; i += 64 / sizeof(T)) __builtin_prefetch(out + N * cols + i, 1);
    }
    static_for<N>([&](auto r) {
      if (r < count) {
        const V mr = O::template broadcast_lane<r>(m);
        const V shift = O::sub(O::zero(), O::template broadcast_lane<r>(log_s));
        row_map(x + r * cols, out + r * cols, cols, [&](V v) { return O::fma(O::sub(v, mr), k.s, shift); });
      }
    });
    return true;
  }

  SSM_FLATTEN static bool log_sum_exp_group(const T* x, T* out, size_t cols, size_t count, const ExpScale<O>& k) {
    V m;
    if (!group_max(x, cols, count, &m)) return false;
    const V s = group_sum<false>(x, nullptr, cols, count, m, k);
    O::store(out, O::add(m, log_poly<O>(s)), count);
    return true;
  }

  // The max and the sum of each of `count` rows (lanes past count: 0); false as the others.
  SSM_FLATTEN static bool stats_group(const T* x, size_t cols, size_t count, const ExpScale<O>& k, V* m, V* s) {
    if (!group_max(x, cols, count, m)) return false;
    *s = group_sum<false>(x, nullptr, cols, count, *m, k);
    return true;
  }

  // Cross-entropy of `count` rows from row r0 of the batch, class-index targets without label
  // smoothing (a.weight may be given): loss_r = w_y (log S_r + (m_r − x_y)/T), gradient
  // (w_y·scale/S_r)·e_c minus w_y·scale at the label. Adds the losses to *total; false (nothing
  // written) when the caller must take the rows.
  template <class Args>
  SSM_FLATTEN static bool cross_entropy_group(const Args& a, size_t r0, size_t count, const ExpScale<O>& k, CompensatedSum* total) {
    const size_t cols = a.cols;
    const T* x = a.logits + r0 * cols;
    T* g = a.grad_out ? a.grad_out + r0 * cols : nullptr;
    const double base = a.grad_scale / a.temperature;
    // Without weights or row factors, every row's gradient constant is `base`, checked once.
    const bool per_row = a.weight || a.grad_row_scale;
    if (g && !per_row && !in_range(base)) return false;
    // Per row: x_y, w_y, w_y·scale (0 for ignored rows and rows past the batch, which are
    // computed like the others but neither counted nor written) and 1 where ignored.
    alignas(64) T xy[N], wy[N], qs[N], ign[N];
    double fix[N];  // w_y·scale in double, subtracted at the label
    unsigned ignored = 0;
    for (size_t r = 0; r < N; ++r) {
      const int32_t y = r < count ? a.target[r0 + r] : a.ignore_index;
      if (y == a.ignore_index) {
        ignored |= 1u << r;
        xy[r] = wy[r] = qs[r] = 0;
        ign[r] = 1;
        fix[r] = 0;
        continue;
      }
      ign[r] = 0;
      xy[r] = x[r * cols + static_cast<size_t>(y)];  // before the gradient may overwrite the logits
      double w = 1, scale = base;
      if (per_row) {
        if (a.weight) w = a.weight[y];
        if (a.grad_row_scale) scale *= a.grad_row_scale[r0 + r];
        if (g && !(in_range(scale) && in_range(w * scale))) return false;
      }
      wy[r] = static_cast<T>(w);
      qs[r] = static_cast<T>(w * scale);
      fix[r] = w * scale;
    }
    V m;
    if (!group_max(x, cols, count, &m)) return false;
    const bool kept = g && cols <= N;
    V e[N] = {};
    V s;
    if (kept) {
      s = group_sum_kept(x, e, cols, count, m, k);
    } else {
      s = g ? group_sum<true>(x, g, cols, count, m, k) : group_sum<false>(x, nullptr, cols, count, m, k);
    }
    // loss = w_y·(log S + (m − x_y)·s) in T (within DESIGN.md's bound: three roundings); ignored
    // rows 0, even when NaN. Where a loss is not finite (m − x_y beyond T's range, or a NaN row),
    // the group's losses are formed again in double, as the general kernel forms them.
    const V log_s = log_poly<O>(s);
    V loss = O::mul(O::load(wy, N, 0), O::fma(O::sub(m, O::load(xy, N, 0)), k.s, log_s));
    loss = O::keep(O::select_less(O::load(ign, N, 0), O::set1(T(0.5)), loss, O::zero()), count);
    double group_total = O::hsum(loss);
    if (std::isfinite(group_total)) {
      if (a.loss_out) O::store(a.loss_out + r0, loss, count);
    } else {
      alignas(64) T ms[N], logs[N];
      O::store(ms, m, N);
      O::store(logs, log_s, N);
      const double inv_t = 1.0 / a.temperature;
      group_total = 0;
      for (size_t r = 0; r < count; ++r) {
        const double l = ignored >> r & 1 ? 0.0 : wy[r] * (logs[r] + (static_cast<double>(ms[r]) - xy[r]) * inv_t);
        if (a.loss_out) a.loss_out[r0 + r] = static_cast<T>(l);
        group_total += l;
      }
    }
    total->add(group_total);
    if (!g) return true;
    const V qp = O::div(O::load(qs, N, 0), s);
    static_for<N>([&](auto r) {
      if (r >= count) return;
      T* gr = g + r * cols;
      if (ignored >> r & 1) {
        row_map(gr, gr, cols, [](V) { return O::zero(); });
        return;
      }
      const V f = O::template broadcast_lane<r>(qp);
      const size_t y = static_cast<size_t>(a.target[r0 + r]);
      if (kept) {  // e·f, less w_y·scale at the label
        O::store(gr, O::fma(unit(y), O::set1(-qs[r]), O::mul(e[r], f)), cols);
        return;
      }
      row_map(gr, gr, cols, [&](V v) { return O::mul(v, f); });
      gr[y] = static_cast<T>(gr[y] - fix[r]);
    });
    return true;
  }
};

}  // namespace

#endif  // SOFTMAX_SIMD_SOFTMAX_SHORT_ROWS_H
