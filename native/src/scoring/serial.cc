// Serial reference for the scoring kernel (kernels.h, score_args): the argmax, log-sum-exp,
// confidence, per-row NLL and top k of each row. As the other serial kernels: double arithmetic,
// the C library's exp and log, compensated sums, float outputs rounded once.
#include <cmath>
#include <limits>
#include <type_traits>

#include "simd/compensated_sum.h"
#include "softmax_simd/kernels.h"
#include "scoring/top_k.h"

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

template <typename Args>
double score_rows(const Args& a) {
  using Real = std::remove_const_t<std::remove_pointer_t<decltype(a.logits)>>;
  const size_t cols = a.cols;
  const bool need_sum = a.confidence || a.log_sum_exp || a.nll || a.labels || (a.k && a.top_probabilities);
  CompensatedSum total;
  for (size_t r = 0; r < a.rows; ++r) {
    const Real* x = a.logits + r * cols;
    // The max and its first index; a NaN anywhere makes the row unordered.
    double m = -kInf;
    int32_t arg = 0;
    bool nan = false;
    for (size_t c = 0; c < cols; ++c) {
      if (x[c] != x[c]) nan = true;
      if (x[c] > m) m = x[c], arg = static_cast<int32_t>(c);
    }
    if (nan) m = kNaN, arg = -1;
    // Σ e^(x − m) where the max is finite; otherwise the probabilities are NaN (PyTorch's softmax).
    double sum = kNaN, lse = m;
    if (need_sum && std::isfinite(m)) {
      CompensatedSum s;
      for (size_t c = 0; c < cols; ++c) s.add(std::exp(x[c] - m));
      sum = s.value();
      lse = m + std::log(sum);
    }
    if (a.predictions) a.predictions[r] = arg;
    if (a.log_sum_exp) a.log_sum_exp[r] = static_cast<Real>(lse);
    if (a.confidence) a.confidence[r] = static_cast<Real>(1 / sum);
    if (a.labels) {
      const double nll = std::log(sum) + (m - x[a.labels[r]]);  // NaN with sum
      if (a.nll) a.nll[r] = static_cast<Real>(nll);
      total.add(nll);
    }
    if (a.k == 0) continue;
    int32_t* idx = a.top_indices + r * a.k;
    Real* val = a.top_values + r * a.k;
    if (nan) {
      for (size_t j = 0; j < a.k; ++j) idx[j] = -1, val[j] = static_cast<Real>(kNaN);
      continue;
    }
    TopK<Real> top(x, idx, a.k);
    for (size_t c = a.k; c < cols; ++c) top.offer(c);
    top.finish();
    for (size_t j = 0; j < a.k; ++j) {
      const double v = x[idx[j]];
      val[j] = static_cast<Real>(a.top_probabilities ? std::exp(v - m) / sum : v);
    }
  }
  return total.value();
}

}  // namespace

extern "C" double score_rows_f32_serial(const score_args_f32* a) { return score_rows(*a); }
extern "C" double score_rows_f64_serial(const score_args_f64* a) { return score_rows(*a); }
