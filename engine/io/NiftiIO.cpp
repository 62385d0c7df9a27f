#include "engine/io/NiftiIO.h"

#include "engine/io/ItkCompat.h" // before any ITK header
#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkImportImageFilter.h>
#include <itkNiftiImageIO.h>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <zlib.h>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/core/Strings.h"
#include "engine/io/GzipInflate.h"
#include "engine/io/NiftiHeader.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

/// Read an N-D image as float and return a tensor shaped like the file's axes
/// reversed into C-order: (d0, d1, ..., dN-1) with d0 = i (fastest on disk).
template <unsigned D> at::Tensor readItk(const std::string& path) {
    using Image = itk::Image<float, D>;
    auto reader = itk::ImageFileReader<Image>::New();
    reader->SetImageIO(itk::NiftiImageIO::New());
    reader->SetFileName(path);
    try {
        reader->Update();
    } catch (const itk::ExceptionObject& e) {
        throw IoError(std::string("cannot read NIfTI data: ") + e.GetDescription(), path);
    }
    typename Image::Pointer img = reader->GetOutput();
    const auto size = img->GetLargestPossibleRegion().GetSize();
    std::vector<int64_t> rev; // memory order: last axis fastest = ITK's axis 0
    for (int d = int(D) - 1; d >= 0; --d)
        rev.push_back(int64_t(size[d]));
    at::Tensor t = torch::from_blob(img->GetBufferPointer(), rev, torch::kFloat).clone();
    std::vector<int64_t> perm;
    for (int d = int(D) - 1; d >= 0; --d)
        perm.push_back(d);
    return t.permute(perm).contiguous();
}

/// Write (X, Y[, Z]) or, with `channels`, (X, Y[, Z], C) C-order voxels:
/// D = 3 spatial axes (a 2D image gets Z = 1), plus a 4th axis holding
/// the channels (MONAI's channel-last NIfTI layout), spacing 1.
template <class Pixel, unsigned D>
void writeItk(const at::Tensor& voxels, const Affine& rasAffine, const std::string& path) {
    using Image = itk::Image<Pixel, D>;
    at::Tensor t = voxels;
    if (int64_t(t.dim()) == int64_t(D) - 1) // 2D: add Z before the channel axis (if any)
        t = t.unsqueeze(2);
    // C-order with the first axis fastest-varying in memory, as ITK stores it.
    std::vector<int64_t> perm;
    for (int d = int(D) - 1; d >= 0; --d)
        perm.push_back(d);
    at::Tensor mem = t.permute(perm).contiguous();
    auto image = Image::New();
    typename Image::SizeType size;
    for (unsigned d = 0; d < D; ++d)
        size[d] = t.size(d);
    image->SetRegions(typename Image::RegionType(size));
    image->Allocate();
    std::memcpy(image->GetBufferPointer(), mem.data_ptr(), mem.numel() * sizeof(Pixel));

    const Affine lps = rasAffine.flippedXY();
    const Vec3 sp = lps.spacing(), org = lps.origin();
    const Mat3 dir = lps.direction();
    typename Image::SpacingType spacing;
    typename Image::PointType origin;
    typename Image::DirectionType direction;
    direction.SetIdentity();
    spacing.Fill(1.0);
    origin.Fill(0.0);
    for (unsigned r = 0; r < 3; ++r) {
        spacing[r] = sp[r] > 0 ? sp[r] : 1.0;
        origin[r] = org[r];
        for (unsigned c = 0; c < 3; ++c)
            direction[r][c] = dir[r][c];
    }
    image->SetSpacing(spacing);
    image->SetOrigin(origin);
    image->SetDirection(direction);

    auto writer = itk::ImageFileWriter<Image>::New();
    writer->SetImageIO(itk::NiftiImageIO::New());
    writer->SetFileName(path);
    writer->SetInput(image);
    writer->SetUseCompression(endsWithNoCase(path, ".gz"));
    writer->Update();
}

/// writeItk of a 3D (single channel) or 4D (channel-last) image.
template <class Pixel>
void writeItkAny(const at::Tensor& voxels, bool channels, const Affine& affine,
                 const std::string& path) {
    if (channels)
        writeItk<Pixel, 4>(voxels, affine, path);
    else
        writeItk<Pixel, 3>(voxels, affine, path);
}

} // namespace

bool isNiftiPath(const std::string& path) {
    return endsWithNoCase(path, ".nii") || endsWithNoCase(path, ".nii.gz");
}

/// Voxel data of a single-file NIfTI read directly (ITK 5.2 has no NIfTI-2
/// support): decompress, byte-swap, scale; returns (X, Y, Z[, T]) float32.
at::Tensor readNiftiVoxels(const std::string& path, const NiftiHeader& h) {
    struct Type {
        int code;
        at::ScalarType type;
        int bytes;
    };
    static const Type types[] = {{2, at::kByte, 1},   {4, at::kShort, 2},   {8, at::kInt, 4},
                                 {16, at::kFloat, 4}, {64, at::kDouble, 8}, {256, at::kChar, 1},
                                 {512, at::kInt, 2},  {768, at::kLong, 4},  {1024, at::kLong, 8}};
    const Type* t = nullptr;
    for (const auto& candidate : types)
        if (candidate.code == h.datatype)
            t = &candidate;
    if (!t)
        throw IoError("NIfTI datatype " + niftiDatatypeName(h.datatype) + " is not supported",
                      path);
    int64_t n = 1;
    for (auto d : h.shape)
        n *= d;
    const bool widen = h.datatype == 512 || h.datatype == 768; // uint16/32: no LibTorch type
    const size_t total = size_t(n) * size_t(t->bytes);
    const size_t offset = size_t(h.voxOffset);
    const at::ScalarType rawType = widen ? torch::kByte : t->type;
    at::Tensor raw;
    if (endsWithNoCase(path, ".gz") && offset % size_t(t->bytes) == 0) {
        // Fast path: the whole file at once, the voxels used in place (no copy).
        at::Tensor whole = torch::empty({int64_t(offset + total)}, torch::kByte);
        if (inflateGzipPrefix(path, whole.data_ptr(), offset + total))
            raw = whole.narrow(0, int64_t(offset), int64_t(total)).view(rawType);
    }
    if (!raw.defined()) {
        raw = torch::empty({n * (widen ? t->bytes : 1)}, rawType);
        auto* out = static_cast<unsigned char*>(raw.data_ptr());
        gzFile f = gzopen(path.c_str(), "rb");
        if (!f)
            throw IoError("cannot open file", path);
        gzbuffer(f, 1 << 20);
        // gzread takes unsigned lengths: read in chunks below 2 GiB.
        bool ok = gzseek(f, z_off_t(offset), SEEK_SET) >= 0;
        for (size_t got = 0; ok && got < total;) {
            const unsigned chunk = unsigned(std::min<size_t>(total - got, size_t(1) << 30));
            ok = gzread(f, out + got, chunk) == int(chunk);
            got += chunk;
        }
        gzclose(f);
        if (!ok)
            throw IoError("truncated NIfTI voxel data", path);
    }
    auto* dst = static_cast<unsigned char*>(raw.data_ptr());
    if (h.bigEndian && t->bytes > 1)
        for (size_t i = 0; i < total; i += size_t(t->bytes))
            std::reverse(dst + i, dst + i + t->bytes);
    at::Tensor v = raw;
    if (widen) {
        v = torch::empty({n}, torch::kLong);
        int64_t* out = v.data_ptr<int64_t>();
        for (int64_t i = 0; i < n; ++i) {
            if (t->bytes == 2) {
                uint16_t u;
                std::memcpy(&u, dst + 2 * i, 2);
                out[i] = u;
            } else {
                uint32_t u;
                std::memcpy(&u, dst + 4 * i, 4);
                out[i] = u;
            }
        }
    }
    std::vector<int64_t> rev(h.shape.rbegin(), h.shape.rend()); // memory order: i fastest
    std::vector<int64_t> perm;
    for (int64_t d = int64_t(rev.size()) - 1; d >= 0; --d)
        perm.push_back(d);
    // One pass: transpose to (X, Y, Z[, T]) C-order and convert to float32.
    at::Tensor src = v.view(rev).permute(perm);
    at::Tensor out = torch::empty(src.sizes(), torch::kFloat);
    out.copy_(src);
    if (h.sclSlope != 0 && std::isfinite(h.sclSlope) && std::isfinite(h.sclInter) &&
        !(h.sclSlope == 1 && h.sclInter == 0))
        out.mul_(h.sclSlope).add_(h.sclInter);
    return out;
}

/// The number of voxel-data bytes a header promises.
uint64_t expectedDataBytes(const NiftiHeader& h) {
    uint64_t n = 1;
    for (auto s : h.shape)
        n *= uint64_t(s);
    return n * uint64_t(std::max(h.bitpix, 8) / 8);
}

/// ITK accepts a truncated .nii.gz silently. A complete single-member gzip
/// file ends with its uncompressed size (mod 2^32): when that matches, the
/// file is whole; otherwise decompress to count the bytes.
void checkCompressedSize(const std::string& path, uint64_t need) {
    {
        std::ifstream f(path, std::ios::binary | std::ios::ate);
        if (f && f.tellg() >= 18) {
            f.seekg(-4, std::ios::end);
            unsigned char b[4];
            f.read(reinterpret_cast<char*>(b), 4);
            const uint32_t isize =
                uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
            if (f && isize == uint32_t(need & 0xffffffffu))
                return;
        }
    }
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f)
        throw IoError("cannot open file", path);
    std::vector<char> buf(1 << 20);
    uint64_t total = 0;
    int got = 0;
    while ((got = gzread(f, buf.data(), unsigned(buf.size()))) > 0)
        total += uint64_t(got);
    gzclose(f);
    if (got < 0 || total < need)
        throw IoError("truncated or corrupt compressed NIfTI file: " + std::to_string(total) +
                          " bytes after decompression, the header needs " + std::to_string(need),
                      path);
}

Volume readNifti(const std::string& path) {
    const NiftiHeader h = readNiftiHeader(path);
    // Catch truncated files before ITK, which may not notice a short read.
    const uint64_t need = uint64_t(h.voxOffset) + expectedDataBytes(h);
    if (endsWithNoCase(path, ".nii")) {
        const uint64_t have = fs::file_size(path);
        if (have < need)
            throw IoError("truncated NIfTI file: " + std::to_string(have) +
                              " bytes, the header needs " + std::to_string(need),
                          path);
    } else if (endsWithNoCase(path, ".nii.gz")) {
        checkCompressedSize(path, need);
    }
    const size_t nd = h.shape.size();
    if (nd < 2 || nd > 4)
        throw IoError(
            "NIfTI files with " + std::to_string(nd) + " dimensions are not supported yet", path);
    // (X, Y[, Z[, T]]) in file axis order. Read natively (same rules as
    // nibabel: a NaN or zero scl_slope means no scaling, NaNs in float data
    // stay NaN); ITK only for voxel types the native path lacks (RGB, …).
    static const int native[] = {2, 4, 8, 16, 64, 256, 512, 768, 1024};
    const bool isNative =
        std::find(std::begin(native), std::end(native), h.datatype) != std::end(native);
    if (!isNative && h.version == 2)
        throw IoError("NIfTI-2 datatype " + niftiDatatypeName(h.datatype) + " is not supported",
                      path);
    at::Tensor t = isNative  ? readNiftiVoxels(path, h)
                   : nd == 2 ? readItk<2>(path)
                   : nd == 3 ? readItk<3>(path)
                             : readItk<4>(path);
    t = nd == 4 ? t.permute({3, 0, 1, 2}).contiguous() : t.unsqueeze(0); // T becomes channels
    return Volume(t, h.affine);
}

void writeNifti(const Volume& volume, const std::string& path, NiftiVoxelType type) {
    if (!volume.isValid())
        throw IoError("cannot write an empty volume", path);
    if (!isNiftiPath(path))
        throw IoError("file name must end in .nii or .nii.gz", path);
    const bool gz = endsWithNoCase(path, ".gz");
    // One channel: (X, Y[, Z]); several: (X, Y[, Z], C), as MONAI writes them.
    const bool channels = volume.channels() != 1;
    at::Tensor data = channels ? volume.data().movedim(0, -1).cpu().contiguous()
                               : volume.data()[0].cpu().contiguous();
    if (type == NiftiVoxelType::UInt16) {
        if (data.numel() && (data.min().item<double>() < 0 || data.max().item<double>() > 65535))
            throw IoError("values outside 0..65535 cannot be stored as uint16", path);
        // LibTorch has no uint16: the int32 values' low halves are the uint16s.
        data = data.round().to(at::kInt).contiguous();
    }
    writeAtomically(
        path,
        [&](const std::string& tmp) {
            try {
                if (type == NiftiVoxelType::UInt16) {
                    at::Tensor low = torch::empty(data.sizes(), torch::kShort);
                    const int32_t* in = data.data_ptr<int32_t>();
                    auto* out = reinterpret_cast<uint16_t*>(low.data_ptr<int16_t>());
                    for (int64_t i = 0; i < data.numel(); ++i)
                        out[i] = uint16_t(in[i]);
                    writeItkAny<uint16_t>(low, channels, volume.affine(), tmp);
                    return;
                }
                switch (data.scalar_type()) {
                case at::kByte:
                    writeItkAny<uint8_t>(data, channels, volume.affine(), tmp);
                    break;
                case at::kShort:
                    writeItkAny<int16_t>(data, channels, volume.affine(), tmp);
                    break;
                case at::kInt:
                    writeItkAny<int32_t>(data, channels, volume.affine(), tmp);
                    break;
                case at::kDouble:
                    writeItkAny<double>(data, channels, volume.affine(), tmp);
                    break;
                default:
                    writeItkAny<float>(data.to(at::kFloat).contiguous(), channels, volume.affine(),
                                       tmp);
                    break;
                }
            } catch (const itk::ExceptionObject& e) {
                throw IoError(std::string("cannot write NIfTI: ") + e.GetDescription(), path);
            }
        },
        gz ? ".nii.gz" : ".nii");
}

} // namespace medulla
