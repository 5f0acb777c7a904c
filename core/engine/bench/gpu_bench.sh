#!/usr/bin/env bash
# On the GPU machine: atelier_engine_bench and, on the same card right after it, the PyTorch-eager baseline
# (diffusers_baseline.py; diffusers is pure Python: PYTHONPATH may name a copy of its src folder), family by family.
# Usage: gpu_bench.sh [sd15|sd21|sdxl]...  (all three when none is named). Results go to $OUT (or ./bench-out).
set -uo pipefail
here=$(dirname "$0")
out="${OUT:-$PWD/bench-out}"
mkdir -p "$out"
bash "$here/gpu_build.sh" atelier_engine_bench || exit 1
families=("$@")
[ ${#families[@]} -gt 0 ] || families=(sd15 sd21 sdxl)
status=0
for family in "${families[@]}"; do
    /tmp/atelier-engine/core/engine/atelier_engine_bench --only "$family" --out "$out/atelier_$family.txt" \
        > "$out/atelier_$family.log" 2>&1 || status=1
    if python3 -c "import diffusers" 2> /dev/null; then
        python3 "$here/diffusers_baseline.py" --only "$family" --out "$out/diffusers_$family.txt" \
            > "$out/diffusers_$family.log" 2>&1 || status=1
    else
        echo "diffusers cannot be imported: no baseline for $family"
    fi
    grep -h "^| " "$out/atelier_$family.txt" "$out/diffusers_$family.txt" 2> /dev/null | grep -v "^| ---\|^| figure"
done
exit $status
