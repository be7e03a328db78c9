// An ISA's kernel table (kernels.h) from its vector ops: every family's SIMD body instantiated for
// float and double. Included by that ISA's translation unit only (isa/avx2.cc, ...).
#ifndef SOFTMAX_SIMD_ISA_TABLE_H
#define SOFTMAX_SIMD_ISA_TABLE_H

#include "cross_entropy/cross_entropy.h"
#include "elementwise/elementwise.h"
#include "information/information.h"
#include "scoring/scoring.h"
#include "softmax/backward.h"
#include "softmax/softmax.h"

namespace {

// The entries of an ISA's table: each picks the kernels for temperature 1 or another.
template <class O>
struct Entries {
  using T = typename O::T;
  static void softmax_rows(const T* x, T* out, size_t rows, size_t cols, double t, int all_masked) {
    t == 1 ? Softmax<O, false>::softmax_rows(x, out, rows, cols, t, all_masked)
           : Softmax<O, true>::softmax_rows(x, out, rows, cols, t, all_masked);
  }
  static void log_softmax_rows(const T* x, T* out, size_t rows, size_t cols, double t, int all_masked) {
    t == 1 ? Softmax<O, false>::log_softmax_rows(x, out, rows, cols, t, all_masked)
           : Softmax<O, true>::log_softmax_rows(x, out, rows, cols, t, all_masked);
  }
  template <class Args>
  static double cross_entropy_rows(const Args* a) {
    return a->temperature == 1 ? CrossEntropy<O, false>::cross_entropy_rows(a) : CrossEntropy<O, true>::cross_entropy_rows(a);
  }
};

// One element type's table, each entry set by name (the argument structs of the templated entries
// are deduced from the table's function-pointer types).
template <class O, class Table>
Table entries() {
  using E = Elementwise<O>;
  Table t{};
  t.softmax_rows = Entries<O>::softmax_rows;
  t.log_softmax_rows = Entries<O>::log_softmax_rows;
  t.log_sum_exp_rows = Softmax<O, false>::log_sum_exp_rows;
  t.cross_entropy_rows = Entries<O>::cross_entropy_rows;
  t.sigmoid = E::sigmoid;
  t.log_sigmoid = E::log_sigmoid;
  t.bce_with_logits = E::bce_with_logits;
  t.softmax_backward_rows = Backward<O>::softmax_backward_rows;
  t.log_softmax_backward_rows = Backward<O>::log_softmax_backward_rows;
  t.information_rows = Information<O>::information_rows;
  t.regression = E::regression;
  t.score_rows = Scoring<O>::score_rows;
  return t;
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

#endif  // SOFTMAX_SIMD_ISA_TABLE_H
