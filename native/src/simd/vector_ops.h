// Vector ops every ISA gets from its own ops (simd_avx2.h, simd_avx512.h, simd_neon.h).
#ifndef SOFTMAX_SIMD_SIMD_VECTOR_OPS_H
#define SOFTMAX_SIMD_SIMD_VECTOR_OPS_H

namespace {

// Lanes where x < 0 take a, others b (−0 and NaN take b: a compare, not the sign bit).
template <class O>
inline typename O::V select_negative(typename O::V x, typename O::V a, typename O::V b) {
  return O::select_less(x, O::zero(), a, b);
}

}  // namespace

#endif  // SOFTMAX_SIMD_SIMD_VECTOR_OPS_H
