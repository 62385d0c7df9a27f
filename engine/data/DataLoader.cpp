#include "engine/data/DataLoader.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>

namespace medulla {

DataLoader::DataLoader(const CacheDataset& dataset, int64_t batchSize, bool shuffle, uint64_t seed)
    : dataset_(dataset), batchSize_(batchSize), shuffle_(shuffle), rng_(seed),
      order_(dataset.size()) {
    if (batchSize < 1)
        throw ConfigError("must be >= 1", {}, "trainer.batch_size");
    std::iota(order_.begin(), order_.end(), size_t(0));
}

int64_t DataLoader::batchesPerEpoch() const {
    return (int64_t(dataset_.size()) + batchSize_ - 1) / batchSize_;
}

void DataLoader::startEpoch() {
    if (shuffle_)
        std::shuffle(order_.begin(), order_.end(), rng_.engine());
}

Batch DataLoader::batch(int64_t b) {
    std::vector<Sample> samples;
    const size_t begin = size_t(b * batchSize_);
    const size_t end = std::min(order_.size(), begin + size_t(batchSize_));
    for (size_t i = begin; i < end; ++i)
        for (auto& s : dataset_.get(order_[i], rng_))
            samples.push_back(std::move(s));
    return collate(samples);
}

Batch DataLoader::collate(const std::vector<Sample>& samples) {
    Batch batch;
    if (samples.empty())
        return batch;
    for (const auto& kv : samples.front().volumes) {
        std::vector<at::Tensor> parts;
        for (const auto& s : samples) {
            const at::Tensor& t = s.at(kv.first).data();
            if (t.sizes() != kv.second.data().sizes())
                throw ShapeError(
                    "cannot batch \"" + kv.first +
                    "\": samples have different shapes; crop or resize to a common size");
            parts.push_back(t.to(torch::kFloat));
        }
        batch[kv.first] = torch::stack(parts);
    }
    return batch;
}

} // namespace medulla
