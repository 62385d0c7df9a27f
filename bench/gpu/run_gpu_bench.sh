#!/usr/bin/env bash
# Build the compute-only configuration against the pip PyTorch of this machine
# and run the GPU checks (bench/gpu/bench_gpu.cpp; bench/README.md, "GPU checks").
#
#   bench/gpu/run_gpu_bench.sh [bench_gpu options...]
#
# Environment:
#   PYTHON      the Python whose torch to build against (default: python3)
#   BUILD_DIR   build folder (default: <repo>/build-gpu)
#   CUDA_ARCH   CMAKE_CUDA_ARCHITECTURES (default: from nvidia-smi, e.g. 90)
#   MEDULLA_JSON_INCLUDE_DIR  folder holding nlohmann/json.hpp when its CMake
#               package is not installed (apt: nlohmann-json3-dev; or copy
#               /usr/include/nlohmann from any Debian/Ubuntu machine)
#   JOBS        parallel compile jobs (default: nproc)
#
# Output: the configure/build log on stderr, then one JSON line per check on
# stdout, also saved to $BUILD_DIR/bench_gpu.jsonl.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
python=${PYTHON:-python3}
build=${BUILD_DIR:-$root/build-gpu}
jobs=${JOBS:-$(nproc)}

die() { echo "run_gpu_bench: $*" >&2; exit 1; }

command -v "$python" >/dev/null || die "no $python (set PYTHON)"
prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)') ||
  die "$python cannot import torch (pip install torch)"
torch_version=$("$python" -c 'import torch; print(torch.__version__)')
torch_cuda=$("$python" -c 'import torch; print(torch.version.cuda or "")')
[ -n "$torch_cuda" ] || die "torch $torch_version was built without CUDA"
command -v nvidia-smi >/dev/null || die "nvidia-smi not found: no NVIDIA driver?"
nvcc=$(command -v nvcc || true)
[ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc
# LibTorch's CMake package needs a CUDA toolkit (nvcc, headers) matching the
# major version torch was built with; the CUDA kernels need nvcc too.
[ -n "$nvcc" ] || die "nvcc not found: install a CUDA toolkit $torch_cuda (or add it to PATH)"

if [ -z "${CUDA_ARCH:-}" ]; then
  cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d ' .')
  CUDA_ARCH=${cap:-90}
fi

echo "run_gpu_bench: torch $torch_version (CUDA $torch_cuda) from $prefix; nvcc $nvcc; sm_$CUDA_ARCH" >&2
nvidia-smi --query-gpu=index,name,memory.total,driver_version --format=csv,noheader >&2

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
json_dir=()
[ -n "${MEDULLA_JSON_INCLUDE_DIR:-}" ] && json_dir=(-DMEDULLA_JSON_INCLUDE_DIR="$MEDULLA_JSON_INCLUDE_DIR")

cmake -S "$root" -B "$build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=Release \
  -DMEDULLA_COMPUTE_ONLY=ON \
  -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CUDA_COMPILER="$nvcc" \
  -DCMAKE_CUDA_ARCHITECTURES="$CUDA_ARCH" \
  "${json_dir[@]}" >&2
cmake --build "$build" --target bench_gpu -j "$jobs" >&2

"$build/bench/gpu/bench_gpu" "$@" | tee "$build/bench_gpu.jsonl"
