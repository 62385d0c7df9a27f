#!/usr/bin/env bash
# Installs what Medulla needs, builds it and starts the studio on the
# built-in demo (synthetic spheres, small UNet; training starts at once).
# Without a display it runs the same demo with the command-line tool.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/setup-debian.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build --target medulla medulla-studio
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec ./build/app/medulla-studio --demo
fi
echo "No display found: running the demo training headless with the CLI."
./build/app/medulla train resources/demo_experiment.json
echo "Results (checkpoints, best model, prediction NIfTI): $(pwd)/medulla-runs/demo"
