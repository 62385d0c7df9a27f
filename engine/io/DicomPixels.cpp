/// Pixel decoding of one DICOM file: DCMTK for native, deflated, JPEG and
/// RLE transfer syntaxes, CharLS for JPEG-LS, OpenJPEG for JPEG 2000. All
/// paths end in the same conversion of stored values.
#include "engine/io/DicomFile.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <torch/torch.h>

#include <cmath>
#include <cstring>

#include "engine/core/Error.h"
#include "engine/io/DicomDataset.h"

namespace medulla {
namespace {

/// How the stored values are laid out in the decoded byte buffer.
struct Layout {
    int rows = 0, cols = 0, frames = 1, spp = 1;
    int bitsAllocated = 16, bitsStored = 16, highBit = 15, pixelRep = 0, planar = 0;
    std::string photometric;
    bool swapWords32 = false; ///< 32-bit values held as byte-swapped 16-bit words
};

/// JPEG 2000 is decoded by OpenJPEG (DicomJpeg2000.cpp).
bool isJpeg2000(const std::string& uid) {
    return uid == "1.2.840.10008.1.2.4.90" || uid == "1.2.840.10008.1.2.4.91" ||
           uid == "1.2.840.10008.1.2.4.92" || uid == "1.2.840.10008.1.2.4.93" ||
           uid.rfind("1.2.840.10008.1.2.4.20", 0) == 0; // HTJ2K
}

/// JPEG-LS is decoded by CharLS 2 (DicomJpegLs.cpp).
bool isJpegLs(const std::string& uid) {
    return uid == "1.2.840.10008.1.2.4.80" || uid == "1.2.840.10008.1.2.4.81";
}

Layout layoutOf(const DicomHeader& h) {
    Layout L;
    L.rows = h.rows;
    L.cols = h.columns;
    L.frames = h.frames;
    L.spp = h.samplesPerPixel;
    L.bitsAllocated = h.bitsAllocated;
    L.bitsStored = h.bitsStored;
    L.highBit = h.highBit;
    L.pixelRep = h.pixelRepresentation;
    L.planar = h.planarConfiguration;
    L.photometric = h.photometric;
    return L;
}

uint64_t expectedBytes(const Layout& L) {
    const uint64_t n = uint64_t(L.rows) * uint64_t(L.cols) * uint64_t(L.frames) * uint64_t(L.spp);
    if (L.photometric == "YBR_FULL_422")
        return uint64_t(L.rows) * uint64_t(L.cols) * uint64_t(L.frames) * 2 *
               uint64_t(L.bitsAllocated / 8);
    return L.bitsAllocated == 1 ? (n + 7) / 8 : n * uint64_t(L.bitsAllocated / 8);
}

/// Stored value i of the buffer, masked to BitsStored and sign-extended.
struct Unpacker {
    const uint8_t* p;
    Layout L;
    uint64_t mask;
    int shift;
    double get(uint64_t i) const {
        uint64_t raw = 0;
        switch (L.bitsAllocated) {
        case 1:
            return (p[i / 8] >> (i % 8)) & 1u;
        case 8:
            raw = p[i];
            break;
        case 16: {
            uint16_t v;
            std::memcpy(&v, p + 2 * i, 2);
            raw = v;
            break;
        }
        case 32: {
            uint32_t v;
            std::memcpy(&v, p + 4 * i, 4);
            if (L.swapWords32)
                v = (v >> 16) | (v << 16);
            raw = v;
            break;
        }
        }
        uint64_t s = (raw >> shift) & mask;
        if (L.pixelRep == 1 && L.bitsStored < 64 && (s >> (L.bitsStored - 1)) & 1u)
            return double(int64_t(s) - (int64_t(1) << L.bitsStored));
        return double(s);
    }
};

void checkLayout(const Layout& L, const std::string& path) {
    if (L.rows <= 0 || L.cols <= 0)
        throw IoError("image without Rows/Columns", path);
    if (L.bitsAllocated != 1 && L.bitsAllocated != 8 && L.bitsAllocated != 16 &&
        L.bitsAllocated != 32)
        throw IoError("BitsAllocated " + std::to_string(L.bitsAllocated) + " is not supported",
                      path);
    if (L.bitsStored <= 0 || L.bitsStored > L.bitsAllocated || L.highBit < L.bitsStored - 1 ||
        L.highBit >= L.bitsAllocated)
        throw IoError("inconsistent BitsStored " + std::to_string(L.bitsStored) + " / HighBit " +
                          std::to_string(L.highBit) + " for BitsAllocated " +
                          std::to_string(L.bitsAllocated),
                      path);
    const std::string& pi = L.photometric;
    const bool mono = pi == "MONOCHROME1" || pi == "MONOCHROME2" || pi.empty();
    const bool color = pi == "RGB" || pi == "YBR_FULL" || pi == "YBR_FULL_422" || pi == "YBR_RCT" ||
                       pi == "YBR_ICT";
    if (!mono && !color)
        throw IoError("photometric interpretation " + pi + " is not supported", path);
    if ((mono && L.spp != 1) || (color && L.spp != 3))
        throw IoError("photometric interpretation " + pi + " with " + std::to_string(L.spp) +
                          " samples per pixel",
                      path);
}

/// Stored values -> (frames, rows, cols, samples) float64 after the
/// photometric conversion and the modality rescale.
at::Tensor convert(const uint8_t* bytes, uint64_t length, const Layout& L, const DicomHeader& h) {
    checkLayout(L, h.path);
    const uint64_t need = expectedBytes(L);
    if (length < need)
        throw IoError("truncated pixel data: " + std::to_string(length) + " bytes, " +
                          std::to_string(L.frames) + " frame(s) of " + std::to_string(L.rows) +
                          "x" + std::to_string(L.cols) + " need " + std::to_string(need),
                      h.path);
    Unpacker u{bytes, L, L.bitsStored >= 64 ? ~0ull : (1ull << L.bitsStored) - 1,
               L.highBit + 1 - L.bitsStored};
    const int64_t F = L.frames, R = L.rows, C = L.cols, S = L.spp;
    at::Tensor out = torch::empty({F, R, C, S}, torch::kDouble);
    double* o = out.data_ptr<double>();
    const uint64_t plane = uint64_t(R * C);
    if (L.photometric == "YBR_FULL_422") { // Y0 Y1 Cb Cr per pair of pixels
        for (int64_t f = 0; f < F; ++f)
            for (int64_t r = 0; r < R; ++r)
                for (int64_t c = 0; c < C; ++c) {
                    const uint64_t pix = uint64_t(f) * plane + uint64_t(r * C + c);
                    const uint64_t pair = pix / 2 * 4;
                    double* d = o + pix * 3;
                    d[0] = u.get(pair + pix % 2);
                    d[1] = u.get(pair + 2);
                    d[2] = u.get(pair + 3);
                }
    } else {
        for (int64_t f = 0; f < F; ++f)
            for (uint64_t i = 0; i < plane; ++i)
                for (int64_t s = 0; s < S; ++s) {
                    const uint64_t src =
                        L.planar == 1 && S > 1
                            ? (uint64_t(f) * uint64_t(S) + uint64_t(s)) * plane + i
                            : (uint64_t(f) * plane + i) * uint64_t(S) + uint64_t(s);
                    o[(uint64_t(f) * plane + i) * uint64_t(S) + uint64_t(s)] = u.get(src);
                }
    }
    const int64_t total = F * R * C * S;
    if (L.photometric == "MONOCHROME1") { // invert so that higher is brighter
        const double top = L.pixelRep == 1 ? -1.0 : double((1ull << L.bitsStored) - 1);
        for (int64_t i = 0; i < total; ++i)
            o[i] = top - o[i];
    }
    if (L.photometric == "YBR_FULL" || L.photometric == "YBR_FULL_422") {
        const double maxv = double((1ull << L.bitsStored) - 1),
                     half = double(1ull << (L.bitsStored - 1));
        for (int64_t i = 0; i < total; i += 3) {
            const double y = o[i], cb = o[i + 1] - half, cr = o[i + 2] - half;
            const double rgb[3] = {y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr,
                                   y + 1.772 * cb};
            for (int k = 0; k < 3; ++k)
                o[i + k] = std::min(maxv, std::max(0.0, std::round(rgb[k])));
        }
    }
    if (S == 1) {
        for (int64_t f = 0; f < F; ++f) {
            const DicomFrameGeometry g = h.frameGeometry(int(f));
            if (g.rescaleSlope == 1.0 && g.rescaleIntercept == 0.0)
                continue;
            double* fr = o + uint64_t(f) * plane;
            for (uint64_t i = 0; i < plane; ++i)
                fr[i] = fr[i] * g.rescaleSlope + g.rescaleIntercept;
        }
    }
    return out;
}

at::Tensor readDicomFramesImpl(const std::string& path, DicomHeader* headerOut);

} // namespace

at::Tensor readDicomFrames(const std::string& path, DicomHeader* headerOut) {
    try {
        return readDicomFramesImpl(path, headerOut);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) { // from DCMTK, the codecs or LibTorch
        throw IoError(std::string("cannot decode this file: ") + e.what(), path);
    }
}

namespace {
at::Tensor readDicomFramesImpl(const std::string& path, DicomHeader* headerOut) {
    auto file = detail::openDicom(path, false);
    DicomHeader h = detail::extractHeader(*file, path);
    requireImage(h);
    DcmDataset* ds = file->getDataset();
    at::Tensor out;
    if (isJpeg2000(h.transferSyntax)) {
        Layout L = layoutOf(h);
        checkLayout(L, path);
        const std::vector<uint8_t> bytes = detail::decodeJpeg2000(*ds, h, L.photometric);
        L.planar = 0;
        h.photometric = L.photometric;
        out = convert(bytes.data(), bytes.size(), L, h);
    } else if (isJpegLs(h.transferSyntax)) {
        Layout L = layoutOf(h);
        checkLayout(L, path);
        const std::vector<uint8_t> bytes = detail::decodeJpegLs(*ds, h, L.planar);
        out = convert(bytes.data(), bytes.size(), L, h);
    } else if (h.floatPixelData) {
        DcmElement* e = nullptr;
        Float32* f = nullptr;
        ds->findAndGetElement(DCM_FloatPixelData, e);
        if (!e || e->getFloat32Array(f).bad() || !f)
            throw IoError("cannot read FloatPixelData", path);
        const uint64_t n = uint64_t(h.rows) * uint64_t(h.columns) * uint64_t(h.frames);
        if (e->getLength() < n * 4)
            throw IoError("truncated FloatPixelData", path);
        out =
            torch::from_blob(f, {h.frames, h.rows, h.columns, 1}, torch::kFloat).to(torch::kDouble);
    } else {
        DcmXfer original(ds->getOriginalXfer());
        if (original.isEncapsulated()) {
            OFCondition c = ds->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
            if (c.bad() || !ds->canWriteXfer(EXS_LittleEndianExplicit))
                throw IoError("transfer syntax " + h.transferSyntax + " (" +
                                  transferSyntaxName(h.transferSyntax) +
                                  ") cannot be decoded: " + std::string(c.text()),
                              path);
            h.photometric.clear(); // the decoder may have converted YBR to RGB
            OFString pi;
            if (ds->findAndGetOFString(DCM_PhotometricInterpretation, pi).good())
                h.photometric = pi.c_str();
            Uint16 planar = 0;
            if (ds->findAndGetUint16(DCM_PlanarConfiguration, planar).good())
                h.planarConfiguration = planar;
        }
        DcmElement* e = nullptr;
        if (ds->findAndGetElement(DCM_PixelData, e).bad() || !e)
            throw IoError("cannot read PixelData", path);
        const uint8_t* bytes = nullptr;
        const DcmEVR vr = e->getVR();
        if (vr == EVR_OW || vr == EVR_ox || vr == EVR_xs) {
            Uint16* w = nullptr;
            if (e->getUint16Array(w).bad())
                throw IoError("cannot read PixelData", path);
            bytes = reinterpret_cast<const uint8_t*>(w);
        } else {
            Uint8* b = nullptr;
            if (e->getUint8Array(b).bad())
                throw IoError("cannot read PixelData", path);
            bytes = b;
        }
        if (!bytes || e->getLength() == 0)
            throw IoError("empty PixelData", path);
        Layout L = layoutOf(h);
        L.swapWords32 = original.isBigEndian() && vr != EVR_OB && h.bitsAllocated == 32;
        out = convert(bytes, e->getLength(), L, h);
    }
    if (h.photometric.rfind("YBR", 0) == 0)
        h.photometric = "RGB"; // converted above
    if (headerOut)
        *headerOut = h;
    return out;
}
} // namespace

} // namespace medulla
