#include "engine/io/ItkReader.h"

#include "engine/io/ItkCompat.h" // before any ITK header
#include <itkBMPImageIO.h>
#include <itkImageIOBase.h>
#include <itkJPEGImageIO.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>
#include <itkPNGImageIO.h>
#include <itkTIFFImageIO.h>

#include <png.h>
#include <torch/torch.h>

#include <filesystem>

#include "engine/core/Error.h"

namespace medulla {
namespace {

enum class Format { None, Nifti, Nrrd, Meta, Png, Jpeg, Bmp, Tiff };

Format bySuffix(const FileProbe& p) {
    for (const char* s : {".nii", ".nii.gz", ".hdr", ".img", ".img.gz", ".hdr.gz"})
        if (p.endsWith(s))
            return Format::Nifti;
    if (p.endsWith(".nrrd") || p.endsWith(".nhdr"))
        return Format::Nrrd;
    if (p.endsWith(".mha") || p.endsWith(".mhd"))
        return Format::Meta;
    if (p.endsWith(".png"))
        return Format::Png;
    if (p.endsWith(".jpg") || p.endsWith(".jpeg"))
        return Format::Jpeg;
    if (p.endsWith(".bmp"))
        return Format::Bmp;
    if (p.endsWith(".tif") || p.endsWith(".tiff"))
        return Format::Tiff;
    return Format::None;
}

Format byContent(const std::string& h) {
    auto starts = [&](const char* m, size_t n) {
        return h.size() >= n && h.compare(0, n, m, n) == 0;
    };
    if (starts("\x89PNG\r\n\x1a\n", 8))
        return Format::Png;
    if (starts("\xff\xd8\xff", 3))
        return Format::Jpeg;
    if (starts("BM", 2))
        return Format::Bmp;
    if (starts("II*\0", 4) || starts("MM\0*", 4))
        return Format::Tiff;
    if (starts("NRRD", 4))
        return Format::Nrrd;
    if (starts("ObjectType", 10) || starts("NDims", 5))
        return Format::Meta;
    return Format::None;
}

itk::ImageIOBase::Pointer makeIo(Format f) {
    switch (f) {
    case Format::Nifti:
        return itk::NiftiImageIO::New().GetPointer();
    case Format::Nrrd:
        return itk::NrrdImageIO::New().GetPointer();
    case Format::Meta:
        return itk::MetaImageIO::New().GetPointer();
    case Format::Png:
        return itk::PNGImageIO::New().GetPointer();
    case Format::Jpeg:
        return itk::JPEGImageIO::New().GetPointer();
    case Format::Bmp:
        return itk::BMPImageIO::New().GetPointer();
    case Format::Tiff:
        return itk::TIFFImageIO::New().GetPointer();
    default:
        return nullptr;
    }
}

struct Component {
    at::ScalarType type;
    const char* name;
};

Component componentOf(itk::IOComponentEnum c, const std::string& path) {
    using C = itk::IOComponentEnum;
    switch (c) {
    case C::UCHAR:
        return {at::kByte, "uint8"};
    case C::CHAR:
        return {at::kChar, "int8"};
    case C::SHORT:
        return {at::kShort, "int16"};
    case C::USHORT:
        return {at::kShort, "uint16"}; // widened below
    case C::INT:
        return {at::kInt, "int32"};
    case C::UINT:
        return {at::kInt, "uint32"}; // widened below
    case C::LONG:
    case C::LONGLONG:
        return {at::kLong, "int64"};
    case C::FLOAT:
        return {at::kFloat, "float32"};
    case C::DOUBLE:
        return {at::kDouble, "float64"};
    default:
        throw IoError("ITK pixel component type " + itk::ImageIOBase::GetComponentTypeAsString(c) +
                          " is not supported",
                      path);
    }
}

/// ITK 5.2's PNGImageIO installs no libpng error handler, so a damaged PNG
/// aborts the process (found by fuzz_itk). Decode it once with libpng's
/// simplified API, which reports errors, before ITK sees it.
void validatePng(const std::string& path) {
    png_image img;
    std::memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path.c_str()))
        throw IoError(std::string("corrupt PNG: ") + img.message, path);
    if (uint64_t(img.width) * uint64_t(img.height) > (uint64_t(1) << 28)) {
        png_image_free(&img);
        throw IoError("PNG of " + std::to_string(img.width) + "x" + std::to_string(img.height) +
                          " pixels is too large",
                      path);
    }
    img.format = PNG_FORMAT_RGBA;
    std::vector<uint8_t> buffer(PNG_IMAGE_SIZE(img));
    if (!png_image_finish_read(&img, nullptr, buffer.data(), 0, nullptr))
        throw IoError(std::string("corrupt PNG: ") + img.message, path);
}

} // namespace

std::string ItkReader::formats() const {
    return "NIfTI-1/Analyze (.nii .nii.gz .hdr/.img), NRRD (.nrrd .nhdr), MetaImage (.mha "
           ".mhd), PNG, JPEG, BMP, TIFF";
}

bool ItkReader::canRead(const FileProbe& probe) const {
    return !probe.isDirectory &&
           (bySuffix(probe) != Format::None || byContent(probe.head) != Format::None);
}

LoadedImage ItkReader::read(const std::string& path, const ReadOptions&) const {
    const FileProbe probe = probeFile(path);
    Format f = bySuffix(probe);
    if (f == Format::None)
        f = byContent(probe.head);
    itk::ImageIOBase::Pointer io = makeIo(f);
    if (!io)
        throw IoError("ITKReader does not know this format (" + formats() + ")", path);
    std::string readPath = path;
    if (f == Format::Nifti && (probe.endsWith(".img") || probe.endsWith(".hdr"))) {
        // Analyze / NIfTI pairs: both halves must be there.
        std::filesystem::path p(path);
        const std::string other =
            p.replace_extension(probe.endsWith(".img") ? ".hdr" : ".img").string();
        if (!std::filesystem::exists(other))
            throw IoError("the other half of the .hdr/.img pair is missing: " + other, path);
    }
    if (f == Format::Png)
        validatePng(path);
    LoadedImage out;
    at::Tensor data;
    try {
        if (!io->CanReadFile(readPath.c_str()))
            throw IoError("ITK " + std::string(io->GetNameOfClass()) + " cannot read this file",
                          path);
        io->SetFileName(readPath);
        io->SetExpandRGBPalette(false); // palettes are resolved below
        io->ReadImageInformation();
        const unsigned nd = io->GetNumberOfDimensions();
        const unsigned nc = io->GetNumberOfComponents();
        const Component comp = componentOf(io->GetComponentType(), path);
        std::vector<int64_t> shape; // memory order: last ITK axis first, components last
        itk::ImageIORegion region(nd);
        uint64_t count = nc;
        for (int d = int(nd) - 1; d >= 0; --d) {
            shape.push_back(int64_t(io->GetDimensions(unsigned(d))));
            region.SetIndex(unsigned(d), 0);
            region.SetSize(unsigned(d), io->GetDimensions(unsigned(d)));
            count *= io->GetDimensions(unsigned(d));
        }
        shape.push_back(int64_t(nc));
        io->SetIORegion(region);
        const size_t bytes = io->GetImageSizeInBytes();
        std::vector<uint8_t> buffer(bytes);
        io->Read(buffer.data());
        const std::string cname = comp.name;
        if (cname == "uint16" || cname == "uint32") {
            at::Tensor wide =
                torch::empty({int64_t(count)}, cname == "uint16" ? torch::kInt : torch::kLong);
            for (uint64_t i = 0; i < count; ++i) {
                if (cname == "uint16") {
                    uint16_t v;
                    std::memcpy(&v, buffer.data() + 2 * i, 2);
                    wide.data_ptr<int32_t>()[i] = v;
                } else {
                    uint32_t v;
                    std::memcpy(&v, buffer.data() + 4 * i, 4);
                    wide.data_ptr<int64_t>()[i] = v;
                }
            }
            data = wide.view(shape);
        } else {
            data = torch::from_blob(buffer.data(), shape, comp.type).clone();
        }
        std::vector<int64_t> perm;
        for (int d = int(nd) - 1; d >= 0; --d)
            perm.push_back(d);
        perm.push_back(int64_t(nd));
        data = data.permute(perm);
        unsigned channels = nc;
        if (io->GetIsReadAsScalarPlusPalette() && f == Format::Png) {
            // Indexed colour: grey palettes become grey values, others RGB.
            const auto& palette = static_cast<itk::PNGImageIO*>(io.GetPointer())->GetColorPalette();
            bool grey = true;
            at::Tensor lut =
                torch::zeros({int64_t(std::max<size_t>(palette.size(), 256)), 3}, torch::kByte);
            for (size_t i = 0; i < palette.size(); ++i) {
                grey = grey && palette[i][0] == palette[i][1] && palette[i][1] == palette[i][2];
                for (int k = 0; k < 3; ++k)
                    lut[int64_t(i)][k] = palette[i][unsigned(k)];
            }
            at::Tensor rgb = lut.index_select(0, data.select(-1, 0).flatten().to(torch::kLong));
            std::vector<int64_t> shape3 = data.select(-1, 0).sizes().vec();
            shape3.push_back(3);
            data = rgb.view(shape3);
            if (grey)
                data = data.narrow(-1, 0, 1);
            channels = grey ? 1 : 3;
            out.meta.tags["png_palette"] = grey ? "grey" : "colour";
        }
        if (channels == 1)
            data = data.select(-1, 0);
        out.data = data.contiguous();
        // A 4th axis (time) counts as channels, as MONAI's readers do.
        out.meta.originalChannelDim = channels == 1 && nd <= 3 ? ImageMeta::kNoChannel : -1;
        if (nc > 1 && nd > 3)
            throw IoError("images with both a 4th axis and multi-component pixels are not "
                          "supported",
                          path);
        out.meta.sourceDtype =
            (channels > 1 ? std::to_string(channels) + "x" : std::string()) + cname;

        // LPS geometry of the first three axes -> RAS affine.
        std::array<std::array<double, 4>, 4> m{};
        for (unsigned r = 0; r < 4; ++r)
            m[r][r] = 1.0;
        const unsigned g = std::min(nd, 3u);
        for (unsigned col = 0; col < g; ++col) {
            const std::vector<double> dir = io->GetDirection(col);
            const double sp = io->GetSpacing(col);
            for (unsigned row = 0; row < 3; ++row)
                m[row][col] = row < dir.size() && row < g ? dir[row] * sp : (row == col ? sp : 0.0);
        }
        for (unsigned row = 0; row < g; ++row)
            m[row][3] = io->GetOrigin(row);
        for (unsigned row = 0; row < 2; ++row)
            for (unsigned col = 0; col < 4; ++col)
                m[row][col] = -m[row][col];
        out.affine = Affine(m);
        for (unsigned d = 0; d < std::min(nd, 3u); ++d)
            out.meta.spatialShape.push_back(int64_t(io->GetDimensions(d)));
    } catch (const itk::ExceptionObject& e) {
        throw IoError(std::string("ITK cannot read this file: ") + e.GetDescription(), path);
    }
    out.meta.filenames = {path};
    out.meta.reader = name();
    out.meta.originalAffine = out.affine;
    out.meta.tags["itk_image_io"] = io->GetNameOfClass();
    return out;
}

} // namespace medulla
