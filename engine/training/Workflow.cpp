#include "engine/training/Workflow.h"

namespace medulla {

const char* eventName(Event event) {
    switch (event) {
    case Event::Started:
        return "STARTED";
    case Event::EpochStarted:
        return "EPOCH_STARTED";
    case Event::IterationStarted:
        return "ITERATION_STARTED";
    case Event::IterationCompleted:
        return "ITERATION_COMPLETED";
    case Event::EpochCompleted:
        return "EPOCH_COMPLETED";
    case Event::Completed:
        return "COMPLETED";
    case Event::Cancelled:
        return "CANCELLED";
    case Event::ExceptionRaised:
        return "EXCEPTION_RAISED";
    }
    return "?";
}

void Workflow::on(Event event, EventCallback callback) {
    callbacks_[event].push_back(std::move(callback));
}

void Workflow::on(const std::string& customEvent, EventCallback callback) {
    custom_[customEvent].push_back(std::move(callback));
}

void Workflow::fire(Event event) {
    auto it = callbacks_.find(event);
    if (it == callbacks_.end())
        return;
    // Index loop: a callback may register more callbacks.
    for (size_t i = 0; i < it->second.size(); ++i)
        it->second[i](*this);
}

void Workflow::fire(const std::string& customEvent) {
    auto it = custom_.find(customEvent);
    if (it == custom_.end())
        return;
    for (size_t i = 0; i < it->second.size(); ++i)
        it->second[i](*this);
}

void Workflow::addHandler(HandlerPtr handler) {
    handlers_.push_back(handler);
    handler->attach(*this);
}

JobState Workflow::run(const CancelToken& cancel) {
    terminate_ = false;
    try {
        fire(Event::Started);
        // An unfinished epoch continues; a finished one moves on.
        int64_t epoch = state_.epoch;
        int64_t skip = state_.epochIteration;
        if (epoch == 0 || (state_.epochLength > 0 && skip >= state_.epochLength)) {
            ++epoch;
            skip = 0;
        }
        for (; epoch <= state_.maxEpochs && !terminate_; ++epoch, skip = 0) {
            if (cancel.isCancelled()) {
                fire(Event::Cancelled);
                return JobState::Cancelled;
            }
            state_.epoch = epoch;
            state_.epochLength = epochLength();
            state_.epochIteration = skip;
            startEpoch(epoch, skip);
            fire(Event::EpochStarted);
            while (state_.epochIteration < state_.epochLength && !terminate_) {
                if (cancel.isCancelled()) {
                    fire(Event::Cancelled);
                    return JobState::Cancelled;
                }
                fire(Event::IterationStarted);
                iterate(cancel);
                ++state_.epochIteration;
                ++state_.iteration;
                fire(Event::IterationCompleted);
            }
            fire(Event::EpochCompleted);
        }
        fire(Event::Completed);
        return JobState::Completed;
    } catch (const CancelledError&) {
        // Cancelled inside an iteration (a data loader or an evaluator
        // polling the token): the same as between iterations.
        fire(Event::Cancelled);
        return JobState::Cancelled;
    } catch (...) {
        state_.error = std::current_exception();
        try {
            fire(Event::ExceptionRaised);
        } catch (...) {
            // the original error is the one to report
        }
        std::rethrow_exception(state_.error);
    }
}

} // namespace medulla
