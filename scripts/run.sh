#!/usr/bin/env bash
# The README's first command: set everything up, build, run the main job.
# Arguments are passed to the main job.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
qmann_install_packages
qmann_build
"$qmann_build_dir/examples/quickstart" "$@"
