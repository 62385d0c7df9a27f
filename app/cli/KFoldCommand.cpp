#include "app/cli/KFoldCommand.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <thread>

#include "app/cli/ConsoleObserver.h"
#include "engine/core/Error.h"
#include "engine/training/KFoldRunner.h"

namespace medulla::cli {

int runKFold(const KFoldArgs& args, const std::function<bool()>& interrupted) {
    ExperimentConfig config = ExperimentConfig::load(args.experiment);
    if (!args.outputDir.empty())
        config.outputDir = args.outputDir;
    if (args.epochs > 0)
        config.trainer.max_epochs = args.epochs;
    if (args.threads > 0)
        config.trainer.threads = args.threads;
    KFoldOptions options;
    options.folds = args.folds;
    options.test_fraction = args.testFraction;
    options.ensemble = args.ensemble;
    options.weights = args.weights;
    KFoldRunner runner(config, options);
    ConsoleObserver observer(args.quiet);
    runner.addObserver(&observer);
    std::printf("k-fold %s: %d folds, %lld epochs each, output in %s\n", config.name.c_str(),
                args.folds, static_cast<long long>(config.trainer.max_epochs),
                std::filesystem::absolute(config.outputDir).string().c_str());
    std::fflush(stdout);

    CancelToken cancel;
    KFoldResult result;
    std::exception_ptr error;
    std::atomic<bool> done{false};
    std::thread worker([&] {
        try {
            result = runner.run(cancel);
        } catch (...) {
            error = std::current_exception();
        }
        done = true;
    });
    while (!done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (interrupted() && !cancel.isCancelled())
            cancel.cancel();
    }
    worker.join();
    if (error) {
        try {
            std::rethrow_exception(error);
        } catch (const CancelledError&) {
            std::printf("cancelled; finished folds are kept in %s\n", config.outputDir.c_str());
            return 130;
        }
    }
    for (size_t k = 0; k < result.modelDice.size(); ++k)
        std::printf("fold %zu model: test mean Dice %.4f\n", k, result.modelDice[k]);
    std::printf("ensemble (%s of %zu models): test mean Dice %.4f\n", args.ensemble.c_str(),
                result.modelDice.size(), result.ensembleDice);
    std::printf("per-case test Dice: %s\n", result.csv.c_str());
    return 0;
}

} // namespace medulla::cli
