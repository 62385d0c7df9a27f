#pragma once
/// A training checkpoint from which a run continues exactly where it
/// stopped: one file holding named parts, each a component's state (model,
/// optimizer, lr scheduler, gradient scaler, workflow progress, random
/// generators, SmartCache position, the checkpoint saver's file lists, ...;
/// see CheckpointParts.h), the format version and the experiment JSON.
///
/// File layout (a LibTorch archive, torch::serialize):
///   "format"     "medulla.training_checkpoint"
///   "version"    kFormatVersion
///   "experiment" the experiment JSON text ("" when none was set)
///   "parts"      JSON list of the part names
///   "<name>"     one sub-archive per part, under the part's name
///   "epoch", "best_metric"  completed epochs and the best metric, when a
///                workflow progress part exists (the layout that
///                loadCheckpoint() in Checkpoint.h reads, with "model" and
///                "optimizer": old readers still load the model from it)
///
/// Writing is atomic and durable: the archive goes to a temporary file in
/// the target's folder, is fsync'ed, renamed over the target, and the folder
/// is fsync'ed. A failure (full disk, file-size limit, I/O error) removes the
/// temporary file, leaves the previous checkpoint byte-identical and throws
/// an IoError that names the file and says the previous one is intact.
///
/// Threads: save()/load() on the thread that owns the registered
/// components (the training thread), never concurrently with a step.

#include <torch/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/Params.h"

namespace torch::serialize {
class InputArchive;
class OutputArchive;
} // namespace torch::serialize

namespace medulla {

/// How a part is being loaded (passed to CheckpointPart::load).
struct PartLoadContext {
    std::string file; ///< the checkpoint file, for error messages
    std::string name; ///< the part's name, for error messages
    /// A mismatch (network keys/shapes, optimizer groups) is a ConfigError;
    /// otherwise what matches is loaded and the rest noted.
    bool strict = true;
    /// Where loaded tensors go (MONAI's map_location); unset: where they
    /// were saved, except parts that copy into existing tensors.
    std::optional<torch::Device> device;
    /// Notes about what was skipped (non-strict loads); may be null.
    std::vector<std::string>* notes = nullptr;
};

/// One component's contribution to a checkpoint.
class CheckpointPart {
public:
    virtual ~CheckpointPart() = default;
    /// Writes the component's state into its own (empty) sub-archive.
    virtual void save(torch::serialize::OutputArchive& archive) const = 0;
    /// Restores what save() wrote. Throws ConfigError naming the file, the
    /// part and what differs when the component does not match the saved
    /// one; IoError naming the file when the data is unreadable.
    virtual void load(torch::serialize::InputArchive& archive, const PartLoadContext& context) = 0;
};

/// What a checkpoint file says about itself, without loading any part.
struct CheckpointHeader {
    int64_t version = 0;
    Json experiment;                ///< null when none was saved
    std::vector<std::string> parts; ///< part names in the file
    Json progress;                  ///< the "progress" part's JSON, null if absent
};

class Workflow;

class TrainingCheckpoint {
public:
    /// The version this code writes and the newest it reads.
    static constexpr int64_t kFormatVersion = 1;

    /// Registers `part` under `name` (letters, digits, '_'; not one of the
    /// reserved keys above; unique). An optional part may be absent from a
    /// file being loaded (e.g. the gradient scaler of a run without AMP).
    /// Throws ConfigError naming the part for a bad or repeated name.
    void add(const std::string& name, std::shared_ptr<CheckpointPart> part, bool optional = false);
    bool has(const std::string& name) const;
    std::vector<std::string> partNames() const;

    /// The workflow whose progress also fills the legacy "epoch" and
    /// "best_metric" entries (addWorkflowProgress in CheckpointParts.h
    /// sets it); not owned.
    void setProgressSource(const Workflow* workflow) { progress_ = workflow; }
    /// The experiment JSON stored with every save.
    void setExperiment(Json experiment) { experiment_ = std::move(experiment); }
    const Json& experiment() const { return experiment_; }

    /// Writes every part to `path` atomically and durably (see above).
    /// Throws IoError naming `path`; the previous file is then unchanged.
    void save(const std::string& path) const;

    struct LoadOptions {
        /// Parts to load (empty: every registered part). Each must be
        /// registered; a non-optional one must be in the file.
        std::vector<std::string> parts;
        bool strict = true;
        /// MONAI's map_location; unset: the device of the model part's
        /// first parameter when a model part exists.
        std::optional<torch::Device> map_location;
    };
    /// Loads the selected parts from `path`, in registration order. Throws
    /// IoError naming the file (missing, unreadable, not a training
    /// checkpoint, a newer format) or ConfigError naming the file and the
    /// part (a part missing from the file, a component that differs).
    /// Returns notes about what a non-strict load skipped.
    std::vector<std::string> load(const std::string& path, const LoadOptions& options) const;
    std::vector<std::string> load(const std::string& path) const {
        return load(path, LoadOptions());
    }

    /// Reads the header of `path`. Throws IoError naming the file.
    static CheckpointHeader readHeader(const std::string& path);

    /// Used by the model part: the default map_location.
    void setDefaultDevice(std::optional<torch::Device> device) { defaultDevice_ = device; }

private:
    struct Entry {
        std::string name;
        std::shared_ptr<CheckpointPart> part;
        bool optional = false;
    };
    std::vector<Entry> entries_;
    Json experiment_;
    const Workflow* progress_ = nullptr;
    std::optional<torch::Device> defaultDevice_;
};

} // namespace medulla
