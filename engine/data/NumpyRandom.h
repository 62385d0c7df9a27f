#pragma once
/// numpy's legacy `np.random.RandomState(seed).shuffle(list)`, bit for bit.
/// MONAI shuffles datalists this way (partition_dataset, SmartCacheDataset,
/// CrossValidation, DecathlonDataset's split), so the same seed gives
/// researchers the same folds and cache order in Medulla as in MONAI.

#include <cstdint>
#include <random>
#include <vector>

namespace medulla {

class NumpyRandomState {
public:
    /// RandomState(seed): MT19937 initialised by init_genrand(seed mod 2^32),
    /// as MONAI reduces its seeds modulo 2^32.
    explicit NumpyRandomState(uint64_t seed) : mt_(uint32_t(seed & 0xffffffffu)) {}

    /// RandomState.shuffle on a 1-D sequence: Fisher-Yates from the end with
    /// numpy's masked-rejection bounded integers.
    template <typename T> void shuffle(std::vector<T>& v) {
        for (size_t i = v.size(); i-- > 1;) {
            const size_t j = size_t(boundedInteger(uint64_t(i)));
            std::swap(v[i], v[j]);
        }
    }

    /// A uniform integer in [0, max] (numpy's legacy random_interval).
    uint64_t boundedInteger(uint64_t max);

private:
    std::mt19937 mt_;
};

} // namespace medulla
