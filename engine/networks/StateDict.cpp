#include "engine/networks/StateDict.h"

#include <torch/serialize.h>
#include <torch/torch.h>

#include <fstream>
#include <iterator>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"

namespace medulla {

c10::IValue readTorchPickle(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw IoError("cannot open the weights file", path);
    std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    try {
        return torch::pickle_load(bytes);
    } catch (const std::exception& e) {
        throw IoError(std::string("not a file written by torch.save (or it holds Python objects "
                                  "other than tensors and dicts; save model.state_dict()): ") +
                          e.what(),
                      path);
    }
}

StateDict readStateDict(const std::string& path) {
    const c10::IValue value = readTorchPickle(path);
    if (!value.isGenericDict())
        throw IoError("expected a dict of tensors (a state_dict)", path);
    StateDict out;
    for (const auto& kv : value.toGenericDict()) {
        if (!kv.key().isString() || !kv.value().isTensor())
            throw IoError("the dict holds a non-tensor entry", path);
        out[kv.key().toStringRef()] = kv.value().toTensor();
    }
    return out;
}

StateDict moduleStateDict(const torch::nn::Module& module) {
    StateDict out;
    for (const auto& p : module.named_parameters(true))
        out[p.key()] = p.value();
    for (const auto& b : module.named_buffers(true))
        out[b.key()] = b.value();
    return out;
}

void loadStateDict(torch::nn::Module& module, const StateDict& state, bool strict) {
    torch::NoGradGuard guard;
    StateDict own = moduleStateDict(module);
    for (auto& kv : own) {
        auto it = state.find(kv.first);
        if (it == state.end()) {
            if (strict)
                throw ConfigError("missing in the loaded weights", {}, kv.first);
            continue;
        }
        if (kv.second.sizes() != it->second.sizes())
            throw ShapeError("shape " + c10::str(it->second.sizes()) + " in the weights, " +
                                 c10::str(kv.second.sizes()) + " in the network",
                             {}, kv.first);
        kv.second.copy_(it->second);
    }
    if (strict)
        for (const auto& kv : state)
            if (!own.count(kv.first))
                throw ConfigError("unexpected key in the loaded weights", {}, kv.first);
}

void writeStateDict(const StateDict& state, const std::string& path) {
    c10::Dict<std::string, at::Tensor> dict;
    for (const auto& kv : state)
        dict.insert(kv.first, kv.second.detach().cpu().contiguous());
    const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
    writeAtomically(path, [&](const std::string& tmp) {
        std::ofstream f(tmp, std::ios::binary);
        f.write(bytes.data(), std::streamsize(bytes.size()));
        f.flush();
        if (!f)
            throw IoError("write failed (disk full?)", path);
    });
}

} // namespace medulla
