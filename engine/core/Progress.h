#pragma once
/// Progress reporting for long work, free of any GUI type.

#include <string>

namespace medulla {

/// Receives progress of one long operation. Called on the worker thread:
/// implementations must be thread-safe and cheap (the GUI bridge queues).
class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    /// fraction in [0, 1]; message says what is being done ("loading case 3/12").
    virtual void progress(double fraction, const std::string& message) = 0;
};

/// A sink that ignores everything; use when the caller does not care.
class NullProgress final : public ProgressSink {
public:
    void progress(double, const std::string&) override {}
};

} // namespace medulla
