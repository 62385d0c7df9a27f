#include "engine/training/Checkpoint.h"

#include <torch/serialize.h>
#include <torch/torch.h>

#include <filesystem>
#include <unistd.h>

#include "engine/core/Error.h"
#include "engine/networks/StateDict.h"

namespace fs = std::filesystem;

namespace medulla {

void saveCheckpoint(const std::string& path, const torch::nn::Module& model,
                    const torch::optim::Optimizer* optimizer, const CheckpointInfo& info) {
    const fs::path target(path);
    std::error_code ec;
    if (target.has_parent_path())
        fs::create_directories(target.parent_path(), ec);
    const fs::path tmp = target.parent_path() /
                         ("." + target.filename().string() + ".tmp" + std::to_string(getpid()));
    try {
        torch::serialize::OutputArchive root;
        torch::serialize::OutputArchive modelArchive;
        for (const auto& kv : moduleStateDict(model))
            modelArchive.write(kv.first, kv.second, kv.second.requires_grad() ? false : true);
        root.write("model", modelArchive);
        if (optimizer) {
            torch::serialize::OutputArchive optArchive;
            optimizer->save(optArchive);
            root.write("optimizer", optArchive);
        }
        root.write("epoch", torch::tensor(info.epoch, torch::kLong));
        root.write("best_metric", torch::tensor(info.bestMetric, torch::kDouble));
        root.save_to(tmp.string());
    } catch (const std::exception& e) {
        fs::remove(tmp, ec);
        throw IoError(std::string("cannot write the checkpoint: ") + e.what(), path);
    }
    fs::rename(tmp, target, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw IoError("cannot move the checkpoint into place: " + ec.message(), path);
    }
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
