#pragma once
/// Invertd: map volumes (typically predictions) back onto the grid that
/// `orig_keys` had before their spatial transforms (MONAI's Invertd). Every
/// spatial transform records the grid it started from (Sample::applied) and
/// keeps world positions right, so inverting is resampling by world
/// position onto the first recorded grid: exact for crop, pad, flip,
/// rotate90 and orientation, interpolated for spacing, resize, zoom, rotate
/// and affine. A volume at `key` is taken to lie on the current grid of its
/// orig key (same spatial shape, its affine).

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct InvertdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"pred"};
    TORCH_ARG(std::vector<std::string>, orig_keys) = {"image"}; ///< one, or one per key
    TORCH_ARG(std::vector<bool>, nearest_interp) = {true};      ///< one, or one per key
};

class Invertd : public Transform {
public:
    explicit Invertd(InvertdOptions options);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "Invertd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    InvertdOptions options_;
};

} // namespace medulla
