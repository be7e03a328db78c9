// Softmax, log-softmax, log-sum-exp and the backward products of softmax and log-softmax: the
// serial twins of softmax/softmax.h and softmax/backward.h, portable C++ at the baseline ISA.
//
// The serial kernels are what every SIMD kernel is tested against, so they favour accuracy over
// speed: float inputs are widened to double, exp, log and log1p are the C library's (< 1 ULP in
// double), every sum is compensated (Neumaier), so the error does not grow with `cols`, and float
// outputs are the double result rounded once. (Softmax: twice, because the exponentials are kept in
// `out` between passes so that `out` may be `x`.)
#include <cmath>
#include <limits>

#include "simd/compensated_sum.h"
#include "softmax/serial_rows.h"
#include "softmax_simd/kernels.h"

namespace {

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

}  // namespace

// The C entry points of one element type.
#define SSM_SOFTMAX_SERIAL(suffix, real)                                                                     \
  void softmax_rows_##suffix##_serial(const real* x, real* out, size_t rows, size_t cols, double t,         \
                                      int all_masked) {                                                     \
    softmax_rows(x, out, rows, cols, t, all_masked);                                                        \
  }                                                                                                         \
  void log_softmax_rows_##suffix##_serial(const real* x, real* out, size_t rows, size_t cols, double t,     \
                                          int all_masked) {                                                 \
    log_softmax_rows(x, out, rows, cols, t, all_masked);                                                    \
  }                                                                                                         \
  void log_sum_exp_rows_##suffix##_serial(const real* x, real* out, size_t rows, size_t cols) {             \
    log_sum_exp_rows(x, out, rows, cols);                                                                   \
  }                                                                                                         \
  void softmax_backward_rows_##suffix##_serial(const real* y, const real* dy, real* out, size_t rows,       \
                                               size_t cols) {                                               \
    softmax_backward_rows(y, dy, out, rows, cols);                                                          \
  }                                                                                                         \
  void log_softmax_backward_rows_##suffix##_serial(const real* y, const real* dy, real* out, size_t rows,   \
                                                   size_t cols) {                                           \
    log_softmax_backward_rows(y, dy, out, rows, cols);                                                      \
  }

extern "C" {
SSM_SOFTMAX_SERIAL(f32, float)
SSM_SOFTMAX_SERIAL(f64, double)
}  // extern "C"
