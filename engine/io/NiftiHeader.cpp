#include "engine/io/NiftiHeader.h"

#include <zlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "engine/core/Error.h"

namespace medulla {
namespace {

class HeaderBytes {
public:
    HeaderBytes(const unsigned char* data, bool swap) : d_(data), swap_(swap) {}
    template <class T> T get(size_t offset) const {
        unsigned char b[sizeof(T)];
        std::memcpy(b, d_ + offset, sizeof(T));
        if (swap_)
            for (size_t i = 0; i < sizeof(T) / 2; ++i)
                std::swap(b[i], b[sizeof(T) - 1 - i]);
        T v;
        std::memcpy(&v, b, sizeof(T));
        return v;
    }

private:
    const unsigned char* d_;
    bool swap_;
};

int32_t swapped32(int32_t v) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    u = (u >> 24) | ((u >> 8) & 0xff00u) | ((u << 8) & 0xff0000u) | (u << 24);
    std::memcpy(&v, &u, 4);
    return v;
}

Affine quaternionAffine(double b, double c, double d, double qx, double qy, double qz,
                        const std::array<double, 8>& pixdim) {
    double w2 = 1.0 - (b * b + c * c + d * d);
    double a = w2 > 0 ? std::sqrt(w2) : 0.0;
    if (w2 <= 0) { // renormalise a quaternion that is not quite unit (as nibabel does)
        const double n = std::sqrt(b * b + c * c + d * d);
        b /= n, c /= n, d /= n;
    }
    const double R[3][3] = {
        {a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)},
        {2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)},
        {2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b}};
    const double qfac = pixdim[0] < 0 ? -1.0 : 1.0;
    const double zoom[3] = {pixdim[1], pixdim[2], pixdim[3] * qfac};
    Affine m;
    for (int r = 0; r < 3; ++r) {
        for (int k = 0; k < 3; ++k)
            m(r, k) = R[r][k] * zoom[k];
    }
    m(0, 3) = qx, m(1, 3) = qy, m(2, 3) = qz;
    return m;
}

} // namespace

std::string niftiDatatypeName(int code) {
    switch (code) {
    case 2:
        return "uint8";
    case 4:
        return "int16";
    case 8:
        return "int32";
    case 16:
        return "float32";
    case 32:
        return "complex64";
    case 64:
        return "float64";
    case 128:
        return "rgb24";
    case 256:
        return "int8";
    case 512:
        return "uint16";
    case 768:
        return "uint32";
    case 1024:
        return "int64";
    case 1280:
        return "uint64";
    case 2304:
        return "rgba32";
    default:
        return "unknown(" + std::to_string(code) + ")";
    }
}

NiftiHeader readNiftiHeader(const std::string& path) {
    if (!std::filesystem::exists(path))
        throw IoError("file does not exist", path);
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f)
        throw IoError("cannot open file", path);
    unsigned char buf[540];
    const int got = gzread(f, buf, sizeof buf);
    gzclose(f);
    if (got < 348)
        throw IoError("file is too short for a NIfTI header (" + std::to_string(std::max(got, 0)) +
                          " bytes)",
                      path);
    int32_t sz;
    std::memcpy(&sz, buf, 4);
    bool swap = false;
    if (sz != 348 && sz != 540) {
        swap = true;
        sz = swapped32(sz);
    }
    if (sz != 348 && sz != 540)
        throw IoError("not a NIfTI file (sizeof_hdr is neither 348 nor 540)", path);
    if (sz == 540 && got < 540)
        throw IoError("truncated NIfTI-2 header", path);

    NiftiHeader h;
    h.bigEndian = swap;
    HeaderBytes hb(buf, swap);
    if (sz == 348) {
        h.version = 1;
        const int ndim = hb.get<int16_t>(40);
        if (ndim < 1 || ndim > 7)
            throw IoError("invalid dim[0] = " + std::to_string(ndim), path);
        for (int i = 1; i <= ndim; ++i)
            h.shape.push_back(hb.get<int16_t>(40 + 2 * i));
        h.datatype = hb.get<int16_t>(70);
        h.bitpix = hb.get<int16_t>(72);
        h.voxOffset = hb.get<float>(108);
        for (int i = 0; i < 8; ++i)
            h.pixdim[i] = hb.get<float>(76 + 4 * i);
        h.sclSlope = hb.get<float>(112);
        h.sclInter = hb.get<float>(116);
        h.qformCode = hb.get<int16_t>(252);
        h.sformCode = hb.get<int16_t>(254);
        h.quatern = {hb.get<float>(256), hb.get<float>(260), hb.get<float>(264)};
        h.qoffset = {hb.get<float>(268), hb.get<float>(272), hb.get<float>(276)};
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 4; ++c)
                h.sform(r, c) = hb.get<float>(280 + 16 * r + 4 * c);
    } else {
        h.version = 2;
        const int64_t ndim = hb.get<int64_t>(16);
        if (ndim < 1 || ndim > 7)
            throw IoError("invalid dim[0] = " + std::to_string(ndim), path);
        for (int i = 1; i <= ndim; ++i)
            h.shape.push_back(hb.get<int64_t>(16 + 8 * i));
        h.datatype = hb.get<int16_t>(12);
        h.bitpix = hb.get<int16_t>(14);
        h.voxOffset = double(hb.get<int64_t>(168));
        for (int i = 0; i < 8; ++i)
            h.pixdim[i] = hb.get<double>(104 + 8 * i);
        h.sclSlope = hb.get<double>(176);
        h.sclInter = hb.get<double>(184);
        h.qformCode = hb.get<int32_t>(344);
        h.sformCode = hb.get<int32_t>(348);
        h.quatern = {hb.get<double>(352), hb.get<double>(360), hb.get<double>(368)};
        h.qoffset = {hb.get<double>(376), hb.get<double>(384), hb.get<double>(392)};
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 4; ++c)
                h.sform(r, c) = hb.get<double>(400 + 32 * r + 8 * c);
    }
    uint64_t voxels = 1;
    for (auto s : h.shape) {
        if (s < 1)
            throw IoError("invalid dimension size " + std::to_string(s), path);
        voxels *= uint64_t(s);
        if (voxels > (uint64_t(1) << 40))
            throw IoError("the header describes more than 2^40 voxels", path);
    }
    if (!std::isfinite(h.voxOffset) || h.voxOffset < 0 || h.voxOffset > double(uint64_t(1) << 40))
        throw IoError("invalid vox_offset " + std::to_string(h.voxOffset), path, "vox_offset");
    if (h.bitpix < 0 || h.bitpix > 256)
        throw IoError("invalid bitpix " + std::to_string(h.bitpix), path, "bitpix");

    // As nibabel: negative voxel sizes count by magnitude, zero ones as 1.
    std::array<double, 8> zooms = h.pixdim;
    for (int i = 1; i <= 3; ++i) {
        zooms[i] = std::fabs(zooms[i]);
        if (zooms[i] == 0)
            zooms[i] = 1;
    }
    h.qform = quaternionAffine(h.quatern[0], h.quatern[1], h.quatern[2], h.qoffset[0], h.qoffset[1],
                               h.qoffset[2], zooms);
    if (h.qformCode > 0 && 1.0 - (h.quatern[0] * h.quatern[0] + h.quatern[1] * h.quatern[1] +
                                  h.quatern[2] * h.quatern[2]) <
                               -1e-6)
        throw IoError("the qform quaternion (quatern_b/c/d) is not a rotation", path, "quatern_b");
    if (h.sformCode > 0) {
        h.affine = h.sform;
    } else if (h.qformCode > 0) {
        h.affine = h.qform;
    } else {
        // nibabel's shape_zoom_affine(shape, zooms, x_flip=True)
        Affine a;
        for (int i = 0; i < 3; ++i) {
            const double n = i < int(h.shape.size()) ? double(h.shape[i]) : 1.0;
            double z = i < int(h.shape.size()) ? zooms[i + 1] : 1.0;
            if (i == 0)
                z = -z;
            a(i, i) = z;
            a(i, 3) = -(n - 1) / 2.0 * z;
        }
        h.affine = a;
    }
    return h;
}

} // namespace medulla
