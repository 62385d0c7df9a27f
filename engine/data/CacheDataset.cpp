#include "engine/data/CacheDataset.h"

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
        auto out = prefix(std::move(items[i]), unused);
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
