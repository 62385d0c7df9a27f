#pragma once
/// OneOf: apply one transform of a list, picked at random by `weights`
/// (MONAI's OneOf; equal weights by default). Always random.

#include "engine/transforms/Transform.h"

namespace medulla {

class OneOf : public Transform {
public:
    /// weights: empty (equal) or one non-negative value per transform, not all 0.
    OneOf(std::vector<TransformPtr> transforms, std::vector<double> weights);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "OneOf"; }
    bool isRandom() const override { return true; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    std::vector<Sample> applyMany(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    std::vector<TransformPtr> transforms_;
    std::vector<double> weights_;
};

} // namespace medulla
