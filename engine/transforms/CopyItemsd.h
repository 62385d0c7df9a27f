#pragma once
/// CopyItemsd: copy items under new keys, `times` times. A copied volume is
/// a deep copy (own voxels) with the source's metadata (Sample::meta) and
/// applied-transform record; an item not loaded yet copies its path.
/// Default names are "<key>_<i>", listed key-major and paired with the keys
/// exactly as MONAI 1.3 pairs them: copy i of key j is named
/// names[i * len(keys) + j] (so with several keys and default names, the
/// second key's first copy is called "<first key>_1", as in MONAI).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct CopyItemsdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"image"};
    TORCH_ARG(int64_t, times) = 1; ///< >= 1
    /// len(keys) * times new names; empty = "<key>_<i>".
    TORCH_ARG(std::vector<std::string>, names) = {};
    TORCH_ARG(bool, allow_missing_keys) = false;
};

class CopyItemsd : public Transform {
public:
    /// Throws ConfigError for times < 1 or len(names) != len(keys) * times.
    explicit CopyItemsd(CopyItemsdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "CopyItemsd"; }
    /// Throws ConfigError naming the new key if it already exists.
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    CopyItemsdOptions options_;
    std::vector<std::string> names_;
};

} // namespace medulla
