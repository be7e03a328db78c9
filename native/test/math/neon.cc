// The neon math table (math_table.h), built with the neon flags.
#include "math/math_impl.h"
#include "simd/neon.h"

const math_table* math_table_neon() {
  static const math_table table = make_math_table<NeonF32, NeonF64>("neon");
  return &table;
}
