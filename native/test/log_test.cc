// Accuracy of each ISA's vector log and log1p (log_poly.h), measured and held to the bounds its
// header states:
// - log, double: 10^8 random inputs: half uniform over the bit patterns of the positive doubles
//   (subnormals included), half near 1 and in (0, 4), where the result is smallest next to the
//   reduction's errors; against long double logl;
// - log, float: every positive float32 input, subnormals included (about 2.1e9 inputs), against
//   the best ISA's double log, which the double test holds to kLogMaxUlp double ULP (some 10^-9
//   of a float ULP): a vectorised reference is what lets this run in seconds;
// - log1p: random inputs over [0, max] (uniform over bit patterns, so mostly tiny or huge ones),
//   [0, 2] and [0.3, 1.1] (where the reduction of 1 + x changes exponent), and over (−1, 0) near
//   0, −1 and in between; 10^7 of each sign and type, float against double log1p, double against
//   long double log1pl;
// - special values of both.
// SSM_EXP_STRIDE=k tests every k-th float32 only and 1/k of the random inputs (for emulators
// such as qemu). Prints the worst error per ISA and dtype, then "N passed, M failed"; exits
// non-zero on failure.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "simd/log.h"
#include "ulp.h"
#include "softmax_simd/kernels.h"

namespace {


// Every positive finite float32, from the smallest subnormal up, in four slices.
Worsts log_exhaustive_f32(const Tables& ks, uint32_t stride) {
  const uint32_t end = 0x7f7fffffu, q = end / 4;
  return parallel(4, ks.size(), [&](int i) {
    return float_range(ks, &MathFunctions<float>::log_array, &MathFunctions<double>::log_array, 1 + i * q, i == 3 ? end : (i + 1) * q, stride);
  });
}

// A positive finite T, uniform over bit patterns (so over the exponents; subnormals included).
template <typename T>
T any_positive(std::mt19937_64& rng) {
  using Bits = typename std::conditional<sizeof(T) == 4, uint32_t, uint64_t>::type;
  const T max = std::numeric_limits<T>::max();
  Bits top;
  std::memcpy(&top, &max, sizeof top);
  const Bits b = static_cast<Bits>(1 + rng() % top);
  T v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

Worsts log_sampled_f64(const Tables& ks, size_t samples, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> near(-1, 1);
  Worsts worst(ks.size());
  std::vector<double> x(4096);
  std::vector<long double> want(4096);
  for (size_t done = 0; done < samples; done += x.size()) {
    for (size_t i = 0; i < x.size(); ++i) {
      // One draw per statement: the order of draws within an expression is unspecified, and
      // would give other inputs on other compilers.
      if (i % 4 < 2) {
        const int e = static_cast<int>(rng() % 54);
        const double r = near(rng);
        x[i] = i % 4 == 0 ? 1 + std::ldexp(r, -e) : std::ldexp(1 + r, e % 4 - 2);  // near 1; in (0, 4)
      } else {
        x[i] = any_positive<double>(rng);
      }
      want[i] = std::log(static_cast<long double>(x[i]));
    }
    measure(ks, &MathFunctions<double>::log_array, x, want, worst);
  }
  return worst;
}

// A log1p input: i % 8 picks the range; `negative`, the range (−1, 0) instead of [0, max].
template <typename T>
T log1p_input(std::mt19937_64& rng, size_t i, bool negative) {
  std::uniform_real_distribution<T> unit(0, 1);
  const int bits = std::numeric_limits<T>::digits;
  if (negative) {
    if (i % 4 == 0) return -unit(rng);
    const int e = static_cast<int>(rng() % (i % 4 == 1 ? bits : sizeof(T) == 4 ? 150 : 1075));
    const T r = std::ldexp(unit(rng), -e);
    return i % 4 == 1 ? std::max(T(-1) + r, std::nextafter(T(-1), T(0))) : -r;  // near −1; tiny
  }
  switch (i % 8) {
    case 0: case 1: case 2: return any_positive<T>(rng);  // mostly tiny or huge
    case 3: case 4: return 2 * unit(rng);
    default: return T(0.3) + T(0.8) * unit(rng);  // where the reduction of 1 + x changes exponent
  }
}

Worsts log1p_sampled_f32(const Tables& ks, size_t samples, uint64_t seed, bool negative) {
  std::mt19937_64 rng(seed);
  Worsts worst(ks.size());
  std::vector<float> x(4096);
  std::vector<double> want(4096);
  for (size_t done = 0; done < samples; done += x.size()) {
    for (size_t i = 0; i < x.size(); ++i) {
      x[i] = log1p_input<float>(rng, i, negative);
      want[i] = std::log1p(static_cast<double>(x[i]));
    }
    measure(ks, &MathFunctions<float>::log1p_array, x, want, worst);
  }
  return worst;
}

Worsts log1p_sampled_f64(const Tables& ks, size_t samples, uint64_t seed, bool negative) {
  std::mt19937_64 rng(seed);
  Worsts worst(ks.size());
  std::vector<double> x(4096);
  std::vector<long double> want(4096);
  for (size_t done = 0; done < samples; done += x.size()) {
    for (size_t i = 0; i < x.size(); ++i) {
      x[i] = log1p_input<double>(rng, i, negative);
      want[i] = std::log1p(static_cast<long double>(x[i]));
    }
    measure(ks, &MathFunctions<double>::log1p_array, x, want, worst);
  }
  return worst;
}

// Exact results: special values, and the few finite inputs whose result is exact.
template <typename T>
bool specials(void (*log_array)(const T*, T*, size_t), void (*log1p_array)(const T*, T*, size_t)) {
  using L = std::numeric_limits<T>;
  const T inf = L::infinity(), nan = L::quiet_NaN(), tiny = L::denorm_min();
  const std::vector<T> x = {nan, -nan, -inf, inf, T(0), T(-0.0), T(-1), -tiny, T(1), T(-1e-30), T(-2)};
  const std::vector<T> log_want = {nan, nan, nan, inf, -inf, -inf, nan, nan, 0, nan, nan};
  const std::vector<T> log1p_want = {nan, nan, nan, inf, 0, 0, -inf, -tiny, T(std::log1p(1.0L)), T(-1e-30), nan};
  // log1p(x) = x exactly for tiny x (1 + x rounds to 1, and the correction is x / 1).
  const std::vector<T> more = {tiny, T(1e-30), L::min(), L::epsilon() / 4, -L::epsilon() / 8};
  const std::vector<T>& more_want = more;
  std::vector<T> y(x.size()), y1(x.size()), y2(more.size());
  log_array(x.data(), y.data(), x.size());
  log1p_array(x.data(), y1.data(), x.size());
  log1p_array(more.data(), y2.data(), more.size());
  auto same = [](T got, T want) {
    if (std::isnan(want)) return std::isnan(got);
    return got == want && (want != 0 || !std::signbit(got));
  };
  bool ok = true;
  for (size_t i = 0; i < x.size(); ++i) ok &= same(y[i], log_want[i]) && same(y1[i], log1p_want[i]);
  for (size_t i = 0; i < more.size(); ++i) ok &= same(y2[i], more_want[i]);
  // Every lane of a vector and a tail: the specials above at each position of a longer array.
  std::vector<T> xs(37), ys(37);
  for (size_t i = 0; i < xs.size(); ++i) xs[i] = x[i % x.size()];
  log_array(xs.data(), ys.data(), xs.size());
  for (size_t i = 0; i < xs.size(); ++i) ok &= same(ys[i], log_want[i % x.size()]);
  return ok;
}

}  // namespace

int main() {
  const uint32_t stride = stride_from_env();
  std::vector<std::string> names;
  Tables ks;
  if (!simd_tables(&ks, &names)) return 0;
  const uint32_t samples = 100000000u / stride, samples1p = 40000000u / stride;
  const Worsts d = parallel(4, ks.size(), [&](int i) { return log_sampled_f64(ks, samples / 4, 20261121 + i); });
  const Worsts f = log_exhaustive_f32(ks, stride);
  // log1p: double x >= 0, double x < 0, float x >= 0, float x < 0, one thread each.
  std::vector<Worsts> l1(4);
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] {
        const bool negative = i % 2 == 1;
        l1[i] = i < 2 ? log1p_sampled_f64(ks, samples1p / 4, 51 + i, negative)
                      : log1p_sampled_f32(ks, samples1p / 4, 51 + i, negative);
      });
    }
    for (auto& t : threads) t.join();
  }
  const Worsts &d1 = l1[0], &d1n = l1[1], &f1 = l1[2], &f1n = l1[3];
  const std::string floats = stride == 1 ? "all" : "1/" + std::to_string(stride) + " of the";
  char line[240];
  for (size_t k = 0; k < ks.size(); ++k) {
    const char* isa = names[k].c_str();
    std::snprintf(line, sizeof line, "%s double log: max %.3f ULP (at %.17g) over %u random inputs; bound %.2f", isa,
                  d[k].ulp, d[k].input, samples, kLogMaxUlp);
    check(d[k].ulp <= kLogMaxUlp, line);
    std::snprintf(line, sizeof line, "%s float log: max %.3f ULP (at %.9g) over %s positive float32 inputs; bound %.2f",
                  isa, f[k].ulp, f[k].input, floats.c_str(), kLogMaxUlp);
    check(f[k].ulp <= kLogMaxUlp, line);
    std::snprintf(line, sizeof line,
                  "%s double log1p: max %.3f ULP (at %.17g) over %u inputs >= 0, %.3f ULP (at %.17g) over %u in (-1, 0); bound %.2f",
                  isa, d1[k].ulp, d1[k].input, samples1p / 4, d1n[k].ulp, d1n[k].input, samples1p / 4, kLog1pMaxUlp);
    check(d1[k].ulp <= kLog1pMaxUlp && d1n[k].ulp <= kLog1pMaxUlp, line);
    std::snprintf(line, sizeof line,
                  "%s float log1p: max %.3f ULP (at %.9g) over %u inputs >= 0, %.3f ULP (at %.9g) over %u in (-1, 0); bound %.2f",
                  isa, f1[k].ulp, f1[k].input, samples1p / 4, f1n[k].ulp, f1n[k].input, samples1p / 4, kLog1pMaxUlp);
    check(f1[k].ulp <= kLog1pMaxUlp && f1n[k].ulp <= kLog1pMaxUlp, line);
    check(specials(ks[k]->f32.log_array, ks[k]->f32.log1p_array) &&
              specials(ks[k]->f64.log_array, ks[k]->f64.log1p_array),
          names[k] + " log and log1p special values");
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
