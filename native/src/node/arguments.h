// Unwrapping the binding's arguments: typed arrays (zero-copy, byteOffset applied) of the types and
// lengths the kernels need, numbers, labels, and the overlap rules between outputs and inputs. The
// TS layer has checked everything already; checking again here makes the addon safe whatever JS
// calls it with. Errors are thrown as JS TypeErrors and RangeErrors naming the argument.
#ifndef SOFTMAX_SIMD_NODE_ARGUMENTS_H
#define SOFTMAX_SIMD_NODE_ARGUMENTS_H

#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

namespace {

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
  // One call for type, length and data (already offset by byteOffset), which also fails (with no
  // exception pending) on anything but a typed array: the node-addon-api accessors make one
  // Node-API call each, which small inputs feel.
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

// null or undefined, in one Node-API call (IsNull() and IsUndefined() make one each).
bool is_nullish(const Napi::Value& v) {
  napi_valuetype type;
  return napi_typeof(v.Env(), v, &type) == napi_ok && (type == napi_null || type == napi_undefined);
}

// A boolean argument: JS passes true or false (one Node-API call); anything else as JS's Boolean().
bool boolean(const Napi::Value& v) {
  bool b = false;
  return napi_get_value_bool(v.Env(), v, &b) == napi_ok ? b : v.ToBoolean().Value();
}

// A float array of the logits' type and an exact length; or nothing when `optional` and null.
View float_array_like(const Napi::Value& v, const char* name, const View& like, size_t length,
                      bool optional = false) {
  if (optional && is_nullish(v)) return View{nullptr, 0, like.type};
  View view = float_array(v, name);
  if (view.type != like.type) throw_type(v.Env(), std::string(name) + " must have the input's type");
  if (view.length != length) {
    throw_range(v.Env(), std::string(name) + " must have length " + std::to_string(length));
  }
  return view;
}

// An Int32Array of an exact length; or nothing when `optional` and null.
View int32_array(const Napi::Value& v, const char* name, size_t length, bool optional = false) {
  if (optional && is_nullish(v)) return View{nullptr, 0, napi_int32_array};
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

// Class weights must be finite: an infinite one makes NaN or ±Inf depending on the order of
// the products (0·Inf), which would differ between the kernels.
void check_finite(const Napi::Env& env, const char* name, const View& v) {
  const bool finite = by_type(v, [&](auto zero) {
    const auto* p = data<const decltype(zero)>(v);
    return std::all_of(p, p + v.length, [](auto w) { return std::isfinite(w); });
  });
  if (!finite) throw_range(env, std::string(name) + " must be finite");
}

}  // namespace

#endif  // SOFTMAX_SIMD_NODE_ARGUMENTS_H
