// The Node-API binding: one function per kernel entry, which unwraps and checks its arguments
// (node/arguments.h) and calls its kernel (the row kernels: node/row_bindings.h); the exports and
// the surface they describe. Kernels never include Node headers: only node/ does.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>

#include "isa/typed_kernels.h"
#include "node/arguments.h"
#include "node/row_bindings.h"
#include "softmax_simd/kernels.h"

namespace {

// sigmoid / logSigmoid, element-wise into out.
constexpr const char* kSigmoidArgs[] = {"x", "out"};
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

// softmaxBackwardRows / logSoftmaxBackwardRows: the vector-Jacobian product of each row into out.
constexpr const char* kBackwardArgs[] = {"y", "dy", "out", "cols"};
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

// binaryCrossEntropyRows -> the sum of the element losses.
constexpr const char* kBceArgs[] = {"x", "target", "cols", "weight", "posWeight", "lossOut", "gradOut", "gradScale",
                                   "gradElementScale"};
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

// informationRows -> the first bad row, or -1.
constexpr const char* kInformationArgs[] = {"measure", "p", "q", "out", "cols", "normalize", "scale", "tolerance"};
Napi::Value InformationRows(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const double measure = number(info[0], "measure");
  if (measure != SSM_ENTROPY && measure != SSM_CROSS_ENTROPY && measure != SSM_KL_DIVERGENCE) {
    throw_range(env, "measure must be 0, 1 or 2");
  }
  const View p = float_array(info[1], "p");
  if ((measure == SSM_ENTROPY) != is_nullish(info[2])) {
    throw_type(env, "q must be null for the entropy and an array otherwise");
  }
  const View q = float_array_like(info[2], "q", p, p.length, true);
  size_t cols = 0;
  const size_t rows = rows_of(info[4], p, &cols);
  const View out = float_array_like(info[3], "out", p, rows);
  check_overlap(env, p, out, "out", false);
  check_overlap(env, q, out, "out", false);
  const int normalize = boolean(info[5]);
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

// regression -> the sum of the element losses.
constexpr const char* kRegressionArgs[] = {"kind", "input", "target", "param", "lossOut", "gradOut", "gradScale", "gradElementScale"};
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

// "a b c" as ["a", "b", "c"].
Napi::Array words(Napi::Env env, const std::string& text) {
  Napi::Array list = Napi::Array::New(env);
  for (size_t start = 0; start < text.size();) {
    const size_t end = std::min(text.find(' ', start), text.size());
    list.Set(list.Length(), Napi::String::New(env, text.substr(start, end - start)));
    start = end + 1;
  }
  return list;
}

struct Binding {
  const char* name;
  Napi::Value (*fn)(const Napi::CallbackInfo&);
  const char* const* args;
  size_t arity;
};
template <size_t N>
constexpr Binding bind(const char* name, Napi::Value (*fn)(const Napi::CallbackInfo&), const char* const (&args)[N]) {
  return {name, fn, args, N};
}

// The addon's functions, each with its arguments in order ("run": the threads of a sync call or
// the control array of an async one, node/run_rows.h).
constexpr Binding kBindings[] = {
    bind("softmaxRows", SoftmaxRows<false>, kSoftmaxArgs),
    bind("logSoftmaxRows", SoftmaxRows<true>, kSoftmaxArgs),
    bind("logSumExpRows", LogSumExpRows, kLogSumExpArgs),
    bind("crossEntropyRows", CrossEntropyRows, kCrossEntropyArgs),
    bind("sigmoid", Sigmoid<false>, kSigmoidArgs),
    bind("logSigmoid", Sigmoid<true>, kSigmoidArgs),
    bind("binaryCrossEntropyRows", BinaryCrossEntropyRows, kBceArgs),
    bind("softmaxBackwardRows", BackwardRows<false>, kBackwardArgs),
    bind("logSoftmaxBackwardRows", BackwardRows<true>, kBackwardArgs),
    bind("informationRows", InformationRows, kInformationArgs),
    bind("regression", Regression, kRegressionArgs),
    bind("scoreRows", ScoreRows, kScoreArgs),
};

// The surface JS sees, from the C++ that defines it: the functions' arguments, the numbers of the
// enums JS passes, the chunk grid and this architecture's ISAs. lib/surface.ts describes the same
// on the TS side; test/surface.test.ts fails when the two differ.
Napi::Object Surface(Napi::Env env) {
  Napi::Object functions = Napi::Object::New(env);
  for (const Binding& b : kBindings) {
    Napi::Array args = Napi::Array::New(env, b.arity);
    for (size_t i = 0; i < b.arity; ++i) args.Set(i, Napi::String::New(env, b.args[i]));
    functions.Set(b.name, args);
  }
  Napi::Object measures = Napi::Object::New(env);
  measures.Set("entropy", static_cast<int>(SSM_ENTROPY));
  measures.Set("crossEntropyProbs", static_cast<int>(SSM_CROSS_ENTROPY));
  measures.Set("klDivergence", static_cast<int>(SSM_KL_DIVERGENCE));
  Napi::Object kinds = Napi::Object::New(env);
  kinds.Set("l1", static_cast<int>(SSM_L1));
  kinds.Set("l2", static_cast<int>(SSM_L2));
  kinds.Set("mse", static_cast<int>(SSM_MSE));
  kinds.Set("huber", static_cast<int>(SSM_HUBER));
  kinds.Set("smoothL1", static_cast<int>(SSM_SMOOTH_L1));
  Napi::Object surface = Napi::Object::New(env);
  surface.Set("functions", functions);
  surface.Set("measures", measures);
  surface.Set("regressionKinds", kinds);
  surface.Set("chunkElements", kChunkElements);
  surface.Set("isas", words(env, ssm_built_isas()));
  return surface;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // This environment's async calls (freed when it closes); the row functions find it as their data.
  AsyncCalls* calls = AsyncCalls::create(env);
  if (!calls) throw Napi::Error::New(env, "softmax-simd: could not set up async calls");
  exports.Set("isa", Napi::String::New(env, ssm_kernels()->isa));
  exports.Set("supported", words(env, ssm_supported_isas()));
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  exports.Set("builtWith", Napi::String::New(env, SSM_BUILT_WITH));
  for (const Binding& b : kBindings) exports.Set(b.name, Napi::Function::New(env, b.fn, b.name, calls));
  exports.Set("surface", Surface(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(softmax_simd, Init)
