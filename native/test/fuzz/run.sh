#!/usr/bin/env bash
# The libFuzzer targets of this folder (README.md): builds them with clang, ASan and UBSan in
# build-fuzz/ (once; later runs rebuild what changed), then runs each for a bounded time on a copy
# of the committed seed corpus (corpus/<target>/ is never written), and prints per target the
# executions, executions a second, coverage (cov, ft) and corpus growth. Exits non-zero if any
# target finds a crash, a sanitizer report or a failed check; the input is copied to
# build-fuzz/artifacts/<target>/ (replay: build-fuzz/<target> <file>).
#
#   native/test/fuzz/run.sh [seconds per target, default 60] [target...]
#   native/test/fuzz/run.sh --self-test      the checks must fail on outputs broken on purpose
#   native/test/fuzz/run.sh --make-corpus    rewrites corpus/<target>/seed-* from each target's seeds()
#                                            (finding-*, the reproducers of fixed findings, stay)
#   native/test/fuzz/run.sh --build          builds only
#
# SSM_FUZZ_SEED=<n> fixes libFuzzer's seed: the run is then the same sequence of inputs each time,
# of which the time limit decides only how far it gets (CI uses a fixed seed, so that it tests a
# sequence run longer by hand first, not a new draw each time). The seed of each run is printed.
# Works as root on a fresh Debian 12 (installs clang, libFuzzer and the
# sanitizer runtimes with apt-get when they are missing).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${SSM_FUZZ_BUILD:-$root/build-fuzz}
all_targets=(fuzz_rows fuzz_cross_entropy fuzz_elementwise fuzz_information fuzz_scoring)

source "$root/native/test/debian-packages.sh"

build_targets() {
  # clang 14, libFuzzer and the sanitizer runtimes (libclang-rt-14-dev), llvm-symbolizer (llvm-14).
  ensure_debian_packages clang libclang-rt-14-dev llvm-14 cmake make
  if [[ ! -f $build/CMakeCache.txt ]]; then
    local generator=()
    command -v ninja > /dev/null && generator=(-G Ninja)
    cmake -S "$root" -B "$build" "${generator[@]}" -DSSM_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
  fi
  cmake --build "$build" --target fuzz --parallel "$(nproc)"
}

symbolizer=$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:print_stacktrace=1:symbolize=1${symbolizer:+:external_symbolizer_path=$symbolizer}}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

case "${1:-}" in
  --build)
    build_targets
    exit 0
    ;;
  --make-corpus)
    build_targets
    for t in "${all_targets[@]}"; do
      mkdir -p "$here/corpus/$t"
      rm -f "$here/corpus/$t"/seed-*
      SSM_FUZZ_MAKE_CORPUS="$here/corpus/$t" "$build/$t"
    done
    du -sh "$here/corpus"
    exit 0
    ;;
  --self-test)
    # Each target, on its seeds, with its first SIMD output broken three ways: a value beyond
    # any tolerance, a guard byte, an element left unwritten. Every run must fail a check.
    build_targets
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    status=0
    for t in "${all_targets[@]}"; do
      for mode in value guard written; do
        if (cd "$tmp" && SSM_FUZZ_SELF_TEST=$mode "$build/$t" -artifact_prefix="$tmp/" "$here/corpus/$t"/* > "$tmp/log" 2>&1); then
          echo "self-test $t $mode: NOT caught"
          status=1
        elif grep -q 'FUZZ CHECK FAILED' "$tmp/log"; then
          echo "self-test $t $mode: caught: $(grep -m1 'FUZZ CHECK FAILED' "$tmp/log" | cut -c1-150)"
        else
          echo "self-test $t $mode: failed without a check's report:"
          tail -20 "$tmp/log"
          status=1
        fi
      done
    done
    exit $status
    ;;
esac

seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
[[ $seconds =~ ^[0-9]+$ ]] || { echo "usage: $0 [seconds per target] [target...]" >&2; exit 2; }

build_targets
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
printf '\n%-20s %8s %12s %8s %8s %8s %16s  %s\n' target seconds executions exec/s cov ft corpus result
for t in "${targets[@]}"; do
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  cp "$here/corpus/$t"/* "$work/$t/corpus/"
  seeds=$(ls "$work/$t/corpus" | wc -l)
  start=$(date +%s)
  status=0
  (cd "$work/$t" && "$build/$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=120 -rss_limit_mb=4096 \
    ${SSM_FUZZ_SEED:+-seed="$SSM_FUZZ_SEED"} -artifact_prefix="$work/$t/artifacts/" corpus > log 2>&1) || status=$?
  elapsed=$(($(date +%s) - start))
  log="$work/$t/log"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  # The last status line libFuzzer printed: "#N DONE cov: C ft: F corp: U/Sb ...".
  last=$(grep -E '^#[0-9]+[[:space:]].*cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  cov=$(sed -E 's/.*cov: ([0-9]+).*/\1/' <<< "$last")
  ft=$(sed -E 's/.*ft: ([0-9]+).*/\1/' <<< "$last")
  corpus=$(ls "$work/$t/corpus" | wc -l)
  result="ok (seed $(sed -n 's/^INFO: Seed: //p' "$log" | head -1))"
  if ((status != 0)); then
    result="FAILED (exit $status; seed $(sed -n 's/^INFO: Seed: //p' "$log" | head -1))"
    failed+=("$t")
    mkdir -p "$build/artifacts/$t"
    cp "$work/$t/artifacts"/* "$build/artifacts/$t/" 2> /dev/null || true
    cp "$log" "$build/artifacts/$t/log"
  fi
  printf '%-20s %8s %12s %8s %8s %8s %16s  %s\n' "$t" "$elapsed" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" \
    "$seeds -> $corpus" "$result"
  if ((status != 0)); then
    echo "---- $t: the report (the whole log: $build/artifacts/$t/log)"
    { grep -E -A4 'FUZZ CHECK FAILED|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error|ERROR: libFuzzer|SUMMARY' "$log" || tail -30 "$log"; } | head -40
    grep -E 'Test unit written to|^Base64:' "$log" || true
    echo "---- inputs kept in $build/artifacts/$t/ (replay: $build/$t <file>)"
  fi
done
if ((${#failed[@]})); then
  echo "fuzzing FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzzing: ${#targets[@]} targets, no crash"
