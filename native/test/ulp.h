// What the accuracy tests of the vector exp and log (exp_test.cc, log_test.cc) share: check
// counting, errors in ULP of float and double, the worst error per ISA, and running a measure on
// several threads.
#ifndef SOFTMAX_SIMD_TEST_ULP_H
#define SOFTMAX_SIMD_TEST_ULP_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "math/math_table.h"

namespace {

int passed = 0, failed = 0;

void check(bool ok, const std::string& what) {
  ok ? ++passed : ++failed;
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
}

// Error of `got` in units of the spacing of doubles at the exact value `want` (fixed below the
// smallest normal double); a NaN against a number is infinitely wrong.
double ulp_error_f64(double got, long double want) {
  if (got == want) return 0;  // also exact zeros, where the spacing below is no measure
  if (std::isnan(got) || std::isnan(want)) return std::isnan(got) && std::isnan(want) ? 0 : HUGE_VAL;
  int e;
  std::frexp(static_cast<double>(want), &e);
  const long double ulp = std::ldexp(1.0L, std::max(e, -1021) - 53);
  return static_cast<double>(std::fabs(static_cast<long double>(got) - want) / ulp);
}

// The same for float against a double reference, from the reference's exponent bits: this runs
// 2.1e9 times.
double ulp_error_f32(float got, double want) {
  if (std::isnan(got) || std::isnan(want)) return std::isnan(got) && std::isnan(want) ? 0 : HUGE_VAL;
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


using Tables = std::vector<const math_table*>;

// Every `stride`-th float32 bit pattern in [from, to] (one sign), through each ISA's `f32`
// function; the reference is the first ISA's `f64` one (which the double tests hold to < 1 double
// ULP, some 10^-9 of a float ULP: a vectorised reference is what lets 2^31 inputs run in seconds).
Worsts float_range(const Tables& ks, void (*MathFunctions<float>::*f32)(const float*, float*, size_t),
                   void (*MathFunctions<double>::*f64)(const double*, double*, size_t), uint32_t from, uint32_t to,
                   uint32_t stride) {
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
    (ks[0]->f64.*f64)(xd.data(), want.data(), n);
    for (size_t k = 0; k < ks.size(); ++k) {
      (ks[k]->f32.*f32)(x.data(), y.data(), n);
      for (size_t i = 0; i < n; ++i) {
        const double err = ulp_error_f32(y[i], want[i]);
        if (err > worst[k].ulp) worst[k] = {err, x[i]};
      }
    }
  }
  return worst;
}

// SSM_EXP_STRIDE=k: every k-th float32 and 1/k of the samples (for emulators such as qemu).
inline uint32_t stride_from_env() {
  const char* s = std::getenv("SSM_EXP_STRIDE");
  return s ? static_cast<uint32_t>(std::max(1L, std::atol(s))) : 1;
}

// The SIMD ISAs this build and CPU support, best first, with their names; false, and a line saying
// why, when there is none to measure.
inline bool simd_tables(Tables* ks, std::vector<std::string>* names) {
  for (const char* isa : {"avx512", "avx2", "neon"}) {
    if (const math_table* k = math_table_for(isa)) {
      ks->push_back(k);
      names->push_back(isa);
    }
  }
  if (ks->empty()) std::printf("no SIMD ISA on this machine: nothing to measure\n");
  return !ks->empty();
}

inline double ulp_error(float got, double want) { return ulp_error_f32(got, want); }
inline double ulp_error(double got, long double want) { return ulp_error_f64(got, want); }
inline const MathFunctions<float>& part(const math_table* k, const MathFunctions<float>*) { return k->f32; }
inline const MathFunctions<double>& part(const math_table* k, const MathFunctions<double>*) { return k->f64; }

// Each ISA's function `fn` (a member of its float or double table) over x, against `want`; the
// worst error per ISA is kept in `worst`.
template <class Table, typename T, typename Ref>
void measure(const Tables& ks, void (*Table::*fn)(const T*, T*, size_t), const std::vector<T>& x,
             const std::vector<Ref>& want, Worsts& worst) {
  std::vector<T> y(x.size());
  for (size_t k = 0; k < ks.size(); ++k) {
    (part(ks[k], static_cast<const Table*>(nullptr)).*fn)(x.data(), y.data(), x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      const double err = ulp_error(y[i], want[i]);
      if (err > worst[k].ulp) worst[k] = {err, static_cast<double>(x[i])};
    }
  }
}

}  // namespace

#endif  // SOFTMAX_SIMD_TEST_ULP_H
