// Cross-entropy with its gradient: the serial twin of cross_entropy/cross_entropy.h, portable C++
// at the baseline ISA.
//
// The serial kernels are what every SIMD kernel is tested against, so they favour accuracy over
// speed: float inputs are widened to double, exp, log and log1p are the C library's (< 1 ULP in
// double), every sum is compensated (Neumaier), so the error does not grow with `cols`, and float
// outputs are the double result rounded once.
#include <cmath>
#include <cstdint>

#include "simd/compensated_sum.h"
#include "softmax/serial_rows.h"
#include "softmax_simd/kernels.h"

namespace {

template <typename Real, typename Args>
double cross_entropy_rows(const Args& a) {
  const size_t cols = a.cols;
  const double t = a.temperature, eps = a.label_smoothing;
  const double smooth = eps / static_cast<double>(cols);  // eps / C, spread over every class
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

}  // namespace

extern "C" {

double cross_entropy_rows_f32_serial(const cross_entropy_args_f32* args) {
  return cross_entropy_rows<float>(*args);
}
double cross_entropy_rows_f64_serial(const cross_entropy_args_f64* args) {
  return cross_entropy_rows<double>(*args);
}

}  // extern "C"
