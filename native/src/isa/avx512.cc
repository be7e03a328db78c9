// AVX-512F kernels: the shared row kernels over 16 float / 8 double lanes. Built with -mavx512f
// (and only this file); isa/dispatch.cc calls it only where CPUID and XGETBV say AVX-512 is usable.
#include "isa/table.h"
#include "simd/avx512.h"

extern "C" const kernel_table* ssm_table_avx512(void) {
  static const kernel_table table = make_table<Avx512F32, Avx512F64>("avx512");
  return &table;
}
