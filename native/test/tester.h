// What every family's C++ test shares (XNNPACK's tester idea): the check counter, the kernel
// table of the ISA under test, long-double row references and DESIGN.md's bounds, special rows,
// the comparison of an ISA with the serial kernels (special values exactly, finite values within a
// bound), the element-wise loss drill, and the main loop over every ISA this machine supports.
// Each test prints one line per failure and "N passed, M failed"; it exits non-zero on any failure.
#ifndef SOFTMAX_SIMD_TEST_TESTER_H
#define SOFTMAX_SIMD_TEST_TESTER_H

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "isa/typed_kernels.h"
#include "softmax_simd/kernels.h"
#include "tolerance.h"

namespace {

int passed = 0, failed = 0;
const kernel_table* g_table = nullptr;  // the ISA under test
std::string g_isa;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check(bool ok, const std::string& what) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    std::printf("FAIL %s %s\n", g_isa.c_str(), what.c_str());
  }
}

// A special (or exact) value: NaN matches NaN, anything else must be equal.
bool same_special(double got, double want) { return std::isnan(want) ? std::isnan(got) : got == want; }


template <typename Real>
auto& kernels(const kernel_table* t = g_table) {
  return Typed<Real>::table(t);
}

// Long-double reference of one row: max, log-sum-exp of x / t.
struct RowRef {
  long double max, lse;  // lse of x / t
};
template <typename Real>
RowRef reference_row(const Real* x, size_t cols, double t) {
  long double m = -INFINITY, s = 0;
  for (size_t c = 0; c < cols; ++c) m = std::max<long double>(m, x[c]);
  for (size_t c = 0; c < cols; ++c) s += std::exp((static_cast<long double>(x[c]) - m) / t);
  return {m, m / t + std::log(s)};
}

template <typename Real>
bool close_prob(double got, long double want, long double arg) {
  // Relative above 1e-30; below, the absolute error that bound allows at 1e-30.
  const double bound = Tol<Real>::rel + Tol<Real>::unit * static_cast<double>(arg);
  return std::fabs(got - static_cast<double>(want)) <= bound * std::max(1e-30, static_cast<double>(want));
}

template <typename Real>
bool close_log(double got, long double want) {
  return std::fabs(got - static_cast<double>(want)) <=
         Tol<Real>::rel * std::max(1.0, std::fabs(static_cast<double>(want)));
}

// A row of random logits with one kind of special value in it.
template <typename Real>
void special_row(Real* x, size_t cols, int kind, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> dist(-9, 9);
  const double huge = sizeof(Real) == 4 ? 3e38 : 1e300;
  for (size_t c = 0; c < cols; ++c) x[c] = static_cast<Real>(dist(rng));
  const size_t at = rng() % cols;
  switch (kind) {
    case 1: x[at] = static_cast<Real>(kNaN); break;
    case 2: x[at] = static_cast<Real>(kInf); break;
    case 3: for (size_t c = 0; c < cols; c += 3) x[c] = static_cast<Real>(-kInf); break;
    case 4: for (size_t c = 0; c < cols; ++c) x[c] = static_cast<Real>(-kInf); break;
    case 5: x[at] = static_cast<Real>(huge), x[(at + 1) % cols] = static_cast<Real>(-huge), x[cols / 2] = static_cast<Real>(1e30); break;
    case 6: for (size_t c = 0; c < cols * 3 / 4; ++c) x[c] = static_cast<Real>(-kInf); break;  // whole masked blocks first
    case 7: for (size_t c = 0; c < cols * 3 / 4; ++c) x[c] = static_cast<Real>(-kInf); x[cols - 1] = static_cast<Real>(kNaN); break;
    default: break;
  }
}

// Same special values; finite values within `rel` of max(|want|, floor).
template <typename Real>
bool agree(const std::vector<Real>& got, const std::vector<Real>& want, double rel, double floor) {
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = got[i], w = want[i];
    const bool ok = std::isfinite(w) ? std::fabs(g - w) <= rel * std::max(std::fabs(w), floor) : same_special(g, w);
    if (!ok) {
      if (std::getenv("SSM_VERBOSE")) std::printf("  [%zu] got %.9g want %.9g\n", i, g, w);
      return false;
    }
  }
  return true;
}

// A summed loss held to the element type's range: float kernels sum float losses (an element
// of 1e60 is +Inf), the serial ones double losses.
template <typename Real>
std::vector<Real> in_type(double total) {
  return {static_cast<Real>(total)};
}

// An element-wise loss kernel (BCE, regression) against its serial twin, from `args` without
// outputs: the losses and their sum; the gradient with per-element factors `es`; both at once.
template <typename Real, class Args>
void elementwise_vs_serial(double (*kernel)(const Args*), double (*serial)(const Args*), Args args,
                           const std::vector<Real>& es, double rel, double floor, const std::string& what) {
  const size_t n = args.n;
  std::vector<Real> la(n, 7), lb(n, 7), ga(n, 7), gb(n, 7), lc(n, 7), gc(n, 7);
  args.loss_out = la.data();
  const double ta = kernel(&args);
  args.loss_out = lb.data();
  const double tb = serial(&args);
  check(agree(la, lb, rel, floor) && agree(in_type<Real>(ta), in_type<Real>(tb), rel, 1.0), what + " loss vs serial");
  args.loss_out = nullptr;
  args.grad_element_scale = es.data();
  args.grad_out = ga.data();
  kernel(&args);
  args.grad_out = gb.data();
  serial(&args);
  check(agree(ga, gb, rel, floor), what + " grad vs serial");
  args.loss_out = lc.data();
  args.grad_out = gc.data();
  const double tc = kernel(&args);
  check(agree(lc, lb, rel, floor) && agree(gc, gb, rel, floor) && agree(in_type<Real>(tc), in_type<Real>(tb), rel, 1.0),
        what + " loss and grad at once vs serial");
}

// Logits mixing random values with the special ones the element-wise kernels must handle.
template <typename Real>
std::vector<Real> special_logits(size_t n, std::mt19937_64& rng) {
  const double specials[] = {0.0, -0.0, kInf, -kInf, kNaN, 1e30, -1e30, 100, -100, 40, -40, 20, -20, 1e-30, -1e-40};
  std::uniform_real_distribution<double> dist(-30, 30);
  std::vector<Real> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<Real>(rng() % 4 == 0 ? specials[rng() % 15] : dist(rng));
  return x;
}

// The serial table's half for Real: what the SIMD kernels are compared with.
template <typename Real>
auto& serial_kernels() {
  return Typed<Real>::table(ssm_table_serial());
}

bool testing_serial() { return g_table == ssm_table_serial(); }

// The ISA under test and the serial kernels, for Real: `const auto [k, serial] = tables<Real>();`.
template <typename Real>
std::pair<const typename Typed<Real>::Table&, const typename Typed<Real>::Table&> tables() {
  return {kernels<Real>(), serial_kernels<Real>()};
}

// Bounds on the difference between an ISA and the serial kernels, both held to the reference:
// values computed element by element, and (allowing both errors) probabilities and gradients
// (DESIGN.md's bound with the x − m rounding at |x − m| ≤ 18, twice) and log-values.
template <typename Real>
constexpr double kRelElement = sizeof(Real) == 4 ? 2e-6 : 1e-12;
template <typename Real>
constexpr double kRelProb = sizeof(Real) == 4 ? 1e-5 : 2e-12;
template <typename Real>
constexpr double kRelLog = sizeof(Real) == 4 ? 2e-6 : 2e-12;

// f(k, serial, cols, rows, where) at the lengths the element-wise and row-sum comparisons run
// at: around the vector width and beyond a fold (32 vectors), 3 rows each; k is the ISA under
// test, serial the serial kernels.
template <typename Real, class F>
void for_each_length(F f) {
  const auto [k, serial] = tables<Real>();
  for (size_t cols : {1, 5, 33, 2049, 20000}) {
    f(k, serial, cols, size_t{3}, std::string(Tol<Real>::name) + " cols=" + std::to_string(cols));
  }
}

// f(x, rows, cols, where) over batches whose row r is of special kind r % 8 (special_row), at
// lengths around the vector width, the online block (2048) and past the longest row that keeps
// its exponentials (1 MiB: the recompute paths). 8192: masked rows end on a block edge. Rows of
// up to a block come 40 to a batch: kernels that work on several rows at once (16 sums to one
// vector log, rows in flight) see special rows inside and across their groups.
template <typename Real, class F>
void for_each_special_batch(std::mt19937_64& rng, F f) {
  const size_t past_store = (size_t{1} << 20) / sizeof(Real) + 3;
  for (size_t cols : {size_t{1}, size_t{5}, size_t{33}, size_t{2047}, size_t{2049}, size_t{5000}, size_t{8192}, size_t{20000}, past_store}) {
    const size_t rows = cols <= 2049 ? 40 : 8;
    std::vector<Real> x(rows * cols);
    for (size_t r = 0; r < rows; ++r) special_row(&x[r * cols], cols, static_cast<int>(r % 8), rng);
    f(x, rows, cols, std::string(Tol<Real>::name) + " cols=" + std::to_string(cols));
  }
  // The short-row kernels (softmax/short_rows.h: rows of up to 128 classes in groups of one row
  // per vector lane): lengths around each ISA's vector widths (2, 4, 8, 16 lanes) and several
  // vectors, up to and past 128; 37 rows, so every group size leaves a partial last group. The
  // first 8 rows hold every special kind (their group goes to the general kernel); later rows
  // are mostly ordinary, with −Inf entries, huge values or a NaN in some, so that whole groups
  // take the short kernels with special values in them.
  for (size_t cols : {2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129}) {
    const size_t rows = 37;
    std::vector<Real> x(rows * cols);
    for (size_t r = 0; r < rows; ++r) {
      const int kind = r < 8 ? static_cast<int>(r) : r % 5 == 0 ? 3 : r % 7 == 0 ? 5 : r % 11 == 0 ? 1 : 0;
      special_row(&x[r * cols], cols, kind, rng);
    }
    f(x, rows, cols, std::string(Tol<Real>::name) + " 37 rows, cols=" + std::to_string(cols));
  }
}

// Runs `run_all` once for every ISA this build and CPU support, each from the same seed.
int run_on_every_isa(void (*run_all)(std::mt19937_64&)) {
  const std::string isas = ssm_supported_isas();
  for (size_t start = 0; start < isas.size();) {
    const size_t end = std::min(isas.find(' ', start), isas.size());
    g_isa = isas.substr(start, end - start);
    g_table = ssm_kernels_for(g_isa.c_str());
    std::mt19937_64 rng(20261121);
    const int before = passed + failed;
    run_all(rng);
    std::printf("%s: %d checks\n", g_isa.c_str(), passed + failed - before);
    start = end + 1;
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

// For the families tested only against the serial kernels: F32 then F64 on each SIMD ISA.
template <void (*F32)(std::mt19937_64&), void (*F64)(std::mt19937_64&)>
int run_vs_serial() {
  return run_on_every_isa([](std::mt19937_64& rng) {
    if (testing_serial()) return;  // the serial kernels are the reference
    F32(rng);
    F64(rng);
  });
}

}  // namespace

#endif  // SOFTMAX_SIMD_TEST_TESTER_H
