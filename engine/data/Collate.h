#pragma once
/// Batches: MONAI's list_data_collate. Every sample of every item (an item
/// may yield several, e.g. RandCropByPosNegLabeld num_samples = 4) becomes
/// one row of the batch; tensors are stacked, metadata kept as lists.

#include <ATen/Tensor.h>

#include <map>
#include <string>
#include <vector>

#include "engine/transforms/Sample.h"

namespace medulla {

struct Batch {
    /// key -> (B, C, *spatial) tensor, dtype of the samples;
    /// B = items in the batch x samples per item, item-major.
    std::map<std::string, at::Tensor> tensors;
    /// key -> the affine of each row.
    std::map<std::string, std::vector<Affine>> affines;
    /// Each row's metadata: paths, fields, meta and applied transforms
    /// (its volumes are left out; they are in `tensors`).
    std::vector<Sample> records;
    /// Dataset index of the item each row came from.
    std::vector<size_t> itemIndex;

    int64_t size() const { return int64_t(records.size()); }
    size_t count(const std::string& key) const { return tensors.count(key); }
    /// The stacked tensor of `key`; throws ShapeError naming the key if absent.
    at::Tensor& operator[](const std::string& key);
    const at::Tensor& operator[](const std::string& key) const;
};

struct CollateOptions {
    /// Stack into page-locked host memory (faster, asynchronous copies to a
    /// CUDA device). Ignored when CUDA is not available.
    bool pinMemory = false;
};

/// Stack samples into a batch (the order is kept). Every sample must hold
/// the same keys and, per key, the same shape and dtype: otherwise a
/// ShapeError names the key and the shapes. `itemIndex` (optional) gives
/// each sample's dataset index.
Batch collate(std::vector<Sample> samples, const CollateOptions& options = {},
              const std::vector<size_t>& itemIndex = {});

} // namespace medulla
