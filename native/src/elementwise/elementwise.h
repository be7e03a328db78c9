// The element-wise kernels: the SIMD body over an ISA's vector ops `O`, included by an ISA's
// translation unit only (isa/table.h); the serial twin is elementwise/serial.cc.
// - sigmoid σ(x) = (x < 0 ? e : 1) / (1 + e) and log σ(x) = min(x, 0) − log1p(e) from
//   e = exp(−|x|) ≤ 1, so nothing overflows for any x;
// - binary cross-entropy on logits (loss and gradient, see kernels.h), on the same e;
// - the regression losses, branch-free, at memory speed.
// Their sums accumulate with Loops::fold_wide: a finite float mean of finite losses never
// overflows in a lane. NaN propagates through every formula: the vector exp and log keep it, and
// select_negative sends a NaN x down the branch whose value is NaN anyway.
#ifndef SOFTMAX_SIMD_ELEMENTWISE_ELEMENTWISE_H
#define SOFTMAX_SIMD_ELEMENTWISE_ELEMENTWISE_H

#include <algorithm>
#include <cmath>

#include "simd/compensated_sum.h"
#include "simd/exp.h"
#include "simd/log.h"
#include "simd/loops.h"
#include "simd/vector_ops.h"

namespace {

template <class O>
struct Elementwise : Loops<O> {
  using L = Loops<O>;
  using typename L::T;
  using typename L::V;
  using L::each;
  using L::fold_wide;

  static V one() { return O::set1(T(1)); }
  // e = exp(−|x|), in (0, 1] (NaN for NaN).
  static V exp_neg_abs(V x, const ExpScale<O>& k) { return exp_scaled<O, false, false>(O::sub(O::zero(), O::abs(x)), k); }
  static V sigmoid_of(V x, V e) { return O::div(select_negative<O>(x, e, one()), O::add(one(), e)); }

  static void sigmoid(const T* x, T* out, size_t n) {
    const ExpScale<O> k = exp_scale<O>(1);
    each(n, [&](size_t i, size_t c) {
      const V v = O::load(x + i, c, 0);
      O::store(out + i, sigmoid_of(v, exp_neg_abs(v, k)), c);
    });
  }

  static void log_sigmoid(const T* x, T* out, size_t n) {
    const ExpScale<O> k = exp_scale<O>(1);
    each(n, [&](size_t i, size_t c) {
      const V v = O::load(x + i, c, 0);
      // min(0, v): the vector second, so a NaN survives
      O::store(out + i, O::sub(O::min(O::zero(), v), log1p_poly<O>(exp_neg_abs(v, k))), c);
    });
  }

  // The frame of the element-wise losses: element(i, c) writes the outputs of elements [i, i + c)
  // and returns their losses (lanes past c zero), which are summed when the loss is wanted.
  template <class Args, class F>
  static double elementwise(const Args& a, size_t n, F element) {
    if (a.loss_out || !a.grad_out) return fold_wide(n, element);
    each(n, element);
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
          // (1 − t)·x + l·max(−x, 0) without cancellation (see elementwise/serial.cc)
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

#endif  // SOFTMAX_SIMD_ELEMENTWISE_ELEMENTWISE_H
