#!/usr/bin/env bash
# The hardened-readers configuration: builds the image readers, their test
# suites and their libFuzzer targets with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/), then runs the suites over every
# real file of DATA.md and a short libFuzzer run per reader.
#   bash packaging/run-sanitized-tests.sh [FUZZ_SECONDS]   (default 20)
# Run packaging/setup-debian.sh and packaging/fetch-test-data.sh first
# (packaging/run-tests.sh does both, then calls this).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_READER="${1:-20}"
B=build-asan
CC=clang CXX=clang++ cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEDULLA_CUDA_KERNELS=OFF \
  -DMEDULLA_SANITIZE=address,undefined -DMEDULLA_FUZZ=ON \
  -DMEDULLA_BUILD_UI=OFF -DMEDULLA_BUILD_BENCH=OFF \
  -DMEDULLA_FUZZ_SECONDS="$SECONDS_PER_READER" \
  -DMEDULLA_TESTDATA_DIR="$(pwd)/build/testdata" >/dev/null
cmake --build "$B" --target test_dicom test_io test_nifti \
  fuzz_dicom fuzz_nifti fuzz_npy fuzz_npz fuzz_itk \
  fuzz_dicom_replay fuzz_nifti_replay fuzz_npy_replay fuzz_npz_replay fuzz_itk_replay
cd "$B"
# LibTorch and Qt are not instrumented; their allocations at exit are not ours.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:detect_odr_violation=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest -L io --output-on-failure
