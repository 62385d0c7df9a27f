#include "engine/transforms/Sample.h"

#include "engine/core/Error.h"

namespace medulla {

Volume& Sample::at(const std::string& key) {
    auto it = volumes.find(key);
    if (it == volumes.end())
        throw ShapeError("sample has no volume named \"" + key + "\"", {}, "keys");
    return it->second;
}

const Volume& Sample::at(const std::string& key) const {
    return const_cast<Sample*>(this)->at(key);
}

void Sample::recordSpatial(const std::string& key, const std::string& transform) {
    const Volume& v = at(key);
    applied[key].push_back({transform, v.spatialShape(), v.affine()});
}

} // namespace medulla
