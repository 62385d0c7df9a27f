#include "engine/training/EvaluationData.h"

#include "engine/training/RunSupport.h"

#include <torch/cuda.h>

#include "engine/core/Error.h"
#include "engine/data/Datalist.h"
#include "engine/inference/InfererFactory.h"

namespace medulla {

std::vector<Sample> evaluationCases(const ExperimentConfig& config, const std::string& section,
                                    const std::string& datalistFile) {
    const std::string file = datalistFile.empty() ? config.dataset : datalistFile;
    std::vector<Sample> cases;
    std::string described = section;
    if (section.empty() || section == "validation") {
        if (!config.validationKey.empty()) {
            cases = loadDecathlonDatalist(file, config.validationKey);
            described = "validation (data.validation_key \"" + config.validationKey + "\")";
        } else {
            cases = splitDatalist(loadDecathlonDatalist(file, config.datalistKey),
                                  config.valFraction, config.trainer.seed)
                        .validation;
            described = "validation (data.val_fraction of \"" + config.datalistKey + "\")";
        }
    } else {
        cases = loadDecathlonDatalist(file, section);
    }
    if (cases.empty())
        throw ConfigError("the section " + described + " holds no case", file, "section");
    return cases;
}

torch::Device evaluationDevice(const ExperimentConfig& config) {
    return resolveDevice(config.trainer.device);
}

InfererPtr evaluationInferer(const ExperimentConfig& config) {
    return config.inferer.is_null() ? std::make_shared<SimpleInferer>()
                                    : makeInferer(config.inferer, "inferer");
}

} // namespace medulla
