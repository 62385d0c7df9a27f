#include "engine/data/SmartCacheDataset.h"

#include <cmath>

#include "engine/core/Error.h"
#include "engine/data/CacheDataset.h"
#include "engine/data/CacheFill.h"
#include "engine/data/NumpyRandom.h"

namespace medulla {

namespace {

std::vector<Sample> shuffled(std::vector<Sample> items, const SmartCacheDatasetOptions& o) {
    if (o.shuffle())
        NumpyRandomState(o.seed()).shuffle(items);
    return items;
}

} // namespace

SmartCacheDataset::SmartCacheDataset(std::vector<Sample> items, Compose transforms,
                                     const SmartCacheDatasetOptions& options,
                                     ProgressSink& progress, const CancelToken* cancel)
    : Dataset(shuffled(std::move(items), options), std::move(transforms)), options_(options),
      prefix_(transforms_.deterministicPrefix()), suffix_(transforms_.randomSuffix()) {
    if (!(options.replace_rate() >= 0.0 && options.replace_rate() <= 1.0))
        throw ConfigError("must be in [0, 1]", {}, "replace_rate");
    const size_t n = items_.size();
    cacheNum_ = CacheDataset::cacheCount(n, options.cache_num(), options.cache_rate());
    if (cacheNum_ < n)
        replaceNum_ =
            std::min(size_t(std::ceil(double(cacheNum_) * options.replace_rate())), n - cacheNum_);
    restore(0, progress, cancel);
}

SmartCacheDataset::~SmartCacheDataset() {
    stopThread();
}

std::vector<Sample> SmartCacheDataset::get(size_t i, uint64_t itemKey) const {
    Sample s;
    std::vector<int64_t> versions;
    {
        std::shared_lock<std::shared_mutex> lock(cacheMutex_);
        if (i >= cache_.size())
            throw ShapeError("item " + std::to_string(i) + " is out of range; the cache holds " +
                             std::to_string(cache_.size()));
        s = cache_[i];
        versions = versions_[i];
    }
    const Sample shared = s; // the cached tensors, to check afterwards
    const std::string file = describe(s);
    auto out = runNamed(suffix_, std::move(s), itemKey, file, transforms_.prefixLength());
    checkUnmodified(shared, versions, file);
    return out;
}

void SmartCacheDataset::prepareReplacements() {
    replacements_.assign(replaceNum_, Sample());
    const size_t n = items_.size();
    NullProgress quiet;
    forEachItem(
        replaceNum_, int(options_.num_replace_workers()),
        [&](size_t j) {
            replacements_[j] = prepareCacheItem(prefix_, items_[(start_ + cacheNum_ + j) % n]);
        },
        quiet, &stop_, "replacing");
    ready_ = true;
}

void SmartCacheDataset::start() {
    started_ = true;
    if (replaceNum_ == 0 || thread_.joinable() || ready_)
        return;
    threadError_ = nullptr;
    thread_ = std::thread([this] {
        try {
            prepareReplacements();
        } catch (const CancelledError&) {
        } catch (...) {
            threadError_ = std::current_exception();
        }
    });
}

void SmartCacheDataset::stopThread() {
    if (thread_.joinable()) {
        stop_.cancel();
        thread_.join();
        stop_.reset();
    }
}

void SmartCacheDataset::shutdown() {
    stopThread();
    started_ = false;
}

void SmartCacheDataset::updateCache() {
    if (replaceNum_ == 0)
        return;
    if (thread_.joinable())
        thread_.join(); // the replacements of this round
    if (threadError_) {
        auto e = threadError_;
        threadError_ = nullptr;
        ready_ = false;
        std::rethrow_exception(e);
    }
    if (!ready_)
        prepareReplacements(); // not started, or stopped half-way
    {
        std::unique_lock<std::shared_mutex> lock(cacheMutex_);
        cache_.erase(cache_.begin(), cache_.begin() + std::ptrdiff_t(replaceNum_));
        versions_.erase(versions_.begin(), versions_.begin() + std::ptrdiff_t(replaceNum_));
        for (auto& r : replacements_) {
            versions_.push_back(tensorVersions(r));
            cache_.push_back(std::move(r));
        }
        start_ = (start_ + replaceNum_) % items_.size();
    }
    replacements_.clear();
    ready_ = false;
    if (started_)
        start();
}

size_t SmartCacheDataset::memoryBytes() const {
    std::shared_lock<std::shared_mutex> lock(cacheMutex_);
    std::vector<const Sample*> all;
    for (const auto& s : cache_)
        all.push_back(&s);
    return tensorBytes(all);
}

std::vector<size_t> SmartCacheDataset::cachedIndices() const {
    std::vector<size_t> idx;
    for (size_t j = 0; j < cacheNum_; ++j)
        idx.push_back((start_ + j) % items_.size());
    return idx;
}

void SmartCacheDataset::restore(size_t position, ProgressSink& progress,
                                const CancelToken* cancel) {
    stopThread();
    ready_ = false;
    threadError_ = nullptr;
    const size_t n = items_.size();
    if (n == 0)
        throw ConfigError("the datalist is empty", {}, "data");
    std::vector<Sample> cache(cacheNum_);
    forEachItem(
        cacheNum_, int(options_.num_init_workers()),
        [&](size_t j) { cache[j] = prepareCacheItem(prefix_, items_[(position + j) % n]); },
        progress, cancel, "caching");
    std::unique_lock<std::shared_mutex> lock(cacheMutex_);
    cache_ = std::move(cache);
    versions_.clear();
    for (const auto& s : cache_)
        versions_.push_back(tensorVersions(s));
    start_ = position % n;
    lock.unlock();
    if (started_)
        start();
}

} // namespace medulla
