#pragma once
/// The cases of an experiment's dataset for the studio's dataset panel:
/// image/label pairs with their geometry read from headers only, the
/// training/validation split exactly as the trainer makes it, hand-made
/// splits and folds written as a datalist the engine reads, and the
/// synthetic demo data generated on request. Qt-free and LibTorch-free
/// (only <ATen/Tensor.h> through Volume): the ui layer includes it.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/core/Params.h"
#include "engine/core/Progress.h"

namespace medulla {

struct CaseInfo {
    std::string name;  ///< the image's file name without its extension
    std::string image; ///< path as the engine resolves it (datalist folder + entry)
    std::string label; ///< empty when the entry has no label
    std::vector<int64_t> imageShape, labelShape; ///< spatial shapes (empty: unread)
    std::array<double, 3> spacing{};             ///< image voxel size, mm
    /// "ok", "no label", "missing" (label file), "image missing",
    /// "shape mismatch 64x64x64 vs 32x32x32" (image vs label), "affine
    /// mismatch" (same grid size, different world position/orientation), or
    /// "unreadable: <reason>".
    std::string status;
    /// Image and label (when listed) exist and were read: the case can be
    /// written to a datalist the trainer loads.
    bool usable = false;
    bool validation = false; ///< in the validation set of the trainer's split
    int fold = -1;           ///< the entry's "fold", -1 when none
};

struct CaseList {
    std::string datasetJson; ///< the datalist file read (as given in data.dataset)
    /// How the split was made: "val_fraction 0.25 of \"training\" (seed 0)"
    /// or "validation_key \"validation\"".
    std::string splitSource;
    /// data.synthetic is set and data.dataset does not exist yet: nothing to
    /// list until generateSyntheticDataset() has run.
    bool needsGeneration = false;
    /// The datalist's order; validation_key cases, then a hand-made split's
    /// "excluded" cases, last.
    std::vector<CaseInfo> cases;
};

/// Read the cases of an experiment's "data" section (see
/// engine/training/Experiment.h: dataset, datalist_key, validation_key,
/// val_fraction) and mark the validation cases as the trainer splits them
/// with `seed` (trainer.seed). Geometry from headers (NIfTI) or, for other
/// formats, by loading. Per-case problems go into CaseInfo::status; a
/// missing or invalid datalist throws IoError/ConfigError naming the file
/// and field. Throws CancelledError when cancelled.
CaseList inspectCases(const Json& dataSection, uint64_t seed, ProgressSink* progress = nullptr,
                      const CancelToken* cancel = nullptr);

/// Write the synthetic dataset of data.synthetic into the folder of
/// data.dataset, as the trainer does before its first run. Throws
/// ConfigError naming data.synthetic.* / CancelledError.
void generateSyntheticDataset(const Json& dataSection, ProgressSink* progress = nullptr,
                              const CancelToken* cancel = nullptr);

/// Where a hand-made split of `datasetJson` is kept:
/// "<folder of datasetJson>/<experimentName>_split.json" (relative when
/// datasetJson is).
std::string splitDatalistPath(const std::string& datasetJson, const std::string& experimentName);

/// Write `cases` as a datalist (atomically): usable cases with validation
/// == false under "training", the others under "validation", each
/// {"image", "label", "fold" (when >= 0)} with paths relative to the
/// file's folder (Datalist resolves them against it). Cases that are not
/// usable are left out of both lists (the trainer could not load them) and
/// kept under "excluded" (with "split" and "problem"), which the engine
/// ignores and inspectCases() shows again; returns how many were left out.
/// Throws IoError naming `path`.
int writeSplitDatalist(const std::string& path, const std::vector<CaseInfo>& cases);

/// The data section that makes the trainer use a datalist written by
/// writeSplitDatalist: dataset = `splitFile`, datalist_key "training",
/// validation_key "validation"; data.synthetic is dropped (the data
/// exists), the other fields are kept.
Json splitDataSection(const Json& dataSection, const std::string& splitFile);

/// Mark int(n * fraction) cases as validation, chosen by the engine's
/// seeded shuffle (splitIndices): the split val_fraction gives. Throws
/// ConfigError if fraction is outside [0, 1].
std::vector<bool> randomValidation(size_t n, double fraction, uint64_t seed);

/// Folds 0..k-1 for n cases at random: a seeded shuffle, then fold =
/// position mod k (fold sizes differ by at most one). Throws ConfigError
/// if k < 2.
std::vector<int> randomFolds(size_t n, int k, uint64_t seed);

struct TrainerCases {
    std::vector<std::string> train, validation; ///< image paths, in the trainer's order
};

/// The cases a training run of `experiment` uses, made exactly as Trainer
/// makes them (ExperimentConfig::fromJson, then the datalist and split):
/// for checking what a panel shows. Throws ConfigError/IoError.
TrainerCases trainerCases(const Json& experiment);

} // namespace medulla
