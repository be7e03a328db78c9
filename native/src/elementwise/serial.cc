// Sigmoid, log-sigmoid, binary cross-entropy on logits and the regression losses: the serial
// twins of elementwise/elementwise.h, portable C++ at the baseline ISA.
//
// The serial kernels are what every SIMD kernel is tested against, so they favour accuracy over
// speed: float inputs are widened to double, exp, log and log1p are the C library's (< 1 ULP in
// double), every sum is compensated (Neumaier), so the error does not grow with `cols`, and float
// outputs are the double result rounded once.
#include <cmath>
#include <type_traits>

#include "simd/compensated_sum.h"
#include "softmax_simd/kernels.h"

namespace {

// σ(x) from e = exp(−|x|) ≤ 1, which cannot overflow.
double sigmoid_of(double x, double e) { return (x < 0 ? e : 1.0) / (1.0 + e); }

template <typename Real>
void sigmoid(const Real* x, Real* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const double v = x[i];
    out[i] = static_cast<Real>(sigmoid_of(v, std::exp(-std::fabs(v))));
  }
}

// log σ(x) = min(x, 0) − log1p(exp(−|x|)); NaN stays NaN (fmin would drop it).
template <typename Real>
void log_sigmoid(const Real* x, Real* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const double v = x[i];
    out[i] = static_cast<Real>((v < 0 || v != v ? v : 0.0) - std::log1p(std::exp(-std::fabs(v))));
  }
}

// The element-wise losses' loop: loss_of(i) and grad_of(i) are element i's loss and gradient;
// the gradient is scaled and the losses are summed (when wanted) here. Both are computed before
// either is stored, as either output may be one of the inputs (kernels.h).
template <typename Args, class Loss, class Grad>
double elementwise(const Args& a, Loss loss_of, Grad grad_of) {
  CompensatedSum total;
  const bool want_loss = a.loss_out || !a.grad_out;
  for (size_t i = 0; i < a.n; ++i) {
    const double loss = want_loss ? loss_of(i) : 0.0;
    const double grad = a.grad_out ? grad_of(i) * (a.grad_scale * (a.grad_element_scale ? a.grad_element_scale[i] : 1.0)) : 0.0;
    if (a.loss_out) a.loss_out[i] = static_cast<std::remove_pointer_t<decltype(a.loss_out)>>(loss);
    if (a.grad_out) a.grad_out[i] = static_cast<std::remove_pointer_t<decltype(a.grad_out)>>(grad);
    total.add(loss);
  }
  return total.value();
}

template <typename Args>
double bce_with_logits(const Args& a) {
  // Element i's logit, target, weight, posWeight and l = 1 + (pw − 1)·t.
  struct Element {
    double x, t, w, pw, l;
  };
  auto element = [&](size_t i) {
    const size_t c = i % a.cols;
    const double t = a.target[i], pw = a.pos_weight ? a.pos_weight[c] : 1.0;
    return Element{a.x[i], t, a.weight ? a.weight[a.weight_per_element ? i : c] : 1.0, pw, 1 + (pw - 1) * t};
  };
  auto loss = [&](size_t i) {
    const Element e = element(i);
    // (1 − t)·x + l·max(−x, 0) without cancellation: −pw·t·x for x < 0, plus (x − x), which is
    // NaN at x = −Inf as PyTorch's form gives (see lib/js/sigmoid.ts).
    const double linear = e.x >= 0 || e.x != e.x ? (1 - e.t) * e.x : -e.pw * e.t * e.x + (e.x - e.x);
    return e.w * (linear + e.l * std::log1p(std::exp(-std::fabs(e.x))));
  };
  auto grad = [&](size_t i) {
    const Element e = element(i);
    return e.w * (e.l * sigmoid_of(e.x, std::exp(-std::fabs(e.x))) - e.pw * e.t);
  };
  return elementwise(a, loss, grad);
}

// Loss and gradient of one difference d (a: delta or beta), in PyTorch's branch form.
double regression_loss(int kind, double d, double a) {
  const double ad = std::fabs(d);
  switch (kind) {
    case SSM_L1: return ad;
    case SSM_L2: return 0.5 * d * d;
    case SSM_MSE: return d * d;
    case SSM_HUBER: return ad < a ? 0.5 * d * d : a * (ad - 0.5 * a);
    default: return ad < a ? 0.5 * d * d / a : ad - 0.5 * a;
  }
}

double regression_grad(int kind, double d, double a) {
  switch (kind) {
    case SSM_L1: return d > 0 ? 1.0 : d < 0 ? -1.0 : d * 0;  // sign(0) = 0, NaN kept
    case SSM_L2: return d;
    case SSM_MSE: return 2 * d;
    case SSM_HUBER: return d > a ? a : d < -a ? -a : d;
    default: return d > a ? 1.0 : d < -a ? -1.0 : d / a;
  }
}

template <typename Args>
double regression(const Args& a) {
  auto d = [&](size_t i) { return static_cast<double>(a.input[i]) - a.target[i]; };
  return elementwise(
      a, [&](size_t i) { return regression_loss(a.kind, d(i), a.param); },
      [&](size_t i) { return regression_grad(a.kind, d(i), a.param); });
}

}  // namespace

extern "C" {

void sigmoid_f32_serial(const float* x, float* out, size_t n) { sigmoid(x, out, n); }
void sigmoid_f64_serial(const double* x, double* out, size_t n) { sigmoid(x, out, n); }
void log_sigmoid_f32_serial(const float* x, float* out, size_t n) { log_sigmoid(x, out, n); }
void log_sigmoid_f64_serial(const double* x, double* out, size_t n) { log_sigmoid(x, out, n); }
double bce_with_logits_f32_serial(const bce_args_f32* args) { return bce_with_logits(*args); }
double bce_with_logits_f64_serial(const bce_args_f64* args) { return bce_with_logits(*args); }
double regression_f32_serial(const regression_args_f32* args) { return regression(*args); }
double regression_f64_serial(const regression_args_f64* args) { return regression(*args); }

}  // extern "C"
