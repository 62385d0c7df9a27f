#include "engine/transforms/RandGaussianNoised.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "engine/transforms/TransformArgs.h"

namespace medulla {

RandGaussianNoised::RandGaussianNoised(RandGaussianNoisedOptions options)
    : options_(std::move(options)) {
    if (!(options_.prob() >= 0.0 && options_.prob() <= 1.0))
        throw ConfigError("must be in [0, 1]", {}, name() + ".prob");
    if (!(options_.std() >= 0.0))
        throw ConfigError("must be >= 0", {}, name() + ".std");
    dtype_ = parseDtypeName(options_.dtype(), name() + ".dtype");
}

ComponentInfo RandGaussianNoised::info() {
    return {"RandGaussianNoised",
            "transform",
            "Randomly add Gaussian noise (the same noise to every key).",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"prob", ParamType::Float, 0.1, 0, 1, {}, "probability of adding noise"},
             {"mean", ParamType::Float, 0.0, -1e30, 1e30, {}, "mean of the noise"},
             {"std", ParamType::Float, 0.1, 0, 1e30, {}, "standard deviation of the noise"},
             {"dtype", ParamType::String, "float32", 0, 0, {}, "output data type"},
             {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"},
             {"sample_std", ParamType::Bool, true, 0, 1, {}, "draw the std from [0, std)"}}};
}

std::shared_ptr<Transform> RandGaussianNoised::fromJson(const Json& config,
                                                        const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        ParamReader r(config, context, i.params);
        return std::make_shared<RandGaussianNoised>(
            RandGaussianNoisedOptions()
                .keys(r.stringList("keys"))
                .prob(r.number("prob"))
                .mean(r.number("mean"))
                .std(r.number("std"))
                .dtype(r.string("dtype"))
                .allow_missing_keys(r.boolean("allow_missing_keys"))
                .sample_std(r.boolean("sample_std")));
    });
}

Sample RandGaussianNoised::apply(Sample sample, RandomGenerator& rng) const {
    if (!(rng.uniform() < options_.prob()))
        return sample;
    const auto keys = presentKeys(sample, options_.keys(), options_.allow_missing_keys(), name());
    if (keys.empty())
        return sample;
    const double stddev = options_.sample_std() ? rng.uniform(0.0, options_.std()) : options_.std();
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(rng.nextSeed());
    const at::Tensor& first = sample.at(keys.front()).data();
    const at::Tensor noise = at::normal(options_.mean(), stddev, first.sizes(), gen,
                                        torch::TensorOptions().dtype(torch::kFloat));
    for (const auto& key : keys) {
        Volume& v = sample.at(key);
        if (v.data().sizes() != first.sizes())
            throw ShapeError("\"" + key + "\" has shape " + c10::str(v.data().sizes()) +
                                 ", the noise has the shape of \"" + keys.front() + "\" " +
                                 c10::str(first.sizes()),
                             {}, name() + ".keys");
        at::Tensor img = dtype_ ? v.data().to(*dtype_) : v.data();
        v.setData(img + noise.to(img.device()).to(img.scalar_type()));
    }
    return sample;
}

Json RandGaussianNoised::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"prob", options_.prob()},
            {"mean", options_.mean()},
            {"std", options_.std()},
            {"dtype", options_.dtype()},
            {"allow_missing_keys", options_.allow_missing_keys()},
            {"sample_std", options_.sample_std()}};
}

} // namespace medulla
