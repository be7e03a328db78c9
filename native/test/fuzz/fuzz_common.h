// What the fuzz targets share (README.md in this folder says how they run):
// - Reader / Writer: the fuzzer's bytes as shapes, options and values (Writer encodes seeds);
// - Values: rows of logits decoded so that NaN, ±Inf, subnormals, huge values, −0, ties and
//   ordinary values all occur often, in segments (explicit values, constants, random ordinary
//   runs, runs with sparse specials) so that a few bytes can describe a row of 2^18 entries;
// - Input / Output: exact-size inputs (AddressSanitizer sees any read past the end) and outputs
//   between two guard regions holding a canary pattern, poisoned before each call, so a write
//   outside the slice or an element left unwritten is caught after the call;
// - the ISAs to test, the tolerance rules of DESIGN.md, and fail(), which prints what differed
//   and aborts (libFuzzer then keeps the input as a crash file).
// Every check compares an ISA with the serial kernels (ssm_table_serial), which define the
// semantics; the targets also hold the serial kernels to the special values DESIGN.md states.
#ifndef SOFTMAX_SIMD_FUZZ_COMMON_H
#define SOFTMAX_SIMD_FUZZ_COMMON_H

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <type_traits>
#include <vector>

#include "softmax_simd/kernels.h"
#include "isa/typed_kernels.h"
#include "../tolerance.h"

namespace fuzz {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------------------------------------
// Bytes.

// The fuzzer's input, read from the front; 0 once it is used up (every decoder maps 0 to a
// plain choice, and rows past the end of the input are filled with ordinary random values).
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  bool exhausted() const { return p_ == end_; }
  uint8_t byte() { return p_ < end_ ? *p_++ : 0; }
  uint16_t u16() {
    const uint16_t lo = byte();
    return static_cast<uint16_t>(lo | byte() << 8);
  }
  uint32_t u32() {
    const uint32_t lo = u16();
    return lo | static_cast<uint32_t>(u16()) << 16;
  }
  uint64_t u64() {
    const uint64_t lo = u32();
    return lo | static_cast<uint64_t>(u32()) << 32;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

// The inverse of Reader, for the seed corpus (each target's seeds() writes its inputs with it).
class Writer {
 public:
  Writer& byte(unsigned v) {
    bytes.push_back(static_cast<uint8_t>(v));
    return *this;
  }
  Writer& u16(unsigned v) { return byte(v & 0xff).byte(v >> 8 & 0xff); }
  Writer& u32(uint32_t v) { return u16(v & 0xffff).u16(v >> 16); }
  Writer& u64(uint64_t v) { return u32(static_cast<uint32_t>(v)).u32(static_cast<uint32_t>(v >> 32)); }
  std::vector<uint8_t> bytes;
};

// Seed encoders (the inverse of Values and read_shape below); shape(w, a, b, r) writes the three
// shape bytes as they are read.
namespace seed {
enum class Special : unsigned { zero = 0, neg_zero = 1, nan = 2, pos_inf = 4, neg_inf = 5, max = 6, neg_max = 7,
                                denorm_min = 10, one = 13, big = 16, huge = 23, neg_huge = 24, hundred = 25 };
// Segment length codes (Values::segment_length): 0-31 mean 1-32; these name the others.
enum Length : unsigned { kLen2047 = 42, kLen2048 = 43, kLen2049 = 44, kRestOfRow = 48, kRestOfAll = 56 };
inline Writer& ordinary(Writer& w, double v) {  // v on the grid of 1/256 in [-64, 64)
  const auto code = static_cast<unsigned>(std::lround(v * 256 + 16384));
  return w.byte(code >> 8).byte(code & 0xff);
}
inline Writer& special(Writer& w, Special s) { return w.byte(0x80 + static_cast<unsigned>(s)); }
inline Writer& tie(Writer& w) { return w.byte(0xe0); }  // the previous value again
// Segments: explicit values follow explicit(); constant() is followed by its value.
inline Writer& explicit_values(Writer& w, unsigned count) { return w.byte((count - 1) << 2 | 0); }
inline Writer& constant(Writer& w, unsigned length) { return w.byte(length << 2 | 1); }
inline Writer& random(Writer& w, unsigned length, unsigned seed, unsigned scale) {
  return w.byte(length << 2 | 2).u16(seed).byte(scale);
}
inline Writer& sparse(Writer& w, unsigned length, unsigned seed, unsigned scale, unsigned every) {
  return w.byte(length << 2 | 3).u16(seed).byte(scale).byte(every - 1);  // then the sparse value
}
}  // namespace seed

// splitmix64: the random runs inside rows (seeded from the input, so every run is reproducible).
class Random {
 public:
  explicit Random(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1p-53; }  // [0, 1)

 private:
  uint64_t s_;
};

// ---------------------------------------------------------------------------------------------
// Element types: the kernel table half and argument structs (Typed), DESIGN.md's tolerances
// (Tol), the values worth trying.

template <typename Real>
struct Type;

template <>
struct Type<float> : Typed<float>, Tol<float> {
  using Bits = uint32_t;
  static constexpr double probability_floor = 1e-30;  // relative above, absolute (at it) below
  static constexpr Bits poison = 0x7fa5a5a5u;  // a signalling NaN: no arithmetic produces it
  static constexpr size_t store_max = (size_t{1} << 20) / 4;  // rows_impl.h kStoreMaxBytes
  static constexpr double exp_edges[4] = {88.7228394, -103.972, -87.3365479, 1e-30};
  static constexpr double huge = 3e38;
  static constexpr int min_exponent = -150, max_exponent = 128;  // of 2^e, subnormals included
};

template <>
struct Type<double> : Typed<double>, Tol<double> {
  using Bits = uint64_t;
  static constexpr double probability_floor = 1e-300;  // DESIGN.md gives none: where double exps stay normal
  static constexpr Bits poison = 0x7ff4a5a5a5a5a5a5ull;
  static constexpr size_t store_max = (size_t{1} << 20) / 8;
  static constexpr double exp_edges[4] = {709.782712893384, -745.1332191019412, -708.3964185322641, 1e-300};
  static constexpr double huge = 1e300;
  static constexpr int min_exponent = -1075, max_exponent = 1024;
};

template <typename Real>
constexpr double max_finite() {
  return static_cast<double>(std::numeric_limits<Real>::max());
}

template <typename T>
typename std::conditional<sizeof(T) == 4, uint32_t, uint64_t>::type bits_of(T v) {
  typename std::conditional<sizeof(T) == 4, uint32_t, uint64_t>::type b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

template <typename Real>
Real from_bits(typename Type<Real>::Bits b) {
  Real v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

// The special values a value byte 0x80..0x9f picks (index = byte & 31).
template <typename Real>
double special_value(unsigned i) {
  using L = std::numeric_limits<Real>;
  const double* e = Type<Real>::exp_edges;
  const double table[32] = {0.0, -0.0, kNaN, -kNaN, kInf, -kInf,
                            L::max(), -L::max(), L::min(), -L::min(), L::denorm_min(), -L::denorm_min(),
                            L::min() - L::denorm_min(),  // the largest subnormal
                            1, -1, 0.5, 1e30, -1e30,
                            e[0], e[1], e[2], e[3], -e[3],
                            Type<Real>::huge, -Type<Real>::huge, 100, -100, 40, -40, 20, -20,
                            sizeof(Real) == 4 ? 16777217.0 : 9007199254740993.0};  // 2^24 + 1, 2^53 + 1
  return table[i & 31];
}

// ---------------------------------------------------------------------------------------------
// Values.
//
// One value from the input, by its first byte c:
//   0x00-0x7f  ordinary: (c·256 + next byte − 16384) / 256, a grid over [−64, 64) (ties are common)
//   0x80-0x9f  special_value(c & 31): ±0, NaN, ±Inf, extremes, subnormals, exp's edges
//   0xa0-0xbf  any magnitude: ±(1 + m/256)·2^e over every exponent, subnormals and overflow included
//   0xc0-0xdf  raw bits (any NaN payload; never the poison pattern)
//   0xe0-0xff  near the previous value: the same (a tie), a few ULPs away, or ± a quarter
template <typename Real>
class Values {
 public:
  explicit Values(Reader& in) : in_(in) {}

  Real next() {
    const unsigned c = in_.byte();
    double v;
    if (c < 0x80) {
      v = (static_cast<double>(c << 8 | in_.byte()) - 16384.0) / 256.0;
    } else if (c < 0xa0) {
      v = special_value<Real>(c);
    } else if (c < 0xc0) {
      const unsigned e = in_.byte(), m = in_.byte();
      const int span = Type<Real>::max_exponent - Type<Real>::min_exponent + 1;
      const int exponent = Type<Real>::min_exponent + static_cast<int>(e * span / 256);
      v = std::ldexp(1.0 + m / 256.0, exponent) * (c & 1 ? -1 : 1);
    } else if (c < 0xe0) {
      typename Type<Real>::Bits b = sizeof(Real) == 4 ? in_.u32() : static_cast<typename Type<Real>::Bits>(in_.u64());
      if (b == Type<Real>::poison) b ^= 1;
      prev_ = from_bits<Real>(b);
      return prev_;
    } else {
      const unsigned k = c & 31;
      Real r = prev_;
      if (k >= 8 && k < 20) {
        const Real toward = static_cast<Real>(k < 14 ? -kInf : kInf);  // nextafter in Real, not double
        for (unsigned s = 8; s <= k; ++s) r = std::nextafter(r, toward);
      } else if (k >= 20) {
        r = static_cast<Real>(r + (static_cast<double>(k) - 25.5) / 4);
      }
      prev_ = r;
      return r;
    }
    prev_ = static_cast<Real>(v);
    return prev_;
  }

  // n values in rows of `cols`, in segments; each starts with a byte h: the kind (h & 3) and the
  // length (h >> 2, see segment_length). Once the input is used up, ordinary random values.
  void fill(Real* x, size_t n, size_t cols) {
    size_t i = 0;
    while (i < n) {
      if (in_.exhausted()) {
        random_run(x + i, n - i, 0x5eed ^ i, 8.0, 0);
        return;
      }
      const unsigned h = in_.byte();
      const size_t len = std::min(n - i, segment_length(h >> 2, i, n, cols));
      switch (h & 3) {
        case 0:  // explicit values, while the input lasts
          for (size_t k = 0; k < len; ++k) x[i + k] = in_.exhausted() ? static_cast<Real>(k % 7) - 3 : next();
          break;
        case 1: {  // one value repeated (all −Inf blocks, constant rows, ties)
          const Real v = next();
          std::fill(x + i, x + i + len, v);
          break;
        }
        case 2: {  // ordinary random values at a scale
          const uint16_t seed = in_.u16();
          random_run(x + i, len, seed, scale(in_.byte()), 0);
          break;
        }
        default: {  // ordinary random values with sparse copies of one decoded value
          const uint16_t seed = in_.u16();
          const double s = scale(in_.byte());
          const unsigned every = 1 + in_.byte() % 64;
          random_run(x + i, len, seed, s, every, next());
        }
      }
      i += len;
    }
  }

  // Segment lengths: 1-32; a table of sizes around vector widths, fold and block edges; the rest
  // of the row; the rest of the matrix.
  static size_t segment_length(unsigned code, size_t at, size_t n, size_t cols) {
    static const size_t sizes[16] = {48, 63, 64, 100, 127, 255, 256, 511, 1000, 1024, 2047, 2048, 2049, 4096, 8191, 100000};
    if (code < 32) return code + 1;
    if (code < 48) return sizes[code - 32];
    if (code < 56) return cols - at % cols;
    return n - at;
  }

  static double scale(unsigned b) {
    static const double scales[8] = {1, 4, 12, 30, 100, 1e-3, 1e4, 0.25};
    return scales[b & 7];
  }

 private:
  // Uniform values in [−s, s); with every > 0, each element is `sparse` with chance 1/every.
  static void random_run(Real* x, size_t len, uint64_t seed, double s, unsigned every, Real sparse = 0) {
    Random rng(seed);
    for (size_t k = 0; k < len; ++k) {
      const uint64_t r = rng.next();
      x[k] = every && r % every == 0 ? sparse : static_cast<Real>((static_cast<double>(r >> 11) * 0x1p-52 - 1) * s);
    }
  }

  Reader& in_;
  Real prev_ = 0;
};

// A value that is not a logit: a weight, a scale, a target. `wild` draws from every value as
// Values::next does (±Inf and NaN too); otherwise from the values a caller plausibly passes: 0, 1,
// fractions and small multiples, magnitudes over 2^-20..2^20, a few negatives.
template <typename Real>
Real auxiliary(Reader& in, Values<Real>& values, bool wild, bool non_negative = false) {
  if (wild) {
    const Real v = values.next();
    return non_negative && v < 0 ? -v : v;
  }
  const unsigned c = in.byte();
  double v;
  if (c < 16) {
    v = 0;
  } else if (c < 48) {
    v = 1;
  } else if (c < 176) {
    v = (c - 48) / 32.0;  // 0 to 4 in steps of 1/32
  } else if (c < 240) {
    v = std::ldexp(1.0 + in.byte() / 256.0, static_cast<int>((c - 176) % 41) - 20);  // 2^-20 .. 2^21
  } else {
    v = -static_cast<double>(c - 239) / 4;  // -1/4 .. -4
  }
  if (non_negative) v = std::fabs(v);
  return static_cast<Real>(v);
}

// grad_scale: 1, a 'mean' factor 1/count, signs, 0, magnitudes over 2^-20..2^20, and (one byte in
// eight) any decoded value of the element type, Inf and NaN included.
template <typename Real>
double read_grad_scale(Reader& in, Values<Real>& values, size_t count) {
  const unsigned c = in.byte();
  if (c < 96) return 1;
  if (c < 128) return 1.0 / static_cast<double>(std::max<size_t>(count, 1));
  if (c < 144) return -1;
  if (c < 152) return 0;
  if (c < 224) return std::ldexp(1.0 + in.byte() / 256.0, static_cast<int>(c % 41) - 20);
  return values.next();
}

// Row and column counts. cols >= 1 always: every entry point rejects cols < 1 (DESIGN.md "Bad
// input"; addon.cc rows_of), so a kernel is never called with cols 0. rows may be 0 (an empty
// batch). The sizes cluster around the vector widths (4, 8, 16 lanes and their tails), the fold
// (32 vectors), the online block (2048), the prefetch threshold (4096), the BCE repeat buffer
// (1024) and the longest row that keeps its exponentials (1 MiB).
struct Shape {
  size_t rows, cols;
  size_t size() const { return rows * cols; }
};

// At most this many elements (a few ms a call under the sanitizers), but whole rows: the rows
// past the store limit (2^18 floats, 2^17 doubles) come one or two at a time.
constexpr size_t kMaxElements = size_t{1} << 16;

template <typename Real>
Shape read_shape(Reader& in) {
  static const size_t edges[24] = {63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513,
                                   1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 4097, 8191, 8193, 20000};
  const unsigned a = in.byte(), b = in.byte(), r = in.byte();
  size_t cols;
  if (a < 192) {
    cols = 1 + a % 40;
  } else if (a < 232) {
    cols = 41 + b;
  } else if (a < 254) {
    cols = edges[b % 24];
  } else {
    cols = Type<Real>::store_max + b % 7 - 3;
  }
  const size_t rows = r < 200 ? r % 9 : 9 + r % 56;
  return {cols > kMaxElements ? std::min<size_t>(rows, 1 + r % 2) : std::min(rows, kMaxElements / cols), cols};
}

// A temperature as the bindings pass it (> 0 and finite): 1 (the kernels' own path), ordinary
// values, and extremes (1/T not a normal float: the SIMD kernels hand the call to the serial ones).
inline double read_temperature(Reader& in) {
  static const double temperatures[16] = {1, 1, 1, 0.5, 0.7, 2, 3.5, 0.1, 1e-3, 1e3, 1e-30, 1e-40, 1e30, 3e36, 1e-300, 1e300};
  const unsigned c = in.byte();
  if (c < 128) return temperatures[c % 16];
  const double t = std::ldexp(1.0 + in.byte() / 256.0, static_cast<int>(c) - 192);  // 2^-64 .. 2^63
  return t;
}

// ---------------------------------------------------------------------------------------------
// Buffers.

// An input of exactly n elements at the end of its heap block: AddressSanitizer reports any read
// past the end. `shift` elements before the start vary the alignment.
template <typename T>
class Input {
 public:
  Input(size_t n, unsigned shift) : block_(new T[n + shift]), data_(block_.get() + shift), n_(n) {}
  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return n_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  // The bytes now, to check later that a kernel did not write into an input.
  std::vector<uint8_t> snapshot() const {
    return std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(data_), reinterpret_cast<const uint8_t*>(data_ + n_));
  }
  bool unchanged(const std::vector<uint8_t>& before) const {
    return n_ == 0 || std::memcmp(before.data(), data_, n_ * sizeof(T)) == 0;
  }

 private:
  std::unique_ptr<T[]> block_;
  T* data_;
  size_t n_;
};

// What an output holds before the call: a signalling NaN (no arithmetic produces one; Values
// never decodes one with these bits), or for indices an int no kernel writes.
template <typename T>
struct Poison;
template <>
struct Poison<float> {
  static constexpr uint32_t bits = Type<float>::poison;
};
template <>
struct Poison<double> {
  static constexpr uint64_t bits = Type<double>::poison;
};
template <>
struct Poison<int32_t> {
  static constexpr uint32_t bits = 0x5a5a5a5au;
};

// An output of n elements between two guard regions of kGuard bytes holding a canary pattern;
// the elements start as `poison` (a signalling NaN, or an int no kernel writes).
template <typename T>
class Output {
 public:
  static constexpr size_t kGuard = 128;  // two AVX-512 vectors

  Output(size_t n, unsigned shift)
      : front_(kGuard + shift * sizeof(T)), block_(new uint8_t[front_ + n * sizeof(T) + kGuard]), n_(n) {
    uint8_t* b = block_.get();
    for (size_t i = 0; i < front_; ++i) b[i] = canary(i);
    for (size_t i = 0; i < kGuard; ++i) b[front_ + n * sizeof(T) + i] = canary(i + 1000);
    poison_all();
  }
  T* data() { return reinterpret_cast<T*>(block_.get() + front_); }
  const T* data() const { return reinterpret_cast<const T*>(block_.get() + front_); }
  size_t size() const { return n_; }
  T operator[](size_t i) const {
    T v;
    std::memcpy(&v, block_.get() + front_ + i * sizeof(T), sizeof v);
    return v;
  }
  void poison_all() {
    for (size_t i = 0; i < n_; ++i) std::memcpy(block_.get() + front_ + i * sizeof(T), &kPoison, sizeof(T));
  }
  // For in-place calls: the output starts as a copy of the input.
  void assign(const T* src) {
    if (n_) std::memcpy(data(), src, n_ * sizeof(T));
  }

  // The first guard byte that changed: its offset from the slice (negative before it), or 0.
  long damaged_guard() const {
    const uint8_t* b = block_.get();
    for (size_t i = 0; i < front_; ++i) {
      if (b[i] != canary(i)) return static_cast<long>(i) - static_cast<long>(front_);
    }
    for (size_t i = 0; i < kGuard; ++i) {
      if (b[front_ + n_ * sizeof(T) + i] != canary(i + 1000)) return static_cast<long>(n_ * sizeof(T) + i);
    }
    return 0;
  }
  // The first element still holding the poison, or n.
  size_t first_unwritten() const {
    for (size_t i = 0; i < n_; ++i) {
      if (std::memcmp(block_.get() + front_ + i * sizeof(T), &kPoison, sizeof(T)) == 0) return i;
    }
    return n_;
  }

  // The first element no longer holding the poison, or n (a kernel that rejects its input writes
  // nothing).
  size_t first_written() const {
    for (size_t i = 0; i < n_; ++i) {
      if (std::memcmp(block_.get() + front_ + i * sizeof(T), &kPoison, sizeof(T)) != 0) return i;
    }
    return n_;
  }

  // The self-test (SSM_FUZZ_SELF_TEST, see tamper()) breaks an output on purpose.
  void break_value() {
    if (n_ == 0) return;
    T v = (*this)[0];
    if constexpr (std::is_floating_point_v<T>) {
      v = std::isfinite(v) ? static_cast<T>(v * 1.001 + (v < 0 ? -0.001 : 0.001)) : T(0.5);
    } else {
      v = v == 0 ? 1 : 0;
    }
    std::memcpy(data(), &v, sizeof v);
  }
  void break_guard() { block_[front_ + n_ * sizeof(T) + 3] ^= 0x40; }
  void break_written() {
    if (n_) std::memcpy(data(), &kPoison, sizeof(T));
  }

 private:
  static uint8_t canary(size_t i) { return static_cast<uint8_t>(0xa7 + 13 * i); }
  static constexpr auto kPoison = Poison<T>::bits;
  size_t front_;
  std::unique_ptr<uint8_t[]> block_;
  size_t n_;
};

// ---------------------------------------------------------------------------------------------
// ISAs and failures.

struct Isa {
  std::string name;
  const kernel_table* table;
};

// Every ISA this build and CPU support, serial ("scalar") first.
inline const std::vector<Isa>& isas() {
  static const std::vector<Isa> list = [] {
    std::vector<Isa> l;
    const std::string names = ssm_supported_isas();
    for (size_t start = 0; start < names.size();) {
      const size_t end = std::min(names.find(' ', start), names.size());
      const std::string name = names.substr(start, end - start);
      l.push_back({name, ssm_kernels_for(name.c_str())});
      start = end + 1;
    }
    return l;
  }();
  return list;
}

inline const kernel_table* serial() { return ssm_table_serial(); }

// What the current input calls (one line, printed with any failure).
inline std::string& call_description() {
  static std::string s;
  return s;
}

inline std::string format(const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

[[noreturn]] inline void fail(const std::string& isa, const std::string& what) {
  std::fprintf(stderr, "\nFUZZ CHECK FAILED [%s] %s\n  call: %s\n", isa.c_str(), what.c_str(), call_description().c_str());
  std::fflush(stderr);
  std::abort();
}

// SSM_FUZZ_SELF_TEST=value|guard|written breaks the first output of every SIMD call (a value
// beyond any tolerance, a guard byte, an element left as poison): the checks must then abort.
enum class SelfTest { off, value, guard, written };
inline SelfTest self_test() {
  static const SelfTest mode = [] {
    const char* s = std::getenv("SSM_FUZZ_SELF_TEST");
    if (!s) return SelfTest::off;
    if (!std::strcmp(s, "value")) return SelfTest::value;
    if (!std::strcmp(s, "guard")) return SelfTest::guard;
    if (!std::strcmp(s, "written")) return SelfTest::written;
    return SelfTest::off;
  }();
  return mode;
}

template <typename T>
void tamper(const Isa& isa, Output<T>& out) {
  if (isa.table == serial()) return;
  switch (self_test()) {
    case SelfTest::value: out.break_value(); break;
    case SelfTest::guard: out.break_guard(); break;
    case SelfTest::written: out.break_written(); break;
    case SelfTest::off: break;
  }
}

// The guards of an output intact and, unless `may_skip`, every element written.
template <typename T>
void check_output(const Isa& isa, const Output<T>& out, const char* name, bool all_written = true) {
  if (const long at = out.damaged_guard()) {
    fail(isa.name, format("%s: a guard byte at byte offset %ld from the output (of %zu bytes) was overwritten", name, at,
                          out.size() * sizeof(T)));
  }
  if (all_written) {
    const size_t i = out.first_unwritten();
    if (i < out.size()) fail(isa.name, format("%s[%zu] was not written (of %zu)", name, i, out.size()));
  }
}

template <typename T>
void check_input(const Isa& isa, const Input<T>& in, const std::vector<uint8_t>& before, const char* name) {
  if (!in.unchanged(before)) fail(isa.name, format("the input %s was written", name));
}

// ---------------------------------------------------------------------------------------------
// Tolerances.
//
// within(got, want, tol, rel): NaN matches NaN only; ±Inf matches itself, or a finite value of
// the same sign within `rel` of the largest finite value (the rounding of a result at the
// overflow threshold, where one kernel rounds up and the other down); finite values within the
// absolute bound `tol`, plus two subnormal spacings of Real (each result's own rounding, which no
// relative bound covers below the smallest normal number).
template <typename Real>
bool within(double got, double want, double tol, double rel) {
  if (got == want) return true;
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got)) {
    if (got == want) return true;
    const double finite = std::isinf(want) ? got : want, inf = std::isinf(want) ? want : got;
    return std::isfinite(finite) && std::signbit(finite) == std::signbit(inf) &&
           std::fabs(finite) * (1 + 4 * rel) >= max_finite<Real>();
  }
  return std::fabs(got - want) <= tol + 2 * static_cast<double>(std::numeric_limits<Real>::denorm_min());
}

// got == want exactly, or both NaN (serial kernels called in place against out of place).
inline bool identical(double got, double want) { return got == want || (std::isnan(got) && std::isnan(want)); }

// The element `i` of a compared array, for failure messages.
inline std::string mismatch(const char* name, size_t i, double got, double want, double tol) {
  return format("%s[%zu]: got %.17g, want %.17g (serial), |diff| %.3g > bound %.3g", name, i, got, want,
                std::fabs(got - want), tol);
}

// Where the magnitudes a kernel sums (Σ |terms| of a row, in long double) exceed the element
// type's range, a float kernel's partial sums overflow where the serial kernels' double sums do
// not: such a value is not held to the serial one (kUnchecked), only the memory checks apply.
constexpr double kUnchecked = kInf;
template <typename Real>
bool sum_in_range(long double magnitude) {
  return magnitude < max_finite<Real>() / 2;
}

// The magnitude of a sum a float kernel forms in float lanes: Σ |finite terms|, and whether a term
// is ±Inf or NaN. Finite terms beyond the range: the lanes may overflow (and meet an infinite term:
// NaN instead of ±Inf), so not compared; an infinite term alone: the sum is ±Inf or NaN, compared
// exactly; otherwise `rel` of the magnitude.
struct Magnitude {
  long double finite = 0;
  bool special = false;
  void add(long double term) {
    if (std::isfinite(term)) {
      finite += std::fabs(term);
    } else {
      special = true;
    }
  }
};

template <typename Real>
double sum_bound(const Magnitude& m, double rel) {
  if (!sum_in_range<Real>(m.finite)) return kUnchecked;
  return m.special ? 0.0 : rel * static_cast<double>(m.finite);
}

// An ISA's output against the serial kernel's: the scalar table (called in place, or with other
// aliasing) bit for bit, the others within bound(i), an absolute bound for element i
// (kUnchecked: not compared).
template <typename Real, class Bound>
void compare(const Isa& isa, const char* name, const Output<Real>& got, const Output<Real>& want, Bound bound) {
  const bool exact = isa.table == serial();
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = got[i], w = want[i];
    if (exact ? identical(g, w) : g == w) continue;
    const double tol = exact ? 0.0 : bound(i);
    if (!exact && (tol == kUnchecked || within<Real>(g, w, tol, Type<Real>::rel))) continue;
    fail(isa.name, mismatch(name, i, g, w, tol));
  }
}

// A summed result (a kernel's return value) in the element type: float kernels may sum float
// losses, which overflow where the serial kernels' double sum does not (kernels_test: in_type).
template <typename Real>
double in_type(double total) {
  return static_cast<double>(static_cast<Real>(total));
}

// A target's selector byte picks the element type by its bit 0: f(float{}) or f(double{}).
template <class F>
void by_dtype(unsigned selector, F f) {
  if (selector & 1) {
    f(double{});
  } else {
    f(float{});
  }
}

// ---------------------------------------------------------------------------------------------
// Seeds: SSM_FUZZ_MAKE_CORPUS=<dir> writes a target's seeds() there and exits (run.sh
// --make-corpus; the committed corpus is native/test/fuzz/corpus/<target>/).

inline void write_corpus(const char* dir, const std::vector<std::vector<uint8_t>>& seeds) {
  ::mkdir(dir, 0755);
  for (size_t i = 0; i < seeds.size(); ++i) {
    const std::string path = format("%s/seed-%03zu", dir, i);
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
      std::perror(path.c_str());
      std::exit(1);
    }
    std::fwrite(seeds[i].data(), 1, seeds[i].size(), f);
    std::fclose(f);
  }
  std::printf("%zu seeds written to %s\n", seeds.size(), dir);
  std::exit(0);
}

}  // namespace fuzz

// Each target defines these two; the macro below supplies libFuzzer's entry points.
std::vector<std::vector<uint8_t>> seeds();
void fuzz_one(fuzz::Reader& in);

#define SSM_FUZZ_TARGET                                                          \
  extern "C" int LLVMFuzzerInitialize(int*, char***) {                           \
    if (const char* dir = std::getenv("SSM_FUZZ_MAKE_CORPUS")) {                 \
      fuzz::write_corpus(dir, seeds());                                          \
    }                                                                            \
    return 0;                                                                    \
  }                                                                              \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {      \
    fuzz::Reader in(data, size);                                                 \
    fuzz_one(in);                                                                \
    return 0;                                                                    \
  }

#endif  // SOFTMAX_SIMD_FUZZ_COMMON_H
