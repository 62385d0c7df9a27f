#pragma once
/// LoadImaged: read the files named in Sample::paths[key] into volumes, with
/// MONAI's LoadImage semantics (engine/io/LoadImage.h). Volumes are always
/// channel-first here (MONAI's EnsureChannelFirstd is implied).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct LoadImagedOptions {
    /// Keys whose paths are loaded.
    TORCH_ARG(std::vector<std::string>, keys) = {"image", "label"};
    /// Skip keys that have no path instead of failing.
    TORCH_ARG(bool, allow_missing_keys) = false;
    /// Reader name (empty: chosen by suffix and content, see LoadImage.h).
    TORCH_ARG(std::string, reader) = "";
    /// Voxel type after loading: float32 (MONAI's default), float64, int16,
    /// uint8, int32, int64, or "none" to keep the file's type.
    TORCH_ARG(std::string, dtype) = "float32";
    /// false: keep each file's metadata record in Sample::meta[key].
    TORCH_ARG(bool, image_only) = true;
};

class LoadImaged : public Transform {
public:
    explicit LoadImaged(LoadImagedOptions options) : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "LoadImaged"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    LoadImagedOptions options_;
};

} // namespace medulla
