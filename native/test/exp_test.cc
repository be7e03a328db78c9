// Accuracy of each ISA's vector exp (simd/exp.h), measured and held to the bound its header states:
// - double: 10^8 random inputs over [lo, hi] and near 0, against long double expl;
// - float: every float32 input in [lo, ln FLT_MAX] (both signs; about 2.2e9 inputs), against the best
//   ISA's double exp, which the double test holds to 0.95 double ULP (2.1e-16 relative, some
//   10^-8 of a float ULP): a vectorised reference is what lets this run in seconds;
// - special values: NaN, ±Inf, beyond the clamps.
// SSM_EXP_STRIDE=k tests every k-th float32 only and 10^8/k doubles (for emulators such as qemu).
// Prints the worst error per ISA and dtype, then "N passed, M failed"; exits non-zero on failure.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "simd/exp.h"
#include "ulp.h"
#include "softmax_simd/kernels.h"

namespace {

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

Worsts exhaustive_f32(const Tables& ks, uint32_t stride) {
  using C = ExpConstants<float>;
  // Positive floats up to the largest input with a finite result, negatives down to lo.
  const uint32_t pos_end = bits_of(std::nextafter(88.7228390f, 0.0f));
  const uint32_t neg_end = bits_of(C::lo);
  const uint32_t ranges[][2] = {{0u, pos_end / 2}, {pos_end / 2 + 1, pos_end},
                                {0x80000000u, 0x80000000u + (neg_end - 0x80000000u) / 2},
                                {0x80000000u + (neg_end - 0x80000000u) / 2 + 1, neg_end}};
  return parallel(4, ks.size(), [&](int i) { return float_range(ks, &MathFunctions<float>::exp_array, &MathFunctions<double>::exp_array, ranges[i][0], ranges[i][1], stride); });
}

Worsts sampled_f64(const Tables& ks, size_t samples, uint64_t seed) {
  using C = ExpConstants<double>;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> wide(C::lo, 709.78), narrow(-1, 1);
  Worsts worst(ks.size());
  std::vector<double> x(4096);
  std::vector<long double> want(4096);
  for (size_t done = 0; done < samples; done += x.size()) {
    for (size_t i = 0; i < x.size(); ++i) {
      // One draw per statement: the order of draws within an expression is unspecified.
      if (i % 4 == 0) {
        const double r = narrow(rng);
        x[i] = r * std::ldexp(1.0, -static_cast<int>(rng() % 60));
      } else {
        x[i] = wide(rng);
      }
      want[i] = std::exp(static_cast<long double>(x[i]));
    }
    measure(ks, &MathFunctions<double>::exp_array, x, want, worst);
  }
  return worst;
}

// NaN → NaN, −Inf → 0, +Inf → +Inf, beyond the clamps → 0 or +Inf, exactly.
template <typename T>
bool specials(void (*exp_array)(const T*, T*, size_t)) {
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  std::vector<T> x = {nan, -inf, inf, T(-1e30), T(1e30), T(-3e38), T(3e38), T(-2000), T(2000), T(0)};
  std::vector<T> want = {nan, 0, inf, 0, inf, 0, inf, 0, inf, 1};
  if (sizeof(T) == 4) {  // float's overflow band, above ln FLT_MAX and up to the clamp hi
    x.insert(x.end(), {T(88.7229), T(88.73)});
    want.insert(want.end(), {inf, inf});
  }
  std::vector<T> y(x.size());
  exp_array(x.data(), y.data(), x.size());
  bool ok = true;
  for (size_t i = 0; i < x.size(); ++i) ok &= std::isnan(want[i]) ? std::isnan(y[i]) : y[i] == want[i];
  return ok;
}

}  // namespace

int main() {
  const uint32_t stride = stride_from_env();
  std::vector<std::string> names;
  Tables ks;
  if (!simd_tables(&ks, &names)) return 0;
  const uint32_t samples = 100000000u / stride;
  const Worsts d = parallel(4, ks.size(), [&](int i) { return sampled_f64(ks, samples / 4, 20261121 + i); });
  const Worsts f = exhaustive_f32(ks, stride);
  char line[200];
  for (size_t k = 0; k < ks.size(); ++k) {
    std::snprintf(line, sizeof line, "%s double exp: max %.3f ULP (at %.17g) over %u random inputs; bound %.2f",
                  names[k].c_str(), d[k].ulp, d[k].input, samples, kExpMaxUlpDouble);
    check(d[k].ulp <= kExpMaxUlpDouble, line);
    std::snprintf(line, sizeof line, "%s float exp: max %.4f ULP (at %.9g) over %s float32 inputs in [lo, ln FLT_MAX]; bound %.2f",
                  names[k].c_str(), f[k].ulp, f[k].input,
                  stride == 1 ? "all" : ("1/" + std::to_string(stride) + " of the").c_str(), kExpMaxUlpFloat);
    check(f[k].ulp <= kExpMaxUlpFloat, line);
    check(specials(ks[k]->f32.exp_array) && specials(ks[k]->f64.exp_array), names[k] + " exp special values");
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
