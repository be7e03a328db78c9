// Accuracy of each ISA's vector exp (exp_poly.h), measured and held to the bound its header states:
// - double: 10^8 random inputs over [lo, hi] and near 0, against long double expl;
// - float: every float32 input in [lo, hi] (both signs; about 2.2e9 inputs), against the best
//   ISA's double exp, which the double test holds to 0.95 double ULP (2.1e-16 relative, some
//   10^-8 of a float ULP): a vectorised reference is what lets this run in seconds;
// - special values: NaN, ±Inf, beyond the clamps.
// SSM_EXP_STRIDE=k tests every k-th float32 only and 10^8/k doubles (for emulators such as qemu).
// Prints the worst error per ISA and dtype, then "N passed, M failed"; exits non-zero on failure.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../src/exp_poly.h"
#include "softmax_simd/kernels.h"

namespace {

int passed = 0, failed = 0;

void check(bool ok, const std::string& what) {
  ok ? ++passed : ++failed;
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
}

// Error of `got` in units of the spacing of doubles at the exact value `want` (fixed below
// the smallest normal double).
double ulp_error_f64(double got, long double want) {
  int e;
  std::frexp(static_cast<double>(want), &e);
  const long double ulp = std::ldexp(1.0L, std::max(e, -1021) - 53);
  return static_cast<double>(std::fabs(static_cast<long double>(got) - want) / ulp);
}

// The same for float against a double reference, from the reference's exponent bits: this runs
// 2.2e9 times.
double ulp_error_f32(float got, double want) {
  uint64_t bits;
  std::memcpy(&bits, &want, 8);
  const int e = std::max(static_cast<int>((bits >> 52) & 0x7ff) - 1022, -125);  // frexp's exponent
  double ulp;
  const uint64_t ulp_bits = static_cast<uint64_t>(e - 24 + 1023) << 52;
  std::memcpy(&ulp, &ulp_bits, 8);
  return std::fabs(static_cast<double>(got) - want) / ulp;
}

struct Worst {
  double ulp = 0;
  double input = 0;
};
using Worsts = std::vector<Worst>;  // one per ISA under test

void keep_worst(Worsts& into, const Worsts& from) {
  for (size_t i = 0; i < into.size(); ++i) {
    if (from[i].ulp > into[i].ulp) into[i] = from[i];
  }
}

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// f(i) on `count` threads, the worst of their results.
template <class F>
Worsts parallel(int count, size_t isas, F f) {
  std::vector<Worsts> results(count);
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i) threads.emplace_back([&, i] { results[i] = f(i); });
  for (auto& t : threads) t.join();
  Worsts worst(isas);
  for (const Worsts& w : results) keep_worst(worst, w);
  return worst;
}

// Every `stride`-th float32 bit pattern in [from, to] (same sign), through each ISA's exp; the
// reference is the first ISA's double exp.
Worsts float_range(const std::vector<const kernel_table*>& ks, uint32_t from, uint32_t to, uint32_t stride) {
  Worsts worst(ks.size());
  std::vector<float> x(4096), y(4096);
  std::vector<double> xd(4096), want(4096);
  for (uint64_t u = from; u <= to;) {
    size_t n = 0;
    for (; n < x.size() && u <= to; ++n, u += stride) {
      const auto b = static_cast<uint32_t>(u);
      std::memcpy(&x[n], &b, 4);
      xd[n] = x[n];
    }
    ks[0]->f64.exp_array(xd.data(), want.data(), n);
    for (size_t k = 0; k < ks.size(); ++k) {
      ks[k]->f32.exp_array(x.data(), y.data(), n);
      for (size_t i = 0; i < n; ++i) {
        const double err = ulp_error_f32(y[i], want[i]);
        if (err > worst[k].ulp) worst[k] = {err, x[i]};
      }
    }
  }
  return worst;
}

Worsts exhaustive_f32(const std::vector<const kernel_table*>& ks, uint32_t stride) {
  using C = ExpConstants<float>;
  // Positive floats up to the largest input with a finite result, negatives down to lo.
  const uint32_t pos_end = bits_of(std::nextafter(88.7228390f, 0.0f));
  const uint32_t neg_end = bits_of(C::lo);
  const uint32_t ranges[][2] = {{0u, pos_end / 2}, {pos_end / 2 + 1, pos_end},
                                {0x80000000u, 0x80000000u + (neg_end - 0x80000000u) / 2},
                                {0x80000000u + (neg_end - 0x80000000u) / 2 + 1, neg_end}};
  return parallel(4, ks.size(), [&](int i) { return float_range(ks, ranges[i][0], ranges[i][1], stride); });
}

Worsts sampled_f64(const std::vector<const kernel_table*>& ks, size_t samples, uint64_t seed) {
  using C = ExpConstants<double>;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> wide(C::lo, 709.78), narrow(-1, 1);
  Worsts worst(ks.size());
  std::vector<double> x(4096), y(4096);
  std::vector<long double> want(4096);
  for (size_t done = 0; done < samples; done += x.size()) {
    for (size_t i = 0; i < x.size(); ++i) {
      x[i] = i % 4 == 0 ? narrow(rng) * std::ldexp(1.0, -static_cast<int>(rng() % 60)) : wide(rng);
      want[i] = std::exp(static_cast<long double>(x[i]));
    }
    for (size_t k = 0; k < ks.size(); ++k) {
      ks[k]->f64.exp_array(x.data(), y.data(), x.size());
      for (size_t i = 0; i < x.size(); ++i) {
        const double err = ulp_error_f64(y[i], want[i]);
        if (err > worst[k].ulp) worst[k] = {err, x[i]};
      }
    }
  }
  return worst;
}

// NaN → NaN, −Inf → 0, +Inf → +Inf, beyond the clamps → 0 or +Inf, exactly.
template <typename T>
bool specials(void (*exp_array)(const T*, T*, size_t)) {
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  const std::vector<T> x = {nan, -inf, inf, T(-1e30), T(1e30), T(-3e38), T(3e38), T(-2000), T(2000), T(0)};
  const std::vector<T> want = {nan, 0, inf, 0, inf, 0, inf, 0, inf, 1};
  std::vector<T> y(x.size());
  exp_array(x.data(), y.data(), x.size());
  bool ok = true;
  for (size_t i = 0; i < x.size(); ++i) ok &= std::isnan(want[i]) ? std::isnan(y[i]) : y[i] == want[i];
  return ok;
}

}  // namespace

int main() {
  const char* s = std::getenv("SSM_EXP_STRIDE");
  const uint32_t stride = s ? static_cast<uint32_t>(std::max(1L, std::atol(s))) : 1;
  std::vector<const kernel_table*> ks;
  std::vector<std::string> names;
  for (const char* isa : {"avx512", "avx2", "neon"}) {
    if (const kernel_table* k = ssm_kernels_for(isa)) {
      ks.push_back(k);
      names.push_back(isa);
    }
  }
  if (ks.empty()) {
    std::printf("no SIMD ISA on this machine: nothing to measure\n");
    return 0;
  }
  const uint32_t samples = 100000000u / stride;
  const Worsts d = parallel(4, ks.size(), [&](int i) { return sampled_f64(ks, samples / 4, 20261121 + i); });
  const Worsts f = exhaustive_f32(ks, stride);
  char line[200];
  for (size_t k = 0; k < ks.size(); ++k) {
    std::snprintf(line, sizeof line, "%s double exp: max %.3f ULP (at %.17g) over %u random inputs; bound %.2f",
                  names[k].c_str(), d[k].ulp, d[k].input, samples, kExpMaxUlp);
    check(d[k].ulp <= kExpMaxUlp, line);
    std::snprintf(line, sizeof line, "%s float exp: max %.3f ULP (at %.9g) over %s float32 inputs in [lo, hi]; bound %.2f",
                  names[k].c_str(), f[k].ulp, f[k].input,
                  stride == 1 ? "all" : ("1/" + std::to_string(stride) + " of the").c_str(), kExpMaxUlp);
    check(f[k].ulp <= kExpMaxUlp, line);
    check(specials(ks[k]->f32.exp_array) && specials(ks[k]->f64.exp_array), names[k] + " exp special values");
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
