#include "engine/training/handlers/CheckpointLoader.h"

#include "engine/core/Error.h"

namespace medulla {

CheckpointLoader::CheckpointLoader(std::shared_ptr<TrainingCheckpoint> checkpoint,
                                   CheckpointLoaderOptions options)
    : checkpoint_(std::move(checkpoint)), options_(std::move(options)) {
    if (!checkpoint_)
        throw ConfigError("needs a checkpoint to load into", {}, "load_dict");
    if (options_.load_path().empty())
        throw ConfigError("must name a checkpoint file", {}, "load_path");
}

void CheckpointLoader::attach(Workflow& workflow) {
    workflow.on(Event::Started, [this](Workflow& w) {
        if (!loaded_)
            load(w);
    });
}

std::vector<std::string> CheckpointLoader::load(Workflow& workflow) {
    const int64_t maxEpochs = workflow.state().maxEpochs;
    TrainingCheckpoint::LoadOptions o;
    o.parts = options_.parts();
    o.strict = options_.strict();
    o.map_location = options_.map_location();
    const std::vector<std::string> notes = checkpoint_->load(options_.load_path(), o);
    loaded_ = true;
    workflow.state().maxEpochs = maxEpochs;
    const WorkflowState& s = workflow.state();
    if (s.epoch > maxEpochs)
        throw ConfigError("the checkpoint " + options_.load_path() + " is at epoch " +
                              std::to_string(s.epoch) + ", past this run's last epoch " +
                              std::to_string(maxEpochs) + "; raise max_epochs to train on",
                          {}, "trainer.max_epochs");
    if (log_) {
        log_("restored the training state of epoch " + std::to_string(s.epoch) + ", iteration " +
             std::to_string(s.epochIteration) + "/" + std::to_string(s.epochLength) + " from " +
             options_.load_path());
        for (const auto& n : notes)
            log_(n);
    }
    return notes;
}

} // namespace medulla
