#include "app/cli/GanCommand.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <thread>

#include "app/cli/ConsoleObserver.h"
#include "engine/core/Error.h"
#include "engine/training/GanRun.h"

namespace fs = std::filesystem;

namespace medulla::cli {

int runGanTrain(const GanTrainArgs& args, const std::function<bool()>& interrupted) {
    GanExperimentConfig config = GanExperimentConfig::load(args.experiment);
    if (!args.outputDir.empty())
        config.outputDir = args.outputDir;
    if (args.epochs > 0)
        config.trainer.max_epochs = args.epochs;
    if (args.threads > 0)
        config.trainer.threads = args.threads;
    if (args.deterministic)
        config.trainer.deterministic = true;
    GanRun run(config);
    std::string resume;
    if (args.resume) {
        resume = args.resumeFrom.empty() ? run.files().checkpoint : args.resumeFrom;
        if (resume.empty())
            throw ConfigError("--resume without a file needs a latest checkpoint name",
                              args.experiment, "checkpoint.latest_filename");
        if (!fs::exists(resume))
            throw IoError("no checkpoint to resume from (has this run saved one yet?)", resume);
    }
    const std::string outDir = fs::absolute(config.outputDir).string();
    std::printf("experiment %s (GAN): %s, %lld epochs, output in %s\n", config.name.c_str(),
                args.experiment.c_str(), static_cast<long long>(config.trainer.max_epochs),
                outDir.c_str());
    ConsoleObserver observer(args.quiet);
    run.addObserver(&observer);
    if (!resume.empty()) {
        std::printf("resuming from %s\n", resume.c_str());
        run.resumeFrom(resume);
    }
    std::fflush(stdout);

    CancelToken cancel;
    JobState final = JobState::Failed;
    std::string error;
    std::atomic<bool> done{false};
    std::thread worker([&] {
        try {
            final = run.run(cancel);
        } catch (const CancelledError&) {
            final = JobState::Cancelled;
        } catch (const std::exception& e) {
            error = e.what();
        } catch (...) {
            error = "unknown error";
        }
        done = true;
    });
    while (!done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (interrupted() && !cancel.isCancelled()) {
            cancel.cancel();
            observer.onStateChanged(JobState::Cancelling);
        }
    }
    worker.join();
    observer.onFinished(final, error);
    switch (final) {
    case JobState::Completed:
        std::printf("results: %s\n", outDir.c_str());
        return 0;
    case JobState::Cancelled:
        std::printf("cancelled; the last checkpoint is in %s\n", outDir.c_str());
        return 130;
    default:
        return 1;
    }
}

} // namespace medulla::cli
