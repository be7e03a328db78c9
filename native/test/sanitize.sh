#!/usr/bin/env bash
# The C++ tests (native/test/*_test.cc) and the kernels they test, built with
# AddressSanitizer and UBSan (CMake option SSM_SANITIZE, gcc) in build-asan/, run by ctest with
# every report fatal. The exhaustive float32 walks of exp_test and log_test test every 16th float
# here (SSM_EXP_STRIDE, as the NEON run under qemu does; the plain ctest run walks them all):
# memory errors do not depend on which floats, and the full walks take about 2 minutes under the
# sanitizers instead of seconds. SSM_EXP_STRIDE=1 runs them whole.
#
#   native/test/sanitize.sh
#
# Works as root on a fresh Debian 12 (installs g++ and cmake with apt-get when they are missing).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${SSM_ASAN_BUILD:-$root/build-asan}

source "$root/native/test/debian-packages.sh"
ensure_debian_packages g++ cmake make

if [[ ! -f $build/CMakeCache.txt ]]; then
  generator=()
  command -v ninja > /dev/null && generator=(-G Ninja)
  cmake -S "$root" -B "$build" "${generator[@]}" -DSSM_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
fi
cmake --build "$build" --parallel "$(nproc)"

export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:print_stacktrace=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export SSM_EXP_STRIDE=${SSM_EXP_STRIDE:-16}
ctest --test-dir "$build" --output-on-failure --verbose
