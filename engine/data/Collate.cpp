#include "engine/data/Collate.h"

#include <ATen/ATen.h>
#include <torch/cuda.h>

#include "engine/core/Error.h"

namespace medulla {

const at::Tensor& Batch::operator[](const std::string& key) const {
    auto it = tensors.find(key);
    if (it == tensors.end())
        throw ShapeError("the batch has no \"" + key + "\"", {}, key);
    return it->second;
}

at::Tensor& Batch::operator[](const std::string& key) {
    return const_cast<at::Tensor&>(static_cast<const Batch&>(*this)[key]);
}

namespace {

std::string keysOf(const Sample& s) {
    std::string k;
    for (const auto& kv : s.volumes)
        k += (k.empty() ? "" : ", ") + kv.first;
    return "[" + k + "]";
}

} // namespace

Batch collate(std::vector<Sample> samples, const CollateOptions& options,
              const std::vector<size_t>& itemIndex) {
    Batch batch;
    if (samples.empty())
        return batch;
    const Sample& first = samples.front();
    const bool pin = options.pinMemory && torch::cuda::is_available();
    for (const auto& kv : first.volumes) {
        const std::string& key = kv.first;
        const at::Tensor& t0 = kv.second.data();
        std::vector<int64_t> shape = t0.sizes().vec();
        shape.insert(shape.begin(), int64_t(samples.size()));
        at::Tensor out =
            at::empty(shape, at::TensorOptions().dtype(t0.scalar_type()).pinned_memory(pin));
        auto& affines = batch.affines[key];
        for (size_t r = 0; r < samples.size(); ++r) {
            auto it = samples[r].volumes.find(key);
            if (it == samples[r].volumes.end() || samples[r].volumes.size() != first.volumes.size())
                throw ShapeError("cannot batch: sample " + std::to_string(r) + " has keys " +
                                     keysOf(samples[r]) + ", sample 0 has " + keysOf(first),
                                 {}, key);
            const at::Tensor& t = it->second.data();
            if (t.sizes() != t0.sizes() || t.scalar_type() != t0.scalar_type())
                throw ShapeError("cannot batch \"" + key + "\": sample " + std::to_string(r) +
                                     " is " + c10::str(t.sizes(), " ", t.scalar_type()) +
                                     ", sample 0 is " +
                                     c10::str(t0.sizes(), " ", t0.scalar_type()) +
                                     "; crop or resize to a common size and cast to one type",
                                 {}, key);
            out[int64_t(r)].copy_(t);
            affines.push_back(it->second.affine());
        }
        batch.tensors[key] = out;
    }
    batch.records = std::move(samples);
    for (auto& r : batch.records)
        r.volumes.clear();
    batch.itemIndex = itemIndex;
    return batch;
}

} // namespace medulla
