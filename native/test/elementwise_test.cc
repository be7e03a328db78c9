// The element-wise kernels (sigmoid, log-sigmoid, binary cross-entropy on logits, the regression
// losses) of each SIMD ISA this machine supports against the serial kernels, on logits mixing
// random values with ±0, ±Inf, NaN and huge ones: losses, their sums and gradients.
#include "tester.h"

namespace {

// The kernels of sigmoid, log-sigmoid, BCE and the regression losses against the serial ones
// (which the vitest suites hold to PyTorch), at lengths around the vector width and beyond a fold
// (32 vectors).
template <typename Real>
void test_elementwise_vs_serial(std::mt19937_64& rng) {
  for_each_length<Real>([&](auto& k, auto& serial, size_t cols, size_t rows, const std::string& where) {
    const size_t n = rows * cols;
    const double rel = kRelElement<Real>;
    std::uniform_real_distribution<double> u(0, 1);
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

  });
}


}  // namespace

int main() { return run_vs_serial<test_elementwise_vs_serial<float>, test_elementwise_vs_serial<double>>(); }
