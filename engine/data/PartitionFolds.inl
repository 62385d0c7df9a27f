#pragma once
// Template body of selectFolds (included by Partition.h).

#include <string>

#include "engine/core/Error.h"

namespace medulla {

template <typename T>
std::vector<T> selectFolds(const std::vector<std::vector<T>>& parts,
                           const std::vector<int>& folds) {
    std::vector<T> out;
    const int n = int(parts.size());
    for (int f : folds) {
        const int k = f < 0 ? f + n : f;
        if (k < 0 || k >= n)
            throw ConfigError("fold " + std::to_string(f) + " does not exist; there are " +
                                  std::to_string(n) + " folds",
                              {}, "folds");
        out.insert(out.end(), parts[size_t(k)].begin(), parts[size_t(k)].end());
    }
    return out;
}

} // namespace medulla
