#pragma once
/// MONAI's default_prepare_batch for dictionary batches: the network input
/// and the target of a Batch, moved to the run's device. Shared by
/// SupervisedTrainer and SupervisedEvaluator.

#include <ATen/Tensor.h>
#include <c10/core/Device.h>

#include <string>
#include <vector>

#include "engine/data/Collate.h"

namespace medulla {

struct PreparedBatch {
    at::Tensor input;  ///< (B, C_in, *spatial) float32 on the device
    at::Tensor target; ///< (B, C_label, *spatial) float32 on the device
};

/// batch[imageKey] and batch[labelKey] as float32 on `device`; the input in
/// channels-last layout when `channelsLast` (see MemoryFormat.h). Throws a
/// ConfigError naming `field` (the transform chain that built the batch) and
/// the first case's file when a key is missing.
PreparedBatch prepareBatch(const Batch& batch, const std::string& imageKey,
                           const std::string& labelKey, c10::Device device, bool channelsLast,
                           const std::string& field);

/// One id per row of the batch, for messages and per-case tables: the
/// datalist field "id" or "case_id" when present, else the file name of the
/// row's `imageKey` path (or of its first path), else "item <dataset index>".
std::vector<std::string> caseIds(const Batch& batch, const std::string& imageKey);

/// Each row's voxel spacing (mm) along its `spatialDims` axes, from the
/// affines collated under `key` (empty when the batch has none).
std::vector<std::vector<double>> rowSpacing(const Batch& batch, const std::string& key,
                                            int64_t spatialDims);

} // namespace medulla
