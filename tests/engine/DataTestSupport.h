#pragma once
/// Shared by the dataset and loader tests: in-memory items whose volumes
/// say which item they are, and chains built from JSON.

#include <torch/torch.h>

#include <string>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/core/Progress.h"
#include "engine/transforms/Compose.h"

namespace medulla::test {

/// Item `id`: image (1, X, Y, Z) float32 = id + 0.001 * voxel index,
/// label (1, X, Y, Z) uint8 = a cube of ones, affine spacing 1.5 mm.
inline Sample numberedItem(int id, int64_t x = 12, int64_t y = 10, int64_t z = 8) {
    Sample s;
    const Affine a({{{1.5, 0, 0, -3}, {0, 1.5, 0, 2}, {0, 0, 1.5, 1}, {0, 0, 0, 1}}});
    s.volumes["image"] =
        Volume(torch::arange(x * y * z, torch::kFloat).view({1, x, y, z}) * 0.001f + float(id), a);
    at::Tensor label = torch::zeros({1, x, y, z}, torch::kByte);
    label.slice(1, 2, x - 2).slice(2, 2, y - 2).slice(3, 2, z - 2).fill_(1);
    s.volumes["label"] = Volume(label, a);
    s.paths["image"] = "/virtual/case" + std::to_string(id) + ".nii.gz";
    s.fields["id"] = std::to_string(id);
    return s;
}

inline std::vector<Sample> numberedItems(int n) {
    std::vector<Sample> items;
    for (int i = 0; i < n; ++i)
        items.push_back(numberedItem(i));
    return items;
}

/// The id an image was made from (its value at voxel 0, rounded down).
inline int idOf(const at::Tensor& image) {
    return int(std::floor(image.flatten()[0].item<double>() + 1e-6));
}

inline Compose chain(const std::string& json, uint64_t seed = 0) {
    Compose c = Compose::fromJson(Json::parse(json), "test");
    c.setRandomState(seed);
    return c;
}

/// Counts calls; cancels `token` at call number `cancelAt` (0 = never).
class CountingProgress : public ProgressSink {
public:
    explicit CountingProgress(CancelToken* token = nullptr, int cancelAt = 0)
        : token_(token), cancelAt_(cancelAt) {}
    void progress(double fraction, const std::string& message) override {
        ++calls;
        last = fraction;
        lastMessage = message;
        if (token_ && calls == cancelAt_)
            token_->cancel();
    }
    int calls = 0;
    double last = 0;
    std::string lastMessage;

private:
    CancelToken* token_;
    int cancelAt_;
};

} // namespace medulla::test
