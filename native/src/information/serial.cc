// Entropy, cross-entropy and KL divergence of probability rows: the serial twin of
// information/information.h, portable C++ at the baseline ISA.
//
// The serial kernels are what every SIMD kernel is tested against, so they favour accuracy over
// speed: float inputs are widened to double, exp, log and log1p are the C library's (< 1 ULP in
// double), every sum is compensated (Neumaier), so the error does not grow with `cols`, and float
// outputs are the double result rounded once.
#include <cmath>
#include <cstdint>
#include <limits>

#include "simd/compensated_sum.h"
#include "softmax_simd/kernels.h"

namespace {

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

}  // namespace

extern "C" {

int64_t information_rows_f32_serial(const information_args_f32* args) { return information_rows<float>(*args); }
int64_t information_rows_f64_serial(const information_args_f64* args) { return information_rows<double>(*args); }

}  // extern "C"
