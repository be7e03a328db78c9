// math_table_for: the SIMD math tables this build has, where the kernels' dispatcher offers that ISA.
#include <cstring>

#include "math/math_table.h"
#include "softmax_simd/kernels.h"

const math_table* math_table_avx2();
const math_table* math_table_avx512();
const math_table* math_table_neon();

const math_table* math_table_for(const char* isa) {
  if (!ssm_kernels_for(isa)) return nullptr;
#if defined(SSM_HAVE_AVX2)
  if (std::strcmp(isa, "avx2") == 0) return math_table_avx2();
#endif
#if defined(SSM_HAVE_AVX512)
  if (std::strcmp(isa, "avx512") == 0) return math_table_avx512();
#endif
#if defined(SSM_HAVE_NEON)
  if (std::strcmp(isa, "neon") == 0) return math_table_neon();
#endif
  return nullptr;
}
