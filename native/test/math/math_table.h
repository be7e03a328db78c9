// Each SIMD ISA's vector exp, log and log1p over arrays, for their accuracy tests (exp_test.cc,
// log_test.cc) alone: built into the tests, never into the addon, from the same headers as the
// kernels (simd/exp.h, simd/log.h), each ISA in a translation unit with that ISA's flags.
#ifndef SOFTMAX_SIMD_TEST_MATH_TABLE_H
#define SOFTMAX_SIMD_TEST_MATH_TABLE_H

#include <cstddef>

template <typename T>
struct MathFunctions {
  void (*exp_array)(const T* x, T* y, size_t n);
  void (*log_array)(const T* x, T* y, size_t n);
  void (*log1p_array)(const T* x, T* y, size_t n);
};

struct math_table {
  const char* isa;
  MathFunctions<float> f32;
  MathFunctions<double> f64;
};

// The ISA's table, or null when this build or this CPU lacks it (the kernels' dispatcher decides).
const math_table* math_table_for(const char* isa);

#endif  // SOFTMAX_SIMD_TEST_MATH_TABLE_H
