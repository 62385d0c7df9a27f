#include "engine/services/Catalog.h"

#include <algorithm>
#include <set>

#include "engine/data/DatasetFactory.h"
#include "engine/inference/InfererFactory.h"
#include "engine/losses/Loss.h"
#include "engine/metrics/Metric.h"
#include "engine/networks/Network.h"
#include "engine/optim/LrScheduler.h"
#include "engine/optim/OptimizerFactory.h"
#include "engine/training/Experiment.h"
#include "engine/transforms/Transform.h"

namespace medulla {

namespace {

template <class Base> std::vector<ComponentInfo> infosOf(const Registry<Base>& registry) {
    std::vector<ComponentInfo> out;
    for (const std::string& name : registry.names())
        out.push_back(registry.info(name));
    return out;
}

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

} // namespace

const std::vector<std::string>& catalogFamilies() {
    static const std::vector<std::string> families{"transform", "network",   "loss",    "metric",
                                                   "optimizer", "scheduler", "inferer", "dataset",
                                                   "trainer",   "handler"};
    return families;
}

std::vector<ComponentInfo> catalog(const std::string& family) {
    std::vector<ComponentInfo> out;
    if (family == "transform")
        out = infosOf(transformRegistry());
    else if (family == "network")
        out = infosOf(networkRegistry());
    else if (family == "loss")
        out = infosOf(lossRegistry());
    else if (family == "metric")
        out = infosOf(metricRegistry());
    else if (family == "optimizer")
        out = optimizerInfos();
    else if (family == "scheduler")
        out = schedulerInfos();
    else if (family == "inferer")
        out = infererInfos();
    else if (family == "dataset")
        out = datasetKinds();
    else if (family == "trainer")
        out.push_back(ComponentInfo{"trainer", "trainer",
                                    "How the run trains: epochs, batch, device, AMP.",
                                    TrainerOptions::params()});
    else if (family == "handler")
        for (const std::string& section : handlerSections())
            out.push_back(
                ComponentInfo{section, "handler", "handlers." + section, handlerParams(section)});
    else
        throw ConfigError("unknown component family \"" + family + "\"", {}, "family");
    std::sort(out.begin(), out.end(),
              [](const ComponentInfo& a, const ComponentInfo& b) { return a.name < b.name; });
    return out;
}

ComponentInfo catalogEntry(const std::string& family, const std::string& name) {
    for (ComponentInfo& info : catalog(family))
        if (info.name == name)
            return info;
    throw ConfigError("unknown " + family + " \"" + name + "\"", {}, family + ".name");
}

std::string transformGroup(const std::string& name) {
    static const std::set<std::string> io{"LoadImaged",  "SaveImaged", "EnsureChannelFirstd",
                                          "EnsureTyped", "ToTensord",  "CastToTyped"};
    static const std::set<std::string> post{
        "Activationsd",    "AsDiscreted",         "FillHolesd",    "KeepLargestConnectedComponentd",
        "LabelToContourd", "RemoveSmallObjectsd", "MeanEnsembled", "VoteEnsembled",
        "Invertd"};
    if (io.count(name))
        return "I/O";
    if (post.count(name))
        return "Post-processing";
    if (contains(name, "Crop") || contains(name, "Pad"))
        return "Crop & Pad";
    if (contains(name, "Intensity") || contains(name, "Contrast") || contains(name, "Noise") ||
        contains(name, "Smooth") || contains(name, "Sharpen") || contains(name, "BiasField") ||
        contains(name, "Histogram"))
        return "Intensity";
    if (contains(name, "Spacing") || contains(name, "Orientation") || contains(name, "Flip") ||
        contains(name, "Rotate") || contains(name, "Zoom") || contains(name, "Affine") ||
        contains(name, "Elastic") || startsWith(name, "Resize") || name == "Resized")
        return "Spatial";
    return "Utility";
}

const std::vector<std::string>& transformGroups() {
    static const std::vector<std::string> groups{"I/O",        "Intensity",       "Spatial",
                                                 "Crop & Pad", "Post-processing", "Utility"};
    return groups;
}

bool isRandomTransform(const std::string& name) {
    return startsWith(name, "Rand") || name == "OneOf";
}

} // namespace medulla
