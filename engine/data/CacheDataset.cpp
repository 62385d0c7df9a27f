#include "engine/data/CacheDataset.h"

#include "engine/core/Error.h"

namespace medulla {

CacheDataset::CacheDataset(std::vector<Sample> items, Compose transforms, ProgressSink& progress,
                           const CancelToken* cancel)
    : random_(transforms.randomSuffix()) {
    const Compose prefix = transforms.deterministicPrefix();
    RandomGenerator unused(0);
    cache_.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
        if (cancel)
            cancel->throwIfCancelled();
        const std::string file = items[i].paths.count("image") ? items[i].paths.at("image")
                                 : items[i].paths.empty()      ? std::string()
                                                               : items[i].paths.begin()->second;
        std::vector<Sample> out;
        try {
            out = prefix(std::move(items[i]), unused);
        } catch (const ShapeError& e) { // name the case; IoErrors already name their file
            throw ShapeError(e.message(), file, e.field());
        } catch (const ConfigError& e) {
            throw ConfigError(e.message(), file, e.field());
        }
        if (out.size() != 1)
            throw ConfigError("a deterministic transform produced " + std::to_string(out.size()) +
                                  " samples; only random transforms may multiply samples",
                              {}, "transforms");
        cache_.push_back(std::move(out.front()));
        progress.progress(double(i + 1) / double(items.size()), "caching case " +
                                                                    std::to_string(i + 1) + "/" +
                                                                    std::to_string(items.size()));
    }
}

std::vector<Sample> CacheDataset::get(size_t i, RandomGenerator& rng) const {
    return random_(cache_.at(i), rng);
}

} // namespace medulla
