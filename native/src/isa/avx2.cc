// AVX2 + FMA kernels: the shared row kernels over 8 float / 4 double lanes. Built with
// -mavx2 -mfma (and only this file); isa/dispatch.cc calls it only where the CPU and OS support it.
#include "isa/table.h"
#include "simd/avx2.h"

extern "C" const kernel_table* ssm_table_avx2(void) {
  static const kernel_table table = make_table<Avx2F32, Avx2F64>("avx2");
  return &table;
}
