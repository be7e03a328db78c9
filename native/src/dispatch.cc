// The kernel table, filled once on first use. Only the serial kernels exist so far; the SIMD
// entries join here with their CPU checks (CPUID + XGETBV, getauxval) and the
// SOFTMAX_SIMD_ISA cap.
#include "softmax_simd/kernels.h"

namespace {

kernel_table make_serial_table() {
  kernel_table t{};
  t.isa = "scalar";
  t.f32 = {softmax_rows_f32_serial, log_softmax_rows_f32_serial, log_sum_exp_rows_f32_serial,
           cross_entropy_rows_f32_serial};
  t.f64 = {softmax_rows_f64_serial, log_softmax_rows_f64_serial, log_sum_exp_rows_f64_serial,
           cross_entropy_rows_f64_serial};
  return t;
}

}  // namespace

extern "C" const kernel_table* ssm_kernels(void) {
  // A function-local static is initialised once, thread-safely, before first use.
  static const kernel_table table = make_serial_table();
  return &table;
}
