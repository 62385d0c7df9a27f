#pragma once
/// One data item flowing through dictionary transforms: named volumes
/// ("image", "label", ...) plus named source paths before loading.

#include <map>
#include <string>
#include <vector>

#include "engine/core/Volume.h"
#include "engine/io/ImageMeta.h"

namespace medulla {

/// What a spatial transform did to one key, kept so that Invertd can map a
/// prediction back: the grid (spatial shape + affine) the volume had
/// before the transform. Every spatial transform keeps world positions
/// right, so inverting is resampling from the current grid onto `shape`
/// and `affine` (exact for crop, pad, flip and rotate90).
struct AppliedTransform {
    std::string name;           ///< MONAI class name, e.g. "Spacingd"
    std::vector<int64_t> shape; ///< spatial shape before the transform
    Affine affine;              ///< affine before the transform
};

struct Sample {
    std::map<std::string, std::string> paths; ///< key -> file, consumed by LoadImaged
    /// Datalist values that are not files ("fold": 0, a class label, a
    /// patient id), each as its JSON text ("0", "3.5", "\"abc\"").
    std::map<std::string, std::string> fields;
    std::map<std::string, Volume> volumes; ///< key -> loaded volume (C, *spatial)
    /// key -> metadata of the file it was loaded from (MONAI's
    /// "<key>_meta_dict"), kept by LoadImaged(image_only=false).
    std::map<std::string, ImageMeta> meta;
    /// key -> spatial transforms applied so far, oldest first (MONAI's
    /// applied_operations).
    std::map<std::string, std::vector<AppliedTransform>> applied;

    /// The volume at `key`; throws ShapeError naming the key if absent.
    Volume& at(const std::string& key);
    const Volume& at(const std::string& key) const;
    bool has(const std::string& key) const { return volumes.count(key) > 0; }
    /// Record that `transform` is about to change the grid of `key`, whose
    /// volume is still the input (call before replacing it).
    void recordSpatial(const std::string& key, const std::string& transform);
};

} // namespace medulla
