#include "engine/core/JobState.h"

namespace medulla {

const char* toString(JobState state) {
    switch (state) {
    case JobState::Idle:
        return "idle";
    case JobState::Starting:
        return "starting";
    case JobState::Running:
        return "running";
    case JobState::Paused:
        return "paused";
    case JobState::Cancelling:
        return "cancelling";
    case JobState::Cancelled:
        return "cancelled";
    case JobState::Completed:
        return "completed";
    case JobState::Failed:
        return "failed";
    }
    return "unknown";
}

} // namespace medulla
