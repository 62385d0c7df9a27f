#include "engine/data/Dataset.h"

#include "engine/core/Error.h"

namespace medulla {

Dataset::Dataset(std::vector<Sample> items, Compose transforms)
    : items_(std::move(items)), transforms_(std::move(transforms)) {}

std::vector<Sample> Dataset::get(size_t i, uint64_t itemKey) const {
    if (i >= items_.size())
        throw ShapeError("item " + std::to_string(i) + " is out of range; the dataset has " +
                         std::to_string(items_.size()));
    return runNamed(transforms_, items_[i], itemKey, describe(items_[i]));
}

std::string Dataset::describe(const Sample& item) {
    if (item.paths.count("image"))
        return item.paths.at("image");
    return item.paths.empty() ? std::string() : item.paths.begin()->second;
}

std::vector<Sample> Dataset::runNamed(const Compose& chain, Sample sample, uint64_t key,
                                      const std::string& file, size_t firstPosition) {
    try {
        return chain.run(std::move(sample), key, firstPosition);
    } catch (const ShapeError& e) { // IoErrors already name their file
        throw ShapeError(e.message(), e.file().empty() ? file : e.file(), e.field());
    } catch (const ConfigError& e) {
        throw ConfigError(e.message(), e.file().empty() ? file : e.file(), e.field());
    }
}

} // namespace medulla
