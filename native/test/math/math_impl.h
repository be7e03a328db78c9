// One ISA's math table from its vector ops: included by that ISA's translation unit only.
#ifndef SOFTMAX_SIMD_TEST_MATH_IMPL_H
#define SOFTMAX_SIMD_TEST_MATH_IMPL_H

#include "math/math_table.h"
#include "simd/exp.h"
#include "simd/log.h"
#include "simd/loops.h"

namespace {

template <class O>
struct ArrayMath {
  using T = typename O::T;
  static void exp_array(const T* x, T* y, size_t len) {
    const ExpScale<O> k = exp_scale<O>(1);
    Loops<O>::each(len, [&](size_t i, size_t n) { O::store(y + i, exp_scaled<O, true, false>(O::load(x + i, n, 0), k), n); });
  }
  static void log_array(const T* x, T* y, size_t len) {
    Loops<O>::each(len, [&](size_t i, size_t n) { O::store(y + i, log_poly<O>(O::load(x + i, n, 1)), n); });
  }
  static void log1p_array(const T* x, T* y, size_t len) {
    Loops<O>::each(len, [&](size_t i, size_t n) { O::store(y + i, log1p_poly<O>(O::load(x + i, n, 0)), n); });
  }
  static MathFunctions<T> functions() { return {exp_array, log_array, log1p_array}; }
};

template <class F32, class F64>
math_table make_math_table(const char* isa) {
  return {isa, ArrayMath<F32>::functions(), ArrayMath<F64>::functions()};
}

}  // namespace

#endif  // SOFTMAX_SIMD_TEST_MATH_IMPL_H
