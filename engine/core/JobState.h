#pragma once
/// The state machine of a background job (training, inference, cache build):
/// Idle -> Starting -> Running <-> Paused -> Cancelling -> Cancelled,
/// and Running -> Completed | Failed.

#include <string>

namespace medulla {

enum class JobState { Idle, Starting, Running, Paused, Cancelling, Cancelled, Completed, Failed };

/// Lower-case name of a state ("running").
const char* toString(JobState state);

/// True for Cancelled, Completed and Failed.
inline bool isFinal(JobState s) {
    return s == JobState::Cancelled || s == JobState::Completed || s == JobState::Failed;
}

/// Observer of a job's lifecycle. Called on the job's worker thread.
class JobObserver {
public:
    virtual ~JobObserver() = default;
    virtual void onStateChanged(JobState state) {}
    /// A human-readable log line (loading data, writing checkpoint, ...).
    virtual void onMessage(const std::string& message) {}
    /// Called once when the job ends; error is empty unless state is Failed.
    virtual void onFinished(JobState state, const std::string& error) {}
};

} // namespace medulla
