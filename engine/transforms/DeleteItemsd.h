#pragma once
/// DeleteItemsd: remove items from the sample. Deleting key k removes its
/// volume, path, metadata and applied-transform record together; the key
/// "<k>_meta_dict" removes only the metadata (MONAI's separate meta dict).
/// With use_re, a key is a regular expression searched in every item name
/// (std::regex ECMAScript, like Python's re.search). Absent keys are
/// ignored, as in MONAI. Nested keys ("a.b") have no counterpart in a
/// Sample and are rejected.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct DeleteItemsdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {};
    TORCH_ARG(std::string, sep) = ".";
    /// One flag, or one per key.
    TORCH_ARG(std::vector<bool>, use_re) = std::vector<bool>{false};
};

class DeleteItemsd : public Transform {
public:
    /// Throws ConfigError for nested keys, bad regular expressions or a
    /// use_re count that is neither 1 nor len(keys).
    explicit DeleteItemsd(DeleteItemsdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "DeleteItemsd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    DeleteItemsdOptions options_;
    std::vector<bool> useRe_; ///< one per key
};

} // namespace medulla
