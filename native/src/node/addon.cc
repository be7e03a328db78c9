// The Node-API binding: unwraps typed arrays (zero-copy, byteOffset included), checks every
// argument again (the TS layer has checked them already; this makes the addon safe whatever
// JS calls it with), then makes one kernel call per batch.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "async_call.h"
#include "row_jobs.h"
#include "row_ranges.h"
#include "softmax_simd/kernels.h"
#include "typed_kernels.h"

namespace {

enum class Dtype { f32, f64 };

// A typed array's data and length; data points at its first element (byteOffset applied).
struct View {
  void* data = nullptr;
  size_t length = 0;
  napi_typedarray_type type = napi_float32_array;
  // The element types that reach here: float64 (8 bytes), float32 and int32 (4).
  size_t bytes() const { return length * (type == napi_float64_array ? 8 : 4); }
};

[[noreturn]] void throw_type(const Napi::Env& env, const std::string& msg) {
  throw Napi::TypeError::New(env, msg);
}
[[noreturn]] void throw_range(const Napi::Env& env, const std::string& msg) {
  throw Napi::RangeError::New(env, msg);
}

View typed_array(const Napi::Value& v, const char* name) {
  if (!v.IsTypedArray()) throw_type(v.Env(), std::string(name) + " must be a typed array");
  // One call for type, length and data (already offset by byteOffset): the node-addon-api
  // accessors make one Node-API call each, which small inputs feel.
  View view;
  if (napi_get_typedarray_info(v.Env(), v, &view.type, &view.length, &view.data, nullptr, nullptr) != napi_ok) {
    throw_type(v.Env(), std::string(name) + " must be a typed array");
  }
  return view;
}

View float_array(const Napi::Value& v, const char* name) {
  View view = typed_array(v, name);
  if (view.type != napi_float32_array && view.type != napi_float64_array) {
    throw_type(v.Env(), std::string(name) + " must be a Float32Array or Float64Array");
  }
  return view;
}

// A float array of the logits' type and an exact length; or nothing when `optional` and null.
View float_array_like(const Napi::Value& v, const char* name, const View& like, size_t length,
                      bool optional = false) {
  if (optional && (v.IsNull() || v.IsUndefined())) return View{nullptr, 0, like.type};
  View view = float_array(v, name);
  if (view.type != like.type) throw_type(v.Env(), std::string(name) + " must have the input's type");
  if (view.length != length) {
    throw_range(v.Env(), std::string(name) + " must have length " + std::to_string(length));
  }
  return view;
}

// An Int32Array of an exact length; or nothing when `optional` and null.
View int32_array(const Napi::Value& v, const char* name, size_t length, bool optional = false) {
  if (optional && (v.IsNull() || v.IsUndefined())) return View{nullptr, 0, napi_int32_array};
  const View view = typed_array(v, name);
  if (view.type != napi_int32_array) throw_type(v.Env(), std::string(name) + " must be an Int32Array");
  if (view.length != length) {
    throw_range(v.Env(), std::string(name) + " must have length " + std::to_string(length));
  }
  return view;
}

// An output may be an input exactly (in place) when `may_alias`; any other shared byte would
// make the kernel read values it has already overwritten.
void check_overlap(const Napi::Env& env, const View& in, const View& out, const char* name,
                   bool may_alias) {
  if (!in.data || !out.data) return;
  const auto a = reinterpret_cast<uintptr_t>(in.data), b = reinterpret_cast<uintptr_t>(out.data);
  const bool disjoint = a + in.bytes() <= b || b + out.bytes() <= a;
  const bool same = a == b && in.bytes() == out.bytes();
  if (!disjoint && !(may_alias && same)) {
    throw_range(env, std::string(name) + (same ? " must not be an input" : " overlaps an input without being the same array"));
  }
}

// One Node-API call (it fails on anything but a number): small calls feel each one.
double number(const Napi::Value& v, const char* name) {
  double d = 0;
  if (napi_get_value_double(v.Env(), v, &d) != napi_ok) throw_type(v.Env(), std::string(name) + " must be a number");
  return d;
}

double positive_finite(const Napi::Value& v, const char* name) {
  const double d = number(v, name);
  if (!(d > 0) || !std::isfinite(d)) throw_range(v.Env(), std::string(name) + " must be > 0 and finite");
  return d;
}

// cols: a positive integer dividing the input's length; returns rows.
size_t rows_of(const Napi::Value& v, const View& x, size_t* cols_out) {
  const double d = number(v, "cols");
  if (!(d >= 1) || d != std::floor(d) || d > 9007199254740991.0) {
    throw_range(v.Env(), "cols must be a positive integer");
  }
  const auto cols = static_cast<size_t>(d);
  if (x.length % cols != 0) throw_range(v.Env(), "x.length must be a multiple of cols");
  *cols_out = cols;
  return x.length / cols;
}

// Every class index in [0, cols), or `*ignore` when that is given.
void check_labels(const Napi::Env& env, const char* name, const int32_t* labels, size_t rows, size_t cols,
                  const int32_t* ignore) {
  for (size_t r = 0; r < rows; ++r) {
    const int32_t y = labels[r];
    if ((ignore == nullptr || y != *ignore) && (y < 0 || static_cast<size_t>(y) >= cols)) {
      throw_range(env, std::string(name) + "[" + std::to_string(r) + "] is out of range");
    }
  }
}

// f(T{}) with T the element type of x (checked to be a float array): one body for both types.
template <class F>
auto by_type(const View& x, F f) {
  return x.type == napi_float32_array ? f(float{}) : f(double{});
}

// A view's data as T* (its type checked by the caller; null for an absent optional array).
template <typename T>
T* data(const View& v) {
  return static_cast<T*>(v.data);
}

// The optional outputs of a loss kernel against each other and what the kernel reads: each may
// be one of `alias` exactly (the loss only where `loss_may_alias`: cross-entropy's loss row is
// written before the row's gradient reads it) and shares no byte with `disjoint` or the other
// output.
void check_outputs(const Napi::Env& env, const View& loss_out, const View& grad_out, std::initializer_list<View> alias,
                   std::initializer_list<View> disjoint, bool loss_may_alias) {
  for (const View& in : alias) {
    check_overlap(env, in, loss_out, "lossOut", loss_may_alias);
    check_overlap(env, in, grad_out, "gradOut", true);
  }
  for (const auto& [out, name] : {std::pair{loss_out, "lossOut"}, std::pair{grad_out, "gradOut"}}) {
    for (const View& in : disjoint) check_overlap(env, in, out, name, false);
  }
  check_overlap(env, loss_out, grad_out, "gradOut", false);
}

// Runs a batch of rows through `run(begin, end)` (which returns the rows' partial total),
// according to the call's last argument, info[at]:
// - a number of threads (an integer in [1, 1024]) for a sync call, which returns the total;
// - an Int32Array [stop, threads] for an async call, which returns a Promise of the total (null
//   when JS set `stop` before the last chunk).
// One argument for both keeps softmax at six, the most node-addon-api takes without allocating.
template <class F>
Napi::Value run_rows(const Napi::CallbackInfo& info, size_t at, size_t rows, size_t cols, F run) {
  const Napi::Env env = info.Env();
  const Napi::Value how = info[at];
  const bool async_call = how.IsTypedArray();
  View control;
  if (async_call) {
    control = typed_array(how, "control");
    if (control.type != napi_int32_array || control.length < 2) throw_type(env, "control must be an Int32Array [stop, threads]");
  }
  const double threads = async_call ? data<const int32_t>(control)[1] : number(how, "threads");
  if (!(threads >= 1 && threads <= 1024) || threads != std::floor(threads)) {
    throw_range(env, "threads must be an integer in [1, 1024]");
  }
  if (!async_call && threads == 1) return Napi::Number::New(env, run_chunks_serially(rows, cols, run));
  if (!async_call) {
    RowJob job(rows, cols, std::move(run));
    job.run_on(static_cast<size_t>(threads));
    return Napi::Number::New(env, job.total());
  }
  auto call = std::make_unique<AsyncCall>(static_cast<AsyncCalls*>(info.Data()), rows, cols, std::move(run),
                                         data<const int32_t>(control));
  std::vector<napi_value> objects;
  for (size_t i = 0; i < info.Length(); ++i) {
    if (info[i].IsObject()) objects.push_back(info[i]);
  }
  const napi_value promise = call->calls->start(env, std::move(call), static_cast<size_t>(threads), objects);
  if (!promise) throw Napi::Error::New(env, "could not create a Promise");
  return Napi::Value(env, promise);
}

// softmaxRows / logSoftmaxRows(x, out, cols, temperature, allMaskedZero, threads | control)
template <bool Log>
Napi::Value SoftmaxRows(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const View x = float_array(info[0], "x");
  size_t cols = 0;
  const size_t rows = rows_of(info[2], x, &cols);
  const View out = float_array_like(info[1], "out", x, x.length);
  check_overlap(env, x, out, "out", true);
  const double temperature = positive_finite(info[3], "temperature");
  const int all_masked = info[4].ToBoolean() ? SSM_ALL_MASKED_ZERO : SSM_ALL_MASKED_NAN;
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

// logSumExpRows(x, out, cols, threads | control): out has one value per row.
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

// Class weights must be finite: an infinite one makes NaN or ±Inf depending on the order of
// the products (0·Inf), which would differ between the kernels.
void check_finite(const Napi::Env& env, const char* name, const View& v) {
  const bool finite = by_type(v, [&](auto zero) {
    const auto* p = data<const decltype(zero)>(v);
    return std::all_of(p, p + v.length, [](auto w) { return std::isfinite(w); });
  });
  if (!finite) throw_range(env, std::string(name) + " must be finite");
}

// crossEntropyRows(logits, cols, target, ignoreIndex, weight, labelSmoothing, temperature,
//                  lossOut, gradOut, gradScale, gradRowScale, threads | control) -> sum of the row losses
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

// scoreRows(logits, cols, labels, predictions, confidence, logSumExp, nll, k, topProbabilities,
//           topIndices, topValues, threads | control) -> sum of the row NLLs (0 without labels)
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
  const bool probabilities = info[8].ToBoolean();
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

// sigmoid / logSigmoid(x, out)
template <bool Log>
Napi::Value Sigmoid(const Napi::CallbackInfo& info) {
  const View x = float_array(info[0], "x");
  const View out = float_array_like(info[1], "out", x, x.length);
  check_overlap(info.Env(), x, out, "out", true);
  by_type(x, [&](auto zero) {
    using T = decltype(zero);
    const auto& k = Typed<T>::kernels();
    (Log ? k.log_sigmoid : k.sigmoid)(data<const T>(x), data<T>(out), x.length);
  });
  return info.Env().Undefined();
}

// softmaxBackwardRows / logSoftmaxBackwardRows(y, dy, out, cols)
template <bool Log>
Napi::Value BackwardRows(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const View y = float_array(info[0], "y");
  const View dy = float_array_like(info[1], "dy", y, y.length);
  const View out = float_array_like(info[2], "out", y, y.length);
  size_t cols = 0;
  const size_t rows = rows_of(info[3], y, &cols);
  check_overlap(env, y, out, "out", true);
  check_overlap(env, dy, out, "out", true);
  by_type(y, [&](auto zero) {
    using T = decltype(zero);
    const auto& k = Typed<T>::kernels();
    (Log ? k.log_softmax_backward_rows : k.softmax_backward_rows)(data<const T>(y), data<const T>(dy), data<T>(out), rows, cols);
  });
  return env.Undefined();
}

// binaryCrossEntropyRows(x, target, cols, weight, posWeight, lossOut, gradOut, gradScale,
//                        gradElementScale) -> sum of the element losses
Napi::Value BinaryCrossEntropyRows(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const View x = float_array(info[0], "x");
  const View target = float_array_like(info[1], "target", x, x.length);
  size_t cols = 0;
  rows_of(info[2], x, &cols);
  // Per element (x's length) or per class (cols): checked against cols unless it has x's length.
  const bool per_element = info[3].IsTypedArray() && float_array(info[3], "weight").length == x.length;
  const View weight = float_array_like(info[3], "weight", x, per_element ? x.length : cols, true);
  const View pos_weight = float_array_like(info[4], "posWeight", x, cols, true);
  const View loss_out = float_array_like(info[5], "lossOut", x, x.length, true);
  const View grad_out = float_array_like(info[6], "gradOut", x, x.length, true);
  const double grad_scale = number(info[7], "gradScale");
  const View element_scale = float_array_like(info[8], "gradElementScale", x, x.length, true);
  check_outputs(env, loss_out, grad_out, {x, target}, {weight, pos_weight, element_scale}, true);
  const double total = by_type(x, [&](auto zero) {
    using T = decltype(zero);
    const typename Typed<T>::Bce a{data<const T>(x),      data<const T>(target), x.length,         cols,
                                   data<const T>(weight), per_element,           data<const T>(pos_weight),
                                   data<T>(loss_out),     data<T>(grad_out),     grad_scale,       data<const T>(element_scale)};
    return Typed<T>::kernels().bce_with_logits(&a);
  });
  return Napi::Number::New(env, total);
}

// informationRows(measure, p, q, out, cols, normalize, scale, tolerance) -> first bad row or -1
Napi::Value InformationRows(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const double measure = number(info[0], "measure");
  if (measure != SSM_ENTROPY && measure != SSM_CROSS_ENTROPY && measure != SSM_KL_DIVERGENCE) {
    throw_range(env, "measure must be 0, 1 or 2");
  }
  const View p = float_array(info[1], "p");
  if ((measure == SSM_ENTROPY) != (info[2].IsNull() || info[2].IsUndefined())) {
    throw_type(env, "q must be null for the entropy and an array otherwise");
  }
  const View q = float_array_like(info[2], "q", p, p.length, true);
  size_t cols = 0;
  const size_t rows = rows_of(info[4], p, &cols);
  const View out = float_array_like(info[3], "out", p, rows);
  check_overlap(env, p, out, "out", false);
  check_overlap(env, q, out, "out", false);
  const int normalize = info[5].ToBoolean();
  const double scale = number(info[6], "scale");
  const double tolerance = number(info[7], "tolerance");
  const int64_t bad = by_type(p, [&](auto zero) {
    using T = decltype(zero);
    const typename Typed<T>::Information a{static_cast<int>(measure), data<const T>(p), data<const T>(q), data<T>(out),
                                           rows, cols, normalize, scale, tolerance};
    return Typed<T>::kernels().information_rows(&a);
  });
  return Napi::Number::New(env, static_cast<double>(bad));
}

// regression(kind, input, target, param, lossOut, gradOut, gradScale, gradElementScale)
//   -> sum of the element losses
Napi::Value Regression(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const double kind = number(info[0], "kind");
  if (kind != SSM_L1 && kind != SSM_L2 && kind != SSM_MSE && kind != SSM_HUBER && kind != SSM_SMOOTH_L1) {
    throw_range(env, "kind must be 0 to 4");
  }
  const View input = float_array(info[1], "input");
  const View target = float_array_like(info[2], "target", input, input.length);
  const double param = number(info[3], "param");
  if ((kind == SSM_HUBER || kind == SSM_SMOOTH_L1) && (!(param > 0) || !std::isfinite(param))) {
    throw_range(env, "param must be > 0 and finite");
  }
  const View loss_out = float_array_like(info[4], "lossOut", input, input.length, true);
  const View grad_out = float_array_like(info[5], "gradOut", input, input.length, true);
  const double grad_scale = number(info[6], "gradScale");
  const View element_scale = float_array_like(info[7], "gradElementScale", input, input.length, true);
  check_outputs(env, loss_out, grad_out, {input, target}, {element_scale}, true);
  const double total = by_type(input, [&](auto zero) {
    using T = decltype(zero);
    const typename Typed<T>::Regression a{static_cast<int>(kind), data<const T>(input), data<const T>(target),
                                          input.length,           param,                data<T>(loss_out),
                                          data<T>(grad_out),      grad_scale,           data<const T>(element_scale)};
    return Typed<T>::kernels().regression(&a);
  });
  return Napi::Number::New(env, total);
}

// The ISAs this build and CPU support, best last.
Napi::Array SupportedIsas(Napi::Env env) {
  Napi::Array list = Napi::Array::New(env);
  const std::string names = ssm_supported_isas();
  size_t start = 0;
  while (start < names.size()) {
    const size_t end = std::min(names.find(' ', start), names.size());
    list.Set(list.Length(), Napi::String::New(env, names.substr(start, end - start)));
    start = end + 1;
  }
  return list;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // This environment's async calls (freed when it closes); the row functions find it as their data.
  AsyncCalls* calls = AsyncCalls::create(env);
  if (!calls) throw Napi::Error::New(env, "softmax-simd: could not set up async calls");
  exports.Set("isa", Napi::String::New(env, ssm_kernels()->isa));
  exports.Set("supported", SupportedIsas(env));
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  exports.Set("builtWith", Napi::String::New(env, SSM_BUILT_WITH));
  exports.Set("softmaxRows", Napi::Function::New(env, SoftmaxRows<false>, "softmaxRows", calls));
  exports.Set("logSoftmaxRows", Napi::Function::New(env, SoftmaxRows<true>, "logSoftmaxRows", calls));
  exports.Set("logSumExpRows", Napi::Function::New(env, LogSumExpRows, "logSumExpRows", calls));
  exports.Set("crossEntropyRows", Napi::Function::New(env, CrossEntropyRows, "crossEntropyRows", calls));
  exports.Set("sigmoid", Napi::Function::New(env, Sigmoid<false>, "sigmoid"));
  exports.Set("logSigmoid", Napi::Function::New(env, Sigmoid<true>, "logSigmoid"));
  exports.Set("binaryCrossEntropyRows", Napi::Function::New(env, BinaryCrossEntropyRows, "binaryCrossEntropyRows"));
  exports.Set("softmaxBackwardRows", Napi::Function::New(env, BackwardRows<false>, "softmaxBackwardRows"));
  exports.Set("logSoftmaxBackwardRows", Napi::Function::New(env, BackwardRows<true>, "logSoftmaxBackwardRows"));
  exports.Set("informationRows", Napi::Function::New(env, InformationRows, "informationRows"));
  exports.Set("regression", Napi::Function::New(env, Regression, "regression"));
  exports.Set("scoreRows", Napi::Function::New(env, ScoreRows, "scoreRows", calls));
  return exports;
}

}  // namespace

NODE_API_MODULE(softmax_simd, Init)
