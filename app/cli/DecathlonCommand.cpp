#include "app/cli/DecathlonCommand.h"

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "engine/core/CancelToken.h"
#include "engine/core/Error.h"
#include "engine/data/DecathlonDataset.h"

namespace medulla::cli {
namespace {

CancelToken g_cancel;
volatile std::sig_atomic_t g_signals = 0;

/// First Ctrl-C: cancel (an atomic store, async-signal-safe); second: exit now.
void onSignal(int) {
    g_signals = g_signals + 1;
    if (g_signals > 1)
        std::_Exit(130);
    g_cancel.cancel();
}

/// Restores the previous SIGINT/SIGTERM handlers when the command ends.
class SignalScope {
public:
    SignalScope() : int_(std::signal(SIGINT, onSignal)), term_(std::signal(SIGTERM, onSignal)) {}
    ~SignalScope() {
        std::signal(SIGINT, int_);
        std::signal(SIGTERM, term_);
    }

private:
    void (*int_)(int);
    void (*term_)(int);
};

/// One line per 5 % step, and one whenever the phase (first word:
/// downloading, verifying, extracting, ...) changes.
class ConsoleProgress final : public ProgressSink {
public:
    void progress(double fraction, const std::string& message) override {
        const int step = int(std::floor(fraction * 20.0 + 1e-9));
        const std::string phase = message.substr(0, message.find(' '));
        if (step == lastStep_ && phase == lastPhase_)
            return;
        lastStep_ = step;
        lastPhase_ = phase;
        std::printf("%5.1f%%  %s\n", 100.0 * fraction, message.c_str());
        std::fflush(stdout);
    }

private:
    int lastStep_ = -1;
    std::string lastPhase_;
};

} // namespace

int runDecathlon(const DecathlonArgs& args) {
    auto options = DecathlonDatasetOptions()
                       .root_dir(args.root)
                       .task(args.task)
                       .section(args.section)
                       .download(args.download)
                       .seed(args.seed)
                       .val_frac(args.valFrac)
                       .url_override(args.url)
                       .md5_override(args.md5);
    findDecathlonTask(args.task); // ConfigError before any work
    g_cancel.reset();
    g_signals = 0;
    SignalScope signals;
    ConsoleProgress progress;
    try {
        const DecathlonDataset chosen(options, progress, &g_cancel);
        NullProgress quiet;
        auto count = [&](const std::string& section) -> size_t {
            if (section == args.section)
                return chosen.size();
            try {
                return DecathlonDataset(
                           DecathlonDatasetOptions(options).section(section).download(false), quiet)
                    .size();
            } catch (const ConfigError&) { // no (or an empty) list of that name
                return 0;
            }
        };
        const size_t training = count("training");
        const size_t validation = count("validation");
        const size_t test = count("test");
        if (args.list)
            for (size_t i = 0; i < chosen.size(); ++i) {
                std::string line;
                for (const auto& [key, path] : chosen.items()[i].paths)
                    line += "  " + key + "=" + path;
                std::printf("%s[%lld]%s\n", args.section.c_str(),
                            static_cast<long long>(chosen.indices()[i]), line.c_str());
            }
        std::printf("%s: %zu training, %zu validation, %zu test cases in %s\n", args.task.c_str(),
                    training, validation, test, chosen.directory().c_str());
        return 0;
    } catch (const CancelledError&) {
        std::printf("cancelled; a partial download is kept in %s and resumes on the next run\n",
                    args.root.c_str());
        return 130;
    }
}

} // namespace medulla::cli
