#!/usr/bin/env bash
# Builds the engine against the CUDA libtorch of the GPU machine's PyTorch and runs the engine benchmark.
# Output goes to $OUT (or ./bench-out): configure/build logs, the run log and the result table.
set -uo pipefail
out="${OUT:-$PWD/bench-out}"
mkdir -p "$out"
prefix=$(python3 -c "import torch; print(torch.utils.cmake_prefix_path)")
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/gpu.txt" 2>&1
start=$(date +%s)
cmake -S . -B /tmp/atelier-engine -G Ninja -DCMAKE_BUILD_TYPE=Release -DATELIER_ENGINE_ONLY=ON \
    -DCMAKE_PREFIX_PATH="$prefix" > "$out/configure.log" 2>&1 || { tail -30 "$out/configure.log"; exit 1; }
cmake --build /tmp/atelier-engine --target atelier_engine_bench > "$out/build.log" 2>&1 || { grep -E "error" "$out/build.log" | head -30; exit 1; }
echo "build: $(( $(date +%s) - start )) s"
/tmp/atelier-engine/core/engine/atelier_engine_bench --out "$out/bench.txt" "$@" > "$out/run.log" 2>&1
status=$?
tail -40 "$out/run.log"
exit $status
