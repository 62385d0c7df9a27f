#pragma once
/// Keeps the ranks of a distributed run in step on what only one of them
/// decides: rank 0 (the process a person watches, the studio's own) stops
/// or pauses the run; the others follow at the same point.
///
/// At each sync point (after every iteration and every epoch, at the same
/// place on all ranks) rank 0 publishes "go" or "stop" in the rendezvous
/// store under a sequence number and every other rank waits for that word.
/// A non-main rank asked to stop (a signal) leaves a request that rank 0
/// turns into "stop" at its next sync point. While rank 0 is paused
/// (setPaused) the others wait without a time limit; otherwise a rank 0
/// that has not answered within the timeout, or has exited, is an error
/// (DistributedError).
///
/// Threads: the training thread of each rank.

#include <cstdint>
#include <memory>

namespace medulla {

class DistributedContext;

class RunControl {
public:
    explicit RunControl(std::shared_ptr<DistributedContext> context);

    /// The sync point. `stopRequested`: this rank was asked to stop.
    /// Returns true on every rank when the run stops here.
    bool synchronize(bool stopRequested);
    /// Rank 0, before and after it waits in a pause.
    void setPaused(bool paused);
    /// Sync points passed.
    int64_t count() const { return sequence_; }

private:
    std::shared_ptr<DistributedContext> context_;
    int64_t sequence_ = 0;
    bool requested_ = false; ///< this non-main rank has left its stop request
};

} // namespace medulla
