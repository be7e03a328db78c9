// Compensated (Kahan-Babuska-Neumaier) summation in double: the error stays near one rounding
// whatever the number of terms, which is what lets rows of 2^20 classes meet the same bounds.
#ifndef SOFTMAX_SIMD_SIMD_COMPENSATED_SUM_H
#define SOFTMAX_SIMD_SIMD_COMPENSATED_SUM_H

#include <cmath>

namespace {

class CompensatedSum {
 public:
  void add(double v) {
    const double t = sum_ + v;
    carry_ += std::fabs(sum_) >= std::fabs(v) ? (sum_ - t) + v : (v - t) + sum_;
    sum_ = t;
  }
  void scale(double f) {
    sum_ *= f;
    carry_ *= f;
  }
  // An infinite or NaN sum makes the carry NaN; the plain sum is the answer then.
  double value() const { return std::isfinite(sum_) ? sum_ + carry_ : sum_; }

 private:
  double sum_ = 0.0;
  double carry_ = 0.0;
};

}  // namespace

#endif  // SOFTMAX_SIMD_SIMD_COMPENSATED_SUM_H
