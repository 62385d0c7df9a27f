#pragma once
/// What an evaluation of trained models runs on, chosen as training chose
/// it: the cases of a datalist section, the device and the inferer of an
/// experiment. Shared by `medulla ensemble`, K-fold and the other commands
/// that evaluate saved models.

#include <torch/types.h>

#include <string>
#include <vector>

#include "engine/inference/Inferer.h"
#include "engine/training/Experiment.h"
#include "engine/transforms/Sample.h"

namespace medulla {

/// The cases of `section` of the datalist `datalistFile` (empty: the
/// experiment's data.dataset), in datalist order:
///   "validation" (or empty)  the cases the trainer validates on: the list
///                            data.validation_key when the experiment sets
///                            one, else the val_fraction split of
///                            data.datalist_key with trainer.seed
///                            (splitDatalist, MONAI's rule) in its order;
///   any other name           that list of the file as it is ("test",
///                            "training", ...; Decathlon test lists have no
///                            labels).
/// Throws IoError naming the file (missing, unreadable), ConfigError naming
/// the section when it holds no case.
std::vector<Sample> evaluationCases(const ExperimentConfig& config,
                                    const std::string& section = "validation",
                                    const std::string& datalistFile = {});

/// The device of trainer.device ("auto": CUDA when usable, else CPU).
/// Throws ConfigError naming trainer.device when CUDA is asked for but not
/// usable.
torch::Device evaluationDevice(const ExperimentConfig& config);

/// The experiment's "inferer" (null: a SimpleInferer).
InfererPtr evaluationInferer(const ExperimentConfig& config);

} // namespace medulla
