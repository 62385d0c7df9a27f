#include "engine/training/ModelWeights.h"

#include <filesystem>

#include "engine/core/Error.h"
#include "engine/networks/StateDict.h"
#include "engine/training/Checkpoint.h"
#include "engine/training/WeightsTransfer.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

/// "module.a.b" -> "a.b" for every key when all of them carry the prefix.
StateDict withoutModulePrefix(StateDict state) {
    const std::string prefix = "module.";
    for (const auto& kv : state)
        if (kv.first.compare(0, prefix.size(), prefix) != 0)
            return state;
    StateDict out;
    for (auto& kv : state)
        out[kv.first.substr(prefix.size())] = kv.second;
    return out;
}

} // namespace

std::string loadModelWeights(torch::nn::Module& net, const std::string& path) {
    std::string file = path;
    if (fs::is_directory(path)) {
        file.clear();
        for (const char* name : {"best_model_state.pt", "best_model.pt", "checkpoint.pt"})
            if (fs::exists(fs::path(path) / name)) {
                file = (fs::path(path) / name).string();
                break;
            }
        if (file.empty())
            throw IoError("the folder holds no best_model_state.pt, best_model.pt or "
                          "checkpoint.pt (is it a run folder?)",
                          path);
    }
    if (!fs::exists(file))
        throw IoError("model file does not exist", file);
    // A Medulla checkpoint (an archive with a "model" part) first; a torch
    // pickle otherwise. Only "not this format" falls through: a mismatching
    // key of a readable Medulla checkpoint is reported as it is.
    std::string medullaError;
    try {
        loadCheckpoint(file, net);
        return file;
    } catch (const IoError& e) {
        medullaError = e.what();
    }
    StateDict state;
    try {
        state = withoutModulePrefix(readPytorchWeights(file));
    } catch (const Error& e) {
        throw IoError("holds no model weights: neither a Medulla checkpoint (" + medullaError +
                          ") nor a PyTorch state dict (" + e.what() + ")",
                      file);
    }
    checkWeightsMatch(net, state, file);
    loadStateDict(net, state, true);
    return file;
}

} // namespace medulla
