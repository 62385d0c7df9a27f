#include "engine/training/handlers/ValidationHandler.h"

#include <stdexcept>

#include "engine/core/Error.h"

namespace medulla {

ValidationHandler::ValidationHandler(std::shared_ptr<Evaluator> evaluator,
                                     const CancelToken* cancel, ValidationHandlerOptions options)
    : evaluator_(std::move(evaluator)), cancel_(cancel ? cancel : &never_), options_(options) {
    if (!evaluator_)
        throw std::invalid_argument("ValidationHandler needs an evaluator");
    if (options_.interval() < 1)
        throw ConfigError("must be >= 1", {}, "interval");
}

void ValidationHandler::attach(Workflow& trainer) {
    if (options_.exec_at_start())
        trainer.on(Event::Started, [this](Workflow& w) { validate(w); });
    if (options_.epoch_level()) {
        trainer.on(Event::EpochCompleted, [this](Workflow& w) {
            const WorkflowState& s = w.state();
            if (s.epoch % options_.interval() == 0 ||
                (options_.exec_at_end() && s.epoch == s.maxEpochs))
                validate(w);
        });
    } else {
        trainer.on(Event::IterationCompleted, [this](Workflow& w) {
            if (w.state().iteration % options_.interval() == 0)
                validate(w);
        });
        if (options_.exec_at_end())
            trainer.on(Event::EpochCompleted, [this](Workflow& w) {
                const WorkflowState& s = w.state();
                if (s.epoch == s.maxEpochs && s.iteration % options_.interval() != 0)
                    validate(w);
            });
    }
}

void ValidationHandler::validate(Workflow& trainer) {
    // A resumed trainer (best restored from a checkpoint) seeds a fresh evaluator.
    WorkflowState& ev = evaluator_->state();
    if (ev.bestMetricEpoch < 0 && trainer.state().bestMetricEpoch >= 0 &&
        trainer.state().keyMetricName == ev.keyMetricName) {
        ev.bestMetric = trainer.state().bestMetric;
        ev.bestMetricEpoch = trainer.state().bestMetricEpoch;
    }
    if (evaluator_->run(trainer.state().epoch, *cancel_) == JobState::Cancelled)
        throw CancelledError();
    WorkflowState& t = trainer.state();
    const WorkflowState& e = evaluator_->state();
    for (const auto& kv : e.metrics)
        t.metrics[kv.first] = kv.second;
    t.keyMetricName = e.keyMetricName;
    t.bestMetric = e.bestMetric;
    t.bestMetricEpoch = e.bestMetricEpoch;
    trainer.fire(kValidationCompleted);
}

} // namespace medulla
