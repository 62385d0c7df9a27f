#include "engine/data/DataLoader.h"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "engine/core/Error.h"
#include "engine/core/Random.h"

namespace medulla {

namespace {

/// The random-transform key of the item at global position `pos` of `epoch`.
uint64_t itemKey(uint64_t seed, int64_t epoch, size_t pos) {
    return mixSeed(mixSeed(seed ^ mixSeed(uint64_t(epoch))) + uint64_t(pos));
}

} // namespace

DataLoader::DataLoader(const Dataset& dataset, const DataLoaderOptions& options)
    : dataset_(dataset), options_(options) {
    if (options.batch_size() < 1)
        throw ConfigError("must be >= 1", {}, "batch_size");
    if (options.num_workers() < 0)
        throw ConfigError("must be >= 0", {}, "num_workers");
    if (options.prefetch_factor() < 1)
        throw ConfigError("must be >= 1", {}, "prefetch_factor");
    if (options.num_replicas() < 1)
        throw ConfigError("must be >= 1", {}, "num_replicas");
    if (options.rank() < 0 || options.rank() >= options.num_replicas())
        throw ConfigError("must be in [0, num_replicas)", {}, "rank");
}

DataLoader::~DataLoader() {
    stopWorkers();
}

std::vector<size_t> DataLoader::epochOrder(int64_t epoch) const {
    const size_t n = dataset_.size();
    std::vector<size_t> global(n);
    std::iota(global.begin(), global.end(), size_t(0));
    if (options_.shuffle()) {
        RandomGenerator rng(mixSeed(options_.seed() ^ mixSeed(uint64_t(epoch) + 0x5eed)));
        std::shuffle(global.begin(), global.end(), rng.engine());
    }
    const size_t r = size_t(options_.num_replicas());
    if (r > 1 && n > 0) {
        const size_t total = options_.drop_last() ? n / r * r : (n + r - 1) / r * r;
        for (size_t i = n; i < total; ++i)
            global.push_back(global[i - n]);
        global.resize(total);
    }
    std::vector<size_t> mine;
    for (size_t p = size_t(options_.rank()); p < global.size(); p += r)
        mine.push_back(global[p]);
    return mine;
}

int64_t DataLoader::itemsPerEpoch() const {
    const int64_t n = int64_t(dataset_.size()), r = options_.num_replicas();
    if (r == 1)
        return n;
    return options_.drop_last() ? n / r : (n + r - 1) / r;
}

int64_t DataLoader::batchesPerEpoch() const {
    const int64_t n = itemsPerEpoch(), b = options_.batch_size();
    return options_.drop_last() ? n / b : (n + b - 1) / b;
}

void DataLoader::startEpoch(int64_t epoch, int64_t firstBatch) {
    if (epoch < 0)
        throw ConfigError("must be >= 0", {}, "epoch");
    if (firstBatch < 0 || firstBatch > batchesPerEpoch())
        throw ConfigError("must be in [0, " + std::to_string(batchesPerEpoch()) + "]", {},
                          "firstBatch");
    stopWorkers();
    epoch_ = epoch;
    order_ = epochOrder(epoch);
    const size_t r = size_t(options_.num_replicas());
    positions_.resize(order_.size());
    for (size_t i = 0; i < order_.size(); ++i)
        positions_[i] = i * r + size_t(options_.rank());
    produce_ = cursor_ = firstBatch;
    ready_.clear();
    failed_.clear();
    stop_ = false;
    for (int64_t w = 0; w < options_.num_workers(); ++w)
        workers_.emplace_back([this] { workerLoop(); });
}

Batch DataLoader::build(int64_t b) const {
    const size_t begin = size_t(b * options_.batch_size());
    const size_t end = std::min(order_.size(), begin + size_t(options_.batch_size()));
    std::vector<Sample> samples;
    std::vector<size_t> index;
    for (size_t i = begin; i < end; ++i)
        for (auto& s : dataset_.get(order_[i], itemKey(options_.seed(), epoch_, positions_[i]))) {
            samples.push_back(std::move(s));
            index.push_back(order_[i]);
        }
    CollateOptions c;
    c.pinMemory = options_.pin_memory();
    return collate(std::move(samples), c, index);
}

Batch DataLoader::batch(int64_t b) const {
    if (epoch_ < 0)
        throw ConfigError("call startEpoch() first", {}, "epoch");
    if (b < 0 || b >= batchesPerEpoch())
        throw ShapeError("batch " + std::to_string(b) + " is out of range; the epoch has " +
                         std::to_string(batchesPerEpoch()));
    return build(b);
}

void DataLoader::workerLoop() {
    const int64_t ahead = options_.prefetch_factor() * options_.num_workers();
    const int64_t total = batchesPerEpoch();
    for (;;) {
        int64_t b;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            cv_.wait(lock,
                     [&] { return stop_ || produce_ >= total || produce_ < cursor_ + ahead; });
            if (stop_ || produce_ >= total)
                return;
            b = produce_++;
        }
        std::optional<Batch> built;
        std::exception_ptr error;
        try {
            built = build(b);
        } catch (...) {
            error = std::current_exception();
        }
        std::lock_guard<std::mutex> lock(mutex_);
        if (error)
            failed_[b] = error;
        else
            ready_[b] = std::move(*built);
        cv_.notify_all();
    }
}

std::optional<Batch> DataLoader::next(const CancelToken* cancel) {
    if (epoch_ < 0)
        throw ConfigError("call startEpoch() first", {}, "epoch");
    if (cursor_ >= batchesPerEpoch()) {
        stopWorkers();
        return std::nullopt;
    }
    if (workers_.empty())
        return build(cursor_++);
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        if (cancel && cancel->isCancelled()) {
            lock.unlock();
            stopWorkers();
            throw CancelledError();
        }
        auto f = failed_.find(cursor_);
        if (f != failed_.end()) {
            auto e = f->second;
            lock.unlock();
            stopWorkers();
            std::rethrow_exception(e);
        }
        auto it = ready_.find(cursor_);
        if (it != ready_.end()) {
            Batch out = std::move(it->second);
            ready_.erase(it);
            ++cursor_;
            cv_.notify_all(); // a worker may build one more
            return out;
        }
        cv_.wait_for(lock, std::chrono::milliseconds(50));
    }
}

void DataLoader::stopWorkers() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_)
        t.join();
    workers_.clear();
}

} // namespace medulla
