#include "engine/training/Checkpoint.h"

#include <torch/serialize.h>
#include <torch/torch.h>

#include <filesystem>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/networks/StateDict.h"

namespace fs = std::filesystem;

namespace medulla {

void saveCheckpoint(const std::string& path, const torch::nn::Module& model,
                    const torch::optim::Optimizer* optimizer, const CheckpointInfo& info) {
    writeAtomically(path, [&](const std::string& tmp) {
        torch::serialize::OutputArchive root;
        torch::serialize::OutputArchive modelArchive;
        for (const auto& kv : moduleStateDict(model))
            modelArchive.write(kv.first, kv.second, !kv.second.requires_grad());
        root.write("model", modelArchive);
        if (optimizer) {
            torch::serialize::OutputArchive optArchive;
            optimizer->save(optArchive);
            root.write("optimizer", optArchive);
        }
        root.write("epoch", torch::tensor(info.epoch, torch::kLong));
        root.write("best_metric", torch::tensor(info.bestMetric, torch::kDouble));
        root.save_to(tmp);
    });
}

CheckpointInfo loadCheckpoint(const std::string& path, torch::nn::Module& model,
                              torch::optim::Optimizer* optimizer) {
    if (!fs::exists(path))
        throw IoError("checkpoint does not exist", path);
    torch::serialize::InputArchive root;
    StateDict state;
    CheckpointInfo info;
    try {
        root.load_from(path);
        torch::serialize::InputArchive modelArchive;
        root.read("model", modelArchive);
        for (const auto& kv : moduleStateDict(model)) {
            at::Tensor t;
            if (modelArchive.try_read(kv.first, t))
                state[kv.first] = t;
        }
        if (optimizer) {
            torch::serialize::InputArchive optArchive;
            if (root.try_read("optimizer", optArchive))
                optimizer->load(optArchive);
        }
        at::Tensor epoch, best;
        if (root.try_read("epoch", epoch))
            info.epoch = epoch.item<int64_t>();
        if (root.try_read("best_metric", best))
            info.bestMetric = best.item<double>();
    } catch (const c10::Error& e) {
        throw IoError(
            std::string("not a readable Medulla checkpoint: ") + e.what_without_backtrace(), path);
    }
    loadStateDict(model, state, true);
    return info;
}

} // namespace medulla
