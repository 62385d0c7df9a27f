#include "engine/training/handlers/StatsHandler.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>

#include "engine/core/Error.h"
#include "engine/training/SupervisedTrainer.h"
#include "engine/training/handlers/ValidationHandler.h"

namespace medulla {
namespace {

std::string fixed4(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return buf;
}

std::string timestamp() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S ", &local);
    return buf;
}

std::string progress(const WorkflowState& s) {
    return "Epoch: " + std::to_string(s.epoch) + "/" + std::to_string(s.maxEpochs) +
           ", Iter: " + std::to_string(s.epochIteration) + "/" + std::to_string(s.epochLength);
}

} // namespace

StatsHandler::StatsHandler(LogSink sink, StatsHandlerOptions options)
    : sink_(std::move(sink)), options_(std::move(options)) {}

void StatsHandler::log(const std::string& line) {
    if (sink_)
        sink_(line);
    if (file_.is_open()) {
        file_ << timestamp() << line << '\n';
        file_.flush();
    }
}

void StatsHandler::attach(Workflow& workflow) {
    if (!options_.log_file().empty()) {
        const std::filesystem::path path(options_.log_file());
        std::error_code ec;
        if (path.has_parent_path())
            std::filesystem::create_directories(path.parent_path(), ec);
        file_.open(path, std::ios::app);
        if (!file_)
            throw IoError("cannot open the log file for writing", options_.log_file());
    }
    workflow.on(Event::Started, [this](Workflow& w) {
        const WorkflowState& s = w.state();
        log(w.name() + " started: epoch " + std::to_string(std::max<int64_t>(s.epoch, 1)) + " of " +
            std::to_string(s.maxEpochs) +
            (s.epochIteration > 0 ? ", resuming after iteration " + std::to_string(s.epochIteration)
                                  : std::string()));
    });
    if (options_.iteration_log()) {
        workflow.on(Event::IterationCompleted, [this](Workflow& w) {
            std::string line = progress(w.state()) + " --";
            for (const auto& kv : w.state().output)
                line += " " + kv.first + ": " + fixed4(kv.second);
            log(line);
        });
        workflow.on(SupervisedTrainer::kNanLossSkipped, [this](Workflow& w) {
            WorkflowState s = w.state();
            ++s.epochIteration; // fired inside the iteration, before the count moves on
            auto* trainer = dynamic_cast<SupervisedTrainer*>(&w);
            std::string cases;
            if (trainer)
                for (const auto& id : trainer->lastCaseIds())
                    cases += (cases.empty() ? "" : ", ") + id;
            auto loss = s.output.find("loss");
            log(progress(s) + " -- skipped: non-finite loss " +
                (loss == s.output.end() ? std::string("?") : fixed4(loss->second)) +
                (cases.empty() ? std::string() : " (cases: " + cases + ")"));
        });
    }
    if (options_.epoch_log()) {
        workflow.on(ValidationHandler::kValidationCompleted, [this](Workflow&) {
            validations_ = true;
            validatedThisEpoch_ = true;
        });
        workflow.on(Event::EpochCompleted, [this](Workflow& w) {
            const WorkflowState& s = w.state();
            // A trainer's metrics come from its validations: print them in
            // the epochs that validated only.
            const bool fresh = !validations_ || validatedThisEpoch_;
            validatedThisEpoch_ = false;
            if (!s.metrics.empty() && fresh) {
                std::string line = "Epoch[" + std::to_string(s.epoch) + "] Metrics --";
                for (const auto& kv : s.metrics)
                    line += " " + kv.first + ": " + fixed4(kv.second);
                log(line);
            }
            if (!s.keyMetricName.empty() && s.bestMetricEpoch >= 0)
                log("Key metric: " + s.keyMetricName + " best value: " + fixed4(s.bestMetric) +
                    " at epoch: " + std::to_string(s.bestMetricEpoch));
        });
    }
    workflow.on(Event::Completed, [this](Workflow& w) { log(w.name() + " completed"); });
    workflow.on(Event::Cancelled, [this](Workflow& w) { log(w.name() + " cancelled"); });
    workflow.on(Event::ExceptionRaised, [this](Workflow& w) {
        std::string what = "unknown error";
        try {
            if (w.state().error)
                std::rethrow_exception(w.state().error);
        } catch (const CancelledError&) { // while waiting for data or validating
            log(w.name() + " cancelled");
            return;
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        log(w.name() + " failed: " + what);
    });
}

} // namespace medulla
