#include "engine/training/handlers/TensorBoardHandler.h"

#include <filesystem>

#include "engine/core/Error.h"
#include "engine/training/SupervisedTrainer.h"
#include "engine/training/handlers/ValidationHandler.h"

namespace fs = std::filesystem;

namespace medulla {

std::vector<ParamSpec> TensorBoardHandlerOptions::params() {
    using T = ParamType;
    return {{"enabled", T::Bool, true, 0, 0, {}, "write TensorBoard event files"},
            {"log_dir",
             T::String,
             "",
             0,
             0,
             {},
             "folder of the event files, relative to the run folder (\"\": the run folder)"},
            {"iteration_log",
             T::Int,
             1,
             0,
             1e12,
             {},
             "write the loss every N iterations (true: 1, false or 0: never)"},
            {"epoch_log",
             T::Int,
             1,
             0,
             1e12,
             {},
             "write the epoch loss and lr every N epochs, and the validation metrics (false or "
             "0: never)"},
            {"tag_name", T::String, "Loss", 0, 0, {}, "tag of the iteration loss"}};
}

std::optional<TensorBoardHandlerOptions>
TensorBoardHandlerOptions::fromJson(const Json& j, const std::string& runDir,
                                    const std::string& context) {
    static const std::vector<ParamSpec> specs = params();
    Json section = j.is_null() ? Json::object() : j;
    if (!section.is_object())
        throw ConfigError("expected an object", {}, context);
    for (const char* key : {"iteration_log", "epoch_log"}) // MONAI's bool | int
        if (section.contains(key) && section[key].is_boolean())
            section[key] = section[key].get<bool>() ? 1 : 0;
    ParamReader r(section, context, specs);
    if (!r.boolean("enabled"))
        return std::nullopt;
    const std::string logDir = r.string("log_dir");
    TensorBoardHandlerOptions o(logDir.empty() ? runDir : (fs::path(runDir) / logDir).string());
    o.iteration_log(r.integer("iteration_log"))
        .epoch_log(r.integer("epoch_log"))
        .tag_name(r.string("tag_name"));
    if (o.tag_name().empty())
        throw ConfigError("must not be empty", {}, r.field("tag_name"));
    return o;
}

TensorBoardHandler::TensorBoardHandler(TensorBoardHandlerOptions options,
                                       std::shared_ptr<EpochLossTracker> epochLoss)
    : options_(std::move(options)), epochLoss_(std::move(epochLoss)) {
    if (options_.log_dir().empty())
        throw ConfigError("must name a folder", {}, "log_dir");
    if (options_.iteration_log() < 0)
        throw ConfigError("must be >= 0", {}, "iteration_log");
    if (options_.epoch_log() < 0)
        throw ConfigError("must be >= 0", {}, "epoch_log");
    if (options_.tag_name().empty())
        throw ConfigError("must not be empty", {}, "tag_name");
    if (!epochLoss_) {
        epochLoss_ = std::make_shared<EpochLossTracker>();
        ownTracker_ = true;
    }
}

void TensorBoardHandler::attach(Workflow& workflow) {
    if (ownTracker_)
        epochLoss_->attach(workflow);
    workflow.on(Event::Started, [this](Workflow&) { started(); });
    if (options_.iteration_log() > 0)
        workflow.on(Event::IterationCompleted, [this](Workflow& w) { iterationCompleted(w); });
    workflow.on(Event::EpochCompleted, [this](Workflow& w) { epochCompleted(w); });
    if (options_.epoch_log() > 0)
        workflow.on(ValidationHandler::kValidationCompleted,
                    [this](Workflow& w) { validationCompleted(w); });
    workflow.on(Event::Completed, [this](Workflow&) { close(false); });
    workflow.on(Event::Cancelled, [this](Workflow&) { close(true); });
    workflow.on(Event::ExceptionRaised, [this](Workflow&) { close(true); });
}

void TensorBoardHandler::started() {
    if (writer_)
        return;
    writer_ = std::make_unique<TensorBoardWriter>(options_.log_dir(), "", options_.flush_seconds());
    file_ = writer_->path();
}

void TensorBoardHandler::iterationCompleted(const Workflow& w) {
    const WorkflowState& s = w.state();
    if (!writer_ || s.iteration % options_.iteration_log() != 0)
        return;
    for (const auto& kv : s.output)
        writer_->addScalar(kv.first == "loss" ? options_.tag_name() : kv.first, kv.second,
                           s.iteration);
}

void TensorBoardHandler::epochCompleted(Workflow& w) {
    if (!writer_)
        return;
    const WorkflowState& s = w.state();
    if (options_.epoch_log() > 0 && s.epoch % options_.epoch_log() == 0) {
        if (epochLoss_->count() > 0 && epochLoss_->epoch() == s.epoch)
            writer_->addScalar("epoch_loss", epochLoss_->mean(), s.epoch);
        if (const auto* trainer = dynamic_cast<const SupervisedTrainer*>(&w))
            writer_->addScalar("lr", trainer->learningRate(), s.epoch);
    }
    writer_->flush();
}

void TensorBoardHandler::validationCompleted(const Workflow& w) {
    if (!writer_)
        return;
    const WorkflowState& s = w.state();
    for (const auto& kv : s.metrics)
        writer_->addScalar(kv.first, kv.second, s.epoch);
    writer_->flush();
}

void TensorBoardHandler::close(bool quiet) {
    if (!writer_)
        return;
    std::unique_ptr<TensorBoardWriter> w = std::move(writer_);
    if (!quiet) {
        w->close();
        return;
    }
    try {
        w->close();
    } catch (const std::exception&) {
        // the run's own outcome is the one to report
    }
}

} // namespace medulla
