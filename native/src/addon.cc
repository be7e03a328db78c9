// The Node-API binding: unwraps typed arrays (zero-copy, byteOffset included), checks every
// argument again (the TS layer has checked them already; this makes the addon safe whatever
// JS calls it with), then makes one kernel call per batch.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "softmax_simd/kernels.h"

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

// An output may be an input exactly (in place) when `may_alias`; any other shared byte would
// make the kernel read values it has already overwritten.
void check_overlap(const Napi::Env& env, const View& in, const View& out, const char* name,
                   bool may_alias) {
  if (!in.data || !out.data) return;
  const auto a = reinterpret_cast<uintptr_t>(in.data), b = reinterpret_cast<uintptr_t>(out.data);
  const bool disjoint = a + in.bytes() <= b || b + out.bytes() <= a;
  const bool same = a == b && in.bytes() == out.bytes();
  if (!disjoint && !(may_alias && same)) {
    throw_range(env, std::string(name) + " overlaps an input without being the same array");
  }
}

double number(const Napi::Value& v, const char* name) {
  if (!v.IsNumber()) throw_type(v.Env(), std::string(name) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
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

using RowsFn32 = void (*)(const float*, float*, size_t, size_t, double, int);
using RowsFn64 = void (*)(const double*, double*, size_t, size_t, double, int);

// softmaxRows / logSoftmaxRows(x, out, cols, temperature, allMaskedZero)
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
  const kernel_table* k = ssm_kernels();
  if (x.type == napi_float32_array) {
    const RowsFn32 fn = Log ? k->f32.log_softmax_rows : k->f32.softmax_rows;
    fn(static_cast<const float*>(x.data), static_cast<float*>(out.data), rows, cols, temperature,
       all_masked);
  } else {
    const RowsFn64 fn = Log ? k->f64.log_softmax_rows : k->f64.softmax_rows;
    fn(static_cast<const double*>(x.data), static_cast<double*>(out.data), rows, cols,
       temperature, all_masked);
  }
  return env.Undefined();
}

// logSumExpRows(x, out, cols): out has one value per row.
Napi::Value LogSumExpRows(const Napi::CallbackInfo& info) {
  const View x = float_array(info[0], "x");
  size_t cols = 0;
  const size_t rows = rows_of(info[2], x, &cols);
  const View out = float_array_like(info[1], "out", x, rows);
  check_overlap(info.Env(), x, out, "out", true);
  const kernel_table* k = ssm_kernels();
  if (x.type == napi_float32_array) {
    k->f32.log_sum_exp_rows(static_cast<const float*>(x.data), static_cast<float*>(out.data), rows,
                            cols);
  } else {
    k->f64.log_sum_exp_rows(static_cast<const double*>(x.data), static_cast<double*>(out.data),
                            rows, cols);
  }
  return info.Env().Undefined();
}

struct CrossEntropyViews {
  View logits, target, weight, loss_out, grad_out, row_scale;
  size_t rows, cols;
  bool soft;
};

template <typename Real, typename Args>
Args cross_entropy_args(const CrossEntropyViews& v, int32_t ignore_index, double eps,
                        double temperature, double grad_scale) {
  return Args{static_cast<const Real*>(v.logits.data),
              v.rows,
              v.cols,
              v.soft ? nullptr : static_cast<const int32_t*>(v.target.data),
              v.soft ? static_cast<const Real*>(v.target.data) : nullptr,
              ignore_index,
              static_cast<const Real*>(v.weight.data),
              eps,
              temperature,
              static_cast<Real*>(v.loss_out.data),
              static_cast<Real*>(v.grad_out.data),
              grad_scale,
              static_cast<const Real*>(v.row_scale.data)};
}

// crossEntropyRows(logits, cols, target, ignoreIndex, weight, labelSmoothing, temperature,
//                  lossOut, gradOut, gradScale, gradRowScale) -> sum of the row losses
Napi::Value CrossEntropyRows(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const View x = float_array(info[0], "logits");
  size_t cols = 0;
  const size_t rows = rows_of(info[1], x, &cols);

  const View target = typed_array(info[2], "target");
  const bool soft = target.type == x.type;
  if (soft) {
    float_array_like(info[2], "target", x, x.length);
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
  if (!soft) {
    const auto* labels = static_cast<const int32_t*>(target.data);
    for (size_t r = 0; r < rows; ++r) {
      const int32_t y = labels[r];
      if (y != ignore_index && (y < 0 || static_cast<size_t>(y) >= cols)) {
        throw_range(env, "target[" + std::to_string(r) + "] is out of range");
      }
    }
  }
  const View weight = float_array_like(info[4], "weight", x, cols, true);
  const double eps = number(info[5], "labelSmoothing");
  if (!(eps >= 0 && eps <= 1)) throw_range(env, "labelSmoothing must be in [0, 1]");
  const double temperature = positive_finite(info[6], "temperature");
  const View loss_out = float_array_like(info[7], "lossOut", x, rows, true);
  const View grad_out = float_array_like(info[8], "gradOut", x, x.length, true);
  const double grad_scale = number(info[9], "gradScale");
  const View row_scale = float_array_like(info[10], "gradRowScale", x, rows, true);
  for (const auto& [out, name] : {std::pair{loss_out, "lossOut"}, std::pair{grad_out, "gradOut"}}) {
    check_overlap(env, x, out, name, true);
    check_overlap(env, target, out, name, soft);
    check_overlap(env, weight, out, name, false);
    check_overlap(env, row_scale, out, name, false);
  }

  const CrossEntropyViews v{x, target, weight, loss_out, grad_out, row_scale, rows, cols, soft};
  double total;
  if (x.type == napi_float32_array) {
    const auto a =
        cross_entropy_args<float, cross_entropy_args_f32>(v, ignore_index, eps, temperature, grad_scale);
    total = ssm_kernels()->f32.cross_entropy_rows(&a);
  } else {
    const auto a = cross_entropy_args<double, cross_entropy_args_f64>(v, ignore_index, eps,
                                                                      temperature, grad_scale);
    total = ssm_kernels()->f64.cross_entropy_rows(&a);
  }
  return Napi::Number::New(env, total);
}

// sigmoid / logSigmoid(x, out)
template <bool Log>
Napi::Value Sigmoid(const Napi::CallbackInfo& info) {
  const View x = float_array(info[0], "x");
  const View out = float_array_like(info[1], "out", x, x.length);
  check_overlap(info.Env(), x, out, "out", true);
  const kernel_table* k = ssm_kernels();
  if (x.type == napi_float32_array) {
    (Log ? k->f32.log_sigmoid : k->f32.sigmoid)(static_cast<const float*>(x.data), static_cast<float*>(out.data), x.length);
  } else {
    (Log ? k->f64.log_sigmoid : k->f64.sigmoid)(static_cast<const double*>(x.data), static_cast<double*>(out.data), x.length);
  }
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
  const kernel_table* k = ssm_kernels();
  if (y.type == napi_float32_array) {
    (Log ? k->f32.log_softmax_backward_rows : k->f32.softmax_backward_rows)(
        static_cast<const float*>(y.data), static_cast<const float*>(dy.data), static_cast<float*>(out.data), rows, cols);
  } else {
    (Log ? k->f64.log_softmax_backward_rows : k->f64.softmax_backward_rows)(
        static_cast<const double*>(y.data), static_cast<const double*>(dy.data), static_cast<double*>(out.data), rows, cols);
  }
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
  View weight{nullptr, 0, x.type};
  if (!info[3].IsNull()) {
    weight = float_array(info[3], "weight");
    if (weight.type != x.type || (weight.length != x.length && weight.length != cols)) {
      throw_range(env, "weight must have x's type and the length of x or of cols");
    }
  }
  const View pos_weight = float_array_like(info[4], "posWeight", x, cols, true);
  const View loss_out = float_array_like(info[5], "lossOut", x, x.length, true);
  const View grad_out = float_array_like(info[6], "gradOut", x, x.length, true);
  const double grad_scale = number(info[7], "gradScale");
  const View element_scale = float_array_like(info[8], "gradElementScale", x, x.length, true);
  for (const auto& [out, name] : {std::pair{loss_out, "lossOut"}, std::pair{grad_out, "gradOut"}}) {
    check_overlap(env, x, out, name, true);
    check_overlap(env, target, out, name, true);
    check_overlap(env, weight, out, name, false);
    check_overlap(env, pos_weight, out, name, false);
    check_overlap(env, element_scale, out, name, false);
  }
  check_overlap(env, loss_out, grad_out, "gradOut", false);
  const int per_element = weight.data && weight.length == x.length;
  double total;
  if (x.type == napi_float32_array) {
    const bce_args_f32 a{static_cast<const float*>(x.data), static_cast<const float*>(target.data), x.length, cols,
                         static_cast<const float*>(weight.data), per_element, static_cast<const float*>(pos_weight.data),
                         static_cast<float*>(loss_out.data), static_cast<float*>(grad_out.data), grad_scale,
                         static_cast<const float*>(element_scale.data)};
    total = ssm_kernels()->f32.bce_with_logits(&a);
  } else {
    const bce_args_f64 a{static_cast<const double*>(x.data), static_cast<const double*>(target.data), x.length, cols,
                         static_cast<const double*>(weight.data), per_element, static_cast<const double*>(pos_weight.data),
                         static_cast<double*>(loss_out.data), static_cast<double*>(grad_out.data), grad_scale,
                         static_cast<const double*>(element_scale.data)};
    total = ssm_kernels()->f64.bce_with_logits(&a);
  }
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
  const View q = float_array_like(info[2], "q", p, p.length, true);
  const bool has_q = !info[2].IsNull() && !info[2].IsUndefined();
  if ((measure == SSM_ENTROPY) == has_q) {
    throw_type(env, "q must be null for the entropy and an array otherwise");
  }
  size_t cols = 0;
  const size_t rows = rows_of(info[4], p, &cols);
  const View out = float_array_like(info[3], "out", p, rows);
  check_overlap(env, p, out, "out", false);
  check_overlap(env, q, out, "out", false);
  const int normalize = info[5].ToBoolean();
  const double scale = number(info[6], "scale");
  const double tolerance = number(info[7], "tolerance");
  const int m = static_cast<int>(measure);
  int64_t bad;
  if (p.type == napi_float32_array) {
    const information_args_f32 a{m, static_cast<const float*>(p.data), static_cast<const float*>(q.data),
                                 static_cast<float*>(out.data), rows, cols, normalize, scale, tolerance};
    bad = ssm_kernels()->f32.information_rows(&a);
  } else {
    const information_args_f64 a{m, static_cast<const double*>(p.data), static_cast<const double*>(q.data),
                                 static_cast<double*>(out.data), rows, cols, normalize, scale, tolerance};
    bad = ssm_kernels()->f64.information_rows(&a);
  }
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
  for (const auto& [out, name] : {std::pair{loss_out, "lossOut"}, std::pair{grad_out, "gradOut"}}) {
    check_overlap(env, input, out, name, true);
    check_overlap(env, target, out, name, true);
    check_overlap(env, element_scale, out, name, false);
  }
  check_overlap(env, loss_out, grad_out, "gradOut", false);
  const int k = static_cast<int>(kind);
  double total;
  if (input.type == napi_float32_array) {
    const regression_args_f32 a{k, static_cast<const float*>(input.data), static_cast<const float*>(target.data), input.length,
                                param, static_cast<float*>(loss_out.data), static_cast<float*>(grad_out.data), grad_scale,
                                static_cast<const float*>(element_scale.data)};
    total = ssm_kernels()->f32.regression(&a);
  } else {
    const regression_args_f64 a{k, static_cast<const double*>(input.data), static_cast<const double*>(target.data), input.length,
                                param, static_cast<double*>(loss_out.data), static_cast<double*>(grad_out.data), grad_scale,
                                static_cast<const double*>(element_scale.data)};
    total = ssm_kernels()->f64.regression(&a);
  }
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
  exports.Set("isa", Napi::String::New(env, ssm_kernels()->isa));
  exports.Set("supported", SupportedIsas(env));
  exports.Set("softmaxRows", Napi::Function::New(env, SoftmaxRows<false>, "softmaxRows"));
  exports.Set("logSoftmaxRows", Napi::Function::New(env, SoftmaxRows<true>, "logSoftmaxRows"));
  exports.Set("logSumExpRows", Napi::Function::New(env, LogSumExpRows, "logSumExpRows"));
  exports.Set("crossEntropyRows", Napi::Function::New(env, CrossEntropyRows, "crossEntropyRows"));
  exports.Set("sigmoid", Napi::Function::New(env, Sigmoid<false>, "sigmoid"));
  exports.Set("logSigmoid", Napi::Function::New(env, Sigmoid<true>, "logSigmoid"));
  exports.Set("binaryCrossEntropyRows", Napi::Function::New(env, BinaryCrossEntropyRows, "binaryCrossEntropyRows"));
  exports.Set("softmaxBackwardRows", Napi::Function::New(env, BackwardRows<false>, "softmaxBackwardRows"));
  exports.Set("logSoftmaxBackwardRows", Napi::Function::New(env, BackwardRows<true>, "logSoftmaxBackwardRows"));
  exports.Set("informationRows", Napi::Function::New(env, InformationRows, "informationRows"));
  exports.Set("regression", Napi::Function::New(env, Regression, "regression"));
  return exports;
}

}  // namespace

NODE_API_MODULE(softmax_simd, Init)
