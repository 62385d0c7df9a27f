#include "engine/data/NumpyRandom.h"

namespace medulla {

uint64_t NumpyRandomState::boundedInteger(uint64_t max) {
    if (max == 0)
        return 0;
    uint64_t mask = max; // smallest 2^k - 1 >= max
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    uint64_t value;
    if (max <= 0xffffffffULL) {
        while ((value = (uint64_t(mt_()) & mask)) > max) {
        }
    } else {
        do {
            const uint64_t hi = mt_(), lo = mt_();
            value = ((hi << 32) | lo) & mask;
        } while (value > max);
    }
    return value;
}

} // namespace medulla
