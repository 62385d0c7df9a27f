#include "engine/training/ExperimentSchema.h"

#include <algorithm>

namespace medulla {

namespace {

ExperimentKey required(std::string name, std::string type, std::string help) {
    return ExperimentKey{std::move(name), std::move(type), Json(), true, std::move(help)};
}

ExperimentKey optional(std::string name, std::string type, Json defaultValue, std::string help) {
    return ExperimentKey{std::move(name), std::move(type), std::move(defaultValue), false,
                         std::move(help)};
}

const Json& cacheDefault() {
    static const Json j = {{"name", "CacheDataset"}};
    return j;
}

} // namespace

const std::vector<ExperimentKey>& experimentKeys() {
    static const std::vector<ExperimentKey> keys = {
        optional("workflow", "string", "supervised",
                 "\"supervised\" (this table) or \"gan\" (a GAN experiment, below)"),
        optional("name", "string", "experiment", "the run's name in logs and the studio"),
        required("output_dir", "string",
                 "folder of checkpoints, logs and predictions (relative paths resolve against "
                 "the current directory)"),
        required("data", "object", "the cases: see the data section"),
        required("train_transforms", "list of objects",
                 "the training pipeline: transforms {\"name\": ..., params} applied in order "
                 "(see Transforms)"),
        required("val_transforms", "list of objects", "the validation pipeline (see Transforms)"),
        required("network", "object", "{\"name\": ..., params} (see Networks)"),
        required("loss", "object", "{\"name\": ..., params} (see Losses)"),
        optional("optimizer", "object", Json{{"name", "Adam"}, {"lr", 1e-3}},
                 "{\"name\": ..., params} (see Optimizers)"),
        optional("scheduler", "object", Json(),
                 "learning-rate schedule {\"name\": ..., params} (see Schedulers); absent: a "
                 "constant learning rate"),
        optional("inferer", "object", Json(),
                 "how validation predicts a case {\"name\": ..., params} (see Inferers); "
                 "absent: SimpleInferer (the whole image at once)"),
        optional("checkpoint", "object", Json::object(),
                 "what the run's CheckpointSaver writes in output_dir (see the checkpoint "
                 "section)"),
        optional("trainer", "object", Json::object(),
                 "epochs, batch size, device, AMP (see Trainer)"),
        optional("handlers", "object", Json::object(),
                 "options of the handlers the run attaches, one object per section (see "
                 "Handlers); absent sections take their defaults"),
        optional("distributed", "object", Json::object(),
                 "multi-process options (see the distributed section); used when the run is "
                 "started by `medulla launch` or the studio with several processes")};
    return keys;
}

const std::vector<ExperimentKey>& experimentDataKeys() {
    static const std::vector<ExperimentKey> keys = {
        required("dataset", "string",
                 "the datalist: a Medical Segmentation Decathlon style dataset.json"),
        optional("datalist_key", "string", "training", "the datalist section that trains"),
        optional("validation_key", "string", Json(),
                 "a datalist section to validate on; absent: val_fraction of datalist_key, "
                 "split with trainer.seed"),
        optional("val_fraction", "number in (0, 1)", 0.2,
                 "share of datalist_key's cases that validate (without validation_key)"),
        optional("cache", "object", cacheDefault(),
                 "the training dataset kind {\"name\": ..., params} (see Datasets)"),
        optional("num_workers", "integer in [0, 64]", 1,
                 "threads building training batches ahead of the network"),
        optional("synthetic", "object", Json(),
                 "options of the seeded synthetic dataset (see data.synthetic), written at "
                 "dataset (which must then be named dataset.json) when it does not exist yet; "
                 "absent: none")};
    return keys;
}

const std::vector<ExperimentKey>& ganExperimentKeys() {
    static const Json adam = {{"name", "Adam"}, {"lr", 2e-4}, {"betas", {0.5, 0.999}}};
    static const std::vector<ExperimentKey> keys = {
        required("workflow", "string", "\"gan\""),
        optional("name", "string", "gan", "the run's name in logs and the studio"),
        required("output_dir", "string",
                 "folder of checkpoints, logs and the sample grid (relative paths resolve "
                 "against the current directory)"),
        required("data", "object", "the real images: see the GAN data section"),
        required("train_transforms", "list of objects",
                 "the pipeline of the real images (see Transforms)"),
        required("generator", "object",
                 "a network {\"name\": ..., params} mapping (B, gan.latent_size) latents to "
                 "images, e.g. Generator (see Networks)"),
        required("discriminator", "object",
                 "a network mapping the generator's images to probabilities, e.g. "
                 "Discriminator (see Networks)"),
        optional("g_optimizer", "object", adam, "the generator's optimizer (see Optimizers)"),
        optional("d_optimizer", "object", adam, "the discriminator's optimizer (see Optimizers)"),
        optional("gan", "object", Json::object(), "GanTrainer's options (see the gan section)"),
        optional("checkpoint", "object", Json::object(),
                 "as in a supervised experiment; save_key_metric must stay false (a GAN run "
                 "has no key metric)"),
        optional("trainer", "object", Json::object(),
                 "epochs, batch size, seed, device (see the GAN trainer section)")};
    return keys;
}

const std::vector<ExperimentKey>& ganExperimentDataKeys() {
    static const std::vector<ExperimentKey> keys = {
        required("dataset", "string", "the datalist (a dataset.json); every case trains"),
        optional("datalist_key", "string", "training", "the datalist section that trains"),
        optional("image_key", "string", "image", "the key of the real images in the cases"),
        optional("cache", "object", cacheDefault(),
                 "the dataset kind {\"name\": ..., params} (see Datasets)"),
        optional("num_workers", "integer in [0, 64]", 1,
                 "threads building batches ahead of the networks"),
        optional("synthetic", "object", Json(),
                 "options of the seeded synthetic set (see the GAN data.synthetic), written at "
                 "dataset (named dataset.json) when it does not exist yet; absent: none")};
    return keys;
}

const Json& keyDefault(const std::vector<ExperimentKey>& keys, const std::string& name) {
    for (const ExperimentKey& k : keys)
        if (k.name == name)
            return k.defaultValue;
    throw Error("internal: experiment key '" + name + "' is not declared", {}, name);
}

void checkKnownKeys(const Json& object, const std::vector<ExperimentKey>& keys,
                    const std::string& context) {
    if (!object.is_object())
        return;
    for (const auto& item : object.items()) {
        const bool known = std::any_of(
            keys.begin(), keys.end(), [&](const ExperimentKey& k) { return k.name == item.key(); });
        if (known)
            continue;
        std::string names;
        for (const ExperimentKey& k : keys)
            names += (names.empty() ? "" : ", ") + k.name;
        throw ConfigError("unknown key (known: " + names + ")", {},
                          context.empty() ? item.key() : context + "." + item.key());
    }
}

const std::vector<ParamSpec>& experimentSyntheticParams() {
    static const std::vector<ParamSpec> s = {
        {"num_cases", ParamType::Int, 16, 1, 100000, {}, "cases to generate"},
        {"seed", ParamType::Int, 0, 0, 9.0e15, {}, "generator seed"},
        {"size", ParamType::IntList, Json{64, 64, 64}, 8, 4096, {}, "volume size"},
        {"num_objs", ParamType::Int, 12, 1, 1000, {}, "spheres per volume"},
        {"rad_max", ParamType::Int, 30, 2, 2048, {}, "max radius"},
        {"rad_min", ParamType::Int, 5, 1, 2048, {}, "min radius"},
        {"noise_max", ParamType::Float, 0.0, 0.0, 1.0, {}, "noise floor"},
        {"num_seg_classes", ParamType::Int, 5, 1, 255, {}, "label classes"},
        {"spacing", ParamType::Float, 1.0, 1e-6, 1e6, {}, "voxel size (mm)"}};
    return s;
}

const std::vector<ParamSpec>& ganSyntheticParams() {
    static const std::vector<ParamSpec> s = {
        {"num_cases", ParamType::Int, 16, 1, 100000, {}, "images to generate"},
        {"seed", ParamType::Int, 0, 0, 9.0e15, {}, "generator seed"},
        {"size", ParamType::IntList, Json{64, 64}, 8, 4096, {}, "image size (2 or 3 values)"},
        {"num_objs", ParamType::Int, 12, 1, 1000, {}, "discs (spheres) per image"},
        {"rad_max", ParamType::Int, 30, 2, 2048, {}, "max radius"},
        {"rad_min", ParamType::Int, 5, 1, 2048, {}, "min radius"},
        {"noise_max", ParamType::Float, 0.0, 0.0, 1.0, {}, "noise floor"},
        {"num_seg_classes", ParamType::Int, 1, 1, 255, {}, "label classes"},
        {"spacing", ParamType::Float, 1.0, 1e-6, 1e6, {}, "pixel size (mm)"}};
    return s;
}

std::string stringField(const Json& j, const char* key, const std::string& fallback,
                        const std::string& field) {
    if (!j.contains(key))
        return fallback;
    if (!j[key].is_string())
        throw ConfigError("expected a string", {}, field);
    return j[key].get<std::string>();
}

} // namespace medulla
