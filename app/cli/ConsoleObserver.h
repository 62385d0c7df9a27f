#pragma once
/// Prints a training run to the terminal: a progress bar on stderr (when it
/// is a terminal) and one line per epoch on stdout.

#include <chrono>
#include <mutex>

#include "engine/training/TrainingEvents.h"

namespace medulla::cli {

class ConsoleObserver : public TrainingObserver {
public:
    /// quiet: no progress bar or log lines, only epochs. silent (the ranks
    /// other than 0 of a distributed run): errors only.
    explicit ConsoleObserver(bool quiet, bool silent = false);
    void onStateChanged(JobState state) override;
    void onMessage(const std::string& message) override;
    void onPreparing(double fraction, const std::string& what) override;
    void onIteration(const IterationEvent& event) override;
    void onEpoch(const EpochEvent& event) override;
    void onPrediction(const PredictionEvent& event) override;
    void onFinished(JobState state, const std::string& error) override;

    /// "m:ss" or "h:mm:ss".
    static std::string formatDuration(double seconds);

private:
    void bar(double fraction, const std::string& text);
    void clearBar();

    std::mutex mutex_;
    bool quiet_;
    bool silent_;
    bool tty_;
    bool barShown_ = false;
    std::chrono::steady_clock::time_point start_;
    long long firstStep_ = -1; ///< global step before this run's first iteration
    std::chrono::steady_clock::time_point firstStepTime_;
};

} // namespace medulla::cli
