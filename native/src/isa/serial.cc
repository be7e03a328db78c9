// The serial table: every family's serial kernel (softmax/serial.cc, cross_entropy/serial.cc, ...),
// the "scalar" ISA the dispatcher falls back to and the reference the tests compare against.
#include "softmax_simd/kernels.h"

namespace {

// One element type's serial table, each entry set by name.
#define SSM_SERIAL_TABLE(suffix)                                                    \
  kernel_table_##suffix serial_##suffix() {                                          \
    kernel_table_##suffix t{};                                                       \
    t.softmax_rows = softmax_rows_##suffix##_serial;                                 \
    t.log_softmax_rows = log_softmax_rows_##suffix##_serial;                         \
    t.log_sum_exp_rows = log_sum_exp_rows_##suffix##_serial;                         \
    t.cross_entropy_rows = cross_entropy_rows_##suffix##_serial;                     \
    t.sigmoid = sigmoid_##suffix##_serial;                                           \
    t.log_sigmoid = log_sigmoid_##suffix##_serial;                                   \
    t.bce_with_logits = bce_with_logits_##suffix##_serial;                           \
    t.softmax_backward_rows = softmax_backward_rows_##suffix##_serial;               \
    t.log_softmax_backward_rows = log_softmax_backward_rows_##suffix##_serial;       \
    t.information_rows = information_rows_##suffix##_serial;                         \
    t.regression = regression_##suffix##_serial;                                     \
    t.score_rows = score_rows_##suffix##_serial;                                     \
    return t;                                                                        \
  }
SSM_SERIAL_TABLE(f32)
SSM_SERIAL_TABLE(f64)
#undef SSM_SERIAL_TABLE

}  // namespace

extern "C" const kernel_table* ssm_table_serial(void) {
  static const kernel_table table = {"scalar", serial_f32(), serial_f64()};
  return &table;
}
