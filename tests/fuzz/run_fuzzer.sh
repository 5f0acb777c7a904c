#!/usr/bin/env bash
# run_fuzzer.sh FUZZER SECONDS FOUND_DIR CORPUS_DIR
# Runs one libFuzzer target for SECONDS over its corpus; new inputs go to FOUND_DIR, a crashing input next to it
# (crash-*, leak-*, timeout-*) and is named in the output. Exits non-zero when the target crashed.
set -euo pipefail
fuzzer="$1" seconds="$2" found="$3" corpus="$4"
mkdir -p "$found"
exec "$fuzzer" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$(dirname "$found")/$(basename "$found")-" "$found" "$corpus"
