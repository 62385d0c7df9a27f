#pragma once
/// MONAI's partition_dataset: split a datalist by ratios (train/validation/
/// test) or evenly into N parts (K-fold cross-validation, DDP ranks), with
/// MONAI's exact shuffle (numpy's RandomState), padding and dropping rules.

#include <torch/arg.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace medulla {

struct PartitionOptions {
    /// Relative sizes, e.g. {8, 1, 1}; when given, num_partitions is ignored.
    /// Part k gets int(r_k / sum * n + 0.5) items (the last part may be short).
    TORCH_ARG(std::vector<double>, ratios) = {};
    /// Number of interleaved parts (item i goes to part i mod N), used when
    /// ratios is empty.
    TORCH_ARG(int64_t, num_partitions) = 0;
    /// Shuffle before splitting, with numpy's RandomState(seed).
    TORCH_ARG(bool, shuffle) = false;
    TORCH_ARG(uint64_t, seed) = 0;
    /// With even_divisible: drop the tail instead of repeating the head.
    TORCH_ARG(bool, drop_last) = false;
    /// Every part gets the same length (repeating the first items, or
    /// dropping the tail with drop_last). DDP ranks need this.
    TORCH_ARG(bool, even_divisible) = false;
};

/// The item indices of each part. Throws ConfigError naming the field for
/// impossible options (no ratios and no num_partitions, fewer items than
/// parts, drop_last without even_divisible, negative ratios).
std::vector<std::vector<size_t>> partitionIndices(size_t n, const PartitionOptions& options);

/// partition_dataset on any list.
template <typename T>
std::vector<std::vector<T>> partitionDataset(const std::vector<T>& data,
                                             const PartitionOptions& options) {
    std::vector<std::vector<T>> parts;
    for (const auto& idx : partitionIndices(data.size(), options)) {
        parts.emplace_back();
        parts.back().reserve(idx.size());
        for (size_t i : idx)
            parts.back().push_back(data[i]);
    }
    return parts;
}

/// MONAI's select_cross_validation_folds: the concatenation of the given
/// parts (negative fold numbers count from the end). Throws ConfigError for
/// a fold out of range.
template <typename T>
std::vector<T> selectFolds(const std::vector<std::vector<T>>& parts, const std::vector<int>& folds);

} // namespace medulla

#include "engine/data/PartitionFolds.inl"
