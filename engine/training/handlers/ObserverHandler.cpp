#include "engine/training/handlers/ObserverHandler.h"

#include <cmath>
#include <stdexcept>

#include "engine/training/SupervisedTrainer.h"
#include "engine/training/handlers/ValidationHandler.h"

namespace medulla {

ObserverHandler::ObserverHandler(std::vector<TrainingObserver*> observers,
                                 ObserverHandlerOptions options,
                                 std::shared_ptr<EpochLossTracker> epochLoss)
    : observers_(std::move(observers)), options_(std::move(options)),
      epochLoss_(std::move(epochLoss)) {
    if (!epochLoss_) {
        epochLoss_ = std::make_shared<EpochLossTracker>();
        ownTracker_ = true;
    }
}

void ObserverHandler::attach(Workflow& workflow) {
    auto* trainer = dynamic_cast<SupervisedTrainer*>(&workflow);
    if (!trainer)
        throw std::invalid_argument("ObserverHandler attaches to a SupervisedTrainer, not to \"" +
                                    workflow.name() + "\"");
    if (ownTracker_)
        epochLoss_->attach(*trainer);
    trainer->on(Event::Started, [this](Workflow&) {
        epochStart_ = std::chrono::steady_clock::now();
        for (auto* o : observers_)
            o->onStateChanged(JobState::Running);
    });
    trainer->on(Event::EpochStarted, [this](Workflow&) {
        epochStart_ = std::chrono::steady_clock::now();
        validated_ = false;
    });
    trainer->on(ValidationHandler::kValidationCompleted, [this](Workflow&) { validated_ = true; });
    trainer->on(Event::IterationCompleted, [this](Workflow& w) {
        const WorkflowState& s = w.state();
        auto it = s.output.find("loss");
        IterationEvent e;
        e.epoch = int(s.epoch);
        e.iteration = int(s.epochIteration);
        e.iterationsPerEpoch = int(s.epochLength);
        e.globalStep = s.iteration;
        e.totalSteps = s.epochLength * s.maxEpochs;
        e.loss = it == s.output.end() ? std::nan("") : it->second;
        for (auto* o : observers_)
            o->onIteration(e);
    });
    trainer->on(Event::EpochCompleted, [this, trainer](Workflow&) {
        const WorkflowState& s = trainer->state();
        EpochEvent e;
        e.epoch = int(s.epoch);
        e.maxEpochs = int(s.maxEpochs);
        e.meanLoss = epochLoss_->mean();
        e.lr = trainer->learningRate();
        auto key = s.metrics.find(s.keyMetricName);
        if (validated_ && key != s.metrics.end())
            e.valMeanDice = key->second;
        if (s.bestMetricEpoch >= 0) {
            e.bestValMeanDice = s.bestMetric;
            e.bestEpoch = int(s.bestMetricEpoch);
        }
        e.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - epochStart_).count();
        e.checkpoint = options_.checkpoint();
        for (auto* o : observers_)
            o->onEpoch(e);
    });
}

} // namespace medulla
