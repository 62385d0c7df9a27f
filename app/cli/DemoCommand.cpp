#include "app/cli/DemoCommand.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <system_error>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/services/DemoWorkspace.h"
#include "engine/services/RunFolders.h"
#include "engine/training/RunSupport.h"

#ifndef MEDULLA_RESOURCE_DIR
#define MEDULLA_RESOURCE_DIR ""
#endif

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace medulla::cli {
namespace {

constexpr const char* kExperimentName = "demo_experiment.json";

/// The number of cases DIR/data/dataset.json lists under `key`; -1 when it
/// cannot be read (the run then writes it again).
long long listedCases(const fs::path& datasetJson, const std::string& key) {
    try {
        const Json j = readExperimentJson(datasetJson.string());
        return j.contains(key) && j[key].is_array() ? static_cast<long long>(j[key].size()) : -1;
    } catch (const Error&) {
        return -1;
    }
}

void printIfExists(const char* what, const fs::path& file) {
    if (fs::exists(file))
        std::printf("  %-14s %s\n", what, file.string().c_str());
}

} // namespace

CLI::App* addDemoCommand(CLI::App& app, DemoArgs& args) {
    auto* demo = app.add_subcommand(
        "demo", "Train the built-in demo (synthetic spheres, a small UNet) on data generated on "
                "the spot and print where the results are");
    demo->add_option("--output-dir", args.outputDir,
                     "folder for the data, the experiment file and the run folders (default "
                     "./medulla-demo)");
    demo->add_option("--epochs", args.epochs, "epochs (default: the demo's 20)")
        ->check(CLI::PositiveNumber);
    demo->add_option("--cases", args.cases, "synthetic cases to generate (default 16)")
        ->check(CLI::Range(2, 10000));
    demo->add_option("--threads", args.threads, "intra-op threads (default: all cores)")
        ->check(CLI::PositiveNumber);
    return demo;
}

std::string findDemoExperiment() {
    return DemoWorkspace::builtInExperiment(MEDULLA_RESOURCE_DIR);
}

DemoRun prepareDemo(const DemoArgs& args) {
    const std::string builtIn = findDemoExperiment();
    Json experiment = readExperimentJson(builtIn);
    const fs::path dir = fs::absolute(args.outputDir).lexically_normal();
    const fs::path data = dir / "data" / "dataset.json";
    if (!experiment.contains("data") || !experiment["data"].is_object())
        throw ConfigError("required object is missing", builtIn, "data");
    Json& dataSection = experiment["data"];
    dataSection["dataset"] = data.string();
    if (args.cases > 0) {
        if (!dataSection.contains("synthetic") || !dataSection["synthetic"].is_object())
            throw ConfigError("--cases needs a synthetic dataset", builtIn, "data.synthetic");
        dataSection["synthetic"]["num_cases"] = args.cases;
    }
    experiment["output_dir"] = (dir / "runs").string();

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw IoError("cannot create the demo folder: " + ec.message(), dir.string());
    // Data written for another --cases: let the run generate it again.
    if (dataSection.contains("synthetic") && fs::exists(data)) {
        const long long wanted = dataSection["synthetic"].value("num_cases", 16LL);
        const std::string key = dataSection.value("datalist_key", std::string("training"));
        if (listedCases(data, key) != wanted && !fs::remove(data, ec))
            throw IoError("cannot replace the demo data list: " + ec.message(), data.string());
    }
    DemoRun run;
    run.experiment = (dir / kExperimentName).string();
    writeTextAtomically(run.experiment, experiment.dump(2) + "\n");
    run.runDir = createRunFolder((dir / "runs").string());
    std::printf("demo: %s (from %s)\n", run.experiment.c_str(), builtIn.c_str());
    return run;
}

void printDemoSummary(const DemoRun& run) {
    const fs::path r(run.runDir);
    std::printf("demo finished; the run folder is %s\n", run.runDir.c_str());
    printIfExists("best model:", r / "best_model.pt");
    printIfExists("metrics:", r / "metrics.csv");
    printIfExists("training log:", r / "train.log");
    printIfExists("checkpoint:", r / "checkpoint.pt");
    std::printf("next:\n");
    std::printf("  medulla evaluate %s --model %s\n", run.experiment.c_str(), run.runDir.c_str());
    std::printf("  medulla-studio --experiment %s\n", run.experiment.c_str());
}

} // namespace medulla::cli
