#pragma once
/// Activationsd: MONAI's Activations on each key (PostOps.h): sigmoid or
/// softmax over the channels, then an optional `other` activation by name.

#include <torch/arg.h>

#include "engine/transforms/Transform.h"

namespace medulla {

struct ActivationsdOptions {
    TORCH_ARG(std::vector<std::string>, keys) = {"pred"};
    TORCH_ARG(bool, sigmoid) = false;
    TORCH_ARG(bool, softmax) = false;
    /// "" = none, else one of activationChoices() (PostOps.h).
    TORCH_ARG(std::string, other) = "";
};

class Activationsd : public Transform {
public:
    explicit Activationsd(ActivationsdOptions options) : options_(std::move(options)) {}
    static ComponentInfo info();
    static std::shared_ptr<Transform> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "Activationsd"; }
    Sample apply(Sample sample, RandomGenerator& rng) const override;
    Json toJson() const override;

private:
    ActivationsdOptions options_;
};

} // namespace medulla
