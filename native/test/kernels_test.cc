// C++ tests of every ISA's kernels this machine supports (scalar, avx2, avx512, neon): against a
// long-double reference on random rows (tails and 2^20-class rows included), DESIGN.md's worked
// examples and special rows, and each SIMD ISA against the serial kernels on rows full of NaN,
// ±Inf and huge values; the same for sigmoid, binary cross-entropy, the regression losses, the
// backward products and the information measures. Prints one line per failure and "N passed, M failed"; exits non-zero on
// any failure.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "softmax_simd/kernels.h"
#include "../src/typed_kernels.h"
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

template <typename Real>
void test_random(size_t rows, size_t cols, double t, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> dist(-12, 12);
  std::vector<Real> x(rows * cols), out(rows * cols, NAN), lse(rows, NAN);
  for (auto& v : x) v = static_cast<Real>(dist(rng));
  const std::string where = std::string(Tol<Real>::name) + " " + std::to_string(rows) + "x" +
                            std::to_string(cols) + " t=" + std::to_string(t);
  auto& k = kernels<Real>();
  k.softmax_rows(x.data(), out.data(), rows, cols, t, SSM_ALL_MASKED_NAN);
  bool ok = true;
  for (size_t r = 0; r < rows; ++r) {
    const RowRef ref = reference_row(&x[r * cols], cols, t);
    for (size_t c = 0; c < cols; ++c) {
      const long double z = x[r * cols + c] / static_cast<long double>(t);
      ok &= close_prob<Real>(out[r * cols + c], std::exp(z - ref.lse), (ref.max - x[r * cols + c]) / t);
    }
  }
  check(ok, "softmax " + where);

  k.log_softmax_rows(x.data(), out.data(), rows, cols, t, SSM_ALL_MASKED_NAN);
  ok = true;
  for (size_t r = 0; r < rows; ++r) {
    const RowRef ref = reference_row(&x[r * cols], cols, t);
    for (size_t c = 0; c < cols; ++c) {
      ok &= close_log<Real>(out[r * cols + c], x[r * cols + c] / static_cast<long double>(t) - ref.lse);
    }
  }
  check(ok, "log_softmax " + where);

  k.log_sum_exp_rows(x.data(), lse.data(), rows, cols);
  ok = true;
  for (size_t r = 0; r < rows; ++r) ok &= close_log<Real>(lse[r], reference_row(&x[r * cols], cols, 1).lse);
  check(ok, "log_sum_exp " + where);
}

// Cross-entropy with weights, an ignored row, label smoothing and temperature, gradient in place
// over the logits, against the long-double formula of kernels.h.
template <typename Real>
void test_cross_entropy(size_t rows, size_t cols, double eps, double t, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> dist(-6, 6), wdist(0.2, 2);
  std::vector<Real> x(rows * cols), w(cols), loss(rows, NAN);
  std::vector<int32_t> y(rows);
  for (auto& v : x) v = static_cast<Real>(dist(rng));
  for (auto& v : w) v = static_cast<Real>(wdist(rng));
  for (size_t r = 0; r < rows; ++r) y[r] = static_cast<int32_t>(rng() % cols);
  y[rows / 2] = -100;
  std::vector<Real> grad = x;  // in place
  const double scale = 0.25;
  const typename Typed<Real>::CrossEntropy a{grad.data(), rows, cols, y.data(), nullptr, -100, w.data(),
                                      eps, t, loss.data(), grad.data(), scale, nullptr};
  const double total = kernels<Real>().cross_entropy_rows(&a);

  bool ok_loss = true, ok_grad = true;
  long double want_total = 0;
  for (size_t r = 0; r < rows; ++r) {
    const Real* xr = &x[r * cols];
    if (y[r] == -100) {
      ok_loss &= loss[r] == 0;
      for (size_t c = 0; c < cols; ++c) ok_grad &= grad[r * cols + c] == 0;
      continue;
    }
    const RowRef ref = reference_row(xr, cols, t);
    long double want = 0, q_total = 0;
    std::vector<long double> q(cols);
    for (size_t c = 0; c < cols; ++c) {
      q[c] = eps / cols * w[c] + (static_cast<int32_t>(c) == y[r] ? (1 - eps) * w[c] : 0.0);
      q_total += q[c];
      want += q[c] * (ref.lse - xr[c] / static_cast<long double>(t));
    }
    want_total += want;
    ok_loss &= close_log<Real>(loss[r], want);
    for (size_t c = 0; c < cols; ++c) {
      const long double p = std::exp(xr[c] / static_cast<long double>(t) - ref.lse);
      const long double g = (q_total * p - q[c]) * scale / t;
      const double arg = static_cast<double>((ref.max - xr[c]) / t);
      const double bound = (Tol<Real>::rel + Tol<Real>::unit * arg) *
                           static_cast<double>(q_total * p * scale / t) +
                           Tol<Real>::rel * std::fabs(static_cast<double>(g)) + 1e-30;
      ok_grad &= std::fabs(grad[r * cols + c] - static_cast<double>(g)) <= bound;
    }
  }
  const std::string where = std::string(Tol<Real>::name) + " " + std::to_string(rows) + "x" +
                            std::to_string(cols) + " eps=" + std::to_string(eps);
  check(ok_loss && close_log<Real>(total, want_total), "cross_entropy loss " + where);
  check(ok_grad, "cross_entropy grad " + where);
}

// DESIGN.md's worked examples, and rows of special values (PyTorch's results).
template <typename Real>
void test_examples() {
  auto& k = kernels<Real>();
  const std::string dt = Tol<Real>::name;
  struct Example {
    std::vector<double> z, p;
  };
  const std::vector<Example> examples = {
      {{3, 1, -3}, {0.878878242732, 0.118943235911, 0.002178521357}},
      {{2, 3, 4}, {0.090030573170, 0.244728471055, 0.665240955775}},
      {{-2, -1, 0}, {0.090030573170, 0.244728471055, 0.665240955775}},
      {{1002, 1003, 1004}, {0.090030573170, 0.244728471055, 0.665240955775}},
      {{1e30, -1e30, 0}, {1, 0, 0}},
      {{3e38, 3e38, -3e38}, {0.5, 0.5, 0}},
  };
  for (const auto& e : examples) {
    std::vector<Real> x(e.z.begin(), e.z.end()), out(x.size(), NAN);
    k.softmax_rows(x.data(), out.data(), 1, x.size(), 1.0, SSM_ALL_MASKED_NAN);
    bool ok = true;
    const double m = *std::max_element(e.z.begin(), e.z.end());
    // The figures have 12 digits (5e-13); float32 adds DESIGN.md's relative bound.
    for (size_t c = 0; c < x.size(); ++c) {
      ok &= std::fabs(out[c] - e.p[c]) <= 5e-13 + (Tol<Real>::rel + Tol<Real>::unit * (m - e.z[c])) * e.p[c];
    }
    check(ok, "worked example softmax " + dt + " z0=" + std::to_string(e.z[0]));
  }

  struct Special {
    std::vector<double> x, softmax_nan, softmax_zero, log_softmax_zero;
    double lse;
  };
  const std::vector<Special> specials = {
      {{1, kNaN, 2}, {kNaN, kNaN, kNaN}, {kNaN, kNaN, kNaN}, {kNaN, kNaN, kNaN}, kNaN},
      {{1, kInf, 2}, {kNaN, kNaN, kNaN}, {kNaN, kNaN, kNaN}, {kNaN, kNaN, kNaN}, kInf},
      {{kInf, -kInf, 0}, {kNaN, kNaN, kNaN}, {kNaN, kNaN, kNaN}, {kNaN, kNaN, kNaN}, kInf},
      {{-kInf, -kInf}, {kNaN, kNaN}, {0, 0}, {-kInf, -kInf}, -kInf},
      {{-kInf, kNaN}, {kNaN, kNaN}, {kNaN, kNaN}, {kNaN, kNaN}, kNaN},
      {{-kInf, 0, 1}, {0, 0.2689414213699951, 0.7310585786300049}, {0, 0.2689414213699951, 0.7310585786300049},
       {-kInf, -1.3132616875182228, -0.3132616875182228}, 1.3132616875182228},
  };
  // Special values exactly, 0 exactly, finite values within DESIGN.md's relative bound.
  auto matches = [](double got, double want) {
    if (!std::isfinite(want) || want == 0) return same_special(got, want);
    return std::fabs(got - want) <= (Tol<Real>::rel + Tol<Real>::unit) * std::fabs(want);
  };
  for (const auto& s : specials) {
    const size_t n = s.x.size();
    std::vector<Real> x(s.x.begin(), s.x.end()), out(n, NAN), lse(1, NAN);
    const std::string name = dt + " x0=" + std::to_string(s.x[0]) + " x1=" + std::to_string(s.x[1]);
    k.softmax_rows(x.data(), out.data(), 1, n, 1.0, SSM_ALL_MASKED_NAN);
    bool ok = true;
    for (size_t c = 0; c < n; ++c) ok &= matches(out[c], s.softmax_nan[c]);
    k.softmax_rows(x.data(), out.data(), 1, n, 1.0, SSM_ALL_MASKED_ZERO);
    for (size_t c = 0; c < n; ++c) ok &= matches(out[c], s.softmax_zero[c]);
    k.log_softmax_rows(x.data(), out.data(), 1, n, 1.0, SSM_ALL_MASKED_ZERO);
    for (size_t c = 0; c < n; ++c) ok &= matches(out[c], s.log_softmax_zero[c]);
    k.log_sum_exp_rows(x.data(), lse.data(), 1, n);
    ok &= matches(lse[0], s.lse);
    check(ok, "special row " + name);
  }
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

// The ISA against the serial kernels, on every kind of special row, at lengths around the
// vector width, the online block (2048) and past the longest row that keeps its exponentials
// (1 MiB: the recompute paths of softmax and cross-entropy).
template <typename Real>
void test_vs_serial(std::mt19937_64& rng) {
  // Both kernels are held to the reference; these allow both errors (probabilities and
  // gradients: DESIGN.md's bound with the x − m rounding at |x − m| ≤ 18, twice).
  const double rel_prob = sizeof(Real) == 4 ? 1e-5 : 2e-12, rel_log = sizeof(Real) == 4 ? 2e-6 : 2e-12;
  const std::string dt = Tol<Real>::name;
  auto& k = kernels<Real>();
  auto& serial = kernels<Real>(ssm_table_serial());
  const size_t past_store = (size_t{1} << 20) / sizeof(Real) + 3;
  for (size_t cols : {size_t{1}, size_t{5}, size_t{33}, size_t{2047}, size_t{2049}, size_t{5000}, size_t{8192}, size_t{20000}, past_store}) {  // 8192: masked rows end on a block edge
    const size_t rows = 8;
    std::vector<Real> x(rows * cols), w(cols), soft(rows * cols);
    std::vector<int32_t> y(rows);
    for (size_t r = 0; r < rows; ++r) {
      special_row(&x[r * cols], cols, static_cast<int>(r), rng);
      y[r] = static_cast<int32_t>(rng() % cols);
    }
    std::uniform_real_distribution<double> u(0.2, 2);
    for (auto& v : w) v = static_cast<Real>(u(rng));
    for (auto& v : soft) v = static_cast<Real>(u(rng) / cols);
    const std::string where = dt + " cols=" + std::to_string(cols);
    for (int am : {SSM_ALL_MASKED_NAN, SSM_ALL_MASKED_ZERO}) {
      for (double t : {1.0, 0.7, 1e-40}) {  // 1e-40: 1/T overflows float, the serial kernels take f32 calls
        std::vector<Real> a(x.size(), 7), b(x.size(), 7);
        k.softmax_rows(x.data(), a.data(), rows, cols, t, am);
        serial.softmax_rows(x.data(), b.data(), rows, cols, t, am);
        check(agree(a, b, rel_prob, 1e-30), "softmax vs serial " + where);
        k.log_softmax_rows(x.data(), a.data(), rows, cols, t, am);
        serial.log_softmax_rows(x.data(), b.data(), rows, cols, t, am);
        check(agree(a, b, rel_log, 1.0), "log_softmax vs serial " + where);
      }
    }
    std::vector<Real> a(rows, 7), b(rows, 7);
    k.log_sum_exp_rows(x.data(), a.data(), rows, cols);
    serial.log_sum_exp_rows(x.data(), b.data(), rows, cols);
    check(agree(a, b, rel_log, 1.0), "log_sum_exp vs serial " + where);
    for (bool use_soft : {false, true}) {
      for (double eps : {0.0, 0.1}) {
        std::vector<Real> la(rows, 7), lb(rows, 7), ga(x.size(), 7), gb(x.size(), 7);
        typename Typed<Real>::CrossEntropy args{x.data(), rows, cols, use_soft ? nullptr : y.data(), use_soft ? soft.data() : nullptr,
                                         static_cast<int32_t>(y[2]), w.data(), eps, 0.8, la.data(), ga.data(), 0.5, nullptr};
        const double ta = k.cross_entropy_rows(&args);
        args.loss_out = lb.data();
        args.grad_out = gb.data();
        const double tb = serial.cross_entropy_rows(&args);
        const std::string what = where + (use_soft ? " soft" : " hard") + " eps=" + std::to_string(eps);
        check(agree(la, lb, rel_log, 1.0) && agree(std::vector<double>{ta}, std::vector<double>{tb}, rel_log, 1.0),
              "cross_entropy loss vs serial " + what);
        // Q·p_c − q_c cancels where the two are close: errors scale with the terms (about 1/cols).
        check(agree(ga, gb, rel_prob, 1.0 / static_cast<double>(cols)), "cross_entropy grad vs serial " + what);
        // The loss alone (no gradient pass), and soft targets overwritten by their own gradient.
        std::vector<Real> lc(rows, 7);
        args.loss_out = lc.data();
        args.grad_out = nullptr;
        k.cross_entropy_rows(&args);
        check(agree(lc, lb, rel_log, 1.0), "cross_entropy loss alone vs serial " + what);
        if (use_soft) {
          std::vector<Real> in_place = soft;
          args.target_probs = in_place.data();
          args.grad_out = in_place.data();
          args.loss_out = nullptr;
          k.cross_entropy_rows(&args);
          check(agree(in_place, gb, rel_prob, 1.0 / static_cast<double>(cols)), "cross_entropy grad over the soft targets " + what);
        }
      }
    }
  }
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

// The kernels of sigmoid, BCE, the backward products and the information measures against the
// serial ones (which the vitest suites hold to PyTorch and SciPy), at lengths around the vector
// width and beyond a fold (32 vectors).
template <typename Real>
void test_losses_vs_serial(std::mt19937_64& rng) {
  const double rel = sizeof(Real) == 4 ? 2e-6 : 1e-12;
  const std::string dt = Tol<Real>::name;
  auto& k = kernels<Real>();
  auto& serial = kernels<Real>(ssm_table_serial());
  std::uniform_real_distribution<double> u(0, 1);
  for (size_t cols : {1, 5, 33, 2049, 20000}) {
    const size_t rows = 3, n = rows * cols;
    const std::string where = dt + " cols=" + std::to_string(cols);
    const std::vector<Real> x = special_logits<Real>(n, rng);
    std::vector<Real> a(n, 7), b(n, 7);
    k.sigmoid(x.data(), a.data(), n);
    serial.sigmoid(x.data(), b.data(), n);
    check(agree(a, b, rel, 1e-30), "sigmoid vs serial " + where);
    k.log_sigmoid(x.data(), a.data(), n);
    serial.log_sigmoid(x.data(), b.data(), n);
    check(agree(a, b, rel, 1e-30), "log_sigmoid vs serial (relative) " + where);

    std::vector<Real> t(n), w(n), pw(cols), es(n);
    for (auto& v : t) v = static_cast<Real>(rng() % 3 == 0 ? std::round(u(rng)) : u(rng));
    for (auto& v : w) v = static_cast<Real>(2 * u(rng));
    for (auto& v : pw) v = static_cast<Real>(0.5 + 2 * u(rng));
    for (auto& v : es) v = static_cast<Real>(u(rng) - 0.5);
    for (int variant = 0; variant < 3; ++variant) {  // no weights; per element; per class + pos_weight
      const typename Typed<Real>::Bce args{x.data(), t.data(), n, cols, variant ? w.data() : nullptr, variant == 1,
                                            variant == 2 ? pw.data() : nullptr, nullptr, nullptr, 0.5, nullptr};
      elementwise_vs_serial(k.bce_with_logits, serial.bce_with_logits, args, es, rel, 1.0,
                            "bce " + where + " variant " + std::to_string(variant));
    }

    // Regression losses: d = x − t over the special values, at the kinks (|d| = 0, 0.5, 1) too.
    std::vector<Real> target(x);
    for (size_t i = 0; i < n; ++i) target[i] = static_cast<Real>(i % 5 == 0 ? x[i] : i % 5 == 1 ? x[i] - Real(0.5) : u(rng) * 4 - 2);
    for (int kind : {SSM_L1, SSM_L2, SSM_MSE, SSM_HUBER, SSM_SMOOTH_L1}) {
      for (double param : {0.5, 1.0}) {
        const typename Typed<Real>::Regression args{kind, x.data(), target.data(), n, param, nullptr, nullptr, 0.25, nullptr};
        elementwise_vs_serial(k.regression, serial.regression, args, es, rel, 1e-30,
                              "regression " + where + " kind " + std::to_string(kind) + " param " + std::to_string(param));
      }
    }

    // Backward products over softmax / log-softmax outputs of finite logits.
    std::vector<Real> z(n), y(n), ly(n), dy(n);
    for (auto& v : z) v = static_cast<Real>(20 * u(rng) - 10);
    for (auto& v : dy) v = static_cast<Real>(2 * u(rng) - 1);
    dy[n / 2] = static_cast<Real>(kNaN);  // its row becomes NaN, the others stay finite
    serial.softmax_rows(z.data(), y.data(), rows, cols, 1.0, SSM_ALL_MASKED_NAN);
    serial.log_softmax_rows(z.data(), ly.data(), rows, cols, 1.0, SSM_ALL_MASKED_NAN);
    k.softmax_backward_rows(y.data(), dy.data(), a.data(), rows, cols);
    serial.softmax_backward_rows(y.data(), dy.data(), b.data(), rows, cols);
    check(agree(a, b, rel, 1.0 / static_cast<double>(cols)), "softmax_backward vs serial " + where);
    k.log_softmax_backward_rows(ly.data(), dy.data(), a.data(), rows, cols);
    serial.log_softmax_backward_rows(ly.data(), dy.data(), b.data(), rows, cols);
    check(agree(a, b, rel, 1.0), "log_softmax_backward vs serial " + where);

    // Probability rows with zeros (q = 0 where p > 0 in the last row: +Inf for KL and cross-entropy).
    std::vector<Real> p(n), q(n);
    for (size_t r = 0; r < rows; ++r) {
      double sp = 0, sq = 0;
      for (size_t c = 0; c < cols; ++c) {
        p[r * cols + c] = static_cast<Real>(rng() % 5 == 0 ? 0.0 : u(rng));
        q[r * cols + c] = static_cast<Real>(u(rng) + 1e-3);
        sp += p[r * cols + c], sq += q[r * cols + c];
      }
      for (size_t c = 0; c < cols; ++c) p[r * cols + c] = static_cast<Real>(sp > 0 ? p[r * cols + c] / sp : 1.0 / cols);
      for (size_t c = 0; c < cols; ++c) q[r * cols + c] = static_cast<Real>(q[r * cols + c] / sq);
    }
    for (size_t c = 0, last = (rows - 1) * cols; c + 1 < cols; ++c) {
      if (p[last + c] > 0) {  // its mass moves to the next entry, so the row still sums to 1
        q[last + c + 1] += q[last + c];
        q[last + c] = 0;
        break;
      }
    }
    const double tol = sizeof(Real) == 4 ? 1e-3 : 1e-9;
    for (int measure : {SSM_ENTROPY, SSM_CROSS_ENTROPY, SSM_KL_DIVERGENCE}) {
      for (int normalize : {0, 1}) {
        std::vector<Real> oa(rows, 7), ob(rows, 7);
        const Real* qp = measure == SSM_ENTROPY ? nullptr : q.data();
        typename Typed<Real>::Information args{measure, p.data(), qp, oa.data(), rows, cols, normalize, 1 / std::log(2.0), tol};
        const int64_t ra = k.information_rows(&args);
        args.out = ob.data();
        const int64_t rb = serial.information_rows(&args);
        const std::string what = where + " measure " + std::to_string(measure) + " normalize " + std::to_string(normalize);
        check(ra == -1 && rb == -1 && agree(oa, ob, rel, 1.0), "information vs serial " + what);
      }
    }
    // A bad last row: nothing written, its index returned.
    for (double bad : {-0.25, kNaN, kInf, 0.5}) {
      std::vector<Real> pb = p, out(rows, 7);
      pb[n - 1] = static_cast<Real>(bad == 0.5 ? pb[n - 1] + 0.5 : bad);
      typename Typed<Real>::Information args{SSM_KL_DIVERGENCE, pb.data(), q.data(), out.data(), rows, cols, 0, 1.0, tol};
      const bool rejected = k.information_rows(&args) == static_cast<int64_t>(rows - 1) &&
                            std::all_of(out.begin(), out.end(), [](Real v) { return v == 7; });
      check(rejected, "information rejects a bad last row (" + std::to_string(bad) + ") " + where);
    }
  }
}

// The scoring kernel against the serial one, on every kind of special row (and a row of whole
// numbers, full of ties): predictions and top-k indices exactly, values within the bounds above;
// then the argmax alone and the raw top k alone, which take the kernel's other path.
template <typename Real>
void test_score_vs_serial(std::mt19937_64& rng) {
  const double rel_prob = sizeof(Real) == 4 ? 1e-5 : 2e-12, rel_log = sizeof(Real) == 4 ? 2e-6 : 2e-12;
  using Args = std::conditional_t<sizeof(Real) == 4, score_args_f32, score_args_f64>;
  auto& k = kernels<Real>();
  auto& serial = kernels<Real>(ssm_table_serial());
  const size_t past_store = (size_t{1} << 20) / sizeof(Real) + 3;
  for (size_t cols : {size_t{1}, size_t{5}, size_t{33}, size_t{2049}, size_t{5000}, past_store}) {
    const size_t rows = 9;
    std::vector<Real> x(rows * cols);
    std::vector<int32_t> y(rows);
    for (size_t r = 0; r < rows; ++r) {
      special_row(&x[r * cols], cols, static_cast<int>(r % 8), rng);
      y[r] = static_cast<int32_t>(rng() % cols);
    }
    for (size_t c = 0; c < cols; ++c) x[8 * cols + c] = std::round(x[8 * cols + c]);
    const std::string where = std::string(Tol<Real>::name) + " cols=" + std::to_string(cols);
    for (size_t top : {std::min<size_t>(cols, 4), cols < 100 ? cols : size_t{1}}) {
      struct Out {
        std::vector<int32_t> pred, idx;
        std::vector<Real> conf, lse, nll, val;
        double total;
      };
      auto run = [&](double (*kernel)(const Args*), bool probabilities) {
        Out o{std::vector<int32_t>(rows, 7), std::vector<int32_t>(rows * top, 7), std::vector<Real>(rows, 7),
              std::vector<Real>(rows, 7), std::vector<Real>(rows, 7), std::vector<Real>(rows * top, 7), 0};
        const Args a{x.data(), rows, cols, y.data(), o.pred.data(), o.conf.data(), o.lse.data(), o.nll.data(),
                     top, probabilities, o.idx.data(), o.val.data()};
        o.total = kernel(&a);
        return o;
      };
      for (bool probabilities : {true, false}) {
        const Out a = run(k.score_rows, probabilities), b = run(serial.score_rows, probabilities);
        const std::string what = where + " k=" + std::to_string(top) + (probabilities ? "" : " raw");
        check(a.pred == b.pred && a.idx == b.idx, "score indices vs serial " + what);
        check(agree(a.conf, b.conf, rel_prob, 1e-30) && agree(a.val, b.val, rel_prob, 1e-30), "score probabilities vs serial " + what);
        check(agree(a.lse, b.lse, rel_log, 1.0) && agree(a.nll, b.nll, rel_log, 1.0) &&
                  agree(in_type<Real>(a.total), in_type<Real>(b.total), rel_log, 1.0),
              "score log-values vs serial " + what);
      }
      // The argmax alone, then the raw top k alone (no exponentials: the checked-max path).
      std::vector<int32_t> pred(rows, 7), idx(rows * top, 7), want_idx(rows * top, 7), want_pred(rows, 7);
      std::vector<Real> val(rows * top, 7), want_val(rows * top, 7);
      const Args argmax{x.data(), rows, cols, nullptr, pred.data(), nullptr, nullptr, nullptr, 0, 0, nullptr, nullptr};
      const Args argmax_serial{x.data(), rows, cols, nullptr, want_pred.data(), nullptr, nullptr, nullptr, 0, 0, nullptr, nullptr};
      const Args raw{x.data(), rows, cols, nullptr, nullptr, nullptr, nullptr, nullptr, top, 0, idx.data(), val.data()};
      const Args raw_serial{x.data(), rows, cols, nullptr, nullptr, nullptr, nullptr, nullptr, top, 0, want_idx.data(), want_val.data()};
      k.score_rows(&argmax);
      serial.score_rows(&argmax_serial);
      k.score_rows(&raw);
      serial.score_rows(&raw_serial);
      check(pred == want_pred, "argmax alone vs serial " + where);
      check(idx == want_idx && agree(val, want_val, 0, 0), "raw top k alone vs serial " + where);
    }
  }
}

void run_all(std::mt19937_64& rng) {
  for (size_t cols : {1, 2, 3, 17, 4099}) {
    for (double t : {1.0, 0.7}) {
      test_random<float>(5, cols, t, rng);
      test_random<double>(5, cols, t, rng);
    }
  }
  test_random<float>(2, size_t{1} << 20, 1.0, rng);
  test_random<double>(2, size_t{1} << 20, 1.0, rng);
  for (double eps : {0.0, 0.1, 1.0}) {
    test_cross_entropy<float>(7, 17, eps, 1.0, rng);
    test_cross_entropy<double>(7, 17, eps, 1.0, rng);
    test_cross_entropy<float>(3, 4099, eps, 2.5, rng);
    test_cross_entropy<double>(3, 4099, eps, 0.5, rng);
  }
  test_cross_entropy<float>(2, size_t{1} << 20, 0.1, 1.0, rng);
  test_cross_entropy<double>(2, size_t{1} << 20, 0.1, 1.0, rng);
  test_examples<float>();
  test_examples<double>();
  if (g_table == ssm_table_serial()) return;  // the comparisons below would be with itself
  test_vs_serial<float>(rng);
  test_vs_serial<double>(rng);
  test_losses_vs_serial<float>(rng);
  test_losses_vs_serial<double>(rng);
  test_score_vs_serial<float>(rng);
  test_score_vs_serial<double>(rng);
}

}  // namespace

int main() {
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
