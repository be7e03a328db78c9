// Entropy, cross-entropy and KL divergence of probability rows: each SIMD ISA this machine
// supports against the serial kernels (rows with zeros, q = 0 under p > 0, normalize), and the
// rejection of a bad row with nothing written.
#include "tester.h"

namespace {

// The information measures against the serial kernels (which the vitest suites hold to SciPy),
// at lengths around the vector width and beyond a fold (32 vectors).
template <typename Real>
void test_information_vs_serial(std::mt19937_64& rng) {
  for_each_length<Real>([&](auto& k, auto& serial, size_t cols, size_t rows, const std::string& where) {
    const size_t n = rows * cols;
    const double rel = kRelElement<Real>;
    std::uniform_real_distribution<double> u(0, 1);
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
  });
}


}  // namespace

int main() { return run_vs_serial<test_information_vs_serial<float>, test_information_vs_serial<double>>(); }
