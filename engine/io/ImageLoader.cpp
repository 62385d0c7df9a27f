#include "engine/io/ImageLoader.h"

#include "engine/io/ItkCompat.h" // before any ITK header
#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkPNGImageIO.h>
#include <itkRGBPixel.h>

#include <torch/torch.h>

#include <algorithm>
#include <cstring>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/core/Strings.h"
#include "engine/io/LoadImage.h"
#include "engine/io/NiftiIO.h"
#include "engine/io/Npy.h"

namespace medulla {
namespace {

template <class Pixel>
void writePngItk(const at::Tensor& xyc, const Volume& volume, const std::string& tmp) {
    using Image = itk::Image<Pixel, 2>;
    auto image = Image::New();
    typename Image::SizeType size;
    size[0] = xyc.size(0);
    size[1] = xyc.size(1);
    image->SetRegions(typename Image::RegionType(size));
    image->Allocate();
    at::Tensor mem = xyc.permute({1, 0, 2}).contiguous(); // (Y, X, C): X fastest
    std::memcpy(static_cast<void*>(image->GetBufferPointer()), mem.data_ptr(),
                size_t(mem.numel() * mem.element_size()));
    typename Image::SpacingType spacing;
    const Vec3 sp = volume.spacing();
    spacing[0] = sp[0] > 0 ? sp[0] : 1.0;
    spacing[1] = sp[1] > 0 ? sp[1] : 1.0;
    image->SetSpacing(spacing);
    auto writer = itk::ImageFileWriter<Image>::New();
    writer->SetImageIO(itk::PNGImageIO::New());
    writer->SetFileName(tmp);
    writer->SetInput(image);
    writer->Update();
}

void writePng(const Volume& volume, const std::string& path) {
    at::Tensor d = volume.data().cpu();
    if (volume.spatialDims() == 3) {
        if (d.size(3) != 1)
            throw IoError("PNG holds 2D images; this volume has " + std::to_string(d.size(3)) +
                              " slices",
                          path);
        d = d.select(3, 0);
    }
    const int64_t C = d.size(0);
    if (C != 1 && C != 3)
        throw IoError("PNG needs 1 (grey) or 3 (RGB) channels, not " + std::to_string(C), path);
    const bool wide = d.scalar_type() != at::kByte && d.max().item<double>() > 255;
    at::Tensor xyc = d.to(at::kDouble).round().clamp(0, wide ? 65535 : 255).permute({1, 2, 0});
    writeAtomically(
        path,
        [&](const std::string& tmp) {
            try {
                if (C == 3 && !wide)
                    writePngItk<itk::RGBPixel<uint8_t>>(xyc.to(at::kByte), volume, tmp);
                else if (C == 3)
                    throw IoError("16-bit RGB PNG is not supported; scale to 0-255 first", path);
                else if (wide) // uint16 through int32 -> uint16 bytes
                    writePngItk<uint16_t>(xyc.to(at::kInt).to(at::kShort), volume, tmp);
                else
                    writePngItk<uint8_t>(xyc.to(at::kByte), volume, tmp);
            } catch (const itk::ExceptionObject& e) {
                throw IoError(std::string("cannot write PNG: ") + e.GetDescription(), path);
            }
        },
        ".png");
}

at::Tensor affineTensor(const Affine& a) {
    at::Tensor t = torch::empty({4, 4}, torch::kDouble);
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c)
            t[r][c] = a(r, c);
    return t;
}

} // namespace

Volume loadImage(const std::string& path) {
    return loadVolume(path);
}

void saveImage(const Volume& volume, const std::string& path) {
    if (!volume.isValid())
        throw IoError("cannot write an empty volume", path);
    if (isNiftiPath(path))
        return writeNifti(volume, path);
    if (endsWithNoCase(path, ".npz"))
        return writeNpz({{"image", volume.data().cpu()}, {"affine", affineTensor(volume.affine())}},
                        path);
    if (endsWithNoCase(path, ".npy"))
        return writeNpy(volume.data().cpu(), path);
    if (endsWithNoCase(path, ".png"))
        return writePng(volume, path);
    throw IoError("unsupported output format (supported: .nii, .nii.gz, .npz, .npy, .png)", path);
}

} // namespace medulla
