// The fused cross-entropy kernel on every ISA this machine supports: against the long-double
// formula of kernels.h (weights, an ignored row, label smoothing, temperature, the gradient in
// place over the logits), and each SIMD ISA against the serial kernel on rows full of NaN, ±Inf
// and huge values.
#include "tester.h"

namespace {

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

// The ISA against the serial kernels on every kind of special row, hard and soft targets, with
// and without smoothing, at lengths around the vector width, the online block (2048) and past the
// longest row that keeps its exponentials (1 MiB: the recompute path).
template <typename Real>
void test_cross_entropy_vs_serial(std::mt19937_64& rng) {
  const double rel_prob = kRelProb<Real>, rel_log = kRelLog<Real>;
  const auto [k, serial] = tables<Real>();
  for_each_special_batch<Real>(rng, [&](const std::vector<Real>& x, size_t rows, size_t cols, const std::string& where) {
    std::vector<Real> w(cols), soft(rows * cols);
    std::vector<int32_t> y(rows);
    for (auto& v : y) v = static_cast<int32_t>(rng() % cols);
    std::uniform_real_distribution<double> u(0.2, 2);
    for (auto& v : w) v = static_cast<Real>(u(rng));
    for (auto& v : soft) v = static_cast<Real>(u(rng) / cols);
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
        if (!use_soft) {
          // The gradient over the logits themselves, and with a factor per row ('none').
          std::vector<Real> in_place = x, ld(rows, 7), scale(rows), le(rows, 7), gd(x.size(), 7), ge(x.size(), 7);
          args.logits = in_place.data();
          args.grad_out = in_place.data();
          args.loss_out = ld.data();
          k.cross_entropy_rows(&args);
          args.logits = x.data();
          check(agree(in_place, gb, rel_prob, 1.0 / static_cast<double>(cols)) && agree(ld, lb, rel_log, 1.0),
                "cross_entropy grad over the logits " + what);
          for (auto& v : scale) v = static_cast<Real>(u(rng));
          args.grad_row_scale = scale.data();
          args.grad_out = gd.data();
          k.cross_entropy_rows(&args);
          args.grad_out = ge.data();
          serial.cross_entropy_rows(&args);
          check(agree(gd, ge, rel_prob, 1.0 / static_cast<double>(cols)), "cross_entropy grad with row factors vs serial " + what);
          args.grad_row_scale = nullptr;
        }
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
  });
}

void run_all(std::mt19937_64& rng) {
  for (double eps : {0.0, 0.1, 1.0}) {
    test_cross_entropy<float>(7, 17, eps, 1.0, rng);
    test_cross_entropy<double>(7, 17, eps, 1.0, rng);
    test_cross_entropy<float>(3, 4099, eps, 2.5, rng);
    test_cross_entropy<double>(3, 4099, eps, 0.5, rng);
  }
  test_cross_entropy<float>(2, size_t{1} << 20, 0.1, 1.0, rng);
  test_cross_entropy<double>(2, size_t{1} << 20, 0.1, 1.0, rng);
  if (testing_serial()) return;  // the comparisons below would be with itself
  test_cross_entropy_vs_serial<float>(rng);
  test_cross_entropy_vs_serial<double>(rng);
}

}  // namespace

int main() { return run_on_every_isa(run_all); }
