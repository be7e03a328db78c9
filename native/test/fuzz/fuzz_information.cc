// Fuzz target: information_rows (entropy, cross-entropy, KL divergence), on every ISA this
// machine supports, float and double, with and without `normalize`, any scale and tolerance (the
// binding passes any numbers). Rows of p and q: probability rows, rows with zeros (q = 0 where
// p > 0 gives +Inf), rows whose sum is near the tolerance's edge, unnormalized non-negative rows,
// and any values (negative, NaN, Inf: the kernel must reject those rows, writing nothing).
// Input: a selector byte (bit 0: double; (byte >> 1) % 3: the measure), the shape, options, values.
//
// Checks, per ISA: no sanitizer report, guards intact, inputs unchanged; the row it rejects is
// the serial kernel's, unless that row's sum is within rounding of the tolerance's edge (or, to
// normalize, of the type's range), where either verdict is right; a rejection writes nothing, an
// acceptance writes every row, within DESIGN.md's bounds of the serial values. The serial kernel
// is also held to the long-double definition of each measure and of a valid row.
#include "fuzz_common.h"

namespace {

using namespace fuzz;

const char* const kMeasures[] = {"entropy", "cross_entropy", "kl_divergence"};

// How a row of p or q is made.
enum RowMode { kProbabilities, kWithZeros, kEdge, kNonNegative, kAny, kSoftmax, kModes };
const char* const kModeNames[kModes] = {"probabilities", "with zeros", "sum at the edge", "non-negative", "any", "softmax"};

template <typename Real>
void fill_rows(Reader& in, Values<Real>& values, Real* x, Shape s, RowMode mode, double tolerance) {
  const size_t n = s.size();
  if (mode == kAny) {
    values.fill(x, n, s.cols);
    return;
  }
  if (mode == kSoftmax) {  // what a model hands over: tiny entries (e^-90 is a subnormal float) and all
    Input<Real> z(n, 0);
    values.fill(z.data(), n, s.cols);
    for (unsigned k = in.byte() % 4; k > 0 && n > 0; --k) {  // a few confident zeros
      const size_t at = in.u16() % n;
      z[at] = static_cast<Real>(z[at] - 80 - in.byte() % 80);
    }
    Type<Real>::table(serial()).softmax_rows(z.data(), x, s.rows, s.cols, 1.0, SSM_ALL_MASKED_ZERO);
    return;
  }
  for (size_t i = 0; i < n; ++i) x[i] = auxiliary(in, values, false, true);
  if (mode == kWithZeros) {
    for (size_t i = 0; i < n; ++i) {
      if (in.byte() < 96) x[i] = 0;
    }
  }
  if (mode == kNonNegative) return;
  // Each row divided by its sum (in long double, then rounded: the sum is 1 within rounding), or
  // for the edge, scaled so that the sum is 1 + k tolerance for k near ±1.
  for (size_t r = 0; r < s.rows; ++r) {
    Real* row = x + r * s.cols;
    long double sum = 0;
    for (size_t c = 0; c < s.cols; ++c) sum += row[c];
    if (sum == 0) {
      row[in.u16() % s.cols] = 1;
      sum = 1;
    }
    long double target = 1;
    if (mode == kEdge) {
      const int k = static_cast<int>(in.byte()) - 128;
      target = 1 + tolerance * (k < 0 ? -1 : 1) * (1 + k / 1e4L);
    }
    for (size_t c = 0; c < s.cols; ++c) row[c] = static_cast<Real>(row[c] / sum * target);
  }
}

// What the harness knows of a row: clearly valid, clearly invalid, or too close to call (its sum
// within rounding of the tolerance's edge, or beyond the type's range for a float-lane sum).
enum Verdict { kValid, kInvalid, kBorderline };

template <typename Real>
Verdict classify(const Real* x, size_t cols, bool normalize, double tolerance) {
  long double sum = 0;
  for (size_t c = 0; c < cols; ++c) {
    const long double v = x[c];
    if (!(v >= 0) || std::isinf(v)) return kInvalid;
    sum += v;
  }
  // The kernels' sums: float lanes folded into double (a few roundings of the sum) or double.
  const long double slack = 8 * Type<Real>::rel * std::max<long double>(1, sum);
  if (normalize) {
    if (sum == 0) return kInvalid;
    return sum_in_range<Real>(sum) ? kValid : kBorderline;
  }
  const long double off = std::fabs(sum - 1);
  if (std::isnan(tolerance)) return kInvalid;
  if (std::fabs(off - tolerance) <= slack) return kBorderline;
  return off <= tolerance ? kValid : kInvalid;
}

Verdict both(Verdict p, Verdict q) {
  if (p == kInvalid || q == kInvalid) return kInvalid;
  return p == kBorderline || q == kBorderline ? kBorderline : kValid;
}

double read_tolerance(Reader& in, double standard) {
  const unsigned c = in.byte();
  if (c < 192) return standard;
  static const double others[8] = {0, 1e-6, 1e-12, 0.5, 1e-3, 1e-9, 2, kNaN};
  return others[c % 8];
}

template <typename Real>
void fuzz_type(Reader& in, int measure) {
  const Shape s = read_shape<Real>(in);
  const unsigned options = in.byte(), modes = in.byte(), shift = in.byte() % 8;
  const bool normalize = options & 1, has_q = measure != SSM_ENTROPY;
  static const double scales[4] = {1, 1.4426950408889634, 0.43429448190325176, -2};
  Values<Real> values(in);
  const double scale = options & 0x80 ? static_cast<double>(values.next()) : scales[(options >> 1) % 4];
  const double tolerance = read_tolerance(in, sizeof(Real) == 4 ? 1e-3 : 1e-9);
  const auto p_mode = static_cast<RowMode>(modes % kModes), q_mode = static_cast<RowMode>((modes / kModes) % kModes);
  Input<Real> p(s.size(), shift), q(has_q ? s.size() : 0, shift);
  fill_rows(in, values, p.data(), s, p_mode, tolerance);
  if (has_q) {
    fill_rows(in, values, q.data(), s, q_mode, tolerance);
    // q = 0 where p > 0 in some rows (+Inf for cross-entropy and KL), its mass moved to the next
    // entry so that the row still sums to 1.
    if (modes & 0x80) {
      for (size_t r = 0; r < s.rows && s.cols > 1; ++r) {
        if (in.byte() < 128) continue;
        const size_t c = in.u16() % (s.cols - 1), i = r * s.cols + c;
        if (p[i] > 0) q[i + 1] = static_cast<Real>(q[i + 1] + q[i]), q[i] = 0;
      }
    }
  }
  call_description() = format("information_rows %s %s rows=%zu cols=%zu normalize=%d scale=%.17g tolerance=%.17g p=%s q=%s",
                              kMeasures[measure], Type<Real>::name, s.rows, s.cols, normalize, scale, tolerance,
                              kModeNames[p_mode], has_q ? kModeNames[q_mode] : "none");

  const typename Type<Real>::Information args{measure, p.data(), has_q ? q.data() : nullptr, nullptr, s.rows, s.cols,
                                              normalize, scale, tolerance};
  auto run = [&](const Isa& isa, Output<Real>& out) {
    auto a = args;
    a.out = out.data();
    return Type<Real>::table(isa.table).information_rows(&a);
  };
  const auto p_before = p.snapshot(), q_before = q.snapshot();
  const Isa& ser = isas()[0];
  Output<Real> want(s.rows, shift);
  const int64_t want_bad = run(ser, want);
  check_input(ser, p, p_before, "p");
  check_input(ser, q, q_before, "q");

  // Row verdicts; the serial kernel's against them.
  std::vector<Verdict> verdicts(s.rows);
  for (size_t r = 0; r < s.rows; ++r) {
    verdicts[r] = both(classify(&p[r * s.cols], s.cols, normalize, tolerance),
                       has_q ? classify(&q[r * s.cols], s.cols, normalize, tolerance) : kValid);
  }
  auto check_verdict = [&](const Isa& isa, int64_t bad, const Output<Real>& out) {
    const size_t end = bad < 0 ? s.rows : static_cast<size_t>(bad);
    if (bad >= static_cast<int64_t>(s.rows) || bad < -1) fail(isa.name, format("returned %lld for %zu rows", static_cast<long long>(bad), s.rows));
    for (size_t r = 0; r < end; ++r) {
      if (verdicts[r] == kInvalid) fail(isa.name, format("accepted row %zu, which is not a row of probabilities", r));
    }
    if (bad >= 0 && verdicts[end] == kValid) fail(isa.name, format("rejected row %zu, a row of probabilities", end));
    check_output(isa, out, "out", bad < 0);
    const size_t written = out.first_written();
    if (bad >= 0 && written < s.rows) {
      fail(isa.name, format("rejected row %lld, but wrote out[%zu]", static_cast<long long>(bad), written));
    }
  };
  check_verdict(ser, want_bad, want);

  // Values: the measure of each accepted row in long double, from the normalized entries rounded
  // to double (what the serial kernel works with: a normalized entry below double's range is 0),
  // and its magnitude Σ p_c (1 + |log arg|): the kernels' error is a rounding of each log's
  // argument and of each product. The SIMD kernels normalize in the element type: rows where a
  // normalized entry is not a normal number of it are not compared with the serial kernel's.
  std::vector<long double> magnitude(s.rows, 0);
  std::vector<bool> serial_checked(s.rows, true), simd_checked(s.rows, true);
  auto normal_in = [](long double v, double smallest, double largest) { return v >= smallest && v <= largest; };
  const double real_min = std::numeric_limits<Real>::min();
  if (want_bad < 0) {
    for (size_t r = 0; r < s.rows; ++r) {
      const Real* pr = &p[r * s.cols];
      const Real* qr = has_q ? &q[r * s.cols] : nullptr;
      long double sp = 1, sq = 1;
      if (normalize) {
        sp = 0, sq = 0;
        for (size_t c = 0; c < s.cols; ++c) sp += pr[c], sq += qr ? qr[c] : 0;
      }
      long double value = 0;
      for (size_t c = 0; c < s.cols; ++c) {
        const long double pn = pr[c] / sp, qn = qr ? qr[c] / sq : 0;
        const double pc = static_cast<double>(pn), qc = static_cast<double>(qn);
        if (pc == 0) continue;
        if (normalize && (!normal_in(pn, real_min, max_finite<Real>()) || (qr && qn != 0 && !normal_in(qn, real_min, max_finite<Real>())))) {
          simd_checked[r] = false;
        }
        const long double arg = measure == SSM_ENTROPY ? pc : measure == SSM_CROSS_ENTROPY ? qc : static_cast<long double>(pc) / qc;
        const long double term = pc * std::log(arg);
        value += measure == SSM_KL_DIVERGENCE ? term : -term;
        magnitude[r] += pc * (1 + std::fabs(std::log(arg)));
      }
      simd_checked[r] = simd_checked[r] && serial_checked[r];
      magnitude[r] *= std::fabs(scale);
      const double ref = static_cast<double>(value * scale);
      if (serial_checked[r] && std::isfinite(magnitude[r]) && std::isfinite(scale) &&
          !within<Real>(want[r], ref, static_cast<double>(Type<Real>::rel * magnitude[r]), Type<Real>::rel)) {
        fail(ser.name, format("%s[%zu] = %.17g; the definition gives %.17g", kMeasures[measure], r, static_cast<double>(want[r]), ref));
      }
    }
  }
  // A non-finite scale (the binding passes any number; no base gives one): a rounding-level
  // difference between a sum of 0 and a tiny one becomes NaN against ±Inf. Not compared.
  auto bound = [&](size_t r) {
    if (!simd_checked[r] || !std::isfinite(scale)) return kUnchecked;
    if (!std::isfinite(magnitude[r])) return 0.0;  // an infinite term: compared exactly
    return 2 * Type<Real>::rel * static_cast<double>(magnitude[r]);
  };
  for (const Isa& isa : isas()) {
    if (isa.table == serial()) continue;
    Output<Real> got(s.rows, shift);
    const int64_t got_bad = run(isa, got);
    tamper(isa, got);
    check_input(isa, p, p_before, "p");
    check_input(isa, q, q_before, "q");
    check_verdict(isa, got_bad, got);
    if (got_bad != want_bad) {
      // Allowed only where the first row either kernel rejects is too close to call.
      const size_t first = static_cast<size_t>(std::min(got_bad < 0 ? INT64_MAX : got_bad, want_bad < 0 ? INT64_MAX : want_bad));
      if (verdicts[first] != kBorderline) {
        fail(isa.name, format("rejected row %lld, the serial kernel row %lld", static_cast<long long>(got_bad), static_cast<long long>(want_bad)));
      }
      continue;
    }
    if (got_bad < 0) compare(isa, kMeasures[measure], got, want, bound);
  }
}

}  // namespace

void fuzz_one(Reader& in) {
  const unsigned selector = in.byte();
  const int measure = static_cast<int>((selector >> 1) % 3);
  by_dtype(selector, [&](auto zero) { fuzz_type<decltype(zero)>(in, measure); });
}

// Seeds: each measure and type on probability rows, rows with zeros and q = 0 where p > 0, rows
// at the tolerance's edge, unnormalized rows with normalize, invalid rows; tails and long rows.
std::vector<std::vector<uint8_t>> seeds() {
  std::vector<std::vector<uint8_t>> out;
  struct Variant {
    unsigned a, b, r, options, modes;
  };
  const Variant variants[] = {
      {4, 0, 1, 0, kProbabilities},                           // DESIGN.md's 5-class rows
      {16, 0, 5, 2, kProbabilities + kModes * kWithZeros},    // base 2
      {32, 0, 8, 0, kWithZeros + kModes * kProbabilities + 0x80},
      {16, 0, 6, 0, kEdge + kModes * kEdge},                  // sums at the tolerance's edge
      {16, 0, 6, 1, kNonNegative + kModes * kNonNegative},    // normalize
      {8, 0, 4, 1 | 4, kAny + kModes * kNonNegative},         // rejected rows
      {232, 17, 2, 0, kProbabilities + kModes * kWithZeros},  // 2049 classes
      {254, 6, 3, 1, kNonNegative + kModes * kProbabilities}, // past the store limit, normalize
  };
  for (unsigned measure = 0; measure < 3; ++measure) {
    for (unsigned dtype = 0; dtype < 2; ++dtype) {
      for (const Variant& v : variants) {
        Writer w;
        w.byte(measure << 1 | dtype).byte(v.a).byte(v.b).byte(v.r).byte(v.options).byte(v.modes).byte(measure).byte(0);
        for (unsigned i = 0; i < 400; ++i) w.byte((i * 73 + measure * 11) & 0xff);
        out.push_back(w.bytes);
      }
    }
  }
  return out;
}

SSM_FUZZ_TARGET
