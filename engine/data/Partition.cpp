#include "engine/data/Partition.h"

#include <numeric>
#include <string>

#include "engine/core/Error.h"
#include "engine/data/NumpyRandom.h"

namespace medulla {

std::vector<std::vector<size_t>> partitionIndices(size_t n, const PartitionOptions& o) {
    std::vector<size_t> indices(n);
    std::iota(indices.begin(), indices.end(), size_t(0));
    if (o.shuffle())
        NumpyRandomState(o.seed()).shuffle(indices);
    std::vector<std::vector<size_t>> parts;

    if (!o.ratios().empty()) {
        double sum = 0;
        for (double r : o.ratios()) {
            if (!(r >= 0))
                throw ConfigError("ratios must be >= 0", {}, "ratios");
            sum += r;
        }
        if (!(sum > 0))
            throw ConfigError("ratios must not all be 0", {}, "ratios");
        size_t next = 0;
        for (double r : o.ratios()) { // int(r / sum * n + 0.5), clipped to n
            const size_t start = next;
            next = std::min(start + size_t(r / sum * double(n) + 0.5), n);
            parts.emplace_back(indices.begin() + std::ptrdiff_t(start),
                               indices.begin() + std::ptrdiff_t(next));
        }
        return parts;
    }

    const int64_t k = o.num_partitions();
    if (k < 1)
        throw ConfigError("give ratios or num_partitions >= 1", {}, "num_partitions");
    if (o.drop_last() && !o.even_divisible())
        throw ConfigError("drop_last needs even_divisible", {}, "drop_last");
    if (n < size_t(k))
        throw ConfigError("cannot split " + std::to_string(n) + " items into " + std::to_string(k) +
                              " parts",
                          {}, "num_partitions");
    const size_t parts_ = size_t(k);
    const size_t perPart = (o.drop_last() && n % parts_ != 0) ? (n - parts_ + parts_ - 1) / parts_
                                                              : (n + parts_ - 1) / parts_;
    const size_t total = o.even_divisible() ? perPart * parts_ : n;
    if (!o.drop_last() && total > n) {
        for (size_t i = 0; n + i < total; ++i) // repeat the head
            indices.push_back(indices[i % n]);
    } else {
        indices.resize(total);
    }
    parts.resize(parts_);
    for (size_t i = 0; i < total; ++i)
        parts[i % parts_].push_back(indices[i]);
    return parts;
}

} // namespace medulla
