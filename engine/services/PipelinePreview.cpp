#include "engine/services/PipelinePreview.h"

#include <ATen/ATen.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "engine/core/Progress.h"
#include "engine/core/Random.h"
#include "engine/data/Datalist.h"
#include "engine/data/SyntheticData.h"
#include "engine/training/Experiment.h"
#include "engine/transforms/Transform.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

/// Transforms that only bring a case into memory: the "before" picture is
/// taken after the leading run of these.
bool isLoadingStep(const std::string& name) {
    static const std::set<std::string> loading = {"LoadImaged", "EnsureChannelFirstd",
                                                  "EnsureTyped", "AddChanneld"};
    return loading.count(name) > 0;
}

/// "<ctx> (Name): <field relative to ctx>: message".
std::string stepError(const std::string& ctx, const std::string& name, const std::exception& e) {
    std::string out = ctx + " (" + name + "): ";
    if (const auto* err = dynamic_cast<const Error*>(&e)) {
        if (!err->file().empty())
            out += err->file() + ": ";
        std::string field = err->field();
        if (field.rfind(ctx, 0) == 0) {
            field = field.substr(ctx.size());
            if (!field.empty() && field[0] == '.')
                field = field.substr(1);
        }
        if (!field.empty())
            out += field + ": ";
        return out + err->message();
    }
    return out + e.what();
}

const Volume* mainVolume(const Sample& s) {
    if (s.has("image"))
        return &s.volumes.at("image");
    return s.volumes.empty() ? nullptr : &s.volumes.begin()->second;
}

Volume copyOf(const Sample& s, const std::string& key) {
    if (!s.has(key))
        return {};
    const Volume& v = s.volumes.at(key);
    return Volume(v.data().detach().clone(), v.affine());
}

std::string stem(const std::string& path) {
    std::string name = fs::path(path).filename().string();
    for (const char* ext : {".nii.gz", ".nii", ".nrrd", ".mha", ".mhd", ".png", ".npy", ".npz"}) {
        const std::string e(ext);
        if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0)
            return name.substr(0, name.size() - e.size());
    }
    return fs::path(path).stem().string();
}

} // namespace

PreviewResult previewPipeline(const Json& transforms, const Json& item, uint64_t seed,
                              const CancelToken* cancel, const std::string& context) {
    PreviewResult result;
    result.seed = seed;
    if (!transforms.is_array()) {
        result.error = context + ": expected a list of transforms";
        return result;
    }
    Sample sample;
    if (item.is_object()) {
        for (auto it = item.begin(); it != item.end(); ++it) {
            if (it.value().is_string())
                sample.paths[it.key()] = it.value().get<std::string>();
            else
                sample.fields[it.key()] = it.value().dump();
        }
    }
    // The streams Compose::run gives item key 0, sample 0.
    const uint64_t base = mixSeed(mixSeed(seed) ^ 0);
    bool loading = true;
    for (size_t i = 0; i < transforms.size(); ++i) {
        if (cancel)
            cancel->throwIfCancelled();
        const std::string ctx = context + "[" + std::to_string(i) + "]";
        PreviewStep step;
        const Json& config = transforms[i];
        step.name = config.is_object() && config.contains("name") && config["name"].is_string()
                        ? config["name"].get<std::string>()
                        : std::string("?");
        const auto start = std::chrono::steady_clock::now();
        try {
            const TransformPtr t = transformRegistry().create(config, ctx);
            step.random = t->isRandom();
            RandomGenerator rng(mixSeed(base ^ mixSeed(uint64_t(i) << 32)));
            std::vector<Sample> produced = t->applyMany(std::move(sample), rng);
            if (produced.empty())
                throw ShapeError("produced no sample");
            step.samples = int(produced.size());
            sample = std::move(produced.front());
        } catch (const CancelledError&) {
            throw;
        } catch (const std::exception& e) {
            step.error = stepError(ctx, step.name, e);
        }
        step.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!step.error.empty()) {
            result.error = step.error;
            result.steps.push_back(std::move(step));
            return result; // `sample` was consumed: keep the last good volumes
        }
        if (const Volume* v = mainVolume(sample)) {
            step.shape = v->data().sizes().vec();
            step.spacing = v->spacing();
        }
        result.steps.push_back(std::move(step));
        if (loading && !isLoadingStep(result.steps.back().name))
            loading = false;
        if (loading) {
            result.beforeImage = copyOf(sample, "image");
            result.beforeLabel = copyOf(sample, "label");
        }
        result.afterImage = copyOf(sample, "image");
        result.afterLabel = copyOf(sample, "label");
    }
    return result;
}

std::vector<PreviewCase> previewCases(const Json& dataSection, const CancelToken* cancel) {
    if (!dataSection.is_object())
        throw ConfigError("expected an object", {}, "data");
    if (!dataSection.contains("dataset") || !dataSection["dataset"].is_string())
        throw ConfigError("missing the dataset.json path", {}, "data.dataset");
    const std::string dataset = dataSection["dataset"].get<std::string>();
    auto key = [&](const char* name, const std::string& def) {
        if (!dataSection.contains(name))
            return def;
        if (!dataSection[name].is_string())
            throw ConfigError("expected a string", {}, std::string("data.") + name);
        return dataSection[name].get<std::string>();
    };
    const std::string datalistKey = key("datalist_key", "training");
    const std::string validationKey = key("validation_key", "");
    if (dataSection.contains("synthetic") && !dataSection["synthetic"].is_null() &&
        !fs::exists(dataset)) {
        NullProgress progress;
        writeSyntheticDataset(fs::path(dataset).parent_path().string(),
                              syntheticOptionsFromJson(dataSection["synthetic"]), progress, cancel);
    }
    std::vector<Sample> items = loadDecathlonDatalist(dataset, datalistKey);
    if (!validationKey.empty()) {
        auto more = loadDecathlonDatalist(dataset, validationKey);
        items.insert(items.end(), more.begin(), more.end());
    }
    std::vector<PreviewCase> out;
    for (const Sample& s : items) {
        PreviewCase c;
        auto image = s.paths.find("image");
        if (image == s.paths.end())
            continue;
        c.image = image->second;
        c.name = stem(c.image);
        auto label = s.paths.find("label");
        if (label != s.paths.end())
            c.label = label->second;
        out.push_back(std::move(c));
    }
    return out;
}

} // namespace medulla
