// The kernel table: chosen once, on first use, as the best ISA that this build has, the CPU
// supports and the OS has enabled, capped by SOFTMAX_SIMD_ISA. The build defines SSM_HAVE_AVX2,
// SSM_HAVE_AVX512 and SSM_HAVE_NEON when it compiles those ISAs' files (with their own flags).
#include <cstdlib>
#include <cstring>
#include <string>

#include "softmax_simd/kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace {

struct Isa {
  const char* name;
  bool available;
  const kernel_table* (*table)(void);
};

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// XCR0: which register states the OS saves on a context switch (CPUID only says what the CPU has).
uint64_t xgetbv0() {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

struct X86Features {
  bool avx2 = false, avx512 = false;
};

X86Features detect_x86() {
  X86Features f;
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = c & (1u << 27), avx = c & (1u << 28), fma = c & (1u << 12);
  if (!osxsave || !avx) return f;
  const uint64_t xcr0 = xgetbv0();
  const bool ymm = (xcr0 & 0x6) == 0x6;     // SSE and AVX state
  const bool zmm = (xcr0 & 0xE6) == 0xE6;   // plus opmask, ZMM0-15 upper halves, ZMM16-31
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
  f.avx2 = ymm && fma && (b & (1u << 5));
  f.avx512 = f.avx2 && zmm && (b & (1u << 16));
  return f;
}
#endif

// This architecture's ISAs, worst first.
const Isa* isas(size_t* count) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const X86Features f = detect_x86();
#endif
  static const Isa list[] = {
      {"scalar", true, ssm_table_serial},
#if defined(SSM_HAVE_AVX2)
      {"avx2", f.avx2, ssm_table_avx2},
#endif
#if defined(SSM_HAVE_AVX512)
      {"avx512", f.avx512, ssm_table_avx512},
#endif
#if defined(SSM_HAVE_NEON)
#if defined(__linux__)
      {"neon", (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0, ssm_table_neon},
#else
      {"neon", true, ssm_table_neon},  // Advanced SIMD is part of every AArch64 CPU
#endif
#endif
  };
  *count = sizeof(list) / sizeof(list[0]);
  return list;
}

const kernel_table* choose() {
  const char* cap = std::getenv("SOFTMAX_SIMD_ISA");
  size_t n;
  const Isa* list = isas(&n);
  const kernel_table* best = list[0].table();
  for (size_t i = 0; i < n; ++i) {
    if (list[i].available) best = list[i].table();
    if (cap && *cap && std::strcmp(cap, list[i].name) == 0) break;  // nothing above the cap
  }
  return best;
}

}  // namespace

extern "C" {

const kernel_table* ssm_kernels(void) {
  static const kernel_table* const table = choose();  // initialised once, thread-safely
  return table;
}

const kernel_table* ssm_kernels_for(const char* isa) {
  size_t n;
  const Isa* list = isas(&n);
  for (size_t i = 0; i < n; ++i) {
    if (list[i].available && std::strcmp(isa, list[i].name) == 0) return list[i].table();
  }
  return nullptr;
}

const char* ssm_built_isas(void) {
  static const std::string names = [] {
    size_t n;
    const Isa* list = isas(&n);
    std::string s;
    for (size_t i = 0; i < n; ++i) s += (i ? " " : "") + std::string(list[i].name);
    return s;
  }();
  return names.c_str();
}

const char* ssm_supported_isas(void) {
  static const std::string names = [] {
    size_t n;
    const Isa* list = isas(&n);
    std::string s;
    for (size_t i = 0; i < n; ++i) {
      if (list[i].available) s += (s.empty() ? "" : " ") + std::string(list[i].name);
    }
    return s;
  }();
  return names.c_str();
}

}  // extern "C"
