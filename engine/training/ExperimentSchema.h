#pragma once
/// The keys of an experiment file that have no ParamSpec list of their own:
/// the top level and the "data" section of a supervised and of a GAN
/// experiment. The readers (Experiment.cpp, GanExperiment.cpp) reject any
/// key not in these lists and take the value defaults (name, optimizer,
/// datalist_key, val_fraction, cache, ...) from them; the reference
/// documentation (engine/services/ReferenceDoc.h) renders the same lists,
/// so the two cannot drift apart. (A ParamSpec cannot say "optional, absent
/// means none" nor "a list of objects", hence this small record.) Object
/// sections documented as `{}` are read with their own parameter lists,
/// absent meaning all defaults.
///
/// Also the parameters of data.synthetic, which the readers read with a
/// ParamReader.

#include <string>
#include <vector>

#include "engine/core/Params.h"

namespace medulla {

/// One key of an experiment object.
struct ExperimentKey {
    std::string name;
    /// As documented: "string", "number", "integer", "object", "list of objects".
    std::string type;
    /// The value used when the key is absent; null when the key is required
    /// or when absence means "none" (the help says what that means).
    Json defaultValue;
    bool required = false; ///< absent is a ConfigError naming the key
    std::string help;
};

/// Top-level keys of a supervised experiment ("workflow" absent or
/// "supervised"), in reading order.
const std::vector<ExperimentKey>& experimentKeys();
/// Keys of a supervised experiment's "data" section.
const std::vector<ExperimentKey>& experimentDataKeys();
/// Top-level keys of a GAN experiment ("workflow": "gan").
const std::vector<ExperimentKey>& ganExperimentKeys();
/// Keys of a GAN experiment's "data" section.
const std::vector<ExperimentKey>& ganExperimentDataKeys();

/// The default of key `name` in `keys`; throws medulla::Error (an internal
/// error) when `name` is not declared there.
const Json& keyDefault(const std::vector<ExperimentKey>& keys, const std::string& name);

/// The string `key` of `j`, `fallback` when absent; a ConfigError naming
/// `field` when it is not a string.
std::string stringField(const Json& j, const char* key, const std::string& fallback,
                        const std::string& field);

/// Throws ConfigError naming "<context>.<key>" ("<key>" when `context` is
/// empty) for the first key of `object` (in JSON order) that `keys` does not
/// declare, listing the known ones. Does nothing when `object` is not an
/// object (the reader reports that).
void checkKnownKeys(const Json& object, const std::vector<ExperimentKey>& keys,
                    const std::string& context);

/// Parameters of a supervised experiment's data.synthetic (3D volumes with
/// spheres, engine/data/SyntheticData.h).
const std::vector<ParamSpec>& experimentSyntheticParams();
/// Parameters of a GAN experiment's data.synthetic ("size" with 2 values:
/// PNG pictures, with 3: NIfTI volumes).
const std::vector<ParamSpec>& ganSyntheticParams();

} // namespace medulla
