// The SIMD kernels beyond softmax, written once over an ISA's vector ops `O` and included by that
// ISA's translation unit after rows_impl.h (whose Rows<O> supplies each / fold):
// - sigmoid σ(x) = (x < 0 ? e : 1) / (1 + e) and log σ(x) = min(x, 0) − log1p(e) from
//   e = exp(−|x|) ≤ 1, so nothing overflows for any x;
// - binary cross-entropy on logits (loss and gradient, see kernels.h), on the same e;
// - the backward products of softmax and log-softmax: a row sum, then one pass that writes;
// - the information measures: a checking pass over every row (negative, non-finite, sum), then
//   one pass per row with one vector log an element;
// - the regression losses, branch-free, at memory speed.
// Sums of losses (Rows::fold_wide) and of products and user rows (Rows::fold_checked) never
// overflow in a float lane where their double sum is finite; the information measures' terms are
// bounded (p ≤ 1) and take Rows::fold.
// NaN propagates through every formula: the vector exp and log keep it, and select_negative
// sends a NaN x down the branch whose value is NaN anyway.
#ifndef SOFTMAX_SIMD_LOSSES_IMPL_H
#define SOFTMAX_SIMD_LOSSES_IMPL_H

#include <algorithm>
#include <cmath>
#include <limits>

#include "log_poly.h"
#include "rows_impl.h"
#include "vector_ops.h"

namespace {

inline void serial_softmax_backward(const float* y, const float* dy, float* out, size_t cols) {
  softmax_backward_rows_f32_serial(y, dy, out, 1, cols);
}
inline void serial_softmax_backward(const double* y, const double* dy, double* out, size_t cols) {
  softmax_backward_rows_f64_serial(y, dy, out, 1, cols);
}
inline void serial_log_softmax_backward(const float* y, const float* dy, float* out, size_t cols) {
  log_softmax_backward_rows_f32_serial(y, dy, out, 1, cols);
}
inline void serial_log_softmax_backward(const double* y, const double* dy, double* out, size_t cols) {
  log_softmax_backward_rows_f64_serial(y, dy, out, 1, cols);
}

template <class O>
struct Losses {
  using T = typename O::T;
  using V = typename O::V;
  using R = Rows<O, false>;

  static V one() { return O::set1(T(1)); }
  // e = exp(−|x|), in (0, 1] (NaN for NaN).
  static V exp_neg_abs(V x, const ExpScale<O>& k) { return exp_scaled<O, false, false>(O::sub(O::zero(), O::abs(x)), k); }
  static V sigmoid_of(V x, V e) { return O::div(select_negative<O>(x, e, one()), O::add(one(), e)); }

  static void sigmoid(const T* x, T* out, size_t n) {
    const ExpScale<O> k = exp_scale<O>(1);
    R::each(n, [&](size_t i, size_t c) {
      const V v = O::load(x + i, c, 0);
      O::store(out + i, sigmoid_of(v, exp_neg_abs(v, k)), c);
    });
  }

  static void log_sigmoid(const T* x, T* out, size_t n) {
    const ExpScale<O> k = exp_scale<O>(1);
    R::each(n, [&](size_t i, size_t c) {
      const V v = O::load(x + i, c, 0);
      // min(0, v): the vector second, so a NaN survives
      O::store(out + i, O::sub(O::min(O::zero(), v), log1p_poly<O>(exp_neg_abs(v, k))), c);
    });
  }

  // The frame of the element-wise losses: element(i, c) writes the outputs of elements [i, i + c)
  // and returns their losses (lanes past c zero), which are summed when the loss is wanted.
  template <class Args, class F>
  static double elementwise(const Args& a, size_t n, F element) {
    if (a.loss_out || !a.grad_out) return R::fold_wide(n, element);
    R::each(n, element);
    return 0;
  }

  // The gradient's factor for elements [i, i + c): grad_scale, times grad_element_scale if given.
  template <class Args>
  static V grad_factor(const Args& a, V gs, size_t i, size_t c) {
    return a.grad_element_scale ? O::mul(gs, O::load(a.grad_element_scale + i, c, 0)) : gs;
  }

  static constexpr size_t kRepeat = 1024;  // per-class arrays are laid out this far (a stack buffer)

  template <class Args>
  static double bce_with_logits(const Args* args) {
    const Args& a = *args;
    const ExpScale<O> k = exp_scale<O>(1);
    const V gs = O::set1(static_cast<T>(a.grad_scale));
    // Per-class arrays repeat every cols elements. Short rows get them repeated into a buffer of
    // whole rows, so that spans of many rows run at once (cols 10 with a pos_weight: 6.5 times
    // faster than a span per row); without them the whole batch is one span.
    const T* class_w = a.weight && !a.weight_per_element ? a.weight : nullptr;
    const T* class_pw = a.pos_weight;
    T w_rep[kRepeat], pw_rep[kRepeat];
    size_t span = a.n;
    if (class_w || class_pw) {
      span = a.cols <= kRepeat ? a.cols * (kRepeat / a.cols) : a.cols;
      if (span > a.cols) {
        for (size_t i = 0; i < span; ++i) {
          if (class_w) w_rep[i] = class_w[i % a.cols];
          if (class_pw) pw_rep[i] = class_pw[i % a.cols];
        }
        if (class_w) class_w = w_rep;
        if (class_pw) class_pw = pw_rep;
      }
    }
    CompensatedSum total;
    for (size_t b = 0; b < a.n; b += span) {
      const T* w = a.weight_per_element ? a.weight + b : class_w;
      // Loss and gradient of the elements b + [i, i + c).
      auto element = [&](size_t i, size_t c) {
        const V xv = O::load(a.x + b + i, c, 0), tv = O::load(a.target + b + i, c, 0);
        const V pw = class_pw ? O::load(class_pw + i, c, 0) : one();
        const V l = O::fma(O::sub(pw, one()), tv, one());
        const V e = exp_neg_abs(xv, k);
        const V wv = w ? O::load(w + i, c, 0) : one();
        V loss = O::zero();
        if (a.loss_out || !a.grad_out) {
          // (1 − t)·x + l·max(−x, 0) without cancellation (see serial_losses.cc)
          const V negative = O::fma(O::mul(O::sub(O::zero(), pw), tv), xv, O::sub(xv, xv));
          const V linear = select_negative<O>(xv, negative, O::mul(O::sub(one(), tv), xv));
          loss = O::keep(O::mul(wv, O::fma(l, log1p_poly<O>(e), linear)), c);
          if (a.loss_out) O::store(a.loss_out + b + i, loss, c);
        }
        if (a.grad_out) {
          const V g = O::mul(wv, O::sub(O::mul(l, sigmoid_of(xv, e)), O::mul(pw, tv)));
          O::store(a.grad_out + b + i, O::mul(g, grad_factor(a, gs, b + i, c)), c);
        }
        return loss;
      };
      total.add(elementwise(a, std::min(span, a.n - b), element));
    }
    return total.value();
  }

  // y ⊙ (dy − Σ dy·y) per row.
  static void softmax_backward_rows(const T* y, const T* dy, T* out, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; ++r, y += cols, dy += cols, out += cols) {
      const double dot =
          R::fold_checked(cols, [&](size_t i, size_t c) { return O::mul(O::load(dy + i, c, 0), O::load(y + i, c, 0)); });
      if (!R::in_range(dot)) {  // a row sum beyond T (or Inf, NaN): the serial kernel works in double
        serial_softmax_backward(y, dy, out, cols);
        continue;
      }
      const V s = O::set1(static_cast<T>(dot));
      R::each(cols, [&](size_t i, size_t c) {
        O::store(out + i, O::mul(O::load(y + i, c, 0), O::sub(O::load(dy + i, c, 0), s)), c);
      });
    }
  }

  // dy − exp(y)·Σ dy per row.
  static void log_softmax_backward_rows(const T* y, const T* dy, T* out, size_t rows, size_t cols) {
    const ExpScale<O> k = exp_scale<O>(1);
    for (size_t r = 0; r < rows; ++r, y += cols, dy += cols, out += cols) {
      const double total = sum(dy, cols);
      if (!R::in_range(total)) {
        serial_log_softmax_backward(y, dy, out, cols);
        continue;
      }
      const V s = O::set1(static_cast<T>(total));
      R::each(cols, [&](size_t i, size_t c) {
        const V e = exp_scaled<O, true, false>(O::load(y + i, c, 0), k);
        O::store(out + i, O::sub(O::load(dy + i, c, 0), O::mul(e, s)), c);
      });
    }
  }

  static double sum(const T* x, size_t cols) {
    return R::fold_checked(cols, [&](size_t i, size_t c) { return O::load(x + i, c, 0); });
  }

  // Entries finite and ≥ 0 (a NaN or ±Inf makes the sum non-finite), and the sum within
  // `tolerance` of 1, or (to normalize) > 0.
  static bool valid_row(const T* x, size_t cols, bool normalize, double tolerance) {
    V most_negative = O::zero();
    const double s = R::fold_checked(cols, [&](size_t i, size_t c) {
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
      return R::fold(cols, [&](size_t i, size_t c) {
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

  // The regression losses in branch-free forms: with a = |d| and m = min(a, δ), Huber's
  // ½d² / δ(a − ½δ) is m·(a − ½m), and smooth L1's is that over β; the gradients are clamps.
  // min / max take the vector second, so a NaN d stays NaN.
  template <class Args>
  static double regression(const Args* args) {
    const Args& a = *args;
    const V p = O::set1(static_cast<T>(a.param)), half = O::set1(T(0.5)), gs = O::set1(static_cast<T>(a.grad_scale));
    auto element = [&](size_t i, size_t c) {
      const V d = O::sub(O::load(a.input + i, c, 0), O::load(a.target + i, c, 0));
      const V ad = O::abs(d);
      V loss = O::zero();  // lanes past c load d = 0: loss 0
      if (a.loss_out || !a.grad_out) {
        switch (a.kind) {
          case SSM_L1: loss = ad; break;
          case SSM_L2: loss = O::mul(half, O::mul(d, d)); break;
          case SSM_MSE: loss = O::mul(d, d); break;
          case SSM_HUBER: {
            const V m = O::min(p, ad);
            loss = O::mul(m, O::sub(ad, O::mul(half, m)));
            break;
          }
          default: {
            // m·(a − ½m)/β as (a − ½m)·min(1, a/β): nothing leaves the range where the loss does
            // not (m·a and (a − ½m)/β both can), and a/β is one rounding.
            const V m = O::min(p, ad);
            loss = O::mul(O::sub(ad, O::mul(half, m)), O::min(one(), O::div(ad, p)));
          }
        }
        if (a.loss_out) O::store(a.loss_out + i, loss, c);
      }
      if (a.grad_out) {
        V g;
        switch (a.kind) {
          case SSM_L1: g = select_negative<O>(d, O::set1(T(-1)), select_negative<O>(O::sub(O::zero(), d), one(), O::mul(d, O::zero()))); break;
          case SSM_L2: g = d; break;
          case SSM_MSE: g = O::add(d, d); break;
          case SSM_HUBER: g = O::max(O::sub(O::zero(), p), O::min(p, d)); break;
          default: g = O::max(O::set1(T(-1)), O::min(one(), O::div(d, p)));
        }
        O::store(a.grad_out + i, O::mul(g, grad_factor(a, gs, i, c)), c);
      }
      return loss;
    };
    return elementwise(a, a.n, element);
  }
};

}  // namespace

#endif  // SOFTMAX_SIMD_LOSSES_IMPL_H
