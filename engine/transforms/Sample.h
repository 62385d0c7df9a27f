#pragma once
/// One data item flowing through dictionary transforms: named volumes
/// ("image", "label", ...) plus named source paths before loading.

#include <map>
#include <string>

#include "engine/core/Volume.h"
#include "engine/io/ImageMeta.h"

namespace medulla {

struct Sample {
    std::map<std::string, std::string> paths; ///< key -> file, consumed by LoadImaged
    std::map<std::string, Volume> volumes;    ///< key -> loaded volume (C, *spatial)
    /// key -> metadata of the file it was loaded from (MONAI's
    /// "<key>_meta_dict"), kept by LoadImaged(image_only=false).
    std::map<std::string, ImageMeta> meta;

    /// The volume at `key`; throws ShapeError naming the key if absent.
    Volume& at(const std::string& key);
    const Volume& at(const std::string& key) const;
    bool has(const std::string& key) const { return volumes.count(key) > 0; }
};

} // namespace medulla
