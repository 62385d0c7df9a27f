#pragma once
/// MONAI's CrossValidation: a datalist shuffled with a seed and dealt into
/// `nfolds` interleaved folds (partition_dataset), from which any set of
/// folds can be drawn: K-fold training sets and their held-out fold.

#include <vector>

#include "engine/data/Datalist.h"

namespace medulla {

class CrossValidation {
public:
    /// Throws ConfigError (field "nfolds") if nfolds < 2 or exceeds the items.
    CrossValidation(std::vector<Sample> datalist, int nfolds = 5, uint64_t seed = 0);

    int nfolds() const { return int(parts_.size()); }
    /// The items of the given folds, concatenated in the order given
    /// (negative numbers count from the end).
    std::vector<Sample> folds(const std::vector<int>& which) const;
    /// Fold k as validation, all other folds (in order) as training.
    DatalistSplit split(int validationFold) const;

private:
    std::vector<std::vector<Sample>> parts_;
};

} // namespace medulla
