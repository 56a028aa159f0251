#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz) with Debian's clang under ASan
# and UBSan, and runs each for SECONDS seconds (default 60) from the inputs
# kept in tests/fuzz/regressions. A crash, a leak, a sanitizer report or a
# hang fails the run; the input that did it is left in build-fuzz/artifacts
# (copy it to tests/fuzz/regressions/<target>/ as a regression test).
#   scripts/fuzz.sh [SECONDS]
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
seconds=${1:-60}
case "$seconds" in ''|*[!0-9]*) echo "qmann: usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2 ;; esac
qmann_packages+=(clang libclang-rt-14-dev)
qmann_install_packages
QMANN_BUILD_DIR=${QMANN_BUILD_DIR:-$qmann_root/build-fuzz}
qmann_build_dir=$QMANN_BUILD_DIR
CXX=clang++ QMANN_CMAKE_ARGS="-DCMAKE_BUILD_TYPE=RelWithDebInfo -DQMANN_FUZZ=ON -DQMANN_BUILD_TESTS=OFF \
  -DQMANN_BUILD_BENCHMARKS=OFF -DQMANN_BUILD_EXAMPLES=OFF" qmann_build
artifacts=$qmann_build_dir/artifacts
mkdir -p "$artifacts"
for target in babi model_file; do
  folder=${target%_file}
  corpus=$qmann_build_dir/corpus/$target
  mkdir -p "$corpus"
  cp "$qmann_root/tests/fuzz/regressions/$folder"/* "$corpus"/
  echo "== fuzzing $target for ${seconds} s"
  log=$qmann_build_dir/fuzz-$target.log
  status=0
  "$qmann_build_dir/tests/fuzz/qmann_fuzz_$target" "$corpus" -max_total_time="$seconds" -max_len=8192 \
    -timeout=10 -rss_limit_mb=4096 -artifact_prefix="$artifacts/$target-" -print_final_stats=1 \
    > "$log" 2>&1 || status=$?
  grep -E "^(Done|==[0-9]+==ERROR|SUMMARY|stat::number_of_executed_units)" "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "qmann: the $target fuzzer failed (exit $status); the input is in $artifacts" >&2
    exit 1
  fi
done
