// An ISA's kernel table (kernels.h) from its vector ops: the row kernels of rows_impl.h,
// losses_impl.h and scoring_impl.h, instantiated for float and double. Included by that ISA's
// translation unit only.
#ifndef SOFTMAX_SIMD_TABLE_IMPL_H
#define SOFTMAX_SIMD_TABLE_IMPL_H

#include "losses_impl.h"
#include "rows_impl.h"
#include "scoring_impl.h"

namespace {

// The entries of an ISA's table: each picks the kernels for temperature 1 or another.
template <class O>
struct Entries {
  using T = typename O::T;
  static void softmax_rows(const T* x, T* out, size_t rows, size_t cols, double t, int all_masked) {
    t == 1 ? Rows<O, false>::softmax_rows(x, out, rows, cols, t, all_masked)
           : Rows<O, true>::softmax_rows(x, out, rows, cols, t, all_masked);
  }
  static void log_softmax_rows(const T* x, T* out, size_t rows, size_t cols, double t, int all_masked) {
    t == 1 ? Rows<O, false>::log_softmax_rows(x, out, rows, cols, t, all_masked)
           : Rows<O, true>::log_softmax_rows(x, out, rows, cols, t, all_masked);
  }
  template <class Args>
  static double cross_entropy_rows(const Args* a) {
    return a->temperature == 1 ? Rows<O, false>::cross_entropy_rows(a) : Rows<O, true>::cross_entropy_rows(a);
  }
};

// One element type's table, in the order of SSM_KERNEL_TABLE (the argument structs of the
// templated entries are deduced from the table's function-pointer types).
template <class O, class Table>
Table entries() {
  using R = Rows<O, false>;
  using L = Losses<O>;
  return {Entries<O>::softmax_rows,
          Entries<O>::log_softmax_rows,
          R::log_sum_exp_rows,
          Entries<O>::cross_entropy_rows,
          L::sigmoid,
          L::log_sigmoid,
          L::bce_with_logits,
          L::softmax_backward_rows,
          L::log_softmax_backward_rows,
          L::information_rows,
          L::regression,
          Scoring<O>::score_rows,
          R::exp_array,
          R::log_array,
          R::log1p_array};
}

// The kernel table of one ISA.
template <class F32, class F64>
kernel_table make_table(const char* isa) {
  kernel_table t{};
  t.isa = isa;
  t.f32 = entries<F32, kernel_table_f32>();
  t.f64 = entries<F64, kernel_table_f64>();
  return t;
}

}  // namespace

#endif  // SOFTMAX_SIMD_TABLE_IMPL_H
