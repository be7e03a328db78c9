// The softmax family's kernels (softmax, log-softmax, log-sum-exp and their backward products) on
// every ISA this machine supports: against a long-double reference on random rows (tails and
// 2^20-class rows included), DESIGN.md's worked examples and special rows, and each SIMD ISA
// against the serial kernels on rows full of NaN, ±Inf and huge values.
#include "tester.h"

namespace {

template <typename Real>
// `rise`: each row climbs by that much from start to end, so that its max rises in almost every
// block (long rows keep a record of the rises, up to a limit).
void test_random(size_t rows, size_t cols, double t, std::mt19937_64& rng, double rise = 0) {
  std::uniform_real_distribution<double> dist(-12, 12);
  std::vector<Real> x(rows * cols), out(rows * cols, NAN), lse(rows, NAN);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<Real>(dist(rng) + rise * static_cast<double>(i % cols) / cols);
  const std::string where = std::string(Tol<Real>::name) + " " + std::to_string(rows) + "x" +
                            std::to_string(cols) + " t=" + std::to_string(t) + " rise=" + std::to_string(rise);
  auto& k = kernels<Real>();
  auto softmax_ok = [&](const std::vector<Real>& got) {
    bool ok = true;
    for (size_t r = 0; r < rows; ++r) {
      const RowRef ref = reference_row(&x[r * cols], cols, t);
      for (size_t c = 0; c < cols; ++c) {
        const long double z = x[r * cols + c] / static_cast<long double>(t);
        ok &= close_prob<Real>(got[r * cols + c], std::exp(z - ref.lse), (ref.max - x[r * cols + c]) / t);
      }
    }
    return ok;
  };
  k.softmax_rows(x.data(), out.data(), rows, cols, t, SSM_ALL_MASKED_NAN);
  check(softmax_ok(out), "softmax " + where);
  if (rise != 0) {  // long rows in place take the other path (statistics, then recomputed exponentials)
    std::vector<Real> in_place = x;
    k.softmax_rows(in_place.data(), in_place.data(), rows, cols, t, SSM_ALL_MASKED_NAN);
    check(softmax_ok(in_place), "softmax in place " + where);
  }
  bool ok;

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

// The ISA against the serial kernels, on every kind of special row, at lengths around the
// vector width, the online block (2048) and past the longest row that keeps its exponentials
// (1 MiB: the recompute path).
template <typename Real>
void test_softmax_vs_serial(std::mt19937_64& rng) {
  const double rel_prob = kRelProb<Real>, rel_log = kRelLog<Real>;
  const auto [k, serial] = tables<Real>();
  for_each_special_batch<Real>(rng, [&](const std::vector<Real>& x, size_t rows, size_t cols, const std::string& where) {
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
  });
}

// The backward products over softmax / log-softmax outputs of finite logits against the serial
// ones (which the vitest suites hold to PyTorch), at lengths around the vector width and beyond a
// fold (32 vectors).
template <typename Real>
void test_backward_vs_serial(std::mt19937_64& rng) {
  for_each_length<Real>([&](auto& k, auto& serial, size_t cols, size_t rows, const std::string& where) {
    const size_t n = rows * cols;
    const double rel = kRelElement<Real>;
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<Real> a(n, 7), b(n, 7);
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

  });
}

// An empty batch of rows of 10 reads nothing (the fuzzer found a kernel that took row 0's max):
// the one-element input lets ASan see a read past it.
template <typename Real>
void test_empty_batch() {
  const std::vector<Real> x(1, 1);
  std::vector<Real> out(1, 7);
  kernels<Real>().log_sum_exp_rows(x.data(), out.data(), 0, 10);
  kernels<Real>().softmax_rows(x.data(), out.data(), 0, 10, 1.0, SSM_ALL_MASKED_NAN);
  check(out[0] == 7, std::string(Tol<Real>::name) + " empty batch writes nothing");
}

void run_all(std::mt19937_64& rng) {
  test_empty_batch<float>();
  test_empty_batch<double>();
  for (size_t cols : {1, 2, 3, 17, 4099}) {
    for (double t : {1.0, 0.7}) {
      test_random<float>(5, cols, t, rng);
      test_random<double>(5, cols, t, rng);
    }
  }
  for (size_t cols : {10, 1000}) {  // more rows than a vector has lanes: kernels that batch rows
    test_random<float>(37, cols, 1.0, rng);
    test_random<double>(37, cols, 1.0, rng);
  }
  test_random<float>(2, size_t{1} << 20, 1.0, rng);
  test_random<double>(2, size_t{1} << 20, 1.0, rng);
  // Rows past 1 MiB whose max rises in almost every block (more often than the record holds).
  test_random<float>(2, 300000, 1.0, rng, 40.0);
  test_random<double>(2, 300000, 0.7, rng, 40.0);
  test_examples<float>();
  test_examples<double>();
  if (testing_serial()) return;  // the comparisons below would be with itself
  test_softmax_vs_serial<float>(rng);
  test_softmax_vs_serial<double>(rng);
  test_backward_vs_serial<float>(rng);
  test_backward_vs_serial<double>(rng);
}

}  // namespace

int main() { return run_on_every_isa(run_all); }
