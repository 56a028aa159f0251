#!/usr/bin/env bash
# The README's second command: set everything up, build, run every test.
# With QMANN_BABI_DIR set (or --babi DIR), tests on real bAbI data run too.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
while [ $# -gt 0 ]; do
  case "$1" in
    --babi) [ $# -ge 2 ] || { echo "qmann: --babi needs a folder" >&2; exit 2; }
            QMANN_BABI_DIR=$2; shift 2 ;;
    *) echo "qmann: unknown argument '$1' (usage: scripts/test.sh [--babi DIR])" >&2; exit 2 ;;
  esac
done
qmann_install_packages
qmann_build
ctest --test-dir "$qmann_build_dir" --output-on-failure -j "$qmann_jobs"
