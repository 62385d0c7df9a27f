#pragma once
/// Restricting a transform chain to some of its keys: inference on
/// unlabelled images runs an experiment's val_transforms on the image key
/// alone.

#include <string>
#include <vector>

#include "engine/core/Params.h"

namespace medulla {

/// `transforms` (a JSON list of {"name": ..., params}, as Compose::fromJson
/// reads it) with every key outside `keys` removed:
///   - each transform's "keys" (its schema default when absent) keeps only
///     the available keys; a transform left without keys is dropped;
///   - per-key lists (mode, padding_mode, dtype, prefix, orig_keys,
///     nearest_interp, align_corners: one entry per key, e.g. Spacingd
///     mode ["bilinear", "nearest"]) keep the entries of the kept keys;
///   - keys a kept transform creates become available to the ones after it
///     (CopyItemsd names, ConcatItemsd output_name);
///   - nested lists ("transforms" of OneOf, RandomOrder) are restricted the
///     same way (with their per-transform "weights"); an emptied one is
///     dropped.
/// Throws ConfigError naming "<context>[i].<field>" when a kept transform
/// needs a removed key (CropForegroundd source_key "label",
/// RandCropByPosNegLabeld label_key, ConcatItemsd of a removed key), and for
/// a list entry that is not a transform object.
Json restrictToKeys(const Json& transforms, const std::vector<std::string>& keys,
                    const std::string& context);

} // namespace medulla
