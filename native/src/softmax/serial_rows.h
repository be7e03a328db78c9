// What the serial row kernels share (softmax/serial.cc, cross_entropy/serial.cc): the row's max
// and its shifted log-sum-exp, in double, with a compensated sum.
#ifndef SOFTMAX_SIMD_SOFTMAX_SERIAL_ROWS_H
#define SOFTMAX_SIMD_SOFTMAX_SERIAL_ROWS_H

#include <cmath>
#include <cstddef>
#include <limits>

#include "simd/compensated_sum.h"

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

}  // namespace

#endif  // SOFTMAX_SIMD_SOFTMAX_SERIAL_ROWS_H
