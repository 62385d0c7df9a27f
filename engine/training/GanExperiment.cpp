#include "engine/training/GanExperiment.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "engine/data/DatasetFactory.h"
#include "engine/data/SyntheticData.h"
#include "engine/networks/Network.h"
#include "engine/optim/OptimizerFactory.h"
#include "engine/training/ExperimentSchema.h"
#include "engine/training/RunSupport.h"
#include "engine/training/handlers/CheckpointSaver.h"
#include "engine/transforms/Compose.h"

namespace medulla {

std::vector<ParamSpec> GanSettings::params() {
    return {
        {"latent_size", ParamType::Int, 64, 1, 1e6, {}, "values per latent vector"},
        {"d_train_steps", ParamType::Int, 1, 1, 1000, {}, "discriminator updates per iteration"},
        {"g_update_latents", ParamType::Bool, true, 0, 0, {}, "fresh latents for the generator"},
        {"normal_init", ParamType::Bool, false, 0, 0, {}, "MONAI's normal_init (std 0.02)"},
        {"generator_sigmoid", ParamType::Bool, false, 0, 0, {}, "sigmoid after the generator"},
        {"num_samples", ParamType::Int, 16, 1, 1024, {}, "images in the final sample grid"}};
}

std::vector<ParamSpec> GanTrainerSettings::params() {
    return {{"max_epochs", ParamType::Int, 20, 1, 1e6, {}, "number of epochs"},
            {"batch_size", ParamType::Int, 16, 1, 4096, {}, "real images per batch"},
            {"seed", ParamType::Int, 0, 0, 9.0e15, {}, "random seed"},
            {"threads", ParamType::Int, 0, 0, 1024, {}, "intra-op threads (0 = all)"},
            {"device", ParamType::String, "auto", 0, 0, {}, "auto, cpu, cuda or cuda:N"},
            {"deterministic", ParamType::Bool, false, 0, 0, {}, "bitwise repeatable runs"}};
}

namespace {

const Json& need(const Json& j, const char* key) {
    if (!j.contains(key))
        throw ConfigError("required section is missing", {}, key);
    return j.at(key);
}

/// "1x64x64".
std::string shapeText(at::IntArrayRef sizes) {
    std::string out;
    for (int64_t s : sizes)
        out += (out.empty() ? "" : "x") + std::to_string(s);
    return out;
}

/// The first line of a LibTorch error (the rest is a C++ backtrace).
std::string firstLine(const std::exception& e) {
    std::string what = e.what();
    return what.substr(0, what.find('\n'));
}

/// The generator and the discriminator fit each other and the latent size:
/// a Generator's latent_shape holds latent_size values, the discriminator's
/// in_shape (when it has one) is the generator's output, and both run on a
/// zero latent.
void checkNetworks(const Json& generatorJson, const Json& discriminatorJson, int64_t latentSize) {
    NetworkPtr generator = networkRegistry().create(generatorJson, "generator");
    NetworkPtr discriminator = networkRegistry().create(discriminatorJson, "discriminator");
    const Json g = generator->toJson();
    if (g.contains("latent_shape")) {
        int64_t values = 1;
        for (const auto& v : g["latent_shape"])
            values *= v.get<int64_t>();
        if (values != latentSize)
            throw ConfigError("holds " + std::to_string(values) +
                                  " values, but gan.latent_size is " + std::to_string(latentSize),
                              {}, "generator.latent_shape");
    }
    torch::NoGradGuard noGrad;
    generator->eval();
    discriminator->eval();
    at::Tensor fakes;
    try {
        fakes = generator->forward(torch::zeros({1, latentSize}));
    } catch (const c10::Error& e) {
        throw ConfigError("cannot map a latent of gan.latent_size = " + std::to_string(latentSize) +
                              " values: " + firstLine(e),
                          {}, "generator");
    }
    const Json d = discriminator->toJson();
    if (d.contains("in_shape")) {
        const auto inShape = d["in_shape"].get<std::vector<int64_t>>();
        if (!at::IntArrayRef(inShape).equals(fakes.sizes().slice(1)))
            throw ConfigError("is " + shapeText(inShape) + ", but the generator makes " +
                                  shapeText(fakes.sizes().slice(1)) + " images",
                              {}, "discriminator.in_shape");
    }
    try {
        (void)discriminator->forward(fakes);
    } catch (const c10::Error& e) {
        throw ConfigError("cannot take the generator's " + shapeText(fakes.sizes().slice(1)) +
                              " images: " + firstLine(e),
                          {}, "discriminator");
    }
}

} // namespace

SyntheticDatasetOptions ganSyntheticOptionsFromJson(const Json& j) {
    ParamReader r(j, "data.synthetic", ganSyntheticParams());
    const auto size = r.intList("size");
    if (size.size() != 2 && size.size() != 3)
        throw ConfigError("needs 2 (pictures) or 3 (volumes) values", {}, "data.synthetic.size");
    SyntheticImageOptions img = SyntheticImageOptions()
                                    .height(size[0])
                                    .width(size[1])
                                    .depth(size.size() == 3 ? size[2] : 1)
                                    .num_objs(r.integer("num_objs"))
                                    .rad_max(r.integer("rad_max"))
                                    .rad_min(r.integer("rad_min"))
                                    .noise_max(r.number("noise_max"))
                                    .num_seg_classes(r.integer("num_seg_classes"))
                                    .spacing(r.number("spacing"));
    for (size_t d = 0; d < size.size(); ++d)
        if (size[d] <= 2 * img.rad_max())
            throw ConfigError("every size must exceed 2 * rad_max = " +
                                  std::to_string(2 * img.rad_max()),
                              {}, "data.synthetic.size");
    if (img.rad_min() >= img.rad_max())
        throw ConfigError("must be < rad_max", {}, "data.synthetic.rad_min");
    return SyntheticDatasetOptions()
        .num_cases(r.integer("num_cases"))
        .seed(uint64_t(r.integer("seed")))
        .image(img)
        .spatial_dims(int64_t(size.size()));
}

CheckpointSaverOptions ganCheckpointOptions(const Json& section, const std::string& saveDir) {
    Json j = section.is_null() ? Json::object() : section;
    if (j.is_object()) {
        if (j.value("save_key_metric", false))
            throw ConfigError("a GAN run has no key metric to save on", {},
                              "checkpoint.save_key_metric");
        j["save_key_metric"] = false;
    }
    return checkpointSaverOptionsFromJson(j, saveDir, "checkpoint");
}

bool isGanExperiment(const Json& experiment) {
    if (!experiment.is_object() || !experiment.contains("workflow"))
        return false;
    const Json& w = experiment["workflow"];
    if (w == "gan")
        return true;
    if (w == "supervised")
        return false;
    throw ConfigError("expected \"supervised\" or \"gan\", got " + w.dump(), {}, "workflow");
}

bool isGanExperimentFile(const std::string& path) {
    std::ifstream f(path);
    Json j;
    try {
        f >> j;
    } catch (const Json::exception&) {
        return false;
    }
    try {
        return isGanExperiment(j);
    } catch (const ConfigError& e) {
        throw ConfigError(e.message(), path, e.field());
    }
}

GanExperimentConfig GanExperimentConfig::fromJson(const Json& j, const std::string& source) {
    try {
        if (!j.is_object())
            throw ConfigError("an experiment must be a JSON object");
        if (!isGanExperiment(j))
            throw ConfigError("a GAN experiment needs \"workflow\": \"gan\"", {}, "workflow");
        checkKnownKeys(j, ganExperimentKeys(), "");
        GanExperimentConfig c;
        const auto& keys = ganExperimentKeys();
        const auto& dataKeys = ganExperimentDataKeys();
        c.name = stringField(j, "name", keyDefault(keys, "name").get<std::string>(), "name");
        if (!j.contains("output_dir") || !j["output_dir"].is_string())
            throw ConfigError("required string is missing", {}, "output_dir");
        c.outputDir = j["output_dir"].get<std::string>();

        const Json& data = need(j, "data");
        if (!data.is_object() || !data.contains("dataset") || !data["dataset"].is_string())
            throw ConfigError("required string is missing", {}, "data.dataset");
        c.dataset = data["dataset"].get<std::string>();
        c.datalistKey = stringField(data, "datalist_key",
                                    keyDefault(dataKeys, "datalist_key").get<std::string>(),
                                    "data.datalist_key");
        c.imageKey =
            stringField(data, "image_key", keyDefault(dataKeys, "image_key").get<std::string>(),
                        "data.image_key");
        for (const char* key : {"val_fraction", "validation_key"})
            if (data.contains(key))
                throw ConfigError("a GAN run has no validation: every case trains", {},
                                  std::string("data.") + key);
        checkKnownKeys(data, dataKeys, "data");
        c.datasetConfig = data.value("cache", keyDefault(dataKeys, "cache"));
        if (data.contains("cache"))
            checkDatasetConfig(c.datasetConfig, "data.cache");
        c.loaderWorkers = keyDefault(dataKeys, "num_workers").get<int64_t>();
        if (data.contains("num_workers")) {
            if (!data["num_workers"].is_number_integer() ||
                data["num_workers"].get<int64_t>() < 0 || data["num_workers"].get<int64_t>() > 64)
                throw ConfigError("expected an integer in [0, 64]", {}, "data.num_workers");
            c.loaderWorkers = data["num_workers"].get<int64_t>();
        }
        if (data.contains("synthetic")) {
            if (std::filesystem::path(c.dataset).filename() != "dataset.json")
                throw ConfigError(
                    "with data.synthetic the list must be named dataset.json (it is written "
                    "there)",
                    {}, "data.dataset");
            c.synthetic = data["synthetic"];
            (void)ganSyntheticOptionsFromJson(c.synthetic);
        }
        c.trainTransforms = need(j, "train_transforms");
        (void)Compose::fromJson(c.trainTransforms, "train_transforms");

        static const auto ganSpecs = GanSettings::params();
        const Json ganSection = j.value("gan", Json::object()); // ParamReader keeps a reference
        ParamReader g(ganSection, "gan", ganSpecs);
        c.gan.latent_size = g.integer("latent_size");
        c.gan.d_train_steps = g.integer("d_train_steps");
        c.gan.g_update_latents = g.boolean("g_update_latents");
        c.gan.normal_init = g.boolean("normal_init");
        c.gan.generator_sigmoid = g.boolean("generator_sigmoid");
        c.gan.num_samples = g.integer("num_samples");

        c.generator = need(j, "generator");
        c.discriminator = need(j, "discriminator");
        checkNetworks(c.generator, c.discriminator, c.gan.latent_size);
        c.gOptimizer = j.value("g_optimizer", keyDefault(keys, "g_optimizer"));
        c.dOptimizer = j.value("d_optimizer", keyDefault(keys, "d_optimizer"));
        {
            auto probe = at::zeros({1}).requires_grad_();
            (void)makeOptimizer(c.gOptimizer, {probe}, "g_optimizer");
            (void)makeOptimizer(c.dOptimizer, {probe}, "d_optimizer");
        }
        c.checkpoint = j.value("checkpoint", Json());
        (void)ganCheckpointOptions(c.checkpoint, c.outputDir);

        static const auto trainerSpecs = GanTrainerSettings::params();
        const Json trainerSection = j.value("trainer", Json::object());
        ParamReader r(trainerSection, "trainer", trainerSpecs);
        c.trainer.max_epochs = r.integer("max_epochs");
        c.trainer.batch_size = r.integer("batch_size");
        c.trainer.seed = uint64_t(r.integer("seed"));
        c.trainer.threads = r.integer("threads");
        c.trainer.device = r.string("device");
        c.trainer.deterministic = r.boolean("deterministic");
        checkDeviceName(c.trainer.device);
        return c;
    } catch (const ConfigError& e) {
        if (source.empty())
            throw;
        throw ConfigError(e.message(), source, e.field());
    }
}

GanExperimentConfig GanExperimentConfig::load(const std::string& path) {
    return fromJson(readExperimentJson(path), path);
}

Json GanExperimentConfig::toJson() const {
    Json data = {{"dataset", dataset},
                 {"datalist_key", datalistKey},
                 {"image_key", imageKey},
                 {"cache", datasetConfig},
                 {"num_workers", loaderWorkers}};
    if (!synthetic.is_null())
        data["synthetic"] = synthetic;
    Json out = {{"workflow", "gan"},
                {"name", name},
                {"output_dir", outputDir},
                {"data", data},
                {"train_transforms", trainTransforms},
                {"generator", generator},
                {"discriminator", discriminator},
                {"g_optimizer", gOptimizer},
                {"d_optimizer", dOptimizer},
                {"gan",
                 {{"latent_size", gan.latent_size},
                  {"d_train_steps", gan.d_train_steps},
                  {"g_update_latents", gan.g_update_latents},
                  {"normal_init", gan.normal_init},
                  {"generator_sigmoid", gan.generator_sigmoid},
                  {"num_samples", gan.num_samples}}},
                {"trainer",
                 {{"max_epochs", trainer.max_epochs},
                  {"batch_size", trainer.batch_size},
                  {"seed", trainer.seed},
                  {"threads", trainer.threads},
                  {"device", trainer.device},
                  {"deterministic", trainer.deterministic}}}};
    if (!checkpoint.is_null())
        out["checkpoint"] = checkpoint;
    return out;
}

} // namespace medulla
