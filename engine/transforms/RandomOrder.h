#pragma once
/// RandomOrder: apply every transform of a list in a random order (MONAI's
/// RandomOrder). Always random.

#include "engine/transforms/Transform.h"

namespace medulla {

class RandomOrder : public Transform {
public:
    explicit RandomOrder(std::vector<TransformPtr> transforms);
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "RandomOrder"; }
    bool isRandom() const override { return true; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    std::vector<Sample> applyMany(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    std::vector<TransformPtr> transforms_;
};

} // namespace medulla
