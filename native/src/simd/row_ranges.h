// Rows [begin, end) of a cross-entropy or scoring call, as a call of their own: every per-row
// pointer moved to row `begin` (absent outputs stay null). The SIMD kernels hand single rows to
// the serial ones this way, and the addon hands chunks of rows to its threads.
#ifndef SOFTMAX_SIMD_SIMD_ROW_RANGES_H
#define SOFTMAX_SIMD_SIMD_ROW_RANGES_H

#include <cstddef>

namespace {

// p + by, or null for an absent array.
template <typename P>
P advance(P p, size_t by) {
  return p ? p + by : p;
}

template <class Args>
Args cross_entropy_range(const Args& a, size_t begin, size_t end) {
  Args part = a;
  part.rows = end - begin;
  part.logits += begin * a.cols;
  part.target = advance(a.target, begin);
  part.target_probs = advance(a.target_probs, begin * a.cols);
  part.loss_out = advance(a.loss_out, begin);
  part.grad_out = advance(a.grad_out, begin * a.cols);
  part.grad_row_scale = advance(a.grad_row_scale, begin);
  return part;
}

template <class Args>
Args score_range(const Args& a, size_t begin, size_t end) {
  Args part = a;
  part.rows = end - begin;
  part.logits += begin * a.cols;
  part.labels = advance(a.labels, begin);
  part.predictions = advance(a.predictions, begin);
  part.confidence = advance(a.confidence, begin);
  part.log_sum_exp = advance(a.log_sum_exp, begin);
  part.nll = advance(a.nll, begin);
  part.top_indices = advance(a.top_indices, begin * a.k);
  part.top_values = advance(a.top_values, begin * a.k);
  return part;
}

}  // namespace

#endif  // SOFTMAX_SIMD_SIMD_ROW_RANGES_H
