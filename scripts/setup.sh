#!/usr/bin/env bash
# Shared set-up of the README's commands: installs the Debian packages qmann
# needs (when missing), configures and builds. Sourced, not run.
#
# Environment:
#   QMANN_BUILD_DIR   build folder (default: build, beside this script's repo)
#   QMANN_BABI_DIR    bAbI v1.2 folder (tasks_1-20_v1-2): enables real-data tests
#   QMANN_CMAKE_ARGS  extra arguments for cmake's configure step
#   QMANN_JOBS        parallel build jobs (default: nproc)

set -euo pipefail

qmann_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
qmann_build_dir=${QMANN_BUILD_DIR:-$qmann_root/build}
qmann_jobs=${QMANN_JOBS:-$(nproc 2>/dev/null || echo 2)}

# cmake, a C++20 compiler, xsimd (+ xtl, which Debian's xsimd CMake package
# names without depending on it), doctest and Google Benchmark.
qmann_packages=(cmake make g++ libxsimd-dev xtl-dev doctest-dev libbenchmark-dev)

qmann_install_packages() {
  local missing=()
  for p in "${qmann_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "qmann: installing missing Debian packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "qmann: missing packages ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
      exit 1
    fi
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
}

qmann_build() {
  local args=(-S "$qmann_root" -B "$qmann_build_dir" -DCMAKE_BUILD_TYPE=Release)
  if [ -n "${QMANN_BABI_DIR:-}" ]; then
    if [ ! -d "$QMANN_BABI_DIR" ]; then
      echo "qmann: QMANN_BABI_DIR=$QMANN_BABI_DIR is not a folder" >&2
      exit 2
    fi
    args+=("-DQMANN_BABI_DIR=$(cd "$QMANN_BABI_DIR" && pwd)")
  fi
  # shellcheck disable=SC2206
  args+=(${QMANN_CMAKE_ARGS:-})
  cmake "${args[@]}"
  cmake --build "$qmann_build_dir" -j "$qmann_jobs"
}
