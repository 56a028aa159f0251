#!/usr/bin/env bash
# The README's first command: set everything up, build, run the main job.
# The main job is babi_qa (MemN2N on bAbI); arguments are passed to it, e.g.
# scripts/run.sh --data ../shared/babi/tasks_1-20_v1-2/en
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
qmann_install_packages
qmann_build
"$qmann_build_dir/examples/babi_qa" "$@"
