#include "engine/data/CrossValidation.h"

#include "engine/core/Error.h"
#include "engine/data/Partition.h"

namespace medulla {

CrossValidation::CrossValidation(std::vector<Sample> datalist, int nfolds, uint64_t seed) {
    if (nfolds < 2 || size_t(nfolds) > datalist.size())
        throw ConfigError("needs 2 <= nfolds <= " + std::to_string(datalist.size()) +
                              " (the number of items), got " + std::to_string(nfolds),
                          {}, "nfolds");
    parts_ = partitionDataset(datalist,
                              PartitionOptions().num_partitions(nfolds).shuffle(true).seed(seed));
}

std::vector<Sample> CrossValidation::folds(const std::vector<int>& which) const {
    return selectFolds(parts_, which);
}

DatalistSplit CrossValidation::split(int validationFold) const {
    const int k = validationFold < 0 ? validationFold + nfolds() : validationFold;
    DatalistSplit s;
    s.validation = folds({validationFold});
    std::vector<int> rest;
    for (int f = 0; f < nfolds(); ++f)
        if (f != k)
            rest.push_back(f);
    s.train = folds(rest);
    return s;
}

} // namespace medulla
