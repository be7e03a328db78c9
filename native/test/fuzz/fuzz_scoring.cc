// Fuzz target: score_rows, on every ISA this machine supports, float and double: any subset of
// predictions, confidence, log-sum-exp, labels (in [0, cols), as addon.cc checks them) with or
// without the per-row NLL, and the top k (1 <= k <= cols) as probabilities or raw logits. The
// outputs asked for select the kernel's path (the argmax and raw top k alone need no exponentials).
// Input: a selector byte (bit 0: double), the shape, options, labels, values.
//
// Checks, per ISA: no sanitizer report, guards intact, every requested output written, inputs
// unchanged, predictions and top-k indices equal to the serial kernel's, values within DESIGN.md's
// bounds of the serial values. The serial kernel is also held to the definitions: the first index
// of the max (-1 for a row with a NaN), the k largest entries largest first and equal values in
// index order, raw values copied exactly, and (rows up to 4096 classes) the long-double
// log-sum-exp, confidence, NLL and probabilities.
#include <numeric>

#include "fuzz_common.h"

namespace {

using namespace fuzz;

constexpr size_t kReferenceMaxCols = 4096;

// Options: which outputs, and k.
struct Request {
  bool predictions, confidence, log_sum_exp, labels, nll, probabilities;
  size_t k;
};

Request read_request(Reader& in, size_t cols) {
  const unsigned f = in.byte(), kb = in.byte();
  Request q{(f & 1) != 0, (f & 2) != 0, (f & 4) != 0, (f & 8) != 0, false, (f & 32) != 0, 0};
  q.nll = q.labels && (f & 16);
  switch (kb % 8) {
    case 0: case 1: q.k = 0; break;
    case 2: q.k = 1; break;
    case 3: q.k = std::min<size_t>(cols, 5); break;
    case 4: q.k = cols; break;
    default: q.k = 1 + (kb >> 3 | in.byte() << 5) % cols;
  }
  return q;
}

template <typename Real>
struct Outputs {
  Output<int32_t> predictions, top_indices;
  Output<Real> confidence, log_sum_exp, nll, top_values;
  Outputs(const Request& q, size_t rows, unsigned shift)
      : predictions(q.predictions ? rows : 0, shift), top_indices(rows * q.k, shift), confidence(q.confidence ? rows : 0, shift),
        log_sum_exp(q.log_sum_exp ? rows : 0, shift), nll(q.nll ? rows : 0, shift), top_values(rows * q.k, shift) {}
  typename Type<Real>::Score args(const Request& q, const Real* x, const int32_t* labels, Shape s) {
    return {x, s.rows, s.cols, q.labels ? labels : nullptr, q.predictions ? predictions.data() : nullptr,
            q.confidence ? confidence.data() : nullptr, q.log_sum_exp ? log_sum_exp.data() : nullptr,
            q.nll ? nll.data() : nullptr, q.k, q.probabilities, q.k ? top_indices.data() : nullptr,
            q.k ? top_values.data() : nullptr};
  }
  void check(const Isa& isa) const {
    check_output(isa, predictions, "predictions");
    check_output(isa, top_indices, "top_indices");
    check_output(isa, confidence, "confidence");
    check_output(isa, log_sum_exp, "log_sum_exp");
    check_output(isa, nll, "nll");
    check_output(isa, top_values, "top_values");
  }
};

// One row's facts: NaN, the max and its first index, and (finite max) log Σ e^(x - m): in long
// double for rows up to kReferenceMaxCols (the reference), in double beyond (for the bounds).
struct RowFacts {
  bool nan = false;
  long double max = -INFINITY, log_sum = NAN;
  int32_t argmax = 0;
};

template <typename Real>
RowFacts row_facts(const Real* x, size_t cols) {
  RowFacts f;
  for (size_t c = 0; c < cols; ++c) {
    f.nan |= x[c] != x[c];
    if (x[c] > f.max) f.max = x[c], f.argmax = static_cast<int32_t>(c);
  }
  if (f.nan) f.argmax = -1;
  if (!f.nan && std::isfinite(f.max)) {
    long double s = 0;
    if (cols <= kReferenceMaxCols) {
      for (size_t c = 0; c < cols; ++c) s += std::exp(x[c] - f.max);
    } else {
      for (size_t c = 0; c < cols; ++c) s += std::exp(static_cast<double>(x[c] - f.max));
    }
    f.log_sum = std::log(s);
  }
  return f;
}

template <typename Real>
double probability_bound(long double p, long double distance) {
  const double d = static_cast<double>(std::min<long double>(distance, 1e6));
  return (Type<Real>::rel + Type<Real>::unit * d) * std::max<double>(static_cast<double>(p), Type<Real>::probability_floor);
}

template <typename Real>
void fuzz_type(Reader& in) {
  const Shape s = read_shape<Real>(in);
  const Request q = read_request(in, s.cols);
  const unsigned shift = in.byte() % 8;
  Input<int32_t> labels(q.labels ? s.rows : 0, shift);
  for (size_t r = 0; r < labels.size(); ++r) {
    const unsigned c = in.byte();
    labels[r] = c < 32 ? 0 : c < 64 ? static_cast<int32_t>(s.cols - 1) : static_cast<int32_t>((c << 8 | in.byte()) % s.cols);
  }
  Values<Real> values(in);
  Input<Real> x(s.size(), shift);
  values.fill(x.data(), x.size(), s.cols);
  call_description() = format("score_rows %s rows=%zu cols=%zu predictions=%d confidence=%d log_sum_exp=%d labels=%d nll=%d k=%zu probabilities=%d",
                              Type<Real>::name, s.rows, s.cols, q.predictions, q.confidence, q.log_sum_exp, q.labels, q.nll, q.k,
                              q.probabilities);
  const auto x_before = x.snapshot(), labels_before = labels.snapshot();
  const Isa& ser = isas()[0];
  Outputs<Real> want(q, s.rows, shift);
  auto args = want.args(q, x.data(), labels.data(), s);
  const double want_total = Type<Real>::table(serial()).score_rows(&args);
  want.check(ser);
  check_input(ser, x, x_before, "logits");
  check_input(ser, labels, labels_before, "labels");

  // The serial kernel against the definitions.
  std::vector<RowFacts> facts(s.rows);
  long double total_magnitude = 0;
  std::vector<int32_t> order(s.cols);
  for (size_t r = 0; r < s.rows; ++r) {
    const Real* xr = &x[r * s.cols];
    const RowFacts& f = facts[r] = row_facts(xr, s.cols);
    const bool finite = !f.nan && std::isfinite(f.max);
    const bool reference = finite && s.cols <= kReferenceMaxCols;
    const long double lse = f.max + f.log_sum;
    auto expect = [&](bool ok, const char* what, double got, double w) {
      if (!ok) fail(ser.name, format("%s[%zu] = %.17g; the definition gives %.17g", what, r, got, w));
    };
    if (q.predictions) expect(want.predictions[r] == f.argmax, "predictions", want.predictions[r], f.argmax);
    if (q.log_sum_exp) {
      const double w = f.nan ? kNaN : !finite ? static_cast<double>(f.max) : static_cast<double>(lse);
      if (!finite) expect(identical(want.log_sum_exp[r], w), "log_sum_exp", want.log_sum_exp[r], w);
      if (reference) expect(within<Real>(want.log_sum_exp[r], w, Type<Real>::rel * std::max(1.0, std::fabs(w)), Type<Real>::rel), "log_sum_exp", want.log_sum_exp[r], w);
    }
    if (q.confidence) {
      const double w = finite ? static_cast<double>(std::exp(-f.log_sum)) : kNaN;
      if (!finite) expect(identical(want.confidence[r], w), "confidence", want.confidence[r], w);
      if (reference) expect(within<Real>(want.confidence[r], w, probability_bound<Real>(w, 0), Type<Real>::rel), "confidence", want.confidence[r], w);
    }
    if (q.labels) {
      const long double gap = f.max - xr[labels[r]];  // ≥ 0
      total_magnitude += std::max<long double>(1, f.log_sum + gap);
      if (q.nll && reference) {
        const double w = static_cast<double>(f.log_sum + gap);
        expect(within<Real>(want.nll[r], w, Type<Real>::rel * std::max(1.0, std::fabs(w)), Type<Real>::rel), "nll", want.nll[r], w);
      }
      if (q.nll && !finite) expect(std::isnan(static_cast<double>(want.nll[r])), "nll", want.nll[r], kNaN);
    }
    if (q.k == 0) continue;
    if (f.nan) {
      for (size_t j = 0; j < q.k; ++j) {
        expect(want.top_indices[r * q.k + j] == -1, "top_indices (a row with a NaN)", want.top_indices[r * q.k + j], -1);
        expect(std::isnan(static_cast<double>(want.top_values[r * q.k + j])), "top_values (a row with a NaN)", want.top_values[r * q.k + j], kNaN);
      }
      continue;
    }
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + static_cast<long>(q.k), order.end(),
                      [&](int32_t a, int32_t b) { return xr[a] > xr[b] || (xr[a] == xr[b] && a < b); });
    for (size_t j = 0; j < q.k; ++j) {
      const int32_t got = want.top_indices[r * q.k + j];
      expect(got == order[j], "top_indices", got, order[j]);
      const double v = want.top_values[r * q.k + j];
      if (!q.probabilities) {
        expect(identical(v, xr[order[j]]), "top_values (raw)", v, xr[order[j]]);
      } else if (!finite) {
        expect(std::isnan(v), "top_values (probabilities of a row with an infinite max)", v, kNaN);
      } else if (reference) {
        const long double p = std::exp(xr[order[j]] - f.max - f.log_sum);
        expect(within<Real>(v, static_cast<double>(p), probability_bound<Real>(p, f.max - xr[order[j]]), Type<Real>::rel), "top_values", v,
               static_cast<double>(p));
      }
    }
  }

  // Each ISA: indices exactly, values within twice the bounds above.
  for (const Isa& isa : isas()) {
    if (isa.table == serial()) continue;
    Outputs<Real> got(q, s.rows, shift);
    auto a = got.args(q, x.data(), labels.data(), s);
    const double got_total = Type<Real>::table(isa.table).score_rows(&a);
    if (q.k) {
      tamper(isa, got.top_values);
    } else if (q.confidence) {
      tamper(isa, got.confidence);
    } else if (q.log_sum_exp) {
      tamper(isa, got.log_sum_exp);
    }
    got.check(isa);
    check_input(isa, x, x_before, "logits");
    check_input(isa, labels, labels_before, "labels");
    for (size_t i = 0; i < got.predictions.size(); ++i) {
      if (got.predictions[i] != want.predictions[i]) fail(isa.name, mismatch("predictions", i, got.predictions[i], want.predictions[i], 0));
    }
    for (size_t i = 0; i < got.top_indices.size(); ++i) {
      if (got.top_indices[i] != want.top_indices[i]) fail(isa.name, mismatch("top_indices", i, got.top_indices[i], want.top_indices[i], 0));
    }
    auto log_bound = [&](const Output<Real>& w) { return [&w](size_t i) { return 2 * Type<Real>::rel * std::max(1.0, std::fabs(static_cast<double>(w[i]))); }; };
    compare(isa, "log_sum_exp", got.log_sum_exp, want.log_sum_exp, log_bound(want.log_sum_exp));
    compare(isa, "nll", got.nll, want.nll, log_bound(want.nll));
    compare(isa, "confidence", got.confidence, want.confidence,
            [&](size_t i) { return 2 * probability_bound<Real>(std::fabs(static_cast<double>(want.confidence[i])), 0); });
    compare(isa, "top_values", got.top_values, want.top_values, [&](size_t i) {
      if (!q.probabilities) return 0.0;
      const size_t r = i / q.k;
      const int32_t c = want.top_indices[i];
      const long double distance = c < 0 ? 0 : facts[r].max - x[r * s.cols + static_cast<size_t>(c)];
      return 2 * probability_bound<Real>(std::fabs(static_cast<double>(want.top_values[i])), distance);
    });
    const double total_tol = 2 * Type<Real>::rel * static_cast<double>(total_magnitude);
    if (!within<double>(got_total, want_total, total_tol, Type<Real>::rel)) {
      fail(isa.name, format("the returned sum of NLLs: got %.17g, want %.17g (serial), bound %.3g", got_total, want_total, total_tol));
    }
  }
}

}  // namespace

void fuzz_one(Reader& in) {
  by_dtype(in.byte(), [&](auto zero) { fuzz_type<decltype(zero)>(in); });
}

// Seeds: every output combination that picks a path (with exponentials, argmax alone, raw top k
// alone), rows of special values and of ties, tails, block edges, rows past the store limit.
std::vector<std::vector<uint8_t>> seeds() {
  using namespace seed;
  std::vector<std::vector<uint8_t>> out;
  // flags: 1 predictions, 2 confidence, 4 lse, 8 labels, 16 nll, 32 top probabilities; k byte % 8:
  // 0 none, 2 one, 3 min(cols, 5), 4 cols.
  const unsigned requests[][2] = {{1 | 2 | 4 | 8 | 16 | 32, 3}, {1, 0}, {0, 3}, {1 | 8, 4}, {2 | 32, 2}, {4 | 8 | 16, 0}};
  const unsigned shapes[][3] = {{16, 0, 5}, {32, 0, 9}, {1, 0, 3}, {232, 17, 2}, {254, 6, 3}};
  unsigned n = 0;
  for (unsigned dtype = 0; dtype < 2; ++dtype) {
    for (const auto& shape : shapes) {
      for (const auto& request : requests) {
        if (shape[0] >= 232 && n % 2) {
          ++n;
          continue;  // fewer long rows
        }
        Writer w;
        w.byte(dtype).byte(shape[0]).byte(shape[1]).byte(shape[2]).byte(request[0]).byte(request[1]).byte(n % 8);
        if (request[0] & 8) {
          for (unsigned r = 0; r < 16; ++r) w.byte(64 + r * 11).byte(r * 5);
        }
        switch (n % 4) {
          case 0: random(w, kRestOfAll, n, 2); break;
          case 1: sparse(w, kRestOfAll, n, 2, 7), special(w, Special::nan); break;
          case 2: sparse(w, kRestOfAll, n, 1, 5), special(w, Special::pos_inf); break;
          default: {  // whole numbers full of ties, a -Inf block
            constant(w, kRestOfRow), ordinary(w, 3);
            constant(w, 7), special(w, Special::neg_inf);
            random(w, kRestOfAll, n, 0);
          }
        }
        out.push_back(w.bytes);
        ++n;
      }
    }
  }
  return out;
}

SSM_FUZZ_TARGET
