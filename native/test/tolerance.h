// DESIGN.md's accuracy contract by element type, for the C++ tests and the fuzz targets:
// probabilities within `rel` relative plus `unit`·|x − m|/T (the rounding of x − m to the type);
// log-values and losses within rel·max(1, |ref|).
#ifndef SOFTMAX_SIMD_TEST_TOLERANCE_H
#define SOFTMAX_SIMD_TEST_TOLERANCE_H

template <typename Real>
struct Tol;

template <>
struct Tol<float> {
  static constexpr double rel = 1e-6;
  static constexpr double unit = 0x1p-23;
  static constexpr const char* name = "f32";
};

template <>
struct Tol<double> {
  static constexpr double rel = 1e-12;
  static constexpr double unit = 0;
  static constexpr const char* name = "f64";
};

#endif  // SOFTMAX_SIMD_TEST_TOLERANCE_H
