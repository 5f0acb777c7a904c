#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing, builds, and then
#   run  [ARGS...]   starts Atelier (no ARGS: the main window on the default root)
#   test             builds and runs the whole test suite (CTest, GUI tests offscreen)
#   asan             the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   build [PRESET]   only builds (dev, asan, release, engine-only)
set -euo pipefail

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="${ATELIER_BUILD_JOBS:-$(nproc)}"

build() {
    local preset="$1"
    "$source_dir/packaging/install-deps.sh"
    cmake --preset "$preset" -S "$source_dir" >/dev/null
    cmake --build --preset "$preset" --parallel "$jobs"
}

run_tests() {
    local preset="$1"
    build "$preset"
    export ATELIER_FIXTURES="${ATELIER_FIXTURES:-$source_dir/../shared/fixtures}"
    (cd "$source_dir" && ctest --preset "$preset" --parallel "$jobs" --timeout 900)
}

command="${1:-run}"
[ $# -gt 0 ] && shift
case "$command" in
    run)
        build release
        exec "$source_dir/build/release/app/atelier" "$@"
        ;;
    test) run_tests dev ;;
    asan) run_tests asan ;;
    build) build "${1:-dev}" ;;
    *)
        echo "usage: packaging/atelier.sh run [ARGS...] | test | asan | build [PRESET]" >&2
        exit 2
        ;;
esac
