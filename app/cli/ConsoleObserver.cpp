#include "app/cli/ConsoleObserver.h"

#include <cstdio>
#include <unistd.h>

namespace medulla::cli {

ConsoleObserver::ConsoleObserver(bool quiet, bool silent)
    : quiet_(quiet || silent), silent_(silent), tty_(isatty(fileno(stderr)) != 0),
      start_(std::chrono::steady_clock::now()) {}

std::string ConsoleObserver::formatDuration(double seconds) {
    const auto s = static_cast<long long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
    return buf;
}

void ConsoleObserver::bar(double fraction, const std::string& text) {
    if (!tty_ || quiet_)
        return;
    const int width = 30;
    const int filled = int(fraction * width + 0.5);
    std::string b(size_t(filled), '#');
    b.resize(size_t(width), '.');
    std::fprintf(stderr, "\r[%s] %3d%% %s\033[K", b.c_str(), int(fraction * 100 + 0.5),
                 text.c_str());
    std::fflush(stderr);
    barShown_ = true;
}

void ConsoleObserver::clearBar() {
    if (barShown_) {
        std::fprintf(stderr, "\r\033[K");
        barShown_ = false;
    }
}

void ConsoleObserver::onStateChanged(JobState state) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (state == JobState::Cancelling) {
        clearBar();
        std::printf("cancelling: stopping after the current iteration...\n");
        std::fflush(stdout);
    }
}

void ConsoleObserver::onMessage(const std::string& message) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (quiet_)
        return;
    clearBar();
    std::printf("%s\n", message.c_str());
    std::fflush(stdout);
}

void ConsoleObserver::onPreparing(double fraction, const std::string& what) {
    std::lock_guard<std::mutex> lock(mutex_);
    bar(fraction, what);
}

void ConsoleObserver::onIteration(const IterationEvent& e) {
    std::lock_guard<std::mutex> lock(mutex_);
    // ETA from the pace of this run's iterations so far (a resumed run starts
    // counting at its first new iteration).
    const auto now = std::chrono::steady_clock::now();
    if (firstStep_ < 0) {
        firstStep_ = e.globalStep - 1;
        firstStepTime_ = now;
    }
    const double elapsed = std::chrono::duration<double>(now - firstStepTime_).count();
    const long long done = e.globalStep - firstStep_;
    const double eta = done > 0 ? elapsed / double(done) * double(e.totalSteps - e.globalStep) : 0;
    char text[200];
    std::snprintf(text, sizeof text, "epoch %d iter %d/%d loss %.4f  ETA %s", e.epoch, e.iteration,
                  e.iterationsPerEpoch, e.loss, formatDuration(eta).c_str());
    bar(e.totalSteps ? double(e.globalStep) / double(e.totalSteps) : 0.0, text);
}

void ConsoleObserver::onEpoch(const EpochEvent& e) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (silent_)
        return;
    clearBar();
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (e.valMeanDice >= 0)
        std::printf("epoch %3d/%d  loss %.4f  lr %.3g  val mean Dice %.4f  (best %.4f @ %d)  "
                    "%.1f s  [%.0f s total]\n",
                    e.epoch, e.maxEpochs, e.meanLoss, e.lr, e.valMeanDice, e.bestValMeanDice,
                    e.bestEpoch, e.seconds, elapsed);
    else
        std::printf("epoch %3d/%d  loss %.4f  lr %.3g  %.1f s  [%.0f s total]\n", e.epoch,
                    e.maxEpochs, e.meanLoss, e.lr, e.seconds, elapsed);
    std::fflush(stdout);
}

void ConsoleObserver::onPrediction(const PredictionEvent& e) {
    std::lock_guard<std::mutex> lock(mutex_);
    clearBar();
    std::printf("prediction for %s (Dice %.4f) written to %s\n", e.caseName.c_str(), e.dice,
                e.file.c_str());
    std::fflush(stdout);
}

void ConsoleObserver::onFinished(JobState state, const std::string& error) {
    std::lock_guard<std::mutex> lock(mutex_);
    clearBar();
    if (state == JobState::Failed)
        std::fprintf(stderr, "error: %s\n", error.c_str());
    else if (!silent_)
        std::printf("training %s\n", toString(state));
    std::fflush(stdout);
}

} // namespace medulla::cli
