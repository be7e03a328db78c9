// Force-included (-include) into every translation unit of the addon's Linux builds, binding.gyp
// and CMakeLists.txt, so that the prebuilt addon loads wherever Node 20 does: Node 20's own Linux
// binaries need only glibc 2.28, but glibc 2.29 gave exp, exp2, log, log2 and pow new symbol
// versions (the same functions without the old SVID error handling), which a plain build would
// need. Bound to their first versions, which every glibc since still has, they give the same
// results (bit for bit; only the sign of log's NaN for x < 0 can differ). expf, logf, powf... got
// theirs in 2.27, within the floor. Not for static links: a libm.a has no symbol versions.
#ifndef SOFTMAX_SIMD_GLIBC_COMPAT_H
#define SOFTMAX_SIMD_GLIBC_COMPAT_H

#include <cmath>  // defines __GLIBC__ (when it is glibc)

#if defined(__linux__) && defined(__GLIBC__)
#if defined(__x86_64__)
#define SSM_GLIBC_SYMVER(name) __asm__(".symver " #name "," #name "@GLIBC_2.2.5")
#elif defined(__aarch64__)
#define SSM_GLIBC_SYMVER(name) __asm__(".symver " #name "," #name "@GLIBC_2.17")
#endif
#ifdef SSM_GLIBC_SYMVER
SSM_GLIBC_SYMVER(exp);
SSM_GLIBC_SYMVER(exp2);
SSM_GLIBC_SYMVER(log);
SSM_GLIBC_SYMVER(log2);
SSM_GLIBC_SYMVER(pow);
#undef SSM_GLIBC_SYMVER
#endif
#endif

#endif  // SOFTMAX_SIMD_GLIBC_COMPAT_H
