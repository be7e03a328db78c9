// The bindings of the row kernels (softmax, log-softmax, log-sum-exp, cross-entropy, scoring):
// each unwraps and checks its arguments (node/arguments.h), then runs its rows through run_rows
// (node/run_rows.h), on this thread, on std::threads or on the library's threads. Included by
// node/addon.cc only, which exports them.
#ifndef SOFTMAX_SIMD_NODE_ROW_BINDINGS_H
#define SOFTMAX_SIMD_NODE_ROW_BINDINGS_H

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <iterator>
#include <utility>

#include "isa/typed_kernels.h"
#include "node/arguments.h"
#include "node/run_rows.h"
#include "simd/row_ranges.h"
#include "softmax_simd/kernels.h"

namespace {

// softmaxRows / logSoftmaxRows: the softmax (or its log) of each row into out.
constexpr const char* kSoftmaxArgs[] = {"x", "out", "cols", "temperature", "allMaskedZero", "run"};
template <bool Log>
Napi::Value SoftmaxRows(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const View x = float_array(info[0], "x");
  size_t cols = 0;
  const size_t rows = rows_of(info[2], x, &cols);
  const View out = float_array_like(info[1], "out", x, x.length);
  check_overlap(env, x, out, "out", true);
  const double temperature = positive_finite(info[3], "temperature");
  const int all_masked = boolean(info[4]) ? SSM_ALL_MASKED_ZERO : SSM_ALL_MASKED_NAN;
  return by_type(x, [&](auto zero) {
    using T = decltype(zero);
    const auto kernel = Log ? Typed<T>::kernels().log_softmax_rows : Typed<T>::kernels().softmax_rows;
    const auto* in = data<const T>(x);
    T* o = data<T>(out);
    return run_rows(info, 5, rows, cols, [=](size_t begin, size_t end) {
      kernel(in + begin * cols, o + begin * cols, end - begin, cols, temperature, all_masked);
      return 0.0;
    });
  });
}

// logSumExpRows: one value per row into out.
constexpr const char* kLogSumExpArgs[] = {"x", "out", "cols", "run"};
Napi::Value LogSumExpRows(const Napi::CallbackInfo& info) {
  const View x = float_array(info[0], "x");
  size_t cols = 0;
  const size_t rows = rows_of(info[2], x, &cols);
  const View out = float_array_like(info[1], "out", x, rows);
  check_overlap(info.Env(), x, out, "out", true);
  return by_type(x, [&](auto zero) {
    using T = decltype(zero);
    const auto kernel = Typed<T>::kernels().log_sum_exp_rows;
    const auto* in = data<const T>(x);
    T* o = data<T>(out);
    return run_rows(info, 3, rows, cols, [=](size_t begin, size_t end) {
      kernel(in + begin * cols, o + begin, end - begin, cols);
      return 0.0;
    });
  });
}

// crossEntropyRows -> the sum of the row losses.
constexpr const char* kCrossEntropyArgs[] = {"logits", "cols", "target", "ignoreIndex", "weight", "labelSmoothing", "temperature",
                                             "lossOut", "gradOut", "gradScale", "gradRowScale", "run"};
Napi::Value CrossEntropyRows(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const View x = float_array(info[0], "logits");
  size_t cols = 0;
  const size_t rows = rows_of(info[1], x, &cols);

  const View target = typed_array(info[2], "target");
  const bool soft = target.type == x.type;
  if (soft) {
    if (target.length != x.length) throw_range(env, "target must have the logits' length");
  } else if (target.type != napi_int32_array) {
    throw_type(env, "target must be an Int32Array of class indices or soft targets of the logits' type");
  } else if (target.length != rows) {
    throw_range(env, "target must have one class index per row");
  }
  const double ignore = number(info[3], "ignoreIndex");
  if (ignore != std::floor(ignore) || ignore < INT32_MIN || ignore > INT32_MAX) {
    throw_range(env, "ignoreIndex must be a 32-bit integer");
  }
  const auto ignore_index = static_cast<int32_t>(ignore);
  if (!soft) check_labels(env, "target", data<const int32_t>(target), rows, cols, &ignore_index);
  const View weight = float_array_like(info[4], "weight", x, cols, true);
  check_finite(env, "weight", weight);
  const double eps = number(info[5], "labelSmoothing");
  if (!(eps >= 0 && eps <= 1)) throw_range(env, "labelSmoothing must be in [0, 1]");
  const double temperature = positive_finite(info[6], "temperature");
  const View loss_out = float_array_like(info[7], "lossOut", x, rows, true);
  const View grad_out = float_array_like(info[8], "gradOut", x, x.length, true);
  const double grad_scale = number(info[9], "gradScale");
  const View row_scale = float_array_like(info[10], "gradRowScale", x, rows, true);
  // Soft targets are read row by row before the gradient is written: it may be them exactly.
  const View none{nullptr, 0, x.type};
  check_outputs(env, loss_out, grad_out, {x, soft ? target : none}, {soft ? none : target, weight, row_scale}, false);

  return by_type(x, [&](auto zero) {
    using T = decltype(zero);
    const typename Typed<T>::CrossEntropy a{data<const T>(x),
                                            rows,
                                            cols,
                                            soft ? nullptr : data<const int32_t>(target),
                                            soft ? data<const T>(target) : nullptr,
                                            ignore_index,
                                            data<const T>(weight),
                                            eps,
                                            temperature,
                                            data<T>(loss_out),
                                            data<T>(grad_out),
                                            grad_scale,
                                            data<const T>(row_scale)};
    const auto kernel = Typed<T>::kernels().cross_entropy_rows;
    return run_rows(info, 11, rows, cols, [=](size_t begin, size_t end) {
      const auto part = cross_entropy_range(a, begin, end);
      return kernel(&part);
    });
  });
}

// scoreRows -> the sum of the row NLLs (0 without labels).
constexpr const char* kScoreArgs[] = {"logits", "cols", "labels", "predictions", "confidence", "logSumExp", "nll", "k",
                                     "topProbabilities", "topIndices", "topValues", "run"};
// Every output may be null; none may overlap the inputs or another output.
Napi::Value ScoreRows(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const View x = float_array(info[0], "logits");
  size_t cols = 0;
  const size_t rows = rows_of(info[1], x, &cols);
  const View labels = int32_array(info[2], "labels", rows, true);
  const auto* label = data<const int32_t>(labels);
  if (label) check_labels(env, "labels", label, rows, cols, nullptr);
  const View predictions = int32_array(info[3], "predictions", rows, true);
  const View confidence = float_array_like(info[4], "confidence", x, rows, true);
  const View log_sum_exp = float_array_like(info[5], "logSumExp", x, rows, true);
  const View nll = float_array_like(info[6], "nll", x, rows, true);
  if (nll.data && !labels.data) throw_type(env, "nll needs labels");
  const double k = number(info[7], "k");
  if (!(k >= 0 && k <= static_cast<double>(cols)) || k != std::floor(k)) throw_range(env, "k must be an integer in [0, cols]");
  const auto top = static_cast<size_t>(k);
  const bool probabilities = boolean(info[8]);
  const View top_indices = int32_array(info[9], "topIndices", rows * top, top == 0);
  const View top_values = float_array_like(info[10], "topValues", x, rows * top, top == 0);
  const std::pair<View, const char*> outputs[] = {
      {predictions, "predictions"}, {confidence, "confidence"}, {log_sum_exp, "logSumExp"},
      {nll, "nll"}, {top_indices, "topIndices"}, {top_values, "topValues"}};
  for (size_t i = 0; i < std::size(outputs); ++i) {
    check_overlap(env, x, outputs[i].first, outputs[i].second, false);
    check_overlap(env, labels, outputs[i].first, outputs[i].second, false);
    for (size_t j = 0; j < i; ++j) check_overlap(env, outputs[j].first, outputs[i].first, outputs[i].second, false);
  }
  return by_type(x, [&](auto zero) {
    using T = decltype(zero);
    const typename Typed<T>::Score a{data<const T>(x), rows, cols, label, data<int32_t>(predictions),
                                     data<T>(confidence), data<T>(log_sum_exp), data<T>(nll), top,
                                     probabilities, data<int32_t>(top_indices), data<T>(top_values)};
    const auto kernel = Typed<T>::kernels().score_rows;
    return run_rows(info, 11, rows, cols, [=](size_t begin, size_t end) {
      const auto part = score_range(a, begin, end);
      return kernel(&part);
    });
  });
}

}  // namespace

#endif  // SOFTMAX_SIMD_NODE_ROW_BINDINGS_H
