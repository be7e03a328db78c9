// Serial reference kernels: portable scalar C++, compiled at the baseline ISA.
//
// These are the kernels every SIMD kernel is tested against, so they favour accuracy over speed:
// float inputs are widened to double, exp and log are the C library's (< 1 ULP in double), and
// every sum is compensated (Neumaier), so the error does not grow with `cols`. Float outputs are
// the double result rounded once (softmax: twice, because the exponentials are kept in `out`
// between passes so that `out` may be `x`).
#include <cmath>
#include <limits>

#include "softmax_simd/kernels.h"
#include "row_sum.h"

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Largest entry of the row; NaN if any entry is NaN (comparisons alone would skip it).
template <typename Real>
double row_max(const Real* x, size_t cols) {
  double m = -kInf;
  for (size_t c = 0; c < cols; ++c) {
    const double v = x[c];
    if (v > m || v != v) m = v;
    if (m != m) break;
  }
  return m;
}

// log sum_c exp((x_c - m) / t): NaN when m is NaN or +Inf, or when the row is all -Inf.
template <typename Real>
double log_sum_exp_shifted(const Real* x, size_t cols, double m, double t) {
  CompensatedSum s;
  for (size_t c = 0; c < cols; ++c) s.add(std::exp((x[c] - m) / t));
  return std::log(s.value());
}

template <typename Real>
void fill(Real* out, size_t n, double value) {
  for (size_t c = 0; c < n; ++c) out[c] = static_cast<Real>(value);
}

template <typename Real>
void softmax_rows(const Real* x, Real* out, size_t rows, size_t cols, double t, int all_masked) {
  for (size_t r = 0; r < rows; ++r, x += cols, out += cols) {
    const double m = row_max(x, cols);
    if (m == -kInf && all_masked == SSM_ALL_MASKED_ZERO) {
      fill(out, cols, 0.0);
      continue;
    }
    CompensatedSum s;
    for (size_t c = 0; c < cols; ++c) {
      const double e = std::exp((x[c] - m) / t);
      out[c] = static_cast<Real>(e);
      s.add(e);
    }
    const double sum = s.value();
    for (size_t c = 0; c < cols; ++c) out[c] = static_cast<Real>(out[c] / sum);
  }
}

template <typename Real>
void log_softmax_rows(const Real* x, Real* out, size_t rows, size_t cols, double t,
                      int all_masked) {
  for (size_t r = 0; r < rows; ++r, x += cols, out += cols) {
    const double m = row_max(x, cols);
    if (m == -kInf && all_masked == SSM_ALL_MASKED_ZERO) {
      fill(out, cols, -kInf);
      continue;
    }
    const double log_sum = log_sum_exp_shifted(x, cols, m, t);
    for (size_t c = 0; c < cols; ++c) out[c] = static_cast<Real>((x[c] - m) / t - log_sum);
  }
}

template <typename Real>
void log_sum_exp_rows(const Real* x, Real* out, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r, x += cols) {
    const double m = row_max(x, cols);
    // An infinite max decides the result (PyTorch: +Inf, or -Inf for an all -Inf row).
    out[r] = static_cast<Real>(std::isinf(m) ? m : m + log_sum_exp_shifted(x, cols, m, 1.0));
  }
}

template <typename Real, typename Args>
double cross_entropy_rows(const Args& a) {
  const size_t cols = a.cols;
  const double t = a.temperature, eps = a.label_smoothing;
  const double smooth = eps / static_cast<double>(cols);  // eps / C, spread over every class
  CompensatedSum weight_total;                              // sum_c w[c]
  for (size_t c = 0; c < cols; ++c) weight_total.add(a.weight ? a.weight[c] : 1.0);
  auto w = [&](size_t c) { return a.weight ? static_cast<double>(a.weight[c]) : 1.0; };

  CompensatedSum total;
  for (size_t r = 0; r < a.rows; ++r) {
    const Real* x = a.logits + r * cols;
    Real* g = a.grad_out ? a.grad_out + r * cols : nullptr;
    const Real* tp = a.target_probs ? a.target_probs + r * cols : nullptr;
    const int32_t y = a.target ? a.target[r] : -1;
    if (a.target && y == a.ignore_index) {
      if (a.loss_out) a.loss_out[r] = 0;
      if (g) fill(g, cols, 0.0);
      continue;
    }
    // Coefficient q_c of (lse - z_c) in this row's loss.
    auto q = [&](size_t c) {
      if (tp) return w(c) * ((1.0 - eps) * tp[c] + smooth);
      return smooth * w(c) + (static_cast<int32_t>(c) == y ? (1.0 - eps) * w(c) : 0.0);
    };
    const double m = row_max(x, cols);
    const double log_sum = log_sum_exp_shifted(x, cols, m, t);
    // loss = sum_c q_c (lse - z_c) = Q log_sum + sum_c q_c (m - x_c) / t, every term >= 0.
    // Like PyTorch, a class with q_c = 0 and a -Inf logit makes 0 * Inf = NaN.
    double q_total, spread;
    if (tp || eps != 0.0) {
      CompensatedSum qs, ds;
      for (size_t c = 0; c < cols; ++c) {
        const double qc = q(c);
        qs.add(qc);
        ds.add(qc * ((m - x[c]) / t));
      }
      q_total = qs.value();
      spread = ds.value();
    } else {
      q_total = w(y);
      spread = q_total * ((m - x[y]) / t);
    }
    const double loss = q_total * log_sum + spread;
    if (a.loss_out) a.loss_out[r] = static_cast<Real>(loss);
    total.add(loss);
    if (!g) continue;
    const double scale = a.grad_scale * (a.grad_row_scale ? a.grad_row_scale[r] : 1.0) / t;
    for (size_t c = 0; c < cols; ++c) {
      const double p = std::exp((x[c] - m) / t - log_sum);
      g[c] = static_cast<Real>((q_total * p - q(c)) * scale);
    }
  }
  return total.value();
}

// f over an array in double (the C library's exp, log, log1p: the tests' scalar references).
template <typename Real, double (*f)(double)>
void map_array(const Real* x, Real* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = static_cast<Real>(f(static_cast<double>(x[i])));
}

double exp_of(double v) { return std::exp(v); }
double log_of(double v) { return std::log(v); }
double log1p_of(double v) { return std::log1p(v); }

}  // namespace

extern "C" {

void softmax_rows_f32_serial(const float* x, float* out, size_t rows, size_t cols, double t,
                             int all_masked) {
  softmax_rows(x, out, rows, cols, t, all_masked);
}
void softmax_rows_f64_serial(const double* x, double* out, size_t rows, size_t cols, double t,
                             int all_masked) {
  softmax_rows(x, out, rows, cols, t, all_masked);
}
void log_softmax_rows_f32_serial(const float* x, float* out, size_t rows, size_t cols, double t,
                                 int all_masked) {
  log_softmax_rows(x, out, rows, cols, t, all_masked);
}
void log_softmax_rows_f64_serial(const double* x, double* out, size_t rows, size_t cols, double t,
                                 int all_masked) {
  log_softmax_rows(x, out, rows, cols, t, all_masked);
}
void log_sum_exp_rows_f32_serial(const float* x, float* out, size_t rows, size_t cols) {
  log_sum_exp_rows(x, out, rows, cols);
}
void log_sum_exp_rows_f64_serial(const double* x, double* out, size_t rows, size_t cols) {
  log_sum_exp_rows(x, out, rows, cols);
}
double cross_entropy_rows_f32_serial(const cross_entropy_args_f32* args) {
  return cross_entropy_rows<float>(*args);
}
double cross_entropy_rows_f64_serial(const cross_entropy_args_f64* args) {
  return cross_entropy_rows<double>(*args);
}

const kernel_table* ssm_table_serial(void) {
  static const kernel_table table = {
      "scalar",
      {softmax_rows_f32_serial, log_softmax_rows_f32_serial, log_sum_exp_rows_f32_serial,
       cross_entropy_rows_f32_serial, sigmoid_f32_serial, log_sigmoid_f32_serial,
       bce_with_logits_f32_serial, softmax_backward_rows_f32_serial,
       log_softmax_backward_rows_f32_serial, information_rows_f32_serial, regression_f32_serial,
       score_rows_f32_serial,
       map_array<float, exp_of>,
       map_array<float, log_of>, map_array<float, log1p_of>},
      {softmax_rows_f64_serial, log_softmax_rows_f64_serial, log_sum_exp_rows_f64_serial,
       cross_entropy_rows_f64_serial, sigmoid_f64_serial, log_sigmoid_f64_serial,
       bce_with_logits_f64_serial, softmax_backward_rows_f64_serial,
       log_softmax_backward_rows_f64_serial, information_rows_f64_serial, regression_f64_serial,
       score_rows_f64_serial,
       map_array<double, exp_of>,
       map_array<double, log_of>, map_array<double, log1p_of>}};
  return &table;
}

}  // extern "C"
