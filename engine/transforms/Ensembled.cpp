#include "engine/transforms/Ensembled.h"

#include <ATen/ATen.h>

#include "engine/transforms/EnsembleOps.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

Ensembled::Ensembled(std::string name, std::vector<std::string> keys, std::string outputKey)
    : name_(std::move(name)), keys_(std::move(keys)), outputKey_(std::move(outputKey)),
      outputKeyGiven_(!outputKey_.empty()) {
    if (keys_.empty())
        throw ConfigError("needs at least one key", {}, name_ + ".keys");
    if (outputKey_.empty()) {
        if (keys_.size() > 1)
            throw ConfigError("is required with several keys", {}, name_ + ".output_key");
        outputKey_ = keys_[0];
    }
}

Sample Ensembled::apply(Sample sample, RandomGenerator&) const {
    const auto keys = presentKeys(sample, keys_, false, name_);
    at::Tensor stacked;
    if (keys.size() == 1) {
        stacked = sample.at(keys[0]).data();
    } else {
        std::vector<at::Tensor> items;
        for (const auto& k : keys)
            items.push_back(sample.at(k).data());
        try {
            stacked = stackEnsembleItems(items, name_.c_str());
        } catch (const ShapeError& e) {
            std::string names;
            for (const auto& k : keys)
                names += (names.empty() ? "" : ", ") + k;
            throw ShapeError(e.message() + " (keys " + names + ")", {}, name_ + ".keys");
        }
    }
    const std::string& first = keys.front();
    Volume result(ensemble(stacked), sample.at(first).affine());
    auto m = sample.meta.find(first);
    auto a = sample.applied.find(first);
    if (outputKey_ != first) {
        if (m != sample.meta.end())
            sample.meta[outputKey_] = m->second;
        else
            sample.meta.erase(outputKey_);
        if (a != sample.applied.end())
            sample.applied[outputKey_] = a->second;
        else
            sample.applied.erase(outputKey_);
    }
    sample.volumes[outputKey_] = std::move(result);
    return sample;
}

Json Ensembled::keysJson() const {
    return {{"name", name_},
            {"keys", keys_},
            {"output_key", outputKeyGiven_ ? Json(outputKey_) : Json(nullptr)}};
}

} // namespace medulla
