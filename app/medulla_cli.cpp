/// medulla: the headless command-line tool. Runs the same experiment files
/// as the studio.
///
///   medulla train EXPERIMENT.json [--output-dir DIR] [--epochs N] [--threads N]
///   medulla info IMAGE
///   medulla demo-data DIR [--cases N] [--seed S]

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "app/cli/ConsoleObserver.h"
#include "engine/core/Error.h"
#include "engine/data/SyntheticData.h"
#include "engine/io/ImageLoader.h"
#include "engine/io/NiftiHeader.h"
#include "engine/io/NiftiIO.h"
#include "engine/training/TrainingJob.h"

#ifndef MEDULLA_RESOURCE_DIR
#define MEDULLA_RESOURCE_DIR ""
#endif

namespace {

volatile std::sig_atomic_t g_interrupts = 0;

/// Only counts: the main thread turns the first Ctrl-C into a cancel request
/// (the run stops after the current iteration, keeping its checkpoints); a
/// second one exits at once.
void onSignal(int) {
    g_interrupts = g_interrupts + 1;
    if (g_interrupts > 1)
        std::_Exit(130);
}

int runTrain(const std::string& file, const std::string& outputDir, int epochs, int threads,
             bool quiet) {
    auto config = medulla::ExperimentConfig::load(file);
    if (!outputDir.empty())
        config.outputDir = outputDir;
    if (epochs > 0)
        config.trainer.max_epochs = epochs;
    if (threads > 0)
        config.trainer.threads = threads;
    std::printf("experiment %s: %s, %lld epochs, output in %s\n", config.name.c_str(), file.c_str(),
                static_cast<long long>(config.trainer.max_epochs),
                std::filesystem::absolute(config.outputDir).string().c_str());
    medulla::cli::ConsoleObserver observer(quiet);
    medulla::TrainingJob job(config, &observer);
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    job.start();
    bool cancelRequested = false;
    while (!medulla::isFinal(job.state())) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (g_interrupts > 0 && !cancelRequested) {
            job.cancel();
            cancelRequested = true;
        }
    }
    job.wait();
    switch (job.state()) {
    case medulla::JobState::Completed:
        std::printf("results: %s\n", std::filesystem::absolute(config.outputDir).string().c_str());
        return 0;
    case medulla::JobState::Cancelled:
        std::printf("cancelled; the last checkpoint is in %s\n",
                    std::filesystem::absolute(config.outputDir).string().c_str());
        return 130;
    default:
        return 1;
    }
}

int runInfo(const std::string& file, bool json) {
    medulla::Volume v = medulla::loadImage(file);
    nlohmann::json j;
    j["file"] = file;
    j["reader"] = "unknown";
    j["shape"] = v.data().sizes().vec();
    j["channels"] = v.channels();
    j["spatial_shape"] = v.spatialShape();
    j["dtype"] = v.data().scalar_type() == torch::kFloat
                     ? std::string("float32")
                     : std::string(c10::toString(v.data().scalar_type()));
    if (medulla::isNiftiPath(file)) {
        const medulla::NiftiHeader h = medulla::readNiftiHeader(file);
        j["source_dtype"] = medulla::niftiDatatypeName(h.datatype);
        j["reader"] =
            h.version == 2 ? "NIfTI-2 (native; ITK 5.2 reads NIfTI-1 only)" : "ITK NiftiImageIO";
        j["nifti"] = {{"version", h.version},
                      {"qform_code", h.qformCode},
                      {"sform_code", h.sformCode},
                      {"big_endian", h.bigEndian}};
    }
    const medulla::Vec3 sp = v.spacing();
    j["spacing"] = {sp[0], sp[1], sp[2]};
    nlohmann::json rows = nlohmann::json::array();
    for (int r = 0; r < 4; ++r)
        rows.push_back({v.affine()(r, 0), v.affine()(r, 1), v.affine()(r, 2), v.affine()(r, 3)});
    j["affine_ras"] = rows;
    j["axcodes"] = v.affine().axisCodes();
    const at::Tensor finite = v.data().masked_select(torch::isfinite(v.data()));
    j["min"] = finite.numel() ? finite.min().item<double>() : 0.0;
    j["max"] = finite.numel() ? finite.max().item<double>() : 0.0;
    j["nan_count"] = torch::isnan(v.data()).sum().item<int64_t>();
    if (json) {
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    std::printf("%s\n  reader: %s\n  %s (on disk: %s)\n  range [%g, %g]\n  affine (RAS):\n",
                file.c_str(), j["reader"].get<std::string>().c_str(), v.describe().c_str(),
                j.value("source_dtype", std::string("?")).c_str(), j["min"].get<double>(),
                j["max"].get<double>());
    for (int r = 0; r < 4; ++r)
        std::printf("    [%10.4f %10.4f %10.4f %10.4f]\n", v.affine()(r, 0), v.affine()(r, 1),
                    v.affine()(r, 2), v.affine()(r, 3));
    return 0;
}

int runDemoData(const std::string& dir, int cases, int seed) {
    medulla::SyntheticDatasetOptions o;
    o.num_cases(cases).seed(uint64_t(seed));
    o.image(medulla::SyntheticImageOptions()
                .num_objs(8)
                .rad_max(14)
                .rad_min(5)
                .noise_max(0.3)
                .num_seg_classes(1));
    medulla::NullProgress none;
    medulla::writeSyntheticDataset(dir, o, none);
    std::printf("wrote %d cases and %s/dataset.json\n", cases, dir.c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Medulla: medical-imaging deep learning, headless"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "medulla 0.1.0");

    std::string experiment, outputDir, image, dataDir;
    int epochs = 0, threads = 0, cases = 16, seed = 0;
    bool quiet = false;
    auto* train = app.add_subcommand("train", "Train the experiment described by a JSON file");
    train
        ->add_option("experiment", experiment,
                     "experiment JSON (see resources/demo_experiment.json)")
        ->required();
    train->add_option("--output-dir", outputDir, "override output_dir");
    train->add_option("--epochs", epochs, "override trainer.max_epochs")
        ->check(CLI::PositiveNumber);
    train->add_option("--threads", threads, "intra-op threads (default: all cores)")
        ->check(CLI::PositiveNumber);
    train->add_flag("--quiet", quiet, "no progress bar or log lines, only epochs");
    auto* info = app.add_subcommand("info", "Print an image's shape, type and geometry");
    bool infoJson = false;
    info->add_option("image", image, "image file (.nii, .nii.gz)")->required();
    info->add_flag("--json", infoJson, "one JSON object instead of text");
    auto* demo = app.add_subcommand("demo-data", "Write the seeded synthetic demo dataset");
    demo->add_option("dir", dataDir, "output folder")->required();
    demo->add_option("--cases", cases, "number of cases")->check(CLI::PositiveNumber);
    demo->add_option("--seed", seed, "seed");

    CLI11_PARSE(app, argc, argv);
    try {
        if (*train)
            return runTrain(experiment, outputDir, epochs, threads, quiet);
        if (*info)
            return runInfo(image, infoJson);
        if (*demo)
            return runDemoData(dataDir, cases, seed);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
