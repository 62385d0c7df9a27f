#!/usr/bin/env bash
# Installs every Debian bookworm package that Medulla's build, tests and demo
# need. Idempotent: packages already present are skipped by apt. Run as root.
set -euo pipefail

PACKAGES=(
  # toolchain (clang + compiler-rt: the libFuzzer/sanitizer build of the readers)
  build-essential cmake ninja-build ccache pkg-config clang-format clang libclang-rt-14-dev
  curl ca-certificates
  # GUI stack
  qt6-base-dev libqt6opengl6-dev qt6-qpa-plugins libgl-dev libqcustomplot-dev
  fonts-dejavu-core
  # engine stack
  libtorch-dev libopenblas0-pthread libinsighttoolkit5-dev libdcmtk-dev
  libvtk9-dev nlohmann-json3-dev libcli11-dev libzip-dev libcharls-dev libopenjp2-7-dev
  libarchive-dev libdeflate-dev libcurl4-openssl-dev libssl-dev
  # c10d Gloo headers (the distributed backend inside libtorch_cpu)
  libgloo-dev
  # headless GUI tests and demo
  xvfb xauth libgl1-mesa-dri libglx-mesa0 zlib1g-dev
  # real data for tests (DATA.md)
  mricron-data insighttoolkit5-examples python3-nibabel python3-pydicom libgdcm3.0
  # the Debian package and its install test (packaging/test-package.sh): CPack's
  # dpkg-shlibdeps, the icon's PNG, a fresh debootstrap root, the .desktop check
  dpkg-dev file librsvg2-bin debootstrap desktop-file-utils x11-utils shared-mime-info
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

if [ ${#missing[@]} -eq 0 ]; then
  echo "medulla setup: all ${#PACKAGES[@]} packages already installed"
  # fetch-test-data.sh downloads one .deb with apt-get download: needs lists.
  if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then $SUDO apt-get update -qq; fi
  exit 0
fi

echo "medulla setup: installing ${#missing[@]} packages: ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "medulla setup: done"
