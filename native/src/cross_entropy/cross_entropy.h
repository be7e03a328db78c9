// Cross-entropy with its gradient, fused: the SIMD body over an ISA's vector ops `O`, on the row
// statistics of softmax/softmax.h (one read of the logits for the loss; the gradient keeps the
// exponentials of rows that fit in cache). Rows whose max or spread is not finite, or whose
// gradient constants leave T's range, go to the serial twin (cross_entropy/serial.cc), which has
// the exact semantics. Included by an ISA's translation unit only (isa/table.h).
#ifndef SOFTMAX_SIMD_CROSS_ENTROPY_CROSS_ENTROPY_H
#define SOFTMAX_SIMD_CROSS_ENTROPY_CROSS_ENTROPY_H

#include <cmath>

#include "simd/compensated_sum.h"
#include "simd/row_ranges.h"
#include "softmax/short_rows.h"
#include "softmax/softmax.h"

namespace {

template <class O, bool kScaled>
struct CrossEntropy : Softmax<O, kScaled> {
  using S = Softmax<O, kScaled>;
  using typename S::T;
  using typename S::V;
  using typename S::Stats;
  using S::each;
  using S::exps;
  using S::fold;
  using S::in_range;
  using S::kInf;
  using S::kStoreMax;
  using S::max;
  using S::next_row;
  using S::scale_for;
  using S::serial;
  using S::stats;

  using Short = typename S::Short;

  template <class Args>
  static double cross_entropy_rows(const Args* args) {
    const Args& a = *args;
    ExpScale<O> k;
    if (!scale_for(a.temperature, &k)) return serial().cross_entropy_rows(&a);
    // Class-index targets without smoothing on short rows: groups of N rows (softmax/short_rows.h);
    // a group it hands back takes the general loop below.
    if (a.target_probs == nullptr && a.label_smoothing == 0 && Short::fits(a.cols)) {
      CompensatedSum total;
      S::short_groups(
          a.rows, [&](size_t r, size_t n) { return Short::cross_entropy_group(a, r, n, k, &total); },
          [&](size_t r, size_t n) {
            const Args part = cross_entropy_range(a, r, r + n);
            total.add(cross_entropy_general(&part, k));
          });
      return total.value();
    }
    return cross_entropy_general(&a, k);
  }

  template <class Args>
  static double cross_entropy_general(const Args* args, const ExpScale<O>& k) {
    const Args& a = *args;
    const size_t cols = a.cols;
    const double eps = a.label_smoothing, smooth = eps / static_cast<double>(cols);
    const double inv_t = 1.0 / a.temperature;
    const bool soft = a.target_probs != nullptr;
    if (!soft && eps == 0 && !a.grad_out && cols <= kBlock) return loss_rows(a, k);
    // W = Σ_c w[c], which only smoothed class-index targets need (the addon calls this once per
    // chunk of rows, so a 256,000-class row must not pay for another pass over the weights).
    const double weight_total = soft || eps == 0 ? 0 : a.weight ? S::sum(a.weight, cols) : static_cast<double>(cols);
    const bool spread = soft || eps != 0;  // the loss needs Σ u_c (m − x_c) over every class
    const V ta = O::set1(static_cast<T>(1 - eps)), tb = O::set1(static_cast<T>(smooth));

    CompensatedSum total;
    // Rows that store their exponentials take the next row's max in the same loop (pipelined:
    // the passes of neighbouring rows overlap); it is kept for row `next_max_row`.
    T next_max = 0;
    size_t next_max_row = 0;
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
        st = {r > 0 && next_max_row == r ? next_max : max(x, cols), 0, false};
        if (std::isfinite(st.m)) {
          const V mv = O::set1(st.m);
          per_block(0, cols, mv);  // before the exponentials overwrite logits that are the gradient
          check_grad_range();
          if (grad_in_range && (!spread || std::isfinite(u_spread.value()))) {
            auto exps_into_g = [&](size_t i, size_t n) {
              const V e = exps(x, i, n, mv, k);
              O::store(g + i, e, n);
              return e;
            };
            if (const T* next = next_row(x, r, a.rows, cols)) {  // rows from memory: prefetch the next
              st.sum = fold(cols, next, exps_into_g);
            } else {  // rows in cache: the next row's max in this loop (the last row reads its own)
              const T* following = r + 1 < a.rows ? x + cols : x;
              V nm = O::set1(-kInf);
              st.sum = fold(cols, [&](size_t i, size_t n) {
                nm = O::max(nm, O::load(following + i, n, -kInf));
                return exps_into_g(i, n);
              });
              next_max = O::hmax(nm);
              next_max_row = r + 1;
            }
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
        const auto row = cross_entropy_range(a, r, r + 1);
        total.add(serial().cross_entropy_rows(&row));
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

  // The loss alone, class-index targets without smoothing, rows of up to a block: the pipelined
  // row statistics and 16 logs at once (softmax.h, block_rows and LogBatch). loss = w_y·(log Σ +
  // (m − x_y)/T); a serial row first takes the logs waiting before it, so the total adds in row order.
  template <class Args>
  static double loss_rows(const Args& a, const ExpScale<O>& k) {
    const size_t cols = a.cols;
    const double inv_t = 1.0 / a.temperature;
    CompensatedSum total;
    auto ignored = [&](size_t r) {
      if (a.target[r] != a.ignore_index) return false;
      if (a.loss_out) a.loss_out[r] = 0;
      return true;
    };
    auto logs = S::log_batch([&](size_t r, T m, T log_sum) {
      const int32_t y = a.target[r];
      const double w = a.weight ? a.weight[y] : 1.0;
      const double loss = w * (log_sum + (static_cast<double>(m) - a.logits[r * cols + y]) * inv_t);
      if (a.loss_out) a.loss_out[r] = static_cast<T>(loss);
      total.add(loss);
    });
    S::block_rows(a.logits, a.rows, cols, k,
                  [&](size_t r, T m, double sum) {
                    if (!ignored(r)) logs.add(r, m, sum);
                  },
                  [&](size_t r) {
                    if (ignored(r)) return;
                    logs.flush();
                    const auto row = cross_entropy_range(a, r, r + 1);
                    total.add(serial().cross_entropy_rows(&row));
                  });
    logs.flush();
    return total.value();
  }
};

}  // namespace

#endif  // SOFTMAX_SIMD_CROSS_ENTROPY_CROSS_ENTROPY_H
