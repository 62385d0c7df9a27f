#pragma once
/// MONAI's DataLoader (torch.utils.data.DataLoader with list_data_collate):
/// batches of a Dataset built by worker threads ahead of the training loop,
/// in a fixed order that depends on the seed and the epoch only, so the
/// batches are identical whatever the number of workers.
///
/// Threads: one consumer thread calls startEpoch()/next(); the workers
/// only call Dataset::get (thread-safe) and collate.

#include <torch/arg.h>

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/data/Collate.h"
#include "engine/data/Dataset.h"

namespace medulla {

struct DataLoaderOptions {
    /// Items per batch (each may yield several samples, all kept).
    TORCH_ARG(int64_t, batch_size) = 1;
    /// New item order every epoch, from a generator seeded by (seed, epoch).
    TORCH_ARG(bool, shuffle) = false;
    /// Seeds the order and, with the epoch and the item's position, the
    /// random transforms of every item.
    TORCH_ARG(uint64_t, seed) = 0;
    /// Drop the last batch if it is smaller than batch_size.
    TORCH_ARG(bool, drop_last) = false;
    /// Threads building batches ahead; 0 builds them in next() itself.
    TORCH_ARG(int64_t, num_workers) = 0;
    /// Batches each worker may build ahead of the consumer.
    TORCH_ARG(int64_t, prefetch_factor) = 2;
    /// Collate into page-locked memory (only when CUDA is available).
    TORCH_ARG(bool, pin_memory) = false;
    /// Distributed training (DistributedSampler): the epoch order is padded
    /// with its first items to a multiple of num_replicas (or cut with
    /// drop_last) and this rank takes every num_replicas-th item from rank.
    TORCH_ARG(int64_t, num_replicas) = 1;
    TORCH_ARG(int64_t, rank) = 0;
};

class DataLoader {
public:
    /// The dataset must outlive the loader. Throws ConfigError naming the
    /// option for impossible values.
    DataLoader(const Dataset& dataset, const DataLoaderOptions& options);
    ~DataLoader();
    DataLoader(const DataLoader&) = delete;
    DataLoader& operator=(const DataLoader&) = delete;

    const DataLoaderOptions& options() const { return options_; }
    /// Items this rank visits per epoch, and its batches.
    int64_t itemsPerEpoch() const;
    int64_t batchesPerEpoch() const;

    /// Begin epoch `epoch` (>= 0): fixes its order and starts the workers.
    /// Stops the workers of an unfinished previous epoch first. With
    /// `firstBatch` > 0 (a resumed run) next() starts at that batch; the
    /// batches before it are not built, and those after it are exactly the
    /// ones a full epoch gives (order and random transforms depend on the
    /// seed, the epoch and the item's position only).
    void startEpoch(int64_t epoch, int64_t firstBatch = 0);
    int64_t epoch() const { return epoch_; }

    /// The next batch of the epoch, or nothing at its end. Blocks until a
    /// worker has built it; rethrows a worker's error (with the file
    /// named). Throws CancelledError if `cancel` fires while waiting.
    std::optional<Batch> next(const CancelToken* cancel = nullptr);
    /// Batch b of the current epoch, built now on the calling thread.
    Batch batch(int64_t b) const;

    /// Dataset indices this rank visits in `epoch`, in order.
    std::vector<size_t> epochOrder(int64_t epoch) const;

private:
    Batch build(int64_t b) const;
    void workerLoop();
    void stopWorkers();

    const Dataset& dataset_;
    DataLoaderOptions options_;
    int64_t epoch_ = -1;
    std::vector<size_t> order_;     ///< dataset index per position of this rank
    std::vector<size_t> positions_; ///< position in the padded global order

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    int64_t produce_ = 0; ///< next batch a worker takes
    int64_t cursor_ = 0;  ///< next batch next() returns
    std::map<int64_t, Batch> ready_;
    std::map<int64_t, std::exception_ptr> failed_;
};

} // namespace medulla
