// The scoring kernel (argmax, confidence, log-sum-exp, NLL, top k) of each SIMD ISA this machine
// supports against the serial kernel, on rows full of NaN, ±Inf, huge values and ties.
#include "tester.h"

namespace {

// The scoring kernel against the serial one, on every kind of special row (and a row of whole
// numbers, full of ties): predictions and top-k indices exactly, values within the bounds above;
// then the argmax alone and the raw top k alone, which take the kernel's other path.
template <typename Real>
void test_score_vs_serial(std::mt19937_64& rng) {
  const double rel_prob = kRelProb<Real>, rel_log = kRelLog<Real>;
  using Args = std::conditional_t<sizeof(Real) == 4, score_args_f32, score_args_f64>;
  const auto [k, serial] = tables<Real>();
  const size_t past_store = (size_t{1} << 20) / sizeof(Real) + 3;
  // Rows of up to 128 take the short-row statistics (softmax/short_rows.h) in groups of one row
  // per lane, rows of up to a block take their logs 16 at a time: 37 or 41 rows there, the first 9
  // special, the others mostly ordinary (with −Inf entries or huge values in some), so whole
  // groups take the short kernel.
  for (size_t cols : {size_t{1}, size_t{2}, size_t{5}, size_t{16}, size_t{17}, size_t{33}, size_t{128}, size_t{2049}, size_t{5000}, past_store}) {
    const size_t rows = cols <= 128 ? 37 : cols <= 2049 ? 41 : 9;
    std::vector<Real> x(rows * cols);
    std::vector<int32_t> y(rows);
    for (size_t r = 0; r < rows; ++r) {
      const int kind = r < 8 ? static_cast<int>(r) : r % 5 == 0 ? 3 : r % 7 == 0 ? 5 : 0;
      special_row(&x[r * cols], cols, kind, rng);
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


}  // namespace

int main() { return run_vs_serial<test_score_vs_serial<float>, test_score_vs_serial<double>>(); }
