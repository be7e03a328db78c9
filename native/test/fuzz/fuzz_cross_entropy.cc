// Fuzz target: cross_entropy_rows, on every ISA this machine supports, float and double:
// class-index targets (labels in [0, cols), or equal to ignore_index, which may itself be a
// class) or soft targets (probability rows, one-hot rows, any non-negative values, any values);
// class weights or none; label smoothing in [0, 1]; any temperature > 0; the per-row losses, the
// gradient, both or neither (the sum alone); grad_scale and per-row factors; the gradient over the
// logits or over the soft targets, and (cols 1, where the binding allows it) the losses over them.
// The kernel trusts its caller for the rest (addon.cc checks labels, lengths, eps, temperature).
//
// Checks, per ISA: no sanitizer report, guards intact, outputs written, inputs unchanged, the sum
// and every loss and gradient within DESIGN.md's bounds of the serial kernel's (relative to the
// magnitudes each is a sum of: with weights of both signs the terms can cancel). The serial kernel
// is also held to the long-double formula of kernels.h on rows up to 4096 classes, and to loss 0 and
// gradient 0 on ignored rows.
#include "fuzz_common.h"

namespace {

using namespace fuzz;

constexpr size_t kReferenceMaxCols = 4096;

enum Alias { kOwn, kGradOverLogits, kGradOverTargets };
const char* const kAliasNames[] = {"own arrays", "grad over logits", "grad over soft targets"};

template <typename Real>
struct Case {
  using Args = typename Type<Real>::CrossEntropy;
  Shape s;
  bool soft, want_loss, want_grad;
  Alias alias;
  double eps, t, grad_scale;
  int32_t ignore;
  unsigned shift;
  Input<Real> x, targets, weight, row_scale;
  Input<int32_t> labels;
  bool has_weight, has_row_scale;

  Case(Shape shape, unsigned sh, bool soft_targets, bool weights, bool row_scales)
      : s(shape), soft(soft_targets), shift(sh), x(shape.size(), sh), targets(soft_targets ? shape.size() : 0, sh),
        weight(weights ? shape.cols : 0, sh), row_scale(row_scales ? shape.rows : 0, sh), labels(soft_targets ? 0 : shape.rows, sh),
        has_weight(weights), has_row_scale(row_scales) {}

  Args args() const {
    return Args{x.data(), s.rows, s.cols, soft ? nullptr : labels.data(), soft ? targets.data() : nullptr, ignore,
                has_weight ? weight.data() : nullptr, eps, t, nullptr, nullptr, grad_scale,
                has_row_scale ? row_scale.data() : nullptr};
  }
  double w(size_t c) const { return has_weight ? static_cast<double>(weight[c]) : 1.0; }
};

// Label smoothing: mostly 0, the usual 0.1, the ends, and any value in [0, 1].
double read_smoothing(Reader& in) {
  const unsigned c = in.byte();
  if (c < 128) return 0;
  if (c < 160) return 0.1;
  if (c < 176) return 1;
  if (c < 184) return 1e-7;
  return (c - 184) / 71.0;
}

int32_t read_ignore_index(Reader& in, size_t cols) {
  const unsigned c = in.byte();
  if (c < 160) return -100;
  if (c < 176) return 0;
  if (c < 192) return static_cast<int32_t>(cols - 1);
  if (c < 200) return std::numeric_limits<int32_t>::min();
  if (c < 208) return std::numeric_limits<int32_t>::max();
  if (c < 216) return -1;
  if (c < 224) return static_cast<int32_t>(cols);
  return static_cast<int32_t>(in.u16() % cols);
}

// The long-double facts of one row: the coefficients q_c of (lse - z_c), their sum and absolute
// sum, the probabilities p_c (in double: only the bounds use them), and the loss.
struct RowRef {
  bool ignored = false;
  // (m - x_c) / t, or the spread Σ u_c (m - x_c) / t that the SIMD kernels scale by eps/C last,
  // beyond double's range (logits near 1e308, or a temperature near 1e-300): PyTorch's x / T and
  // the serial kernel's (m - x) / t are −Inf there (0·Inf = NaN where q_c = 0), the SIMD kernels
  // form q_c (m - x_c) first, and the spread overflows before it is scaled. Such rows are not
  // compared.
  bool beyond_double = false;
  long double lse = NAN, loss = 0, loss_magnitude = 0, q_total = 0, q_abs = 0;
  // Products that underflow (subnormal weights) carry a subnormal spacing, scaled by what is
  // applied after them: the float kernels form u_c (m - x_c) and Σ u_c in the element type, then
  // scale by eps/C / T and log Σ; the serial kernel forms q_c in double, then scales by the gap.
  long double underflow = 0, serial_underflow = 0;
  // q_c, u_c, and the magnitude of q_c's own terms |w| ((1 - eps) |t| + eps/C), which is more
  // than |q_c| where soft targets are negative and the two terms cancel.
  std::vector<long double> q, u, q_mag;
  std::vector<double> p;
};

template <typename Real>
RowRef row_reference(const Case<Real>& k, size_t r, bool exact) {
  RowRef ref;
  const size_t cols = k.s.cols;
  const Real* x = k.x.data() + r * cols;
  const int32_t y = k.soft ? -1 : k.labels[r];
  if (!k.soft && y == k.ignore) {
    ref.ignored = true;
    return ref;
  }
  long double m = -INFINITY;
  bool nan = false;
  for (size_t c = 0; c < cols; ++c) {
    nan |= x[c] != x[c];
    m = std::max<long double>(m, x[c]);
  }
  ref.q.resize(cols);
  ref.u.resize(cols);
  ref.q_mag.resize(cols);
  ref.p.assign(cols, kNaN);
  const long double smooth = k.eps / static_cast<long double>(cols);
  for (size_t c = 0; c < cols; ++c) {
    const long double wc = k.w(c);
    ref.u[c] = k.soft ? wc * ((1 - k.eps) * static_cast<long double>(k.targets[r * cols + c]) + smooth) : wc;
    ref.q[c] = k.soft ? ref.u[c] : smooth * wc + (static_cast<int32_t>(c) == y ? (1 - k.eps) * wc : 0);
    ref.q_mag[c] = k.soft ? std::fabs(wc) * ((1 - k.eps) * std::fabs(static_cast<long double>(k.targets[r * cols + c])) + smooth)
                          : std::fabs(ref.q[c]);
    ref.q_total += ref.q[c];
    ref.q_abs += ref.q_mag[c];
  }
  if (nan || !std::isfinite(m)) return ref;  // special rows: the serial kernel defines them
  long double s = 0;
  if (exact) {
    for (size_t c = 0; c < cols; ++c) s += std::exp((x[c] - m) / k.t);
  } else {
    for (size_t c = 0; c < cols; ++c) s += std::exp(static_cast<double>((x[c] - m) / k.t));
  }
  const long double log_sum = std::log(s);
  ref.lse = m / k.t + log_sum;
  // Every class's term counts with soft targets or smoothing, so a −Inf logit with q_c = 0 makes
  // 0·Inf = NaN (PyTorch; serial.cc); with labels and no smoothing only the label's term does.
  const bool every_class = k.soft || k.eps != 0;
  long double spread = 0, spread_unscaled = 0, weights_abs = 0;
  for (size_t c = 0; c < cols; ++c) {
    const long double shifted = (x[c] - m) / k.t;  // z_c - m/t
    const long double gap = log_sum - shifted;     // lse - z_c >= 0
    if (ref.u[c] != 0) spread -= std::fabs(ref.u[c]) * shifted;
    if (ref.u[c] != 0 && std::isfinite(static_cast<double>(x[c]))) spread_unscaled += std::fabs(ref.u[c]) * (m - x[c]);
    weights_abs += std::fabs(static_cast<long double>(k.w(c)));
    ref.beyond_double |= -shifted >= max_finite<double>() || (m - x[c]) >= max_finite<double>();
    ref.p[c] = exact ? static_cast<double>(std::exp(-gap)) : std::exp(static_cast<double>(-gap));
    if (!every_class && static_cast<int32_t>(c) != y) continue;
    ref.loss += ref.q[c] * gap;
    if (ref.q[c] != 0) ref.loss_magnitude += ref.q_mag[c] * (1 + gap);
    if (ref.q[c] != 0) ref.serial_underflow += 2 * std::numeric_limits<double>::denorm_min() * (1 + gap);
  }
  // The SIMD kernels' double intermediates: the spread before and after 1/T and eps/C, W log Σ and
  // Q log Σ.
  const long double log_factor = 1 + std::fabs(log_sum);
  for (long double v : {spread, spread_unscaled, weights_abs * log_factor, ref.q_abs * log_factor}) {
    ref.beyond_double |= std::isfinite(v) && !sum_in_range<double>(v);
  }
  // u_c's own subnormal spacing reaches the loss times (m - x_c) / T (the spread) and log Σ (Q).
  long double reach = 0;
  for (size_t c = 0; c < cols; ++c) {
    if (std::isfinite(static_cast<double>(x[c]))) reach += (1 + (m - x[c])) / k.t + 1 + std::fabs(log_sum);
  }
  ref.underflow = 2 * std::numeric_limits<Real>::denorm_min() * reach;
  return ref;
}

template <typename Real>
void fuzz_type(Reader& in) {
  const Shape s = read_shape<Real>(in);
  const unsigned flags = in.byte(), target_mode = in.byte(), shift = in.byte() % 8;
  const bool soft = flags & 1, wild = flags & 0x80;
  Case<Real> k(s, shift, soft, flags & 2, flags & 0x10);
  k.want_loss = flags & 4;
  k.want_grad = flags & 8;
  unsigned alias = (flags >> 5) & 3;  // own, grad over logits, grad over targets (3: own)
  if (alias == 2 && !soft) alias = 1;
  if (alias == 3) alias = kOwn;  // kernels.h lets only grad_out be an input (addon.cc checks)
  if ((alias == kGradOverLogits || alias == kGradOverTargets) && !k.want_grad) alias = kOwn;
  k.alias = static_cast<Alias>(alias);
  Values<Real> values(in);
  k.eps = read_smoothing(in);
  k.t = read_temperature(in);
  k.grad_scale = read_grad_scale(in, values, s.rows);
  k.ignore = read_ignore_index(in, s.cols);
  values.fill(k.x.data(), k.x.size(), s.cols);
  if (soft) {
    switch (target_mode % 4) {
      case 0: {  // probability rows: the softmax of decoded logits
        Input<Real> z(s.size(), 0);
        values.fill(z.data(), z.size(), s.cols);
        Type<Real>::table(serial()).softmax_rows(z.data(), k.targets.data(), s.rows, s.cols, 1.0, SSM_ALL_MASKED_NAN);
        break;
      }
      case 1:  // one-hot rows
        for (size_t r = 0; r < s.rows; ++r) {
          const size_t hot = in.u16() % s.cols;
          for (size_t c = 0; c < s.cols; ++c) k.targets[r * s.cols + c] = c == hot;
        }
        break;
      case 2:  // any plausible non-negative values
        for (size_t i = 0; i < s.size(); ++i) k.targets[i] = auxiliary(in, values, false, true);
        break;
      default:  // anything
        values.fill(k.targets.data(), k.targets.size(), s.cols);
    }
  } else {
    for (size_t r = 0; r < s.rows; ++r) {
      const unsigned c = in.byte();
      k.labels[r] = c < 24 ? k.ignore : c < 40 ? 0 : c < 56 ? static_cast<int32_t>(s.cols - 1)
                                                            : static_cast<int32_t>((c << 8 | in.byte()) % s.cols);
    }
  }
  // Class weights are finite (kernels.h; addon.cc and lib/validate.ts check): a non-finite draw
  // becomes the largest magnitude of its sign, or 0.
  for (size_t c = 0; c < k.weight.size(); ++c) {
    const Real w = auxiliary(in, values, wild);
    k.weight[c] = std::isfinite(w) ? w : std::isnan(w) ? Real(0) : std::copysign(std::numeric_limits<Real>::max(), w);
  }
  for (size_t r = 0; r < k.row_scale.size(); ++r) k.row_scale[r] = auxiliary(in, values, wild);
  call_description() =
      format("cross_entropy_rows %s rows=%zu cols=%zu %s eps=%.17g temperature=%.17g grad_scale=%.17g ignore_index=%d "
             "weight=%d row_scale=%d loss=%d grad=%d %s wild=%d",
             Type<Real>::name, s.rows, s.cols, soft ? "soft" : "labels", k.eps, k.t, k.grad_scale, k.ignore, k.has_weight,
             k.has_row_scale, k.want_loss, k.want_grad, kAliasNames[k.alias], wild);

  // The serial kernel, every output, no aliasing: the reference.
  const auto x_before = k.x.snapshot(), t_before = k.targets.snapshot();
  Output<Real> loss(s.rows, shift), grad(s.size(), shift);
  auto args = k.args();
  args.loss_out = loss.data();
  args.grad_out = grad.data();
  const Isa& ser = isas()[0];
  const double total = Type<Real>::table(serial()).cross_entropy_rows(&args);
  check_output(ser, loss, "loss");
  check_output(ser, grad, "grad");
  check_input(ser, k.x, x_before, "logits");
  check_input(ser, k.targets, t_before, "target_probs");

  // The SIMD kernels sum the weights unscaled (W = Σ w_c, scaled by eps/C later): where that
  // leaves double's range and the serial kernel's per-class terms do not, nothing is compared.
  long double weights_abs = 0;
  for (size_t c = 0; c < k.weight.size(); ++c) weights_abs += std::fabs(static_cast<long double>(k.weight[c]));
  const bool weights_in_range = std::isnan(weights_abs) || std::isinf(weights_abs) || sum_in_range<double>(weights_abs);

  // Row facts; the serial kernel against kernels.h's formula on rows it can afford, and on
  // ignored rows.
  std::vector<RowRef> refs(s.rows);
  const bool exact = s.cols <= kReferenceMaxCols;
  long double total_magnitude = 0, total_underflow = 0;
  bool total_checked = true;
  for (size_t r = 0; r < s.rows; ++r) {
    RowRef& ref = refs[r] = row_reference(k, r, exact);
    total_magnitude += ref.loss_magnitude;
    if (std::isfinite(ref.underflow + ref.serial_underflow)) total_underflow += ref.underflow + ref.serial_underflow;
    ref.beyond_double |= !weights_in_range;
    // The float kernels sum each row's terms in float lanes: beyond the element type's range the
    // row's loss is not compared, nor is the sum.
    total_checked &= !ref.beyond_double && (!std::isfinite(ref.loss_magnitude) || sum_in_range<Real>(ref.loss_magnitude));
    if (ref.ignored) {
      bool zero = loss[r] == 0;
      for (size_t c = 0; c < s.cols; ++c) zero &= grad[r * s.cols + c] == 0;
      if (!zero) fail(ser.name, format("row %zu is ignored (label %d) but its loss or gradient is not 0", r, k.ignore));
      continue;
    }
    if (!exact || std::isnan(ref.lse) || ref.beyond_double || !sum_in_range<double>(ref.loss_magnitude)) continue;
    const double want = static_cast<double>(ref.loss);
    if (!within<Real>(loss[r], want, static_cast<double>(Type<Real>::rel * ref.loss_magnitude + ref.serial_underflow), Type<Real>::rel)) {
      fail(ser.name, format("loss[%zu] = %.17g; kernels.h's formula gives %.17g", r, static_cast<double>(loss[r]), want));
    }
  }

  // Bounds against the serial kernel (twice each kernel's own: both are held to the exact value).
  // Loss: relative to Σ |q_c| (1 + (lse - z_c)). Gradient (Q p_c - q_c) S, S = scale x row factor
  // / T: the probability's bound on Q p_c, the rounding of a few products on q_c, and the
  // subnormal spacing where intermediate products underflow.
  // An infinite magnitude (a −Inf logit with q_c != 0) makes the value itself infinite or NaN: those
  // are compared exactly (bound 0); finite magnitudes beyond the type's range are not compared.
  auto loss_bound = [&](size_t r) {
    const long double m = refs[r].loss_magnitude;
    if (refs[r].beyond_double) return kUnchecked;
    if (!std::isfinite(m)) return 0.0;
    if (!sum_in_range<Real>(m)) return kUnchecked;
    return static_cast<double>(2 * Type<Real>::rel * m + refs[r].underflow + refs[r].serial_underflow);
  };
  auto grad_bound = [&](size_t i) {
    const size_t r = i / s.cols, c = i % s.cols;
    const RowRef& ref = refs[r];
    if (ref.ignored || ref.q.empty()) return 0.0;
    if (ref.beyond_double) return kUnchecked;
    const long double factor = std::fabs(k.grad_scale * (k.has_row_scale ? static_cast<double>(k.row_scale[r]) : 1.0) / k.t);
    // An infinite factor (grad_scale or a per-row factor Inf, or 1/T beyond double) makes the row's
    // gradients Inf or NaN, which of the two depending on the order of the products: not compared.
    // The float kernels form S eps/C (or S), each u_c, Q = Σ u_c and Q S / sum in the element
    // type: beyond its range, not compared.
    if (!std::isfinite(factor) || !sum_in_range<Real>(factor) || !sum_in_range<Real>(ref.q_abs * factor) ||
        (std::isfinite(ref.q_abs) && !sum_in_range<Real>(ref.q_abs))) {
      return kUnchecked;
    }
    if (!std::isfinite(ref.q_abs)) return 0.0;
    const long double d = std::min<long double>(-std::log(std::max(ref.p[c], 1e-300)), 1e6);
    const long double qp = ref.q_abs * std::max(ref.p[c], Type<Real>::probability_floor);
    const long double b = ((Type<Real>::rel + Type<Real>::unit * d) * qp + Type<Real>::rel * (qp + ref.q_mag[c])) * factor;
    // Products that underflow: the float kernel's factors in Real, each u_c (subnormal weights),
    // scaled by S in the gradient, and whose errors add up in Q = Σ u_c and reach the gradient as
    // Q p_c S; the serial kernel forms q_c in double and then scales it by S.
    const double tiny = std::numeric_limits<Real>::denorm_min(), tiny_double = std::numeric_limits<double>::denorm_min();
    const long double q_underflow = static_cast<long double>(s.cols) * tiny * ref.p[c] * factor;
    return static_cast<double>(2 * b + 4 * (tiny + tiny_double) * factor + 2 * q_underflow) +
           4 * tiny * (1 + static_cast<double>(std::fabs(ref.u[c])));
  };

  for (const Isa& isa : isas()) {
    if (isa.table == serial() && k.alias == kOwn) continue;
    Output<Real> got_loss(k.want_loss ? s.rows : 0, shift), got_grad(k.want_grad ? s.size() : 0, shift);
    auto a = k.args();
    a.loss_out = k.want_loss ? got_loss.data() : nullptr;
    a.grad_out = k.want_grad ? got_grad.data() : nullptr;
    switch (k.alias) {
      case kGradOverLogits: got_grad.assign(k.x.data()), a.logits = got_grad.data(); break;
      case kGradOverTargets: got_grad.assign(k.targets.data()), a.target_probs = got_grad.data(); break;
      case kOwn: break;
    }
    const double got_total = Type<Real>::table(isa.table).cross_entropy_rows(&a);
    tamper(isa, k.want_grad ? got_grad : got_loss);
    const bool grad_aliased = k.alias == kGradOverLogits || k.alias == kGradOverTargets;
    check_output(isa, got_loss, "loss", true);
    check_output(isa, got_grad, "grad", !grad_aliased);
    check_input(isa, k.x, x_before, "logits");
    check_input(isa, k.targets, t_before, "target_probs");
    const double total_tol = !total_checked                           ? kUnchecked
                             : !std::isfinite(total_magnitude)          ? 0.0
                             : sum_in_range<double>(total_magnitude) ? static_cast<double>(2 * Type<Real>::rel * total_magnitude + total_underflow)
                                                                     : kUnchecked;
    if (isa.table == serial() ? !identical(got_total, total)
                              : total_tol != kUnchecked && !within<double>(got_total, total, total_tol, Type<Real>::rel)) {
      fail(isa.name, format("the returned sum: got %.17g, want %.17g (serial), bound %.3g", got_total, total, total_tol));
    }
    if (k.want_loss) compare(isa, "loss", got_loss, loss, loss_bound);
    if (k.want_grad) compare(isa, "grad", got_grad, grad, grad_bound);
  }
}

}  // namespace

void fuzz_one(Reader& in) {
  by_dtype(in.byte(), [&](auto zero) { fuzz_type<decltype(zero)>(in); });
}

// Seeds: labels and soft targets, with and without weights and smoothing, in place, at tails,
// block edges and past the store limit; rows of special values.
std::vector<std::vector<uint8_t>> seeds() {
  using namespace seed;
  std::vector<std::vector<uint8_t>> out;
  // flags: 1 soft, 2 weight, 4 loss, 8 grad, 0x10 row scale, 0x20/0x40 alias, 0x80 wild.
  struct Variant {
    unsigned a, b, r, flags, target_mode, eps, temperature, scale, ignore;
  };
  const Variant variants[] = {
      {16, 0, 7, 4 | 8, 0, 0, 0, 0, 0},                    // 7 x 17 labels, loss and grad
      {16, 0, 7, 2 | 4 | 8 | 0x20, 0, 150, 4, 100, 0},     // weights, eps 0.1, T 0.7, mean, grad over logits
      {32, 0, 8, 1 | 4 | 8, 0, 0, 0, 0, 0},                // 8 x 33 soft probability rows
      {32, 0, 8, 1 | 2 | 8 | 0x40, 1, 150, 5, 0, 0},       // one-hot soft targets, grad over them
      {4, 0, 5, 1 | 4 | 0x10 | 8, 2, 180, 3, 130, 0},      // any non-negative soft targets, row scales
      {0, 0, 6, 4 | 8 | 0x60, 0, 0, 0, 0, 0},              // cols 1, loss over the logits
      {232, 17, 3, 2 | 4 | 8, 0, 150, 0, 0, 230},          // 2049 classes, an ignore index in range
      {232, 20, 2, 1 | 4 | 8, 0, 0, 4, 0, 0},              // 4097 classes, soft
      {254, 6, 3, 4 | 8 | 0x20, 0, 150, 0, 0, 0},          // past the store limit, in place
      {254, 6, 3, 4, 0, 0, 0, 0, 0},                       // past the store limit, loss alone
      {100, 0, 4, 2 | 4 | 8 | 0x80, 3, 200, 14, 240, 0},   // wild weights, any soft targets, T 1e300
  };
  unsigned n = 0;
  for (const Variant& v : variants) {
    for (unsigned dtype = 0; dtype < 2; ++dtype, ++n) {
      Writer w;
      w.byte(dtype).byte(v.a).byte(v.b).byte(v.r).byte(v.flags).byte(v.target_mode).byte(n % 8);
      w.byte(v.eps).byte(v.temperature).byte(v.scale);
      if (v.scale >= 152 && v.scale < 224) w.byte(0x40);
      if (v.scale >= 224) ordinary(w, 0.75);
      w.byte(v.ignore);
      if (v.ignore >= 224) w.u16(7);
      // Logits: ordinary rows with specials sprinkled in the second half of the seeds.
      if (n % 4 == 3) {
        sparse(w, kRestOfAll, 100 + n, 2, 11), special(w, n % 8 == 3 ? Special::neg_inf : Special::nan);
      } else {
        random(w, kRestOfAll, 100 + n, 2);
      }
      if ((v.flags & 1) && v.target_mode % 4 == 0) random(w, kRestOfAll, 200 + n, 1);
      if ((v.flags & 1) && v.target_mode % 4 == 1) {
        for (unsigned r = 0; r < 64; ++r) w.u16(r * 7);
      }
      if (!(v.flags & 1)) {
        for (unsigned r = 0; r < 64; ++r) w.byte(r == 1 ? 0 : 56 + r).byte(r * 29);
      }
      out.push_back(w.bytes);
    }
  }
  {  // rows of special logits with weights and smoothing: NaN, +Inf, a -Inf at the label, all -Inf
    for (unsigned dtype = 0; dtype < 2; ++dtype) {
      Writer w;
      w.byte(dtype).byte(3).byte(0).byte(4).byte(2 | 4 | 8).byte(0).byte(0).byte(150).byte(0).byte(0).byte(0);
      explicit_values(w, 16);
      ordinary(w, 1), special(w, Special::nan), ordinary(w, 2), ordinary(w, 3);
      ordinary(w, 1), special(w, Special::pos_inf), ordinary(w, 2), ordinary(w, 3);
      special(w, Special::neg_inf), ordinary(w, 0.5), ordinary(w, 2), ordinary(w, 3);
      special(w, Special::neg_inf), tie(w), tie(w), tie(w);
      for (unsigned r = 0; r < 4; ++r) w.byte(40);  // label 0
      out.push_back(w.bytes);
    }
  }
  return out;
}

SSM_FUZZ_TARGET
