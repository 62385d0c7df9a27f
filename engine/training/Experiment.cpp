#include "engine/training/Experiment.h"
#include "engine/data/DatasetFactory.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "engine/data/SyntheticData.h"
#include "engine/distributed/DistributedOptions.h"
#include "engine/inference/InfererFactory.h"
#include "engine/losses/Loss.h"
#include "engine/networks/Network.h"
#include "engine/optim/LrScheduler.h"
#include "engine/optim/OptimizerFactory.h"
#include "engine/training/ExperimentSchema.h"
#include "engine/training/RunSupport.h"
#include "engine/training/handlers/CheckpointSaver.h"
#include "engine/training/handlers/EarlyStopHandler.h"
#include "engine/training/handlers/TensorBoardHandler.h"
#include "engine/transforms/Compose.h"

namespace medulla {

std::vector<ParamSpec> TrainerOptions::params() {
    return {{"max_epochs", ParamType::Int, 20, 1, 1e6, {}, "number of epochs"},
            {"batch_size", ParamType::Int, 2, 1, 4096, {}, "cases per batch"},
            {"val_interval", ParamType::Int, 1, 1, 1e6, {}, "validate every N epochs"},
            {"seed", ParamType::Int, 0, 0, 9.0e15, {}, "random seed"},
            {"threads", ParamType::Int, 0, 0, 1024, {}, "intra-op threads (0 = all)"},
            {"device", ParamType::String, "auto", 0, 0, {}, "auto, cpu, cuda or cuda:N"},
            {"nan_policy", ParamType::String, "stop", 0, 0, {"stop", "skip"}, "on a NaN/inf loss"},
            {"deterministic", ParamType::Bool, false, 0, 0, {}, "bitwise repeatable runs"},
            {"amp",
             ParamType::Bool,
             false,
             0,
             0,
             {},
             "mixed precision: float16 autocast + gradient scaler on CUDA, bfloat16 autocast on "
             "CPU"},
            {"accumulation_steps",
             ParamType::Int,
             1,
             1,
             4096,
             {},
             "batches whose gradients are summed before each optimizer step"}};
}

namespace {
/// Validates the "handlers" section (null: defaults).
void checkHandlers(const Json& handlers, const std::string& outputDir) {
    if (handlers.is_null())
        return;
    if (!handlers.is_object())
        throw ConfigError("expected an object of handler sections", {}, "handlers");
    for (const auto& kv : handlers.items()) {
        const std::string& name = kv.key();
        const std::string field = "handlers." + name;
        const auto& names = handlerSections();
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            std::string known;
            for (const auto& n : names)
                known += (known.empty() ? "" : ", ") + n;
            throw ConfigError("unknown handler section (known: " + known + ")", {}, field);
        }
        const Json& v = kv.value();
        if (v.is_null())
            continue;
        if (name == "early_stop") {
            (void)EarlyStopHandlerOptions::fromJson(v, field);
        } else if (name == "tensorboard") {
            (void)TensorBoardHandlerOptions::fromJson(v, outputDir, field);
        } else {
            const auto specs = handlerParams(name);
            ParamReader r(v, field, specs);
            for (const auto& spec : specs)
                (void)r.boolean(spec.name); // every parameter of these sections is a bool
        }
    }
}

const Json& need(const Json& j, const char* key) {
    if (!j.contains(key))
        throw ConfigError("required section is missing", {}, key);
    return j.at(key);
}
} // namespace

const std::vector<std::string>& handlerSections() {
    static const std::vector<std::string> names = {"early_stop", "tensorboard", "validation",
                                                   "stats"};
    return names;
}

std::vector<ParamSpec> handlerParams(const std::string& section) {
    using T = ParamType;
    if (section == "early_stop")
        return EarlyStopHandlerOptions::params();
    if (section == "tensorboard")
        return TensorBoardHandlerOptions::params();
    if (section == "validation")
        return {{"exec_at_start", T::Bool, false, 0, 0, {}, "validate before the first epoch"},
                {"exec_at_end", T::Bool, true, 0, 0, {}, "also validate after the last epoch"}};
    if (section == "stats")
        return {{"iteration_log", T::Bool, true, 0, 0, {}, "a train.log line per iteration"},
                {"epoch_log", T::Bool, true, 0, 0, {}, "train.log lines of each validation"}};
    throw ConfigError("unknown handler section", {}, "handlers." + section);
}

SyntheticDatasetOptions syntheticOptionsFromJson(const Json& j) {
    ParamReader r(j, "data.synthetic", experimentSyntheticParams());
    const auto size = r.intList("size");
    if (size.size() != 3)
        throw ConfigError("needs 3 values", {}, "data.synthetic.size");
    SyntheticImageOptions img = SyntheticImageOptions()
                                    .height(size[0])
                                    .width(size[1])
                                    .depth(size[2])
                                    .num_objs(r.integer("num_objs"))
                                    .rad_max(r.integer("rad_max"))
                                    .rad_min(r.integer("rad_min"))
                                    .noise_max(r.number("noise_max"))
                                    .num_seg_classes(r.integer("num_seg_classes"))
                                    .spacing(r.number("spacing"));
    return SyntheticDatasetOptions()
        .num_cases(r.integer("num_cases"))
        .seed(uint64_t(r.integer("seed")))
        .image(img);
}

ExperimentConfig ExperimentConfig::fromJson(const Json& j, const std::string& source) {
    try {
        if (!j.is_object())
            throw ConfigError("an experiment must be a JSON object");
        checkKnownKeys(j, experimentKeys(), "");
        ExperimentConfig c;
        c.name =
            stringField(j, "name", keyDefault(experimentKeys(), "name").get<std::string>(), "name");
        if (!j.contains("output_dir") || !j["output_dir"].is_string())
            throw ConfigError("required string is missing", {}, "output_dir");
        c.outputDir = j["output_dir"].get<std::string>();
        const Json& data = need(j, "data");
        if (!data.is_object() || !data.contains("dataset") || !data["dataset"].is_string())
            throw ConfigError("required string is missing", {}, "data.dataset");
        checkKnownKeys(data, experimentDataKeys(), "data");
        c.dataset = data["dataset"].get<std::string>();
        c.datalistKey =
            stringField(data, "datalist_key",
                        keyDefault(experimentDataKeys(), "datalist_key").get<std::string>(),
                        "data.datalist_key");
        if (data.contains("validation_key")) {
            if (!data["validation_key"].is_string())
                throw ConfigError("expected a string (a section of the datalist)", {},
                                  "data.validation_key");
            c.validationKey = data["validation_key"].get<std::string>();
        }
        c.valFraction = keyDefault(experimentDataKeys(), "val_fraction").get<double>();
        if (data.contains("val_fraction")) {
            if (!data["val_fraction"].is_number())
                throw ConfigError("expected a number", {}, "data.val_fraction");
            c.valFraction = data["val_fraction"].get<double>();
        }
        if (!(c.valFraction > 0.0 && c.valFraction < 1.0))
            throw ConfigError("must be in (0, 1)", {}, "data.val_fraction");
        c.datasetConfig = data.value("cache", keyDefault(experimentDataKeys(), "cache"));
        if (data.contains("cache"))
            checkDatasetConfig(c.datasetConfig, "data.cache");
        c.loaderWorkers = keyDefault(experimentDataKeys(), "num_workers").get<int64_t>();
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
            (void)syntheticOptionsFromJson(c.synthetic);
        }
        c.trainTransforms = need(j, "train_transforms");
        c.valTransforms = need(j, "val_transforms");
        (void)Compose::fromJson(c.trainTransforms, "train_transforms");
        (void)Compose::fromJson(c.valTransforms, "val_transforms");
        c.network = need(j, "network");
        (void)networkRegistry().create(c.network, "network");
        c.loss = need(j, "loss");
        (void)lossRegistry().create(c.loss, "loss");
        c.optimizer = j.value("optimizer", keyDefault(experimentKeys(), "optimizer"));
        {
            auto probe = at::zeros({1}).requires_grad_();
            auto optimizer = makeOptimizer(c.optimizer, {probe}, "optimizer");
            c.scheduler = j.value("scheduler", Json());
            if (!c.scheduler.is_null())
                (void)makeScheduler(c.scheduler, *optimizer, "scheduler");
        }
        c.inferer = j.value("inferer", Json());
        if (!c.inferer.is_null())
            (void)makeInferer(c.inferer, "inferer");
        c.checkpoint = j.value("checkpoint", Json());
        (void)checkpointSaverOptionsFromJson(c.checkpoint, c.outputDir, "checkpoint");
        c.handlers = j.value("handlers", Json());
        checkHandlers(c.handlers, c.outputDir);
        const Json trainer = j.value("trainer", Json::object());
        static const auto specs = TrainerOptions::params();
        ParamReader r(trainer, "trainer", specs);
        c.trainer.max_epochs = r.integer("max_epochs");
        c.trainer.batch_size = r.integer("batch_size");
        c.trainer.val_interval = r.integer("val_interval");
        c.trainer.seed = uint64_t(r.integer("seed"));
        c.trainer.threads = r.integer("threads");
        c.trainer.device = r.string("device");
        c.trainer.nan_policy = r.string("nan_policy");
        c.trainer.deterministic = r.boolean("deterministic");
        c.trainer.amp = r.boolean("amp");
        c.trainer.accumulation_steps = r.integer("accumulation_steps");
        c.distributed = j.value("distributed", Json());
        (void)DistributedOptions::fromJson(c.distributed, "distributed");
        checkDeviceName(c.trainer.device);
        return c;
    } catch (const ConfigError& e) {
        if (source.empty())
            throw;
        throw ConfigError(e.message(), source, e.field());
    }
}

ExperimentConfig ExperimentConfig::load(const std::string& path) {
    return fromJson(readExperimentJson(path), path);
}

Json ExperimentConfig::toJson() const {
    Json data = {{"dataset", dataset},
                 {"datalist_key", datalistKey},
                 {"val_fraction", valFraction},
                 {"cache", datasetConfig},
                 {"num_workers", loaderWorkers}};
    if (!synthetic.is_null())
        data["synthetic"] = synthetic;
    if (!validationKey.empty())
        data["validation_key"] = validationKey;
    Json out = {{"name", name},
                {"output_dir", outputDir},
                {"data", data},
                {"train_transforms", trainTransforms},
                {"val_transforms", valTransforms},
                {"network", network},
                {"loss", loss},
                {"optimizer", optimizer},
                {"scheduler", scheduler},
                {"trainer",
                 {{"max_epochs", trainer.max_epochs},
                  {"batch_size", trainer.batch_size},
                  {"val_interval", trainer.val_interval},
                  {"seed", trainer.seed},
                  {"threads", trainer.threads},
                  {"device", trainer.device},
                  {"nan_policy", trainer.nan_policy},
                  {"deterministic", trainer.deterministic},
                  {"amp", trainer.amp},
                  {"accumulation_steps", trainer.accumulation_steps}}}};
    if (!inferer.is_null())
        out["inferer"] = inferer;
    if (!checkpoint.is_null())
        out["checkpoint"] = checkpoint;
    if (!handlers.is_null())
        out["handlers"] = handlers;
    if (!distributed.is_null())
        out["distributed"] = distributed;
    return out;
}

Json ExperimentConfig::handler(const std::string& name) const {
    return handlers.is_object() && handlers.contains(name) ? handlers[name] : Json();
}

} // namespace medulla
