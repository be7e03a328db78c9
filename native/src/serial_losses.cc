// Serial reference kernels beyond softmax: the information measures, sigmoid, log-sigmoid and
// binary cross-entropy on logits, the backward products of softmax and log-softmax, and the
// regression losses.
//
// As in serial.cc, they favour accuracy over speed and are what the SIMD kernels are tested
// against: float inputs are widened to double, exp / log / log1p are the C library's, every sum
// is compensated, and float outputs are the double result rounded once.
#include <cmath>
#include <limits>
#include <type_traits>

#include "row_sum.h"
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

template <typename Real>
void softmax_backward_rows(const Real* y, const Real* dy, Real* out, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r, y += cols, dy += cols, out += cols) {
    CompensatedSum dot;
    for (size_t c = 0; c < cols; ++c) dot.add(static_cast<double>(dy[c]) * y[c]);
    const double s = dot.value();
    for (size_t c = 0; c < cols; ++c) out[c] = static_cast<Real>(y[c] * (dy[c] - s));
  }
}

template <typename Real>
void log_softmax_backward_rows(const Real* y, const Real* dy, Real* out, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r, y += cols, dy += cols, out += cols) {
    CompensatedSum sum;
    for (size_t c = 0; c < cols; ++c) sum.add(dy[c]);
    const double s = sum.value();
    for (size_t c = 0; c < cols; ++c) out[c] = static_cast<Real>(dy[c] - std::exp(static_cast<double>(y[c])) * s);
  }
}

// The row's sum, or NaN when an entry is negative or not finite.
template <typename Real>
double checked_sum(const Real* x, size_t cols) {
  CompensatedSum sum;
  for (size_t c = 0; c < cols; ++c) {
    const double v = x[c];
    if (!(v >= 0) || std::isinf(v)) return std::numeric_limits<double>::quiet_NaN();
    sum.add(v);
  }
  return sum.value();
}

template <typename Real>
bool valid_row(const Real* x, size_t cols, bool normalize, double tolerance) {
  const double s = checked_sum(x, cols);
  return normalize ? s > 0 && std::isfinite(s) : std::fabs(s - 1) <= tolerance;
}

// log(p / q) for p > 0, also where p / q leaves double's normal range (q subnormal): then the
// two logs, which cannot cancel there.
double log_quotient(double p, double q) {
  const double r = p / q;
  return r >= std::numeric_limits<double>::min() && r <= std::numeric_limits<double>::max() ? std::log(r) : std::log(p) - std::log(q);
}

template <typename Real, typename Args>
int64_t information_rows(const Args& a) {
  const size_t cols = a.cols;
  for (size_t r = 0; r < a.rows; ++r) {
    if (!valid_row(a.p + r * cols, cols, a.normalize, a.tolerance) ||
        (a.q && !valid_row(a.q + r * cols, cols, a.normalize, a.tolerance))) {
      return static_cast<int64_t>(r);
    }
  }
  for (size_t r = 0; r < a.rows; ++r) {
    const Real* p = a.p + r * cols;
    const Real* q = a.q ? a.q + r * cols : nullptr;
    // Dividing, not multiplying by 1 / sum, which overflows for subnormal sums.
    const double sp = a.normalize ? checked_sum(p, cols) : 1.0;
    const double sq = a.normalize && q ? checked_sum(q, cols) : 1.0;
    CompensatedSum sum;
    for (size_t c = 0; c < cols; ++c) {
      const double pc = p[c] / sp;
      if (pc == 0) continue;  // 0 log 0 = 0, whatever q is
      switch (a.measure) {
        case SSM_ENTROPY:
          sum.add(-pc * std::log(pc));
          break;
        case SSM_CROSS_ENTROPY:
          sum.add(-pc * std::log(q[c] / sq));
          break;
        default:
          sum.add(pc * log_quotient(pc, q[c] / sq));
      }
    }
    a.out[r] = static_cast<Real>(sum.value() * a.scale);
  }
  return -1;
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
void softmax_backward_rows_f32_serial(const float* y, const float* dy, float* out, size_t rows, size_t cols) {
  softmax_backward_rows(y, dy, out, rows, cols);
}
void softmax_backward_rows_f64_serial(const double* y, const double* dy, double* out, size_t rows, size_t cols) {
  softmax_backward_rows(y, dy, out, rows, cols);
}
void log_softmax_backward_rows_f32_serial(const float* y, const float* dy, float* out, size_t rows, size_t cols) {
  log_softmax_backward_rows(y, dy, out, rows, cols);
}
void log_softmax_backward_rows_f64_serial(const double* y, const double* dy, double* out, size_t rows, size_t cols) {
  log_softmax_backward_rows(y, dy, out, rows, cols);
}
int64_t information_rows_f32_serial(const information_args_f32* args) { return information_rows<float>(*args); }
int64_t information_rows_f64_serial(const information_args_f64* args) { return information_rows<double>(*args); }
double regression_f32_serial(const regression_args_f32* args) { return regression(*args); }
double regression_f64_serial(const regression_args_f64* args) { return regression(*args); }

}  // extern "C"
