#!/usr/bin/env bash
# Installs every Debian bookworm package that Medulla's build, tests and demo
# need. Idempotent: packages already present are skipped by apt. Run as root.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang-format
  # GUI stack
  qt6-base-dev libqt6opengl6-dev qt6-qpa-plugins libgl-dev libqcustomplot-dev
  fonts-dejavu-core
  # engine stack
  libtorch-dev libopenblas0-pthread libinsighttoolkit5-dev libdcmtk-dev
  libvtk9-dev nlohmann-json3-dev libcli11-dev
  # headless GUI tests and demo
  xvfb xauth libgl1-mesa-dri libglx-mesa0 zlib1g-dev
  # real data for tests (DATA.md)
  mricron-data insighttoolkit5-examples python3-nibabel
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "medulla setup: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "medulla setup: installing ${#missing[@]} packages: ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "medulla setup: done"
