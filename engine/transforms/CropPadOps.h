#pragma once
/// MONAI's crop, pad, flip and rotate-by-90 array transforms on Volumes
/// (channel-first), with MONAI 1.3's semantics and the affine kept so that
/// every voxel stays where it was in the world (checked by the transforms
/// group of ../shared/parity through medulla-parity).

#include <string>
#include <vector>

#include "engine/core/Params.h"
#include "engine/core/Volume.h"

namespace medulla {

/// The parameters every padding transform shares: method, mode, value.
std::vector<ParamSpec> padParamSpecs();

/// Flip the given spatial axes (all of them when `axes` is empty).
Volume flipVolume(const Volume& v, std::vector<int64_t> axes);

/// Rotate by k * 90 degrees in the plane of two spatial axes, from the
/// first towards the second (torch.rot90).
Volume rotate90Volume(const Volume& v, int64_t k, int64_t axis0 = 0, int64_t axis1 = 1);

/// Pad each spatial axis to `size` (<= 0 or not larger: unchanged).
/// method: "symmetric" (extra voxel at the end) or "end"; mode: "constant"
/// (with `value`), "edge"/"replicate", "reflect", "circular"/"wrap".
/// Throws ConfigError naming `context` for unknown methods or modes.
Volume padVolume(const Volume& v, const std::vector<int64_t>& size, const std::string& method,
                 const std::string& mode, double value, const std::string& context);

/// Pad each spatial axis up to a multiple of k (one value for all axes or one per axis).
Volume divisiblePadVolume(const Volume& v, const std::vector<int64_t>& k, const std::string& method,
                          const std::string& mode, double value, const std::string& context);

/// Crop a box of `roi` voxels (<= 0: the whole axis; larger: as much as
/// there is) around the centre (size / 2), as MONAI's CenterSpatialCrop.
Volume centerCropVolume(const Volume& v, std::vector<int64_t> roi);

} // namespace medulla
