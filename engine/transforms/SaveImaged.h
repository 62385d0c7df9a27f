#pragma once
/// SaveImaged: write each key's volume to
///   output_dir/[<rel dir>/][<subject>/]<subject>[_<postfix>][_<patch>]<ext>
/// with MONAI's FolderLayout rules: subject = the source file name without
/// its extension (".nii.gz" counts as one): Sample::meta[key].filenames
/// when it names one file, else the path the item was loaded from
/// (Sample::paths, MONAI's filename_or_obj, e.g. a DICOM folder), else the
/// folder of a multi-file source; <rel dir> = the source folder relative to
/// data_root_dir when that is set; <patch> = meta tag "patch_index" when
/// present. Without any source name the subject is a running index (0, 1,
/// ... per successful write), as in MONAI. Files are written atomically
/// (temporary file + rename) by saveImage() (engine/io/ImageLoader.h),
/// which picks the format from output_ext. The sample is returned
/// unchanged (with savepath_in_metadict, meta tag "saved_to" is added).
/// Only resample=false is supported.

#include <torch/arg.h>

#include <optional>

#include <atomic>

#include "engine/transforms/Transform.h"

namespace medulla {

struct SaveImagedOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    TORCH_ARG(std::string, output_dir) = "./";
    TORCH_ARG(std::string, output_postfix) = "trans";
    TORCH_ARG(std::string, output_ext) = ".nii.gz";   ///< .nii.gz, .nii, .npz, .npy, .png
    TORCH_ARG(bool, resample) = false;                ///< true is rejected
    TORCH_ARG(std::string, mode) = "nearest";         ///< resampling only
    TORCH_ARG(std::string, padding_mode) = "border";  ///< resampling only
    TORCH_ARG(std::string, dtype) = "float64";        ///< resampling only
    TORCH_ARG(std::string, output_dtype) = "float32"; ///< "" keeps the data's type
    TORCH_ARG(bool, allow_missing_keys) = false;
    TORCH_ARG(bool, squeeze_end_dims) = true;
    TORCH_ARG(std::string, data_root_dir) = "";
    TORCH_ARG(bool, separate_folder) = true;
    TORCH_ARG(bool, print_log) = true;          ///< log "writing: <path>" (TransformLog.h)
    TORCH_ARG(std::string, output_format) = ""; ///< used when output_ext is empty
    TORCH_ARG(bool, savepath_in_metadict) = false;
};

class SaveImaged : public Transform {
public:
    /// Throws ConfigError for resample=true, unknown dtypes or an
    /// unsupported extension.
    explicit SaveImaged(SaveImagedOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "SaveImaged"; }
    /// Throws IoError naming the output file when it cannot be written
    /// (unwritable folder, disk full); no partial file is left behind.
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

    /// The output path for a source file (empty: use the running index)
    /// and an optional patch index, by MONAI's FolderLayout rules.
    std::string outputPath(const std::string& source, const std::string& patchIndex) const;

private:
    SaveImagedOptions options_;
    std::string ext_;
    std::optional<at::ScalarType> outputDtype_;
    mutable std::atomic<int64_t> dataIndex_{0}; ///< MONAI's _data_index
};

} // namespace medulla
