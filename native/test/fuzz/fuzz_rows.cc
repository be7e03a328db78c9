// Fuzz target: the row kernels over logits and their backward products, on every ISA this
// machine supports, float and double:
//   softmax_rows, log_softmax_rows (temperature, all-masked mode, in place or not),
//   log_sum_exp_rows, softmax_backward_rows, log_softmax_backward_rows (out may be y or dy).
// Input: a selector byte (bit 0: double; (byte >> 1) % 5: the kernel), the shape, the options,
// then the values (fuzz_common.h: Values). Checks, per ISA: no sanitizer report, guards intact,
// every output written, inputs unchanged, agreement with the serial kernel within DESIGN.md's
// bounds (the serial kernel's own bound, twice: both are held to the exact result). The serial
// kernel itself is held to DESIGN.md's special values and, on rows with a finite max, to a
// long-double reference.
#include "fuzz_common.h"

namespace {

using namespace fuzz;

enum Kernel { kSoftmax, kLogSoftmax, kLogSumExp, kSoftmaxBackward, kLogSoftmaxBackward, kKernels };
const char* const kNames[kKernels] = {"softmax_rows", "log_softmax_rows", "log_sum_exp_rows", "softmax_backward_rows",
                                      "log_softmax_backward_rows"};

// What DESIGN.md's special values depend on, and the exact statistics of x / t where the max is
// finite: max and log-sum-exp, in long double.
struct RowFacts {
  bool nan = false, pos_inf = false, all_neg_inf = true;
  long double max = -INFINITY;
  long double log_sum = NAN;  // log Σ e^((x - max) / t)
};

// Rows up to this length are also held to the long-double reference (kernels_test holds rows of
// 2^20 to it; here the reference would cost more than the kernels under test).
constexpr size_t kReferenceMaxCols = 4096;

template <typename Real>
RowFacts row_facts(const Real* x, size_t cols, double t) {
  RowFacts f;
  for (size_t c = 0; c < cols; ++c) {
    const long double v = x[c];
    f.nan |= v != v;
    f.pos_inf |= v == INFINITY;
    f.all_neg_inf &= v == -INFINITY;
    if (v > f.max) f.max = v;
  }
  if (!f.nan && std::isfinite(f.max) && cols <= kReferenceMaxCols) {
    long double s = 0;
    for (size_t c = 0; c < cols; ++c) s += std::exp((x[c] - f.max) / t);
    f.log_sum = std::log(s);
  }
  return f;
}

// DESIGN.md's bound on a probability p = e^(x/t - lse), relative above 1e-30 (absolute, at 1e-30,
// below): 1e-6 plus 2^-23 |x - m| / t for float; 1e-12 for double (relative above 1e-300).
template <typename Real>
double probability_bound(long double p, long double distance) {
  const double d = std::min(static_cast<double>(distance), 1e6);
  return (Type<Real>::rel + Type<Real>::unit * d) * std::max(static_cast<double>(p), Type<Real>::probability_floor);
}

// log-values: 1e-6 max(1, |ref|) (float), 1e-12 max(1, |ref|) (double).
template <typename Real>
double log_bound(double ref) {
  return Type<Real>::rel * std::max(1.0, std::fabs(ref));
}

// The serial kernel's output against DESIGN.md: special rows exactly; −Inf entries of a row with
// a finite max get probability 0 and log-probability −Inf; other entries (of rows up to
// kReferenceMaxCols) within the bounds above of the long-double reference.
template <typename Real>
void check_serial_rows(Kernel kernel, const Real* x, const Output<Real>& out, Shape s, double t, int all_masked,
                       const std::vector<RowFacts>& facts) {
  const Isa& ser = isas()[0];
  for (size_t r = 0; r < s.rows; ++r) {
    const Real* xr = x + r * s.cols;
    const RowFacts& f = facts[r];
    const bool reference = s.cols <= kReferenceMaxCols;
    if (kernel == kLogSumExp) {
      const bool special = f.nan || f.pos_inf || f.all_neg_inf;
      const double want = f.nan ? kNaN : f.pos_inf ? kInf : f.all_neg_inf ? -kInf : static_cast<double>(f.max + f.log_sum);
      const double got = out[r];
      if (!special && !reference) continue;
      if (!(special ? identical(got, want) : within<Real>(got, want, log_bound<Real>(want), Type<Real>::rel))) {
        fail(ser.name, format("log_sum_exp[%zu] = %.17g; the reference is %.17g", r, got, want));
      }
      continue;
    }
    const bool log = kernel == kLogSoftmax;
    for (size_t c = 0; c < s.cols; ++c) {
      const double got = out[r * s.cols + c];
      double want;
      bool ok;
      if (f.nan || f.pos_inf || f.all_neg_inf) {
        want = f.all_neg_inf && !f.nan && all_masked == SSM_ALL_MASKED_ZERO ? (log ? -kInf : 0.0) : kNaN;
        ok = identical(got, want);
      } else if (xr[c] == -INFINITY) {
        want = log ? -kInf : 0.0;
        ok = got == want;
      } else if (!reference) {
        continue;
      } else {
        const long double z = (xr[c] - f.max) / t;  // x/t - m/t, with no cancellation
        const long double ref = log ? z - f.log_sum : std::exp(z - f.log_sum);
        want = static_cast<double>(ref);
        const double tol = log ? log_bound<Real>(want) : probability_bound<Real>(ref, -z);
        ok = within<Real>(got, want, tol, Type<Real>::rel);
      }
      if (!ok) fail(ser.name, format("%s[%zu][%zu] = %.17g; DESIGN.md wants %.17g", kNames[kernel], r, c, got, want));
    }
  }
}

template <typename Real>
void softmax_family(Reader& in, Kernel kernel) {
  const Shape s = read_shape<Real>(in);
  const double t = kernel == kLogSumExp ? 1.0 : read_temperature(in);
  const int all_masked = in.byte() & 1 ? SSM_ALL_MASKED_ZERO : SSM_ALL_MASKED_NAN;
  const bool in_place = kernel != kLogSumExp && (in.byte() & 1);
  const unsigned shift = in.byte() % 8;
  Values<Real> values(in);
  Input<Real> x(s.size(), shift);
  values.fill(x.data(), x.size(), s.cols);
  call_description() = format("%s %s rows=%zu cols=%zu temperature=%.17g all_masked=%d in_place=%d", kNames[kernel],
                              Type<Real>::name, s.rows, s.cols, t, all_masked, in_place);

  const size_t out_size = kernel == kLogSumExp ? s.rows : s.size();
  auto run = [&](const Isa& isa, const Real* xp, Real* out) {
    const auto& k = Type<Real>::table(isa.table);
    if (kernel == kSoftmax) k.softmax_rows(xp, out, s.rows, s.cols, t, all_masked);
    if (kernel == kLogSoftmax) k.log_softmax_rows(xp, out, s.rows, s.cols, t, all_masked);
    if (kernel == kLogSumExp) k.log_sum_exp_rows(xp, out, s.rows, s.cols);
  };
  const auto before = x.snapshot();
  Output<Real> want(out_size, shift);
  run(isas()[0], x.data(), want.data());
  check_output(isas()[0], want, kNames[kernel]);
  check_input(isas()[0], x, before, "x");
  std::vector<RowFacts> facts(s.rows);
  for (size_t r = 0; r < s.rows; ++r) facts[r] = row_facts(&x[r * s.cols], s.cols, t);
  check_serial_rows(kernel, x.data(), want, s, t, all_masked, facts);

  // Bounds against the serial kernel: each within its own bound of the exact result, so twice it.
  // x - m beyond the element type's range (logits of both signs near its maximum) rounds to -Inf in
  // the float kernels, the extreme of the rounding DESIGN.md allows them: not compared.
  auto bound = [&](size_t i) {
    if (std::isfinite(static_cast<double>(x[i])) && facts[i / s.cols].max - x[i] >= max_finite<Real>()) return kUnchecked;
    const double w = want[i];
    if (kernel == kSoftmax) return 2 * probability_bound<Real>(std::fabs(w), (facts[i / s.cols].max - x[i]) / t);
    return 2 * log_bound<Real>(w);
  };
  for (const Isa& isa : isas()) {
    if (isa.table == serial() && !in_place) continue;  // the reference itself
    Output<Real> got(out_size, shift);
    if (in_place) {
      got.assign(x.data());
      run(isa, got.data(), got.data());
    } else {
      run(isa, x.data(), got.data());
    }
    tamper(isa, got);
    check_output(isa, got, kNames[kernel], !in_place);
    check_input(isa, x, before, "x");
    compare(isa, kNames[kernel], got, want, bound);
    // −Inf entries of a row with a finite max: probability 0 and log-probability −Inf, exactly.
    if (kernel != kLogSumExp) {
      for (size_t i = 0; i < s.size(); ++i) {
        if (x[i] != -INFINITY || !std::isfinite(static_cast<double>(facts[i / s.cols].max))) continue;
        if (identical(want[i], kNaN)) continue;  // a NaN in the row
        if (got[i] != want[i]) fail(isa.name, mismatch(kNames[kernel], i, got[i], want[i], 0));
      }
    }
  }
}

// The backward products. y is what the forward kernel produces (probabilities, or
// log-probabilities), computed by the serial kernel from decoded logits, with a few entries
// replaced by edge values; or, one input in eight, any decoded values. dy is any decoded values.
template <typename Real>
void backward(Reader& in, Kernel kernel) {
  const Shape s = read_shape<Real>(in);
  const unsigned mode = in.byte(), alias = in.byte() % 3;  // out is: its own array, y, dy
  const unsigned shift = in.byte() % 8;
  const bool log = kernel == kLogSoftmaxBackward;
  const bool any_y = mode % 8 == 7;
  Values<Real> values(in);
  Input<Real> y(s.size(), shift), dy(s.size(), shift);
  if (any_y) {
    values.fill(y.data(), y.size(), s.cols);
  } else {
    Input<Real> z(s.size(), 0);
    values.fill(z.data(), z.size(), s.cols);
    const auto& ser = Type<Real>::table(serial());
    (log ? ser.log_softmax_rows : ser.softmax_rows)(z.data(), y.data(), s.rows, s.cols, 1.0, SSM_ALL_MASKED_NAN);
    // Edge values at positions the input picks.
    const double edges[2][6] = {{0.0, 1.0, kNaN, 1e-30, 0.5, std::numeric_limits<Real>::denorm_min()},
                                {-kInf, 0.0, kNaN, -1e30, -100, -std::numeric_limits<Real>::denorm_min()}};
    for (unsigned k = mode % 8; k > 0 && s.size() > 0; --k) {
      const size_t at = in.u32() % s.size();
      y[at] = static_cast<Real>(edges[log][in.byte() % 6]);
    }
  }
  values.fill(dy.data(), dy.size(), s.cols);
  call_description() = format("%s %s rows=%zu cols=%zu y=%s out=%s", kNames[kernel], Type<Real>::name, s.rows, s.cols,
                              any_y ? "any" : "forward", alias == 0 ? "own" : alias == 1 ? "y" : "dy");

  auto run = [&](const Isa& isa, const Real* yp, const Real* dyp, Real* out) {
    const auto& k = Type<Real>::table(isa.table);
    (log ? k.log_softmax_backward_rows : k.softmax_backward_rows)(yp, dyp, out, s.rows, s.cols);
  };
  const auto y_before = y.snapshot(), dy_before = dy.snapshot();
  Output<Real> want(s.size(), shift);
  run(isas()[0], y.data(), dy.data(), want.data());
  check_output(isas()[0], want, kNames[kernel]);

  // Per element, the magnitude of what the kernels compute with: softmax,
  // y_c (dy_c - Σ dy y) with the terms |y_c| (|dy_c| + Σ |dy y|); log-softmax,
  // dy_c - e^(y_c) Σ dy with |dy_c| + e^(y_c) Σ |dy|. The float kernels sum float products in
  // float lanes (a few roundings of the sum of magnitudes), so the bound is relative to those.
  // The float kernels also form dy_c - s (softmax), e^(y_c) and e^(y_c) s (log-softmax) in the
  // element type: where one of them leaves its range and the result does not, not compared.
  std::vector<Magnitude> row_abs(s.rows);
  std::vector<long double> row_sum(s.rows, 0);
  for (size_t r = 0; r < s.rows; ++r) {
    for (size_t c = 0; c < s.cols; ++c) {
      const size_t i = r * s.cols + c;
      const long double term = log ? static_cast<long double>(dy[i]) : static_cast<long double>(dy[i]) * y[i];
      row_abs[r].add(term);
      row_sum[r] += term;
    }
  }
  // A finite magnitude beyond the range: not compared; an infinite one (an Inf in y or dy) makes
  // the value Inf or NaN: compared exactly.
  auto beyond = [](long double v) { return std::isfinite(v) && !sum_in_range<Real>(v); };
  auto bound = [&](size_t i) {
    const Magnitude& row = row_abs[i / s.cols];
    const long double yi = y[i], dyi = std::fabs(static_cast<long double>(dy[i]));
    const long double sum = std::fabs(row_sum[i / s.cols]), e = std::exp(yi);
    if (beyond(row.finite) || (!log && beyond(dyi + sum)) || (log && (beyond(e) || beyond(e * sum)))) return kUnchecked;
    // An infinite Σ dy times an e^y that is 0 in the element type but not in double: NaN or ±Inf
    // depending on the type.
    if (log && row.special && e != 0 && static_cast<Real>(e) == 0) return kUnchecked;
    if (row.special) return 0.0;
    // e^y is a probability: relative above the probability floor, absolute (at it) below.
    const long double p = std::max<long double>(e, Type<Real>::probability_floor);
    const long double m = log ? dyi + p * row.finite : std::fabs(yi) * (dyi + 2 * row.finite);
    if (!std::isfinite(m)) return 0.0;
    // Products dy y that underflow in the float lanes carry a subnormal spacing each; the sum
    // reaches the output times y_c.
    const long double underflow = log ? 0 : static_cast<long double>(s.cols) * std::numeric_limits<Real>::denorm_min() * std::fabs(yi);
    return static_cast<double>(2 * Type<Real>::rel * m + 2 * underflow) + 4 * std::numeric_limits<Real>::denorm_min();
  };
  for (const Isa& isa : isas()) {
    if (isa.table == serial() && alias == 0) continue;
    Output<Real> got(s.size(), shift);
    if (alias == 1) {
      got.assign(y.data());
      run(isa, got.data(), dy.data(), got.data());
    } else if (alias == 2) {
      got.assign(dy.data());
      run(isa, y.data(), got.data(), got.data());
    } else {
      run(isa, y.data(), dy.data(), got.data());
    }
    tamper(isa, got);
    check_output(isa, got, kNames[kernel], alias == 0);
    check_input(isa, y, y_before, "y");
    check_input(isa, dy, dy_before, "dy");
    compare(isa, kNames[kernel], got, want, bound);
  }
}

template <typename Real>
void fuzz_type(Reader& in, Kernel kernel) {
  if (kernel == kSoftmaxBackward || kernel == kLogSoftmaxBackward) {
    backward<Real>(in, kernel);
  } else {
    softmax_family<Real>(in, kernel);
  }
}

}  // namespace

void fuzz_one(Reader& in) {
  const unsigned selector = in.byte();
  const auto kernel = static_cast<Kernel>((selector >> 1) % kKernels);
  by_dtype(selector, [&](auto zero) { fuzz_type<decltype(zero)>(in, kernel); });
}

// Seeds: each kernel and type on ordinary rows, on DESIGN.md's special rows, at vector tails, at
// the online block's edge (2049) and past the longest row that keeps its exponentials.
std::vector<std::vector<uint8_t>> seeds() {
  using namespace seed;
  std::vector<std::vector<uint8_t>> out;
  for (unsigned kernel = 0; kernel < kKernels; ++kernel) {
    for (unsigned dtype = 0; dtype < 2; ++dtype) {
      const unsigned selector = kernel << 1 | dtype;
      const bool rows_kernel = kernel < kSoftmaxBackward;
      // Options after the shape: softmax family, temperature, all-masked, in place (not for
      // log-sum-exp), shift; backward: mode, alias, shift.
      auto options = [&](Writer& w, unsigned temperature, unsigned masked, unsigned in_place, unsigned shift) {
        if (rows_kernel) {
          w.byte(temperature).byte(masked);
          if (kernel != kLogSumExp) w.byte(in_place);
          w.byte(shift);
        } else {
          w.byte(0).byte(in_place % 3).byte(shift);  // mode (y from the forward kernel, no edges), alias, shift
        }
      };
      {  // 5 x 17, ordinary values
        Writer w;
        w.byte(selector).byte(16).byte(0).byte(5);
        options(w, 0, 0, 0, 0);
        random(w, kRestOfAll, 7, 2);
        if (!rows_kernel) random(w, kRestOfAll, 8, 0);
        out.push_back(w.bytes);
      }
      {  // 8 rows of 33 (tails of every vector width), a special value in each row
        Writer w;
        w.byte(selector).byte(32).byte(0).byte(8);
        options(w, 4, 1, 1, 3);
        const Special kinds[8] = {Special::nan, Special::pos_inf, Special::neg_inf, Special::huge,
                                  Special::neg_huge, Special::denorm_min, Special::max, Special::neg_zero};
        for (Special k : kinds) {
          sparse(w, kRestOfRow, static_cast<unsigned>(k), 3, 5);
          special(w, k);
        }
        if (!rows_kernel) random(w, kRestOfAll, 9, 1);
        out.push_back(w.bytes);
      }
      {  // DESIGN.md's rows: [1, NaN, 2], [1, Inf, 2], [Inf, -Inf, 0], [-Inf, -Inf, -Inf], [-Inf, 0, 1]
        Writer w;
        w.byte(selector).byte(2).byte(0).byte(5);
        options(w, 0, dtype, 0, 1);
        explicit_values(w, 15);
        ordinary(w, 1), special(w, Special::nan), ordinary(w, 2);
        ordinary(w, 1), special(w, Special::pos_inf), ordinary(w, 2);
        special(w, Special::pos_inf), special(w, Special::neg_inf), ordinary(w, 0);
        special(w, Special::neg_inf), tie(w), tie(w);
        special(w, Special::neg_inf), ordinary(w, 0), ordinary(w, 1);
        if (!rows_kernel) random(w, kRestOfAll, 10, 0);
        out.push_back(w.bytes);
      }
      {  // 3 rows of 4097: the first 2048 masked (a whole -Inf block), ties, a NaN late in row 3
        Writer w;
        w.byte(selector).byte(232).byte(20).byte(3);  // edges[20] = 4097
        options(w, 3, 1, 0, 0);
        constant(w, kLen2048), special(w, Special::neg_inf);
        random(w, kRestOfRow, 11, 3);
        constant(w, kRestOfRow), ordinary(w, 5);
        random(w, kLen2049, 12, 4);
        sparse(w, kRestOfRow, 13, 1, 60), special(w, Special::nan);
        if (!rows_kernel) random(w, kRestOfAll, 14, 0);
        out.push_back(w.bytes);
      }
      {  // two rows just past the longest row that keeps its exponentials (the recompute paths)
        Writer w;
        w.byte(selector).byte(254).byte(6).byte(3);  // store_max + 3, 2 rows
        options(w, 5, 0, 1, 2);
        random(w, kRestOfAll, 15, 2);
        if (!rows_kernel) random(w, kRestOfAll, 16, 0);
        out.push_back(w.bytes);
      }
      if (!rows_kernel) {
        {  // y from the forward kernel with two edge values (a NaN, then 0 or -Inf), dy in place
          Writer w;
          w.byte(selector).byte(20).byte(0).byte(4);
          w.byte(2).byte(2).byte(0);
          random(w, kRestOfAll, 17, 2);
          w.u32(5).byte(2).u32(47).byte(0);
          sparse(w, kRestOfAll, 18, 0, 9), special(w, Special::huge);
          out.push_back(w.bytes);
        }
        {  // any y (mode 7), out over y
          Writer w;
          w.byte(selector).byte(8).byte(0).byte(6);
          w.byte(7).byte(1).byte(5);
          sparse(w, kRestOfAll, 19, 2, 4), special(w, Special::big);
          random(w, kRestOfAll, 20, 1);
          out.push_back(w.bytes);
        }
      }
    }
  }
  return out;
}

SSM_FUZZ_TARGET
