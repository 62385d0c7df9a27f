#!/usr/bin/env bash
# Installs what Medulla needs, builds everything and runs every test
# (GUI tests under Xvfb). Run from anywhere, as root (or with sudo rights).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/setup-debian.sh
bash packaging/fetch-test-data.sh build/testdata
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
cd build
xvfb-run -a -s "-screen 0 1600x1000x24" ctest --output-on-failure
echo "screenshots of the studio: $(pwd)/screenshots"
cd ..
# The Debian package installed into a fresh bookworm root and run there.
bash packaging/test-package.sh build
# The readers again, built with clang + ASan + UBSan, and a short libFuzzer run.
bash packaging/run-sanitized-tests.sh
