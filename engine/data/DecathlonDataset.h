#pragma once
/// The Medical Segmentation Decathlon (http://medicaldecathlon.com): the ten
/// tasks' archives (as mirrored for MONAI), download + verify + extract, and
/// the training / validation / test case lists of one task, split the way
/// MONAI's DecathlonDataset splits them.

#include <torch/arg.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/core/Progress.h"
#include "engine/transforms/Sample.h"

namespace medulla {

/// One task of the challenge and where its archive lives.
struct DecathlonTask {
    std::string name; ///< "Task09_Spleen"
    std::string url;  ///< the .tar archive (holds the folder `name`/)
    std::string md5;  ///< of the archive, 32 lower-case hex digits
};

/// The ten tasks, Task01_BrainTumour ... Task10_Colon, in order.
const std::vector<DecathlonTask>& decathlonTasks();

/// The task called `name`; ConfigError (field "task") listing the valid names.
const DecathlonTask& findDecathlonTask(const std::string& name);

struct DecathlonDatasetOptions {
    /// Folder that holds (or will hold) `<task>.tar` and `<task>/`.
    TORCH_ARG(std::string, root_dir) = ".";
    /// One of the names in decathlonTasks().
    TORCH_ARG(std::string, task) = "Task09_Spleen";
    /// "training" or "validation" (both split from the json's "training"
    /// list), or "test" (the json's "test" list, unsplit).
    TORCH_ARG(std::string, section) = "training";
    /// Download and extract the task when `<root_dir>/<task>/dataset.json`
    /// is missing. Without it, a missing task folder is an IoError.
    TORCH_ARG(bool, download) = false;
    /// Seed of the training/validation shuffle; the same seed gives the same
    /// split on every run and machine.
    TORCH_ARG(uint64_t, seed) = 0;
    /// Fraction of the training list that goes to validation,
    /// floor(val_frac * n) cases, in [0, 1].
    TORCH_ARG(double, val_frac) = 0.2;
    /// Archive URL instead of the table's (mirrors, tests). Empty: the table's.
    TORCH_ARG(std::string, url_override);
    /// Archive MD5 instead of the table's (with url_override). Empty: the
    /// table's when the URL is the table's, no check for an overridden URL.
    TORCH_ARG(std::string, md5_override);
};

/// What a task's dataset.json says about itself (MONAI's get_properties()).
struct DecathlonProperties {
    std::string name;
    std::string description;
    std::string reference;
    std::string licence;
    std::string tensorImageSize;                 ///< "3D" or "4D"
    std::map<std::string, std::string> modality; ///< channel index -> "CT", "FLAIR", ...
    std::map<std::string, std::string> labels;   ///< label value -> "background", "spleen", ...
    int64_t numTraining = 0;
    int64_t numTest = 0;
};

/// The cases of one section of one task, with their source paths ("image",
/// "label") in Sample::paths, ready for LoadImaged / CacheDataset.
class DecathlonDataset {
public:
    /// Downloads / extracts when asked and needed, then reads the list.
    /// Blocks; progress covers download (first 80 %) and extraction.
    /// Throws ConfigError (task, section, val_frac), IoError (network,
    /// checksum, archive, missing folder or files), CancelledError.
    DecathlonDataset(const DecathlonDatasetOptions& options, ProgressSink& progress,
                     const CancelToken* cancel = nullptr);

    const std::vector<Sample>& items() const { return items_; }
    size_t size() const { return items_.size(); }
    /// Positions of items() in the json's list (MONAI's get_indices()).
    const std::vector<int64_t>& indices() const { return indices_; }
    const DecathlonProperties& properties() const { return properties_; }
    /// `<root_dir>/<task>`.
    const std::string& directory() const { return directory_; }

private:
    std::vector<Sample> items_;
    std::vector<int64_t> indices_;
    DecathlonProperties properties_;
    std::string directory_;
};

/// Split positions 0..n-1 MONAI's way: shuffle with `seed`, the first
/// floor(valFrac * n) go to validation, the rest to training. Returns the
/// positions of `section` ("training" or "validation") in shuffled order.
std::vector<int64_t> decathlonSplit(int64_t n, double valFrac, uint64_t seed,
                                    const std::string& section);

/// Read the properties of a dataset.json (IoError naming the file).
DecathlonProperties loadDecathlonProperties(const std::string& datasetJson);

} // namespace medulla
