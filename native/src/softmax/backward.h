// The vector-Jacobian products of softmax and log-softmax: the SIMD body over an ISA's vector ops
// `O`, included by an ISA's translation unit only (isa/table.h); the serial twin is in
// softmax/serial.cc. Per row: one sum (Loops::fold_checked), then one pass that writes. A row
// whose sum is not finite in T (products or sums of float dy beyond its range, Inf, NaN) goes to
// the serial kernel, which works in double.
#ifndef SOFTMAX_SIMD_SOFTMAX_BACKWARD_H
#define SOFTMAX_SIMD_SOFTMAX_BACKWARD_H

#include "isa/typed_kernels.h"
#include "simd/exp.h"
#include "simd/loops.h"

namespace {

template <class O>
struct Backward : Loops<O> {
  using L = Loops<O>;
  using typename L::T;
  using typename L::V;
  using L::each;
  using L::fold_checked;
  using L::in_range;
  using L::sum;

  // y ⊙ (dy − Σ dy·y) per row.
  static void softmax_backward_rows(const T* y, const T* dy, T* out, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; ++r, y += cols, dy += cols, out += cols) {
      const double dot =
          fold_checked(cols, [&](size_t i, size_t c) { return O::mul(O::load(dy + i, c, 0), O::load(y + i, c, 0)); });
      if (!in_range(dot)) {  // a row sum beyond T (or Inf, NaN): the serial kernel works in double
        Typed<T>::serial().softmax_backward_rows(y, dy, out, 1, cols);
        continue;
      }
      const V s = O::set1(static_cast<T>(dot));
      each(cols, [&](size_t i, size_t c) {
        O::store(out + i, O::mul(O::load(y + i, c, 0), O::sub(O::load(dy + i, c, 0), s)), c);
      });
    }
  }

  // dy − exp(y)·Σ dy per row.
  static void log_softmax_backward_rows(const T* y, const T* dy, T* out, size_t rows, size_t cols) {
    const ExpScale<O> k = exp_scale<O>(1);
    for (size_t r = 0; r < rows; ++r, y += cols, dy += cols, out += cols) {
      const double total = sum(dy, cols);
      if (!in_range(total)) {
        Typed<T>::serial().log_softmax_backward_rows(y, dy, out, 1, cols);
        continue;
      }
      const V s = O::set1(static_cast<T>(total));
      each(cols, [&](size_t i, size_t c) {
        const V e = exp_scaled<O, true, false>(O::load(y + i, c, 0), k);
        O::store(out + i, O::sub(O::load(dy + i, c, 0), O::mul(e, s)), c);
      });
    }
  }
};

}  // namespace

#endif  // SOFTMAX_SIMD_SOFTMAX_BACKWARD_H
