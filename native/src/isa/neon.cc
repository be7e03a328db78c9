// NEON kernels (AArch64): the shared row kernels over 4 float / 2 double lanes.
#include "isa/table.h"
#include "simd/neon.h"

extern "C" const kernel_table* ssm_table_neon(void) {
  static const kernel_table table = make_table<NeonF32, NeonF64>("neon");
  return &table;
}
