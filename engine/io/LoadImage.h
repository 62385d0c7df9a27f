#pragma once
/// LoadImage: MONAI's image loading factory. Picks a reader (by name, else
/// by suffix and content, see ReaderRegistry::select), reads, converts the
/// type and optionally moves the channel axis first.

#include <string>

#include <ATen/core/ScalarType.h>
#include <torch/arg.h>

#include "engine/core/Volume.h"
#include "engine/io/ImageReader.h"

namespace medulla {

struct LoadImageOptions {
    /// Reader name ("NiftiReader", "ITKReader", "DicomReader",
    /// "NumpyReader", or one registered at run time); empty = choose.
    TORCH_ARG(std::string, reader) = "";
    /// MONAI's image_only: when false the caller keeps the metadata record
    /// (LoadImaged stores it under "<key>_meta_dict").
    TORCH_ARG(bool, image_only) = true;
    /// Output dtype; at::ScalarType::Undefined keeps the reader's type.
    TORCH_ARG(at::ScalarType, dtype) = at::kFloat;
    /// Move (or add) the channel axis to the front: (C, X, Y[, Z]).
    TORCH_ARG(bool, ensure_channel_first) = false;
    /// Reader-specific choices (DICOM series, .npz keys).
    TORCH_ARG(ReadOptions, read_options) = {};
};

/// Parse a MONAI dtype name ("float32", "float64", "int16", "uint8",
/// "int32", "int64", "none"); throws ConfigError naming `field`.
at::ScalarType parseDtype(const std::string& name, const std::string& field);

/// NumPy-style name of a tensor type ("float32", "uint8", "int16", …).
std::string dtypeName(at::ScalarType type);

/// Load `path` as LoadImage would. The returned data is channel-first when
/// ensure_channel_first is set, else in the reader's layout (see LoadedImage).
LoadedImage loadImageFile(const std::string& path, const LoadImageOptions& options = {});

/// Convenience for the engine: a channel-first float32 (or `dtype`) Volume.
Volume loadVolume(const std::string& path, const LoadImageOptions& options = {});

/// Move the channel axis of a reader's output to the front (adding one when
/// meta.originalChannelDim is kNoChannel).
at::Tensor channelFirst(const at::Tensor& data, const ImageMeta& meta);

} // namespace medulla
