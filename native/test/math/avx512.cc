// The avx512 math table (math_table.h), built with the avx512 flags.
#include "math/math_impl.h"
#include "simd/avx512.h"

const math_table* math_table_avx512() {
  static const math_table table = make_math_table<Avx512F32, Avx512F64>("avx512");
  return &table;
}
