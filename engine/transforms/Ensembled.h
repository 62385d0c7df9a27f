#pragma once
/// Ensembled: base of the dictionary ensembles (MeanEnsembled,
/// VoteEnsembled). With several keys, the volumes of `keys` (one model's
/// prediction each, (C, *spatial) of one shape) are stacked along a new
/// dim 0; with one key, that volume's tensor is taken as already stacked
/// (E, ...). The result goes to `output_key` (default: the only key; required
/// with several keys) with the first key's affine, metadata and
/// applied-transform record. Every key must be present (MONAI's ensembles
/// have no allow_missing_keys).

#include <string>
#include <vector>

#include "engine/transforms/Transform.h"

namespace medulla {

class Ensembled : public Transform {
public:
    /// Throws ConfigError naming "<name>.keys" (empty) or
    /// "<name>.output_key" (empty with several keys).
    Ensembled(std::string name, std::vector<std::string> keys, std::string outputKey);

    std::string name() const override { return name_; }
    /// Throws ShapeError naming a missing key or predictions of unequal shape.
    Sample apply(Sample sample, RandomGenerator& rng) const override;

    const std::vector<std::string>& keys() const { return keys_; }
    /// The key written (output_key, or the only key).
    const std::string& outputKey() const { return outputKey_; }

protected:
    /// The ensemble of predictions stacked along dim 0.
    virtual at::Tensor ensemble(const at::Tensor& stacked) const = 0;
    /// "keys" and "output_key" (null when defaulted) for toJson().
    Json keysJson() const;

private:
    std::string name_;
    std::vector<std::string> keys_;
    std::string outputKey_;
    bool outputKeyGiven_;
};

} // namespace medulla
