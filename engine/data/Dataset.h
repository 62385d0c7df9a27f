#pragma once
/// MONAI's Dataset: a datalist plus a transform chain that runs in full on
/// every fetch. The base of the caching datasets; the DataLoader reads any
/// of them through this interface.

#include <string>
#include <vector>

#include "engine/transforms/Compose.h"

namespace medulla {

class Dataset {
public:
    /// `transforms` keeps its random state (Compose::setRandomState).
    Dataset(std::vector<Sample> items, Compose transforms);
    virtual ~Dataset() = default;
    Dataset(const Dataset&) = delete;
    Dataset& operator=(const Dataset&) = delete;

    /// Number of items one epoch visits.
    virtual size_t size() const { return items_.size(); }
    /// Item i through the transforms: one sample, or several when a
    /// transform multiplies them (RandCropByPosNegLabeld num_samples).
    /// Random transforms are seeded from (the chain's random state,
    /// itemKey) (Compose::run), so the result depends on nothing else.
    /// Thread-safe: any number of threads may call get() at once.
    /// Errors name the item's file.
    virtual std::vector<Sample> get(size_t i, uint64_t itemKey) const;

    const Compose& transforms() const { return transforms_; }
    /// The datalist entry of item i (before any transform).
    const Sample& item(size_t i) const { return items_.at(i); }

    /// The file an item is about, for messages: its "image" path, else its
    /// first path, else "".
    static std::string describe(const Sample& item);
    /// chain.run(sample, key, firstPosition), with shape and configuration
    /// errors re-thrown naming `file`.
    static std::vector<Sample> runNamed(const Compose& chain, Sample sample, uint64_t key,
                                        const std::string& file, size_t firstPosition = 0);

protected:
    std::vector<Sample> items_;
    Compose transforms_;
};

} // namespace medulla
