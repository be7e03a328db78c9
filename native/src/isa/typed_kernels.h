// The float or double half of the kernel table and its argument structs, by element type, so that
// one C++ body serves both types (kernels.h is C and names each per type). Used by the SIMD bodies
// (to hand a row to the serial kernels), the binding, the C++ tests and the fuzz targets.
#ifndef SOFTMAX_SIMD_ISA_TYPED_KERNELS_H
#define SOFTMAX_SIMD_ISA_TYPED_KERNELS_H

#include "softmax_simd/kernels.h"

template <typename T>
struct Typed;

template <>
struct Typed<float> {
  using Table = kernel_table_f32;
  using CrossEntropy = cross_entropy_args_f32;
  using Bce = bce_args_f32;
  using Information = information_args_f32;
  using Regression = regression_args_f32;
  using Score = score_args_f32;
  static const Table& table(const kernel_table* t) { return t->f32; }
  static const Table& kernels() { return table(ssm_kernels()); }
  static const Table& serial() { return table(ssm_table_serial()); }
};

template <>
struct Typed<double> {
  using Table = kernel_table_f64;
  using CrossEntropy = cross_entropy_args_f64;
  using Bce = bce_args_f64;
  using Information = information_args_f64;
  using Regression = regression_args_f64;
  using Score = score_args_f64;
  static const Table& table(const kernel_table* t) { return t->f64; }
  static const Table& kernels() { return table(ssm_kernels()); }
  static const Table& serial() { return table(ssm_table_serial()); }
};

#endif  // SOFTMAX_SIMD_ISA_TYPED_KERNELS_H
