// The avx2 math table (math_table.h), built with the avx2 flags.
#include "math/math_impl.h"
#include "simd/avx2.h"

const math_table* math_table_avx2() {
  static const math_table table = make_math_table<Avx2F32, Avx2F64>("avx2");
  return &table;
}
