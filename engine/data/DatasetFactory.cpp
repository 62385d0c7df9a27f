#include "engine/data/DatasetFactory.h"

#include "engine/core/Error.h"
#include "engine/data/CacheDataset.h"
#include "engine/data/PersistentDataset.h"
#include "engine/data/SmartCacheDataset.h"

namespace medulla {

namespace {

/// cache_num's default: more items than any datalist holds (all of them).
constexpr int64_t kAllItems = 1000000000000;

ParamSpec cacheNum() {
    return {"cache_num", ParamType::Int, kAllItems, 0, double(kAllItems), {}, "most items cached"};
}
ParamSpec cacheRate() {
    return {"cache_rate", ParamType::Float, 1.0, 0.0, 1.0, {}, "fraction of the items cached"};
}

const ComponentInfo& kind(const Json& config, const std::string& context) {
    if (!config.is_object() || !config.contains("name") || !config["name"].is_string())
        throw ConfigError("expected an object with a \"name\"", {}, context);
    const std::string name = config["name"].get<std::string>();
    std::string known;
    for (const auto& k : datasetKinds()) {
        if (k.name == name)
            return k;
        known += (known.empty() ? "" : ", ") + k.name;
    }
    throw ConfigError("unknown dataset \"" + name + "\" (known: " + known + ")", {},
                      context + ".name");
}

} // namespace

const std::vector<ComponentInfo>& datasetKinds() {
    static const std::vector<ComponentInfo> kinds = {
        {"Dataset", "dataset", "every transform on every fetch (no cache)", {}},
        {"CacheDataset",
         "dataset",
         "the deterministic transforms run once per item and are kept in memory",
         {cacheNum(),
          cacheRate(),
          {"num_workers", ParamType::Int, 0, 0, 1024, {}, "threads filling the cache (0: all)"},
          {"copy_cache", ParamType::Bool, false, 0, 1, {}, "copy items before random transforms"}}},
        {"SmartCacheDataset",
         "dataset",
         "a window of items in memory, part of it replaced in the background every epoch",
         {{"replace_rate", ParamType::Float, 0.1, 0.0, 1.0, {}, "fraction replaced per epoch"},
          cacheNum(),
          cacheRate(),
          {"num_init_workers", ParamType::Int, 0, 0, 1024, {}, "threads of the first fill"},
          {"num_replace_workers", ParamType::Int, 1, 0, 1024, {}, "threads of replacements"},
          {"shuffle", ParamType::Bool, true, 0, 1, {}, "shuffle the list once (numpy order)"},
          {"seed", ParamType::Int, 0, 0, 9.0e15, {}, "seed of that shuffle"}}},
        {"PersistentDataset",
         "dataset",
         "the deterministic transforms cached on disk, reused across runs",
         {{"cache_dir", ParamType::String, nullptr, 0, 0, {}, "folder of the cache files"}}}};
    return kinds;
}

void checkDatasetConfig(const Json& config, const std::string& context) {
    const ComponentInfo& k = kind(config, context);
    ParamReader r(config, context, k.params);
    for (const auto& p : k.params) { // read every value: type and range checks
        if (p.type == ParamType::Bool)
            (void)r.boolean(p.name);
        else if (p.type == ParamType::Int)
            (void)r.integer(p.name);
        else if (p.type == ParamType::Float)
            (void)r.number(p.name);
        else
            (void)r.string(p.name);
    }
    if (k.name == "PersistentDataset" && r.string("cache_dir").empty())
        throw ConfigError("a cache folder is required", {}, r.field("cache_dir"));
}

std::unique_ptr<Dataset> makeDataset(const Json& config, std::vector<Sample> items,
                                     Compose transforms, ProgressSink& progress,
                                     const CancelToken* cancel, const std::string& context) {
    checkDatasetConfig(config, context);
    const ComponentInfo& k = kind(config, context);
    ParamReader r(config, context, k.params);
    if (k.name == "Dataset")
        return std::make_unique<Dataset>(std::move(items), std::move(transforms));
    if (k.name == "CacheDataset")
        return std::make_unique<CacheDataset>(std::move(items), std::move(transforms),
                                              CacheDatasetOptions()
                                                  .cache_num(r.integer("cache_num"))
                                                  .cache_rate(r.number("cache_rate"))
                                                  .num_workers(r.integer("num_workers"))
                                                  .copy_cache(r.boolean("copy_cache")),
                                              progress, cancel);
    if (k.name == "SmartCacheDataset")
        return std::make_unique<SmartCacheDataset>(
            std::move(items), std::move(transforms),
            SmartCacheDatasetOptions()
                .replace_rate(r.number("replace_rate"))
                .cache_num(r.integer("cache_num"))
                .cache_rate(r.number("cache_rate"))
                .num_init_workers(r.integer("num_init_workers"))
                .num_replace_workers(r.integer("num_replace_workers"))
                .shuffle(r.boolean("shuffle"))
                .seed(uint64_t(r.integer("seed"))),
            progress, cancel);
    auto ds = std::make_unique<PersistentDataset>(
        std::move(items), std::move(transforms),
        PersistentDatasetOptions().cache_dir(r.string("cache_dir")));
    ds->precompute(0, progress, cancel);
    return ds;
}

} // namespace medulla
