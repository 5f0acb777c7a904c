#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing, builds, and then
#   run  [ARGS...]   starts Atelier (no ARGS: the main window on the default root)
#   test             builds and runs the whole test suite (CTest, GUI tests offscreen), then builds it again with
#                    clang under AddressSanitizer + UndefinedBehaviorSanitizer and runs it there too (but for the
#                    minute-long stress test), each libFuzzer target for 30 s included
#   asan             only the sanitizer half of `test`
#   fuzz [SECONDS]   the sanitizer build, then each libFuzzer target for SECONDS (default 600)
#   build [PRESET]   only builds (dev, asan, release, engine-only)
#   package          the release build, then its Debian package (build/release/atelier_VERSION_ARCH.deb); see
#                    packaging/test-package.sh for trying it on a clean Debian 12
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
    shift
    build "$preset"
    export ATELIER_FIXTURES="${ATELIER_FIXTURES:-$source_dir/../shared/fixtures}"
    (cd "$source_dir" && ctest --preset "$preset" --parallel "$jobs" --timeout 900 "$@")
}

fuzz() {
    local seconds="${1:-600}"
    build asan
    local fuzzers="$source_dir/build/asan/tests/fuzz"
    for corpus in "$source_dir"/tests/fuzz/corpus/*/; do
        local name
        name="$(basename "$corpus")"
        echo "== $name for ${seconds} s"
        "$source_dir/tests/fuzz/run_fuzzer.sh" "$fuzzers/$name" "$seconds" "$fuzzers/found/$name" "$corpus"
    done
    echo "New inputs are in $fuzzers/found; keep the ones that add coverage with"
    echo "  FUZZER -merge=1 tests/fuzz/corpus/NAME $fuzzers/found/NAME"
}

command="${1:-run}"
[ $# -gt 0 ] && shift
case "$command" in
    run)
        build release
        exec "$source_dir/build/release/app/atelier" "$@"
        ;;
    test)
        run_tests dev
        run_tests asan --label-exclude stress
        ;;
    asan) run_tests asan --label-exclude stress ;;
    fuzz) fuzz "$@" ;;
    build) build "${1:-dev}" ;;
    package)
        build release
        (cd "$source_dir/build/release" && cpack -G DEB)
        ;;
    *)
        echo "usage: packaging/atelier.sh run [ARGS...] | test | asan | fuzz [SECONDS] | build [PRESET] | package" >&2
        exit 2
        ;;
esac
