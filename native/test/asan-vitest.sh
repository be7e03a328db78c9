#!/usr/bin/env bash
# The vitest suite against the addon built with AddressSanitizer and UBSan (gcc; CMake option
# SSM_SANITIZE under cmake-js, -O3 as shipped plus -g -fno-omit-frame-pointer), once per native
# ISA this machine supports (SOFTMAX_SIMD_ISA=<isa> SOFTMAX_SIMD_SMALL_MAX=0, as .ci/run) and once
# with the defaults. The addon goes to build-asan-addon/build/Release, never to build/Release:
# SOFTMAX_SIMD_PREBUILD (node-gyp-build's <NAME>_PREBUILD) points the loader at it, so a normal
# build stays where it is. Node is not instrumented, so the ASan runtime is preloaded into every
# process (LD_PRELOAD; vitest's forks and the suite's child processes inherit the environment).
# Any ASan or UBSan report is fatal and fails the run, also one from a child whose stderr a test
# swallows (each report goes to a file under the log folder, listed at the end).
#
#   native/test/asan-vitest.sh                 every ISA the addon supports here, then the defaults
#   native/test/asan-vitest.sh avx512 [isa...]  only these ISAs (CI runs the best one: 2-3 min)
#
# ASAN_OPTIONS, besides halt_on_error / abort_on_error / print_stacktrace:
# - detect_leaks=0: Node and V8 leave memory unfreed at exit on purpose (hundreds of reports with
#   V8 stacks from `node -e 1` on), and a suppression cannot keep the addon's own leaks: every
#   stack of the addon runs through node's frames too. Leaks are the business of
#   test/stress/leaks.js, test/stress/valgrind.js and native/test/sanitize.sh (LeakSanitizer on
#   the kernels).
# - log_path: reports go to files, so one from a child process cannot get lost.
# Nothing else was needed: Node 20 starts and runs the suite with the runtime preloaded.
# Limits: ASan sees writes past a whole ArrayBuffer (Node allocates backing stores with calloc),
# not past a view inside a larger buffer; and gcc does not instrument masked SIMD loads and stores
# (the AVX2 and AVX-512 tails), which the fuzzers' guard bytes check instead.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${SSM_ASAN_ADDON_BUILD:-$root/build-asan-addon}
cd "$root"

for p in g++ cmake; do
  command -v "$p" > /dev/null || { echo "asan-vitest.sh needs $p" >&2; exit 1; }
done
runtime=$(gcc -print-file-name=libasan.so)
[[ -e $runtime ]] || { echo "no ASan runtime (libasan.so) for this gcc" >&2; exit 1; }

step() { printf '\n== %s\n' "$*"; }

step "build: the addon with ASan + UBSan into $build (cmake-js, SSM_SANITIZE=ON)"
start=$SECONDS
node_modules/.bin/cmake-js build --out "$build" --CDSSM_SANITIZE=ON --target softmax_simd
addon=$build/build/Release/softmax_simd.node
echo "built in $((SECONDS - start)) s: $addon"

step "TypeScript build (dist/ and the tests' type check, as npm test does)"
node_modules/.bin/tsc -p tsconfig.json
node_modules/.bin/tsc -p test/tsconfig.json

logs=$(mktemp -d)
export SOFTMAX_SIMD_PREBUILD=$build
export LD_PRELOAD=$runtime${LD_PRELOAD:+:$LD_PRELOAD}
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:detect_leaks=0:detect_stack_use_after_return=1:log_path=$logs/asan
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$logs/ubsan

step "the package must load this build, and it must be instrumented"
# (grep without -q: reads all of nm's output, no SIGPIPE under pipefail)
nm -D "$addon" | grep ' U __asan_report_store' > /dev/null || { echo "$addon has no ASan instrumentation" >&2; exit 1; }
SOFTMAX_SIMD_BACKEND=native node --input-type=module -e "
  import { createRequire } from 'node:module';
  import { backend } from './dist/index.js';
  const gyp = createRequire(import.meta.url)('node-gyp-build');
  const path = gyp.resolve('.'), addon = gyp('.');
  if (path !== process.argv[1] || addon.builtWith !== 'cmake-js') throw new Error('loaded ' + path + ' (' + addon.builtWith + ')');
  console.log('loaded', path, '(' + addon.builtWith + '), backend', JSON.stringify(backend));
" "$addon"

isas=("$@")
defaults=0
if ((${#isas[@]} == 0)); then
  read -ra isas <<< "$(node --input-type=module -e "import('./dist/index.js').then(m => console.log(m.backend.supported.join(' ')))")"
  defaults=1
fi

status=0
run() {
  local name=$1
  shift
  step "vitest under ASan + UBSan: $name"
  start=$SECONDS
  # npm test's vitest command (TypeScript built above).
  env "$@" node_modules/.bin/vitest run --pool=forks --testTimeout=30000 || status=1
  echo "$name: $((SECONDS - start)) s"
}
for isa in "${isas[@]}"; do
  run "SOFTMAX_SIMD_ISA=$isa SOFTMAX_SIMD_SMALL_MAX=0" SOFTMAX_SIMD_ISA="$isa" SOFTMAX_SIMD_SMALL_MAX=0
done
((defaults)) && run defaults

if compgen -G "$logs/*" > /dev/null; then
  step "sanitizer reports"
  for f in "$logs"/*; do
    echo "-- $f"
    cat "$f"
  done
  status=1
fi
exit $status
