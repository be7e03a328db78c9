// The float or double half of the kernel table and its argument structs, by element type, so that
// one C++ body serves both types (kernels.h is C and names each per type). Used by the SIMD bodies
// (to hand a row to the serial kernels), the binding, the C++ tests and the fuzz targets.
#ifndef SOFTMAX_SIMD_ISA_TYPED_KERNELS_H
#define SOFTMAX_SIMD_ISA_TYPED_KERNELS_H

#include <type_traits>

#include "softmax_simd/kernels.h"

template <typename T>
struct Typed {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "float or double");
  static constexpr bool kF32 = std::is_same_v<T, float>;
  template <class F32, class F64>
  using Pick = std::conditional_t<kF32, F32, F64>;
  using Table = Pick<kernel_table_f32, kernel_table_f64>;
  using CrossEntropy = Pick<cross_entropy_args_f32, cross_entropy_args_f64>;
  using Bce = Pick<bce_args_f32, bce_args_f64>;
  using Information = Pick<information_args_f32, information_args_f64>;
  using Regression = Pick<regression_args_f32, regression_args_f64>;
  using Score = Pick<score_args_f32, score_args_f64>;
  static const Table& table(const kernel_table* t) {
    if constexpr (kF32) {
      return t->f32;
    } else {
      return t->f64;
    }
  }
  static const Table& kernels() { return table(ssm_kernels()); }
  static const Table& serial() { return table(ssm_table_serial()); }
};

#endif  // SOFTMAX_SIMD_ISA_TYPED_KERNELS_H
