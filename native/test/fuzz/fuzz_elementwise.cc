// Fuzz target: the element-wise kernels, on every ISA this machine supports, float and double:
//   sigmoid, log_sigmoid (in place or not);
//   bce_with_logits: targets in [0, 1] or any, weights per element or per class or none,
//     pos_weight or none, the losses, the gradient, both or neither (the sum alone), grad_scale and
//     per-element factors, each output over x or the targets (kernels.h allows both);
//   regression: L1, L2, MSE, Huber (delta > 0), smooth L1 (beta > 0), the same outputs.
// Input: a selector byte (bit 0: double; (byte >> 1) % 4: the kernel), the shape, options, values.
// Checks, per ISA: no sanitizer report, guards intact, outputs written, inputs unchanged, values
// within DESIGN.md's bounds of the serial kernel's, relative to the magnitudes each result is
// formed from. The serial kernels are also held to a long-double reference on finite inputs.
#include "fuzz_common.h"

namespace {

using namespace fuzz;

enum Kernel { kSigmoid, kLogSigmoid, kBce, kRegression, kKernels };
const char* const kNames[kKernels] = {"sigmoid", "log_sigmoid", "bce_with_logits", "regression"};
const char* const kRegressionNames[] = {"l1", "l2", "mse", "huber", "smooth_l1"};

// σ(x) and log σ(x) in long double.
long double sigmoid_ref(long double x) {
  const long double e = std::exp(-std::fabs(x));
  return (x < 0 ? e : 1) / (1 + e);
}
long double log_sigmoid_ref(long double x) { return std::min<long double>(x, 0) - std::log1p(std::exp(-std::fabs(x))); }

template <typename Real>
void sigmoids(Reader& in, Kernel kernel) {
  const Shape s = read_shape<Real>(in);
  const bool in_place = in.byte() & 1;
  const unsigned shift = in.byte() % 8;
  Values<Real> values(in);
  Input<Real> x(s.size(), shift);
  values.fill(x.data(), x.size(), s.cols);
  call_description() = format("%s %s n=%zu in_place=%d", kNames[kernel], Type<Real>::name, s.size(), in_place);
  auto run = [&](const Isa& isa, const Real* xp, Real* out) {
    const auto& k = Type<Real>::table(isa.table);
    (kernel == kSigmoid ? k.sigmoid : k.log_sigmoid)(xp, out, s.size());
  };
  const auto before = x.snapshot();
  Output<Real> want(s.size(), shift);
  run(isas()[0], x.data(), want.data());
  check_output(isas()[0], want, kNames[kernel]);
  check_input(isas()[0], x, before, "x");
  // The serial kernel against long double (relative above the probability floor), and exactly at
  // the special values: σ(NaN) NaN, σ(+Inf) 1, σ(-Inf) 0; log σ(+Inf) 0, log σ(-Inf) -Inf.
  for (size_t i = 0; i < s.size(); ++i) {
    const long double ref = kernel == kSigmoid ? sigmoid_ref(x[i]) : log_sigmoid_ref(x[i]);
    const double w = static_cast<double>(ref);
    const double tol = Type<Real>::rel * std::max(std::fabs(w), Type<Real>::probability_floor);
    const bool ok = std::isfinite(static_cast<double>(x[i])) ? within<Real>(want[i], w, tol, Type<Real>::rel)
                                                             : identical(want[i], w) || (w == 0 && want[i] == 0);
    if (!ok) fail(isas()[0].name, format("%s(%.17g) = %.17g; the reference is %.17g", kNames[kernel], static_cast<double>(x[i]), static_cast<double>(want[i]), w));
  }
  auto bound = [&](size_t i) { return 2 * Type<Real>::rel * std::max(std::fabs(static_cast<double>(want[i])), Type<Real>::probability_floor); };
  for (const Isa& isa : isas()) {
    if (isa.table == serial() && !in_place) continue;
    Output<Real> got(s.size(), shift);
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
  }
}

// Where an output goes: its own array, or over the first input (x, input) or the second (target).
enum Place { kOwn, kOverFirst, kOverSecond };

// The outputs an element-wise loss call asks for, and where they go. kernels.h lets either output
// be either input; addon.cc also keeps the two outputs apart.
struct Outputs {
  bool loss, grad, element_scale;
  Place loss_place, grad_place;
};

Outputs read_outputs(Reader& in) {
  const unsigned f = in.byte();
  Outputs o{(f & 1) != 0, (f & 2) != 0, (f & 4) != 0, static_cast<Place>((f >> 3) % 3), static_cast<Place>((f >> 5) % 3)};
  if (!o.loss) o.loss_place = kOwn;
  if (!o.grad) o.grad_place = kOwn;
  if (o.loss_place != kOwn && o.loss_place == o.grad_place) o.grad_place = kOwn;
  return o;
}

const char* place_name(Place p, const char* first) { return p == kOwn ? "own" : p == kOverFirst ? first : "target"; }

// The first input (x, input) or the target of a call, replaced by `p`.
void set_input(bce_args_f32& a, bool first, float* p) { (first ? a.x : a.target) = p; }
void set_input(bce_args_f64& a, bool first, double* p) { (first ? a.x : a.target) = p; }
void set_input(regression_args_f32& a, bool first, float* p) { (first ? a.input : a.target) = p; }
void set_input(regression_args_f64& a, bool first, double* p) { (first ? a.input : a.target) = p; }

// Runs an element-wise loss kernel on every ISA against the serial one. `args` has the inputs;
// loss_bound(i), grad_bound(i) and total_bound are absolute bounds against the serial values.
template <typename Real, class Args, class Member, class LossBound, class GradBound>
void losses_vs_serial(const char* name, Member kernel, Args args, const Outputs& o,
                      Input<Real>& first, Input<Real>& second, const Input<Real>& element_scale, unsigned shift,
                      LossBound loss_bound, GradBound grad_bound, double total_bound) {
  const size_t n = first.size();
  const auto first_before = first.snapshot(), second_before = second.snapshot();
  const Isa& ser = isas()[0];
  Output<Real> loss(n, shift), grad(n, shift);
  args.loss_out = loss.data();
  args.grad_out = grad.data();
  args.grad_element_scale = o.element_scale ? element_scale.data() : nullptr;
  const double total = (Type<Real>::table(serial()).*kernel)(&args);
  check_output(ser, loss, "loss");
  check_output(ser, grad, "grad");
  check_input(ser, first, first_before, "the first input");
  check_input(ser, second, second_before, "target");
  // Without a loss output the kernels return the sum only when there is no gradient either.
  const double want_total = o.loss || !o.grad ? total : 0.0;

  for (const Isa& isa : isas()) {
    if (isa.table == serial() && o.loss_place == kOwn && o.grad_place == kOwn) continue;
    Output<Real> got_loss(o.loss ? n : 0, shift), got_grad(o.grad ? n : 0, shift);
    Args a = args;
    a.loss_out = o.loss ? got_loss.data() : nullptr;
    a.grad_out = o.grad ? got_grad.data() : nullptr;
    // An output over an input: a copy of that input, passed as both.
    auto place = [&](Output<Real>& out, Place p) {
      if (p == kOwn) return;
      out.assign((p == kOverFirst ? first : second).data());
      set_input(a, p == kOverFirst, out.data());
    };
    place(got_loss, o.loss_place);
    place(got_grad, o.grad_place);
    const double got_total = (Type<Real>::table(isa.table).*kernel)(&a);
    tamper(isa, o.grad ? got_grad : got_loss);
    check_output(isa, got_loss, "loss", o.loss_place == kOwn);
    check_output(isa, got_grad, "grad", o.grad_place == kOwn);
    check_input(isa, first, first_before, "the first input");
    check_input(isa, second, second_before, "target");
    const bool exact = isa.table == serial();
    const double g = in_type<Real>(got_total), w = in_type<Real>(want_total);
    if (exact ? !identical(got_total, want_total) : total_bound != kUnchecked && !within<Real>(g, w, total_bound, Type<Real>::rel)) {
      fail(isa.name, format("%s: the returned sum: got %.17g, want %.17g (serial), bound %.3g", name, got_total, want_total, total_bound));
    }
    if (o.loss) compare(isa, "loss", got_loss, loss, loss_bound);
    if (o.grad) compare(isa, "grad", got_grad, grad, grad_bound);
  }
}


template <typename Real>
void bce(Reader& in) {
  const Shape s = read_shape<Real>(in);
  const size_t n = s.size();
  const Outputs o = read_outputs(in);
  const unsigned mode = in.byte(), shift = in.byte() % 8;
  const bool wild = mode & 0x80;
  const unsigned weight_mode = mode % 3;  // none, per element, per class
  const bool has_pos_weight = mode & 4, any_targets = mode & 8;
  Values<Real> values(in);
  const double grad_scale = read_grad_scale(in, values, n);
  Input<Real> x(n, shift), t(n, shift), weight(weight_mode == 1 ? n : weight_mode == 2 ? s.cols : 0, shift),
      pos_weight(has_pos_weight ? s.cols : 0, shift), element_scale(o.element_scale ? n : 0, shift);
  values.fill(x.data(), n, s.cols);
  if (any_targets) {
    values.fill(t.data(), n, s.cols);
  } else {
    for (size_t i = 0; i < n; ++i) {
      const unsigned c = in.byte();
      t[i] = static_cast<Real>(c < 64 ? 0.0 : c < 128 ? 1.0 : (c - 128) / 127.0);
    }
  }
  for (size_t i = 0; i < weight.size(); ++i) weight[i] = auxiliary(in, values, wild);
  for (size_t i = 0; i < pos_weight.size(); ++i) pos_weight[i] = auxiliary(in, values, wild, !wild);
  for (size_t i = 0; i < element_scale.size(); ++i) element_scale[i] = auxiliary(in, values, wild);
  call_description() = format("bce_with_logits %s rows=%zu cols=%zu weight=%s pos_weight=%d targets=%s grad_scale=%.17g "
                              "loss=%d (%s) grad=%d (%s) element_scale=%d wild=%d",
                              Type<Real>::name, s.rows, s.cols, weight_mode == 0 ? "none" : weight_mode == 1 ? "element" : "class",
                              has_pos_weight, any_targets ? "any" : "[0,1]", grad_scale, o.loss, place_name(o.loss_place, "x"),
                              o.grad, place_name(o.grad_place, "x"), o.element_scale, wild);

  // Per element, in long double: the loss, and the magnitudes the loss and the gradient are formed
  // from: |w| (|linear part| + |l| softplus) and |w| (|l| σ + |pw t|) |scale · factor|, with
  // l = 1 + (pw - 1) t and its own magnitude 1 + |pw - 1| |t|. A float kernel forms l, pw t and
  // the linear part in float: where one of them leaves the float range (pos_weight 3e38 with a
  // target of 1e21) and the result does not, the element is not compared.
  std::vector<long double> ref(n), loss_mag(n), grad_mag(n), slack(n);
  std::vector<bool> checked(n);
  bool all_checked = true;
  Magnitude total_mag;
  for (size_t i = 0; i < n; ++i) {
    const size_t c = i % s.cols;
    const long double xi = x[i], ti = t[i];
    const long double wi = weight_mode == 1 ? weight[i] : weight_mode == 2 ? weight[c] : 1;
    const long double pw = has_pos_weight ? pos_weight[c] : 1;
    const long double l = 1 + (pw - 1) * ti, l_mag = 1 + std::fabs(pw - 1) * std::fabs(ti);
    const long double sp = std::log1p(std::exp(-std::fabs(xi)));
    const long double linear = xi >= 0 ? (1 - ti) * xi : -pw * ti * xi;
    ref[i] = wi * (linear + l * sp);
    // σ(x) and softplus(-|x|) = log1p(e^-|x|) come from e^-|x|: relative above the probability
    // floor, absolute (at it) below.
    const long double floor = Type<Real>::probability_floor;
    loss_mag[i] = std::fabs(wi) * ((xi >= 0 ? (1 + std::fabs(ti)) * std::fabs(xi) : std::fabs(pw * ti * xi)) + l_mag * std::max(sp, floor));
    grad_mag[i] = std::fabs(wi) * (l_mag * std::max(sigmoid_ref(xi), floor) + std::fabs(pw * ti)) *
                  std::fabs(grad_scale * (o.element_scale ? static_cast<double>(element_scale[i]) : 1.0));
    // A product that underflows (pw t, a subnormal pos_weight or weight) carries the subnormal
    // spacing, times the factors applied after it.
    slack[i] = 4 * std::numeric_limits<Real>::denorm_min() * (1 + std::fabs(wi)) * (1 + std::fabs(xi) + l_mag);
    const long double factor = std::fabs(grad_scale * (o.element_scale ? static_cast<double>(element_scale[i]) : 1.0));
    const long double intermediates[] = {l_mag, std::fabs(pw * ti), std::fabs(pw * ti * xi), (1 + std::fabs(ti)) * std::fabs(xi),
                                         std::fabs(wi) * (l_mag + std::fabs(pw * ti)), factor};
    // Non-finite targets, weights or factors (garbage in): Inf or NaN depends on the order of the
    // products and on what underflows in the element type; only the memory checks apply.
    checked[i] = std::isfinite(ti) && std::isfinite(wi) && std::isfinite(pw) && std::isfinite(factor);
    for (long double v : intermediates) checked[i] = checked[i] && (std::isnan(v) || std::isinf(v) || sum_in_range<Real>(v));
    all_checked &= checked[i];
    total_mag.add(std::isnan(loss_mag[i]) ? INFINITY : loss_mag[i]);
  }

  typename Type<Real>::Bce args{x.data(), t.data(), n, s.cols, weight_mode ? weight.data() : nullptr, weight_mode == 1,
                                has_pos_weight ? pos_weight.data() : nullptr, nullptr, nullptr, grad_scale, nullptr};
  // The serial kernel's losses on finite inputs against the long-double formula.
  {
    Output<Real> loss(n, shift);
    auto a = args;
    a.loss_out = loss.data();
    Type<Real>::table(serial()).bce_with_logits(&a);
    for (size_t i = 0; i < n; ++i) {
      if (!checked[i] || !std::isfinite(loss_mag[i]) || !sum_in_range<Real>(loss_mag[i])) continue;
      if (!within<Real>(loss[i], static_cast<double>(ref[i]), static_cast<double>(Type<Real>::rel * loss_mag[i] + slack[i]), Type<Real>::rel)) {
        fail(isas()[0].name, format("bce loss[%zu] = %.17g; the formula gives %.17Lg", i, static_cast<double>(loss[i]), ref[i]));
      }
    }
  }
  const double tiny = std::numeric_limits<Real>::denorm_min();
  auto loss_bound = [&](size_t i) {
    if (!checked[i]) return kUnchecked;
    if (!std::isfinite(loss_mag[i])) return 0.0;
    return sum_in_range<Real>(loss_mag[i]) ? static_cast<double>(2 * Type<Real>::rel * loss_mag[i] + 2 * slack[i]) : kUnchecked;
  };
  auto grad_bound = [&](size_t i) {
    if (!checked[i]) return kUnchecked;
    if (!std::isfinite(grad_mag[i])) return 0.0;
    if (!sum_in_range<Real>(grad_mag[i])) return kUnchecked;
    // The float kernel scales by grad_scale x factor formed in float, which may be subnormal.
    const long double factor = std::fabs(grad_scale * (o.element_scale ? static_cast<double>(element_scale[i]) : 1.0));
    const long double unscaled = factor > 0 ? grad_mag[i] / factor : 0;
    return static_cast<double>(2 * Type<Real>::rel * grad_mag[i] + 4 * tiny * (1 + unscaled) + 2 * slack[i] * (1 + factor));
  };
  // The sum: each element's bound, its subnormal slack too (losses that underflow in the element
  // type add their spacing up).
  long double total_slack = 0;
  for (size_t i = 0; i < n; ++i) total_slack += slack[i];
  const double total_rel = all_checked ? sum_bound<Real>(total_mag, 2 * Type<Real>::rel) : kUnchecked;
  losses_vs_serial<Real>("bce_with_logits", &Type<Real>::Table::bce_with_logits, args, o, x, t, element_scale, shift, loss_bound,
                         grad_bound, total_rel == kUnchecked ? kUnchecked : total_rel + static_cast<double>(2 * total_slack));
}

// A Huber delta or smooth-L1 beta (> 0 and finite, as addon.cc requires): 1, fractions, multiples,
// small and large values, any magnitude over 2^-64..2^63.
double read_param(Reader& in) {
  static const double params[8] = {1, 1, 0.5, 2, 1e-3, 1e3, 0.1, 10};
  const unsigned c = in.byte();
  if (c < 160) return params[c % 8];
  return std::ldexp(1.0 + in.byte() / 256.0, static_cast<int>(c % 128) - 64);
}

// Loss and gradient of one difference, in long double (PyTorch's branch form, as kernels.h).
long double regression_loss(int kind, long double d, long double a) {
  const long double ad = std::fabs(d);
  switch (kind) {
    case SSM_L1: return ad;
    case SSM_L2: return d * d / 2;
    case SSM_MSE: return d * d;
    case SSM_HUBER: return ad < a ? d * d / 2 : a * (ad - a / 2);
    default: return ad < a ? d * d / (2 * a) : ad - a / 2;
  }
}

template <typename Real>
void regression(Reader& in) {
  const Shape s = read_shape<Real>(in);
  const size_t n = s.size();
  const Outputs o = read_outputs(in);
  const unsigned options = in.byte(), shift = in.byte() % 8;
  const int kind = static_cast<int>(options % 5);
  const bool wild = options & 0x80;
  const double param = kind == SSM_HUBER || kind == SSM_SMOOTH_L1 ? read_param(in) : 0.0;
  Values<Real> values(in);
  const double grad_scale = read_grad_scale(in, values, n);
  Input<Real> input(n, shift), target(n, shift), element_scale(o.element_scale ? n : 0, shift);
  values.fill(input.data(), n, s.cols);
  // Targets: any values, or the inputs moved by small steps (the kinks at |d| = 0 and |d| = param).
  if (options & 8) {
    for (size_t i = 0; i < n; ++i) {
      const unsigned c = in.byte();
      const double step = c < 64 ? 0.0 : c < 128 ? param : c < 192 ? -param : (c - 224) / 16.0;
      target[i] = static_cast<Real>(input[i] + step);
    }
  } else {
    values.fill(target.data(), n, s.cols);
  }
  for (size_t i = 0; i < element_scale.size(); ++i) element_scale[i] = auxiliary(in, values, wild);
  call_description() = format("regression %s %s n=%zu param=%.17g grad_scale=%.17g loss=%d (%s) grad=%d (%s) element_scale=%d wild=%d",
                              kRegressionNames[kind], Type<Real>::name, n, param, grad_scale, o.loss, place_name(o.loss_place, "input"),
                              o.grad, place_name(o.grad_place, "input"), o.element_scale, wild);

  // Per element: the loss is its own magnitude (no cancellation); the gradient's is |d| (L2),
  // 2|d| (MSE), min(|d|, delta) (Huber), min(|d| / beta, 1) (smooth L1), 1 (L1), times the
  // factors. A float kernel forms d = input - target, 2d (MSE), d^2 (L2) and grad_scale times the
  // element's factor in float: where one of them leaves the float range and the result does not,
  // the element is not compared.
  std::vector<long double> ref(n), grad_mag(n), unscaled(n);
  std::vector<bool> d_in_range(n);
  Magnitude total_mag;
  for (size_t i = 0; i < n; ++i) {
    const long double d = static_cast<long double>(input[i]) - target[i], ad = std::fabs(d);
    const long double factor = std::fabs(grad_scale * (o.element_scale ? static_cast<double>(element_scale[i]) : 1.0));
    ref[i] = regression_loss(kind, d, param);
    const long double intermediates[] = {ad, kind == SSM_MSE ? 2 * ad : 0, kind == SSM_L2 ? ad * ad : 0, factor};
    d_in_range[i] = true;
    for (long double v : intermediates) d_in_range[i] = d_in_range[i] && (std::isnan(v) || sum_in_range<Real>(v));
    // An infinite input makes d infinite in both kernels: compared.
    if (std::isinf(static_cast<double>(input[i])) || std::isinf(static_cast<double>(target[i]))) d_in_range[i] = true;
    const long double g = kind == SSM_L1 ? 1 : kind == SSM_L2 ? ad : kind == SSM_MSE ? 2 * ad
                          : kind == SSM_HUBER ? std::min<long double>(ad, param) : std::min<long double>(ad / param, 1);
    unscaled[i] = g;
    grad_mag[i] = g * std::fabs(grad_scale * (o.element_scale ? static_cast<double>(element_scale[i]) : 1.0));
    total_mag.add(std::isnan(ref[i]) ? INFINITY : ref[i]);
  }
  typename Type<Real>::Regression args{kind, input.data(), target.data(), n, param, nullptr, nullptr, grad_scale, nullptr};
  {  // the serial kernel's losses on finite differences against the long-double formula
    Output<Real> loss(n, shift);
    auto a = args;
    a.loss_out = loss.data();
    Type<Real>::table(serial()).regression(&a);
    for (size_t i = 0; i < n; ++i) {
      if (std::isnan(ref[i]) || std::isinf(ref[i])) continue;
      const double w = static_cast<double>(ref[i]);
      if (!within<Real>(loss[i], w, Type<Real>::rel * std::fabs(w), Type<Real>::rel)) {
        fail(isas()[0].name, format("%s loss[%zu] = %.17g; the formula gives %.17g", kRegressionNames[kind], i, static_cast<double>(loss[i]), w));
      }
    }
  }
  const double tiny = std::numeric_limits<Real>::denorm_min();
  auto loss_bound = [&](size_t i) {
    if (!d_in_range[i]) return kUnchecked;
    return 2 * Type<Real>::rel * std::fabs(static_cast<double>(ref[i]));
  };
  auto grad_bound = [&](size_t i) {
    if (!d_in_range[i]) return kUnchecked;
    if (!std::isfinite(grad_mag[i])) return 0.0;
    // grad_scale times the element's factor, formed in the element type, may be subnormal; so may
    // the unscaled gradient (d / beta), whose spacing the factor then scales.
    const long double factor = std::fabs(grad_scale * (o.element_scale ? static_cast<double>(element_scale[i]) : 1.0));
    return static_cast<double>(2 * Type<Real>::rel * grad_mag[i] + 4 * tiny * (1 + unscaled[i]) + 2 * tiny * factor);
  };
  bool totals_in_range = true;
  for (size_t i = 0; i < n; ++i) totals_in_range &= d_in_range[i];
  losses_vs_serial<Real>(kRegressionNames[kind], &Type<Real>::Table::regression, args, o, input, target, element_scale, shift,
                         loss_bound, grad_bound, totals_in_range ? sum_bound<Real>(total_mag, 2 * Type<Real>::rel) : kUnchecked);
}

template <typename Real>
void fuzz_type(Reader& in, Kernel kernel) {
  switch (kernel) {
    case kSigmoid:
    case kLogSigmoid: sigmoids<Real>(in, kernel); break;
    case kBce: bce<Real>(in); break;
    default: regression<Real>(in);
  }
}

}  // namespace

void fuzz_one(Reader& in) {
  const unsigned selector = in.byte();
  const auto kernel = static_cast<Kernel>((selector >> 1) % kKernels);
  by_dtype(selector, [&](auto zero) { fuzz_type<decltype(zero)>(in, kernel); });
}

// Seeds: each kernel and type on values around the special points (sigmoid's saturation,
// exp's edges), every weight mode and output placement, every regression kind at its kinks.
std::vector<std::vector<uint8_t>> seeds() {
  using namespace seed;
  std::vector<std::vector<uint8_t>> out;
  for (unsigned dtype = 0; dtype < 2; ++dtype) {
    for (unsigned kernel : {kSigmoid, kLogSigmoid}) {
      for (unsigned v = 0; v < 3; ++v) {
        Writer w;
        w.byte(kernel << 1 | dtype);
        if (v == 2) {
          w.byte(232).byte(14).byte(2).byte(1).byte(3);  // 2 x 1025, in place
        } else {
          w.byte(16 + 16 * v).byte(0).byte(3 + v).byte(v).byte(v);
        }
        sparse(w, kRestOfAll, 30 + v, v == 0 ? 4 : 3, 3);  // scale 100 or 30: past exp's edges
        special(w, v == 1 ? Special::nan : Special::neg_inf);
        out.push_back(w.bytes);
      }
    }
    // BCE: outputs f = loss 1, grad 2, factors 4, loss place (f >> 3) % 3, grad place (f >> 5) % 3;
    // mode = weights % 3, 4 pos_weight, 8 any targets, 0x80 wild.
    const unsigned bce_variants[][5] = {{16, 5, 1 | 2, 0, 0},          {16, 5, 2 | 4, 1, 0},
                                        {32, 8, 1 | 2 | 4, 2 | 4, 0}, {9, 3, 1 | (1 << 3), 2, 0},
                                        {9, 3, 2 | (2 << 5), 4, 0},   {232, 14, 1, 2 | 4, 0},
                                        {4, 6, 0, 1 | 8, 0},          {20, 4, 1 | 2, 2 | 4 | 0x80, 0}};
    for (const auto& v : bce_variants) {
      Writer w;
      w.byte(kBce << 1 | dtype).byte(v[0]).byte(v[1]).byte(v[2]).byte(v[3]).byte(v[4]).byte(v[3] % 8).byte(0);
      sparse(w, kRestOfAll, v[0] + v[3], 2, 7), special(w, Special::pos_inf);
      for (unsigned i = 0; i < 64; ++i) w.byte(i * 37);  // targets, weights...
      out.push_back(w.bytes);
    }
    // Regression: each kind; targets at the kinks (options & 8) or any.
    for (unsigned kind = 0; kind < 5; ++kind) {
      for (unsigned kinks = 0; kinks < 2; ++kinks) {
        Writer w;
        w.byte(kRegression << 1 | dtype).byte(16 + kind).byte(0).byte(3).byte(1 | 2 | (kinks ? 4 : 0)).byte(kind | kinks << 3).byte(kind);
        if (kind >= SSM_HUBER) w.byte(kinks ? 2 : 0);  // delta 1 or 0.5
        w.byte(0);                                     // grad_scale 1
        sparse(w, kRestOfAll, 40 + kind, 2, 9), special(w, kinks ? Special::huge : Special::nan);
        if (kinks) {
          for (unsigned i = 0; i < 64; ++i) w.byte(i * 41);
        } else {
          random(w, kRestOfAll, 50 + kind, 2);
        }
        out.push_back(w.bytes);
      }
    }
  }
  return out;
}

SSM_FUZZ_TARGET
