#include "engine/distributed/RunControl.h"

#include <torch/csrc/distributed/c10d/Store.hpp>

#include <chrono>
#include <thread>

#include "engine/distributed/DistributedContext.h"

namespace medulla {
namespace {

const std::string kPaused = "medulla/paused";
const std::string kStopRequest = "medulla/stop_request";

std::vector<uint8_t> bytes(const std::string& s) {
    return {s.begin(), s.end()};
}

std::string key(int64_t sequence) {
    return "medulla/control/" + std::to_string(sequence);
}

} // namespace

RunControl::RunControl(std::shared_ptr<DistributedContext> context)
    : context_(std::move(context)) {}

bool RunControl::synchronize(bool stopRequested) {
    c10d::Store& store = context_->store();
    const std::string word = key(sequence_);
    try {
        if (context_->isMain()) {
            const bool stop = stopRequested || store.check({kStopRequest});
            // kept: rank 0 may run several points ahead of a slow reader
            // (a few bytes each in rank 0's store)
            store.set(word, bytes(stop ? "stop" : "go"));
            ++sequence_;
            return stop;
        }
        if (stopRequested && !requested_) {
            store.set(kStopRequest, bytes("1"));
            requested_ = true;
        }
        using Clock = std::chrono::steady_clock;
        auto deadline = Clock::now() + context_->timeout();
        auto pause = std::chrono::microseconds(100);
        while (!store.check({word})) {
            const bool paused = store.check({kPaused}) && store.get(kPaused) == bytes("1");
            if (paused)
                deadline = Clock::now() + context_->timeout();
            else if (Clock::now() > deadline)
                throw DistributedError("rank " + std::to_string(context_->rank()) +
                                       ": rank 0 did not reach sync point " +
                                       std::to_string(sequence_) + " within " +
                                       std::to_string(context_->options().timeout_s()) + " s");
            std::this_thread::sleep_for(pause);
            pause = std::min(pause * 2, std::chrono::microseconds(20000));
        }
        const bool stop = store.get(word) == bytes("stop");
        ++sequence_;
        return stop;
    } catch (const DistributedError&) {
        throw;
    } catch (const std::exception& e) {
        context_->fail("the run's sync point", e);
    }
}

void RunControl::setPaused(bool paused) {
    if (!context_->isMain())
        return;
    try {
        context_->store().set(kPaused, bytes(paused ? "1" : "0"));
    } catch (const std::exception& e) {
        context_->fail("publishing the pause", e);
    }
}

} // namespace medulla
