#include "engine/training/handlers/CheckpointSaver.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

#include "engine/core/Error.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

/// The saver's rotation lists in the checkpoint.
class TrackingPart : public CheckpointPart {
public:
    explicit TrackingPart(std::shared_ptr<CheckpointSaver::Tracking> t) : t_(std::move(t)) {}
    void save(torch::serialize::OutputArchive& archive) const override {
        const Json j = {{"interval", t_->interval},
                        {"key_metric", t_->keyMetric},
                        {"final", t_->final},
                        {"interrupted_epoch_end", t_->interruptedEpochEnd}};
        archive.write("json", c10::IValue(j.dump()));
    }
    void load(torch::serialize::InputArchive& archive, const PartLoadContext& c) override {
        c10::IValue v;
        archive.read("json", v);
        const Json j = Json::parse(v.toStringRef());
        using List = std::vector<std::pair<double, std::string>>;
        t_->interval = j.at("interval").get<List>();
        t_->keyMetric = j.at("key_metric").get<List>();
        t_->final = j.at("final").get<std::string>();
        const int64_t epoch = j.value("interrupted_epoch_end", int64_t(-1));
        if (epoch >= 0 && c.notes)
            c.notes->push_back(c.name + ": saved when the end of epoch " + std::to_string(epoch) +
                               " (its validation) was cancelled; the run redoes it before epoch " +
                               std::to_string(epoch + 1));
        t_->interruptedEpochEnd = epoch; // read (and cleared) by the saver at STARTED
    }

private:
    std::shared_ptr<CheckpointSaver::Tracking> t_;
};

/// Replaces `target` by a hard link to `source` (atomically); false when
/// the file system cannot link.
bool linkOver(const fs::path& source, const fs::path& target) {
    const fs::path tmp = target.parent_path() /
                         ("." + target.filename().string() + ".link" + std::to_string(getpid()));
    std::error_code ec;
    fs::remove(tmp, ec);
    fs::create_hard_link(source, tmp, ec);
    if (ec)
        return false;
    fs::rename(tmp, target, ec);
    if (ec) {
        fs::remove(tmp, ec);
        return false;
    }
    return true;
}

/// The lowest priority is kept first (ignite's order).
void sortByPriority(std::vector<std::pair<double, std::string>>& list) {
    std::stable_sort(list.begin(), list.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
}

} // namespace

std::vector<ParamSpec> checkpointSaverParams() {
    using T = ParamType;
    return {
        {"file_prefix", T::String, "", 0, 0, {}, "prefix of the generated file names"},
        {"save_final", T::Bool, false, 0, 0, {}, "save when the run completes"},
        {"final_filename", T::String, "", 0, 0, {}, "fixed name of the final file"},
        {"save_key_metric", T::Bool, true, 0, 0, {}, "save when the key metric improves"},
        {"key_metric_name", T::String, "", 0, 0, {}, "metric to compare (\"\": the key metric)"},
        {"key_metric_n_saved", T::Int, 1, 1, 1e6, {}, "best files to keep"},
        {"key_metric_filename",
         T::String,
         "best_model.pt",
         0,
         0,
         {},
         "fixed name of the best file (\"\": checkpoint_key_metric=X.pt)"},
        {"key_metric_greater_or_equal", T::Bool, false, 0, 0, {}, "an equal score replaces"},
        {"key_metric_negative_sign", T::Bool, false, 0, 0, {}, "smaller is better"},
        {"epoch_level", T::Bool, true, 0, 0, {}, "save_interval counts epochs, else iterations"},
        {"save_interval", T::Int, 1, 0, 1e12, {}, "save every N epochs/iterations (0: never)"},
        {"n_saved", T::Int, 1, 0, 1e6, {}, "interval files to keep (0: all)"},
        {"save_on_cancel", T::Bool, true, 0, 0, {}, "save the resumable state when cancelled"},
        {"latest_filename",
         T::String,
         "checkpoint.pt",
         0,
         0,
         {},
         "stable name of the newest resumable state"}};
}

CheckpointSaverOptions checkpointSaverOptionsFromJson(const Json& section, std::string saveDir,
                                                      const std::string& context) {
    static const auto specs = checkpointSaverParams();
    const Json j = section.is_null() ? Json::object() : section;
    ParamReader r(j, context, specs);
    CheckpointSaverOptions o(std::move(saveDir));
    o.file_prefix(r.string("file_prefix"))
        .save_final(r.boolean("save_final"))
        .final_filename(r.string("final_filename"))
        .save_key_metric(r.boolean("save_key_metric"))
        .key_metric_name(r.string("key_metric_name"))
        .key_metric_n_saved(r.integer("key_metric_n_saved"))
        .key_metric_filename(r.string("key_metric_filename"))
        .key_metric_greater_or_equal(r.boolean("key_metric_greater_or_equal"))
        .key_metric_negative_sign(r.boolean("key_metric_negative_sign"))
        .epoch_level(r.boolean("epoch_level"))
        .save_interval(r.integer("save_interval"))
        .n_saved(r.integer("n_saved"))
        .save_on_cancel(r.boolean("save_on_cancel"))
        .latest_filename(r.string("latest_filename"));
    if (!o.key_metric_filename().empty() && o.key_metric_n_saved() > 1)
        throw ConfigError("a fixed key_metric_filename keeps one file: key_metric_n_saved must "
                          "be 1",
                          {}, r.field("key_metric_n_saved"));
    for (const char* key : {"final_filename", "key_metric_filename", "latest_filename"})
        if (r.string(key).find('/') != std::string::npos)
            throw ConfigError("a file name in the run folder, without '/'", {}, r.field(key));
    return o;
}

CheckpointSaver::CheckpointSaver(std::shared_ptr<TrainingCheckpoint> checkpoint,
                                 CheckpointSaverOptions options)
    : checkpoint_(std::move(checkpoint)), options_(std::move(options)),
      tracking_(std::make_shared<Tracking>()) {
    if (!checkpoint_)
        throw ConfigError("needs a checkpoint to save", {}, "save_dict");
    if (options_.save_dir().empty())
        throw ConfigError("must name a folder", {}, "save_dir");
    if (options_.save_interval() < 0)
        throw ConfigError("must be >= 0", {}, "save_interval");
    if (options_.n_saved() < 0)
        throw ConfigError("must be >= 0 (0 keeps all)", {}, "n_saved");
    if (options_.key_metric_n_saved() < 1)
        throw ConfigError("must be >= 1", {}, "key_metric_n_saved");
    if (!options_.key_metric_filename().empty() && options_.key_metric_n_saved() > 1)
        throw ConfigError("a fixed key_metric_filename keeps one file: key_metric_n_saved must "
                          "be 1",
                          {}, "key_metric_filename");
    // Several savers may share a checkpoint: "checkpoint_saver", "checkpoint_saver_2", ...
    std::string part = "checkpoint_saver";
    for (int k = 2; checkpoint_->has(part); ++k)
        part = "checkpoint_saver_" + std::to_string(k);
    checkpoint_->add(part, std::make_shared<TrackingPart>(tracking_), true);
}

void CheckpointSaver::attach(Workflow& workflow) {
    workflow.on(Event::Started, [this](Workflow& w) { started(w); }); // after a CheckpointLoader
    workflow.on(Event::EpochCompleted, [this](Workflow& w) { epochCompleted(w); });
    workflow.on(Event::IterationCompleted, [this](Workflow& w) { iterationCompleted(w); });
    workflow.on(Event::Completed, [this](Workflow& w) { completed(w); });
    workflow.on(Event::Cancelled, [this](Workflow& w) { cancelled(w); });
    workflow.on(Event::ExceptionRaised, [this](Workflow& w) { exceptionRaised(w); });
}

std::string CheckpointSaver::path(const std::string& name) const {
    return (fs::path(options_.save_dir()) / name).string();
}

std::string CheckpointSaver::latestPath() const {
    return options_.latest_filename().empty() ? std::string() : path(options_.latest_filename());
}

std::vector<std::string> CheckpointSaver::intervalFiles() const {
    std::vector<std::string> out;
    for (const auto& item : tracking_->interval)
        out.push_back(path(item.second));
    return out;
}

std::vector<std::string> CheckpointSaver::keyMetricFiles() const {
    std::vector<std::string> out;
    for (const auto& item : tracking_->keyMetric)
        out.push_back(path(item.second));
    return out;
}

std::string CheckpointSaver::generatedName(const std::string& scoreName,
                                           const std::string& score) const {
    const std::string prefix =
        options_.file_prefix().empty() ? std::string() : options_.file_prefix() + "_";
    return prefix + "checkpoint_" + scoreName + "=" + score + ".pt";
}

void CheckpointSaver::addIntervalFile(Tracking& next, double priority, const std::string& name,
                                      std::vector<std::string>& obsolete) const {
    next.interval.emplace_back(priority, name);
    sortByPriority(next.interval);
    while (options_.n_saved() > 0 && int64_t(next.interval.size()) > options_.n_saved()) {
        obsolete.push_back(next.interval.front().second);
        next.interval.erase(next.interval.begin());
    }
}

void CheckpointSaver::started(Workflow& w) {
    const WorkflowState& s = w.state();
    const bool finished = s.epochLength > 0 && s.epochIteration >= s.epochLength;
    const bool interrupted = finished && tracking_->interruptedEpochEnd == s.epoch;
    tracking_->interruptedEpochEnd = -1;
    endedEpoch_ = finished && !interrupted ? s.epoch : -1;
    redoEpoch_ = interrupted ? s.epoch : -1;
    if (!interrupted)
        return;
    // the file of the epoch's last iteration was due at its end
    if (options_.save_interval() > 0 && !options_.epoch_level() &&
        s.iteration % options_.save_interval() == 0)
        pendingIteration_ = s.iteration;
    if (!redoRegistered_) { // appended now: runs after every STARTED callback
        redoRegistered_ = true;
        w.on(Event::Started, [this](Workflow& wf) { redoEpochEnd(wf); });
    }
}

void CheckpointSaver::redoEpochEnd(Workflow& w) {
    if (redoEpoch_ < 0 || redoEpoch_ != w.state().epoch)
        return;
    redoEpoch_ = -1;
    if (log_)
        log_("redoing the end of epoch " + std::to_string(w.state().epoch) +
             ", which a cancel cut short");
    redoing_ = true;
    try {
        w.fire(Event::EpochCompleted);
    } catch (...) {
        redoing_ = false;
        throw;
    }
    redoing_ = false;
}

void CheckpointSaver::epochCompleted(Workflow& w) {
    const WorkflowState& s = w.state();
    endedEpoch_ = s.epoch;
    std::vector<std::string> names, obsolete;
    Tracking next = *tracking_;
    if (pendingIteration_ == s.iteration) { // deferred from the epoch's last iteration
        const std::string name = generatedName("iteration", std::to_string(s.iteration));
        addIntervalFile(next, double(s.iteration), name, obsolete);
        names.push_back(name);
    }
    pendingIteration_ = -1;
    if (options_.save_interval() > 0 && options_.epoch_level() &&
        s.epoch % options_.save_interval() == 0) {
        const std::string name = generatedName("epoch", std::to_string(s.epoch));
        addIntervalFile(next, double(s.epoch), name, obsolete);
        names.push_back(name);
    }
    if (options_.save_key_metric()) {
        const std::string metric =
            options_.key_metric_name().empty() ? s.keyMetricName : options_.key_metric_name();
        // an epoch without validation (val_interval > 1) has no key metric yet
        auto it = metric.empty() ? s.metrics.end() : s.metrics.find(metric);
        if (it != s.metrics.end() && std::isfinite(it->second)) {
            const double priority = options_.key_metric_negative_sign() ? -it->second : it->second;
            char score[64];
            std::snprintf(score, sizeof score, "%.4f", priority);
            const std::string name = options_.key_metric_filename().empty()
                                         ? generatedName("key_metric", score)
                                         : options_.key_metric_filename();
            auto& list = next.keyMetric;
            const bool room = int64_t(list.size()) < options_.key_metric_n_saved();
            const bool better = !list.empty() && (options_.key_metric_greater_or_equal()
                                                      ? priority >= list.front().first
                                                      : priority > list.front().first);
            const bool known = options_.key_metric_filename().empty() &&
                               std::any_of(list.begin(), list.end(),
                                           [&](const auto& e) { return e.second == name; });
            if ((room || better) && !known) {
                if (!room) {
                    obsolete.push_back(list.front().second);
                    list.erase(list.begin());
                }
                list.emplace_back(priority, name);
                sortByPriority(list);
                names.push_back(name);
            }
        }
    }
    if (!names.empty())
        commit(names, true, next, obsolete);
}

void CheckpointSaver::iterationCompleted(Workflow& w) {
    const WorkflowState& s = w.state();
    if (options_.save_interval() <= 0 || options_.epoch_level() ||
        s.iteration % options_.save_interval() != 0)
        return;
    if (s.epochLength > 0 && s.epochIteration >= s.epochLength) {
        pendingIteration_ = s.iteration; // saved at EPOCH_COMPLETED, after the epoch's handlers
        return;
    }
    Tracking next = *tracking_;
    std::vector<std::string> obsolete;
    const std::string name = generatedName("iteration", std::to_string(s.iteration));
    addIntervalFile(next, double(s.iteration), name, obsolete);
    commit({name}, true, next, obsolete);
}

void CheckpointSaver::completed(Workflow& w) {
    saveFinal(w, true);
}

void CheckpointSaver::cancelled(Workflow& w) {
    if (!options_.save_on_cancel() || options_.latest_filename().empty())
        return;
    const WorkflowState& s = w.state();
    Tracking next = *tracking_;
    // Cancelled during the epoch's end (a CancelledError out of its
    // validation) before this saver's EPOCH_COMPLETED: that end is not redone.
    if (s.epochLength > 0 && s.epochIteration >= s.epochLength && endedEpoch_ != s.epoch)
        next.interruptedEpochEnd = s.epoch;
    commit({}, true, next, {});
    tracking_->interruptedEpochEnd = -1;
}

void CheckpointSaver::exceptionRaised(Workflow& w) {
    try {
        saveFinal(w, false);
    } catch (const std::exception&) {
        // the run's own error is the one to report
    }
}

void CheckpointSaver::saveFinal(Workflow& w, bool latest) {
    if (!options_.save_final())
        return;
    Tracking next = *tracking_;
    const std::string name =
        options_.final_filename().empty()
            ? generatedName("final_iteration", std::to_string(w.state().iteration))
            : options_.final_filename();
    std::vector<std::string> obsolete;
    if (!next.final.empty() && next.final != name)
        obsolete.push_back(next.final);
    next.final = name;
    commit({name}, latest, next, obsolete);
}

void CheckpointSaver::commit(const std::vector<std::string>& names, bool latest,
                             const Tracking& next, const std::vector<std::string>& obsolete) {
    std::vector<std::string> targets;
    for (const auto& n : names)
        targets.push_back(path(n));
    if (latest && !options_.latest_filename().empty())
        targets.push_back(latestPath());
    if (targets.empty())
        return;
    const Tracking previous = *tracking_;
    *tracking_ = next; // the file holds the lists it belongs to
    if (!options_.write_files())
        return;
    try {
        checkpoint_->save(targets.front());
        for (size_t i = 1; i < targets.size(); ++i)
            if (targets[i] != targets.front() && !linkOver(targets.front(), targets[i]))
                checkpoint_->save(targets[i]);
    } catch (...) {
        *tracking_ = previous;
        throw;
    }
    last_ = targets.front();
    for (const auto& name : obsolete) {
        const std::string p = path(name);
        if (std::find(targets.begin(), targets.end(), p) != targets.end())
            continue;
        std::error_code ec;
        fs::remove(p, ec); // already gone: nothing to do
    }
    if (log_)
        for (const auto& t : targets)
            log_("saved checkpoint " + t);
}

} // namespace medulla
