#pragma once
/// Helpers shared by the network test suites (test_net_*, test_unet):
/// building a network from JSON, reading MONAI reference cases (shared/parity
/// or tests/data/networks manifests), loading their weights and comparing
/// state keys, outputs and per-parameter gradient norms.

#include "TestSupport.h"

#include <cmath>
#include <functional>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/networks/Network.h"
#include "engine/networks/StateDict.h"

namespace medulla::test {

/// tests/data/networks, where the make_*.py references live.
inline std::string networkDataDir() {
    return std::string(MEDULLA_SOURCE_DIR) + "/tests/data/networks";
}

/// The registered network `name` built from `params` (section "network").
inline std::shared_ptr<Network> buildNetwork(const std::string& name, Json params) {
    params["name"] = name;
    return networkRegistry().create(params, "network");
}

/// Sum of numel() over the parameters (MONAI's parameter count).
inline int64_t parameterCount(const Network& net) {
    int64_t n = 0;
    for (const auto& p : net.parameters())
        n += p.numel();
    return n;
}

inline Json readJson(const std::string& path) {
    std::ifstream f(path);
    if (!f)
        throw std::runtime_error("cannot open " + path);
    Json j;
    f >> j;
    return j;
}

/// The field of the ConfigError that building `name` from `config` raises
/// (`none` if it builds).
inline QString configErrorField(const std::string& name, const Json& config,
                                const QString& none = {}) {
    try {
        buildNetwork(name, config);
    } catch (const ConfigError& e) {
        return QString::fromStdString(e.field());
    }
    return none;
}

/// Ordered "key shape0 shape1 ..." lines as MONAI's state_dict() lists them
/// (per module: parameters, then buffers, then children).
inline std::vector<std::string> keyLines(const torch::nn::Module& root) {
    std::vector<std::string> lines;
    std::function<void(const torch::nn::Module&, const std::string&)> walk =
        [&](const torch::nn::Module& m, const std::string& prefix) {
            auto add = [&](const std::string& key, const at::Tensor& t) {
                std::string line = prefix + key;
                for (auto d : t.sizes())
                    line += " " + std::to_string(d);
                lines.push_back(line);
            };
            for (const auto& p : m.named_parameters(false))
                add(p.key(), p.value());
            for (const auto& b : m.named_buffers(false))
                add(b.key(), b.value());
            for (const auto& c : m.named_children())
                walk(*c.value(), prefix + c.key() + ".");
        };
    walk(root, "");
    return lines;
}

/// One reference case: its manifest entry and the folder its files are in.
struct NetworkCase {
    std::string dir;
    Json c; ///< null if the manifest has no such case

    std::string path(const char* section, const char* name) const {
        return dir + "/" + c[section][name].get<std::string>();
    }
    at::Tensor array(const char* section, const char* name) const {
        return readNpy(path(section, name));
    }
};

/// The case `id` of `dir`/`manifest` (c is null if absent).
inline NetworkCase readNetworkCase(const std::string& dir, const std::string& manifest,
                                   const std::string& id) {
    NetworkCase nc{dir, Json()};
    const Json all = readJson(dir + "/" + manifest);
    for (const auto& e : all["cases"])
        if (e["id"] == id)
            nc.c = e;
    return nc;
}

/// The case `id` of shared/parity's manifest.json (throws if absent).
inline NetworkCase sharedNetworkCase(const std::string& id) {
    return {parityDir(), parityCase(id)};
}

/// "" if `net` has the case's state keys (same count, keys and shapes as
/// MONAI's *_state_keys.json), else what differs.
inline std::string checkStateKeys(const Network& net, const NetworkCase& nc) {
    const Json keys = readJson(nc.path("inputs", "state_keys"));
    const StateDict own = moduleStateDict(net);
    if (own.size() != keys.size())
        return "state entries " + std::to_string(own.size()) + " vs " + std::to_string(keys.size());
    for (const auto& k : keys) {
        const std::string key = k["key"];
        if (!own.count(key))
            return "missing key " + key;
        if (own.at(key).sizes().vec() != k["shape"].get<std::vector<int64_t>>())
            return "shape of " + key + ": " + c10::str(own.at(key).sizes()) + " vs " +
                   k["shape"].dump();
    }
    return {};
}

/// Loads the case's state.pt into `net`.
inline void loadCaseWeights(Network& net, const NetworkCase& nc) {
    loadStateDict(net, readStateDict(nc.path("inputs", "state_dict")));
}

/// Sets p = 0 on every dropout module (as the references' train pass does).
inline void zeroDropout(Network& net) {
    for (const auto& m : net.modules()) {
        if (auto* d1 = m->as<torch::nn::DropoutImpl>())
            d1->options.p(0.0);
        if (auto* d2 = m->as<torch::nn::Dropout2dImpl>())
            d2->options.p(0.0);
        if (auto* d3 = m->as<torch::nn::Dropout3dImpl>())
            d3->options.p(0.0);
    }
}

/// "" if every parameter's gradient norm matches the case's grad_norms json
/// (null entries: no gradient in MONAI, skipped) within grad_norms_rtol /
/// grad_norms_atol (defaults 1e-3 / 1e-4), else the first mismatch.
/// sameCount: the json also lists exactly the network's parameters.
inline std::string checkGradNorms(const Network& net, const NetworkCase& nc,
                                  bool sameCount = false) {
    const Json norms = readJson(nc.path("outputs", "grad_norms"));
    const double rtol = nc.c.value("grad_norms_rtol", 1e-3),
                 atol = nc.c.value("grad_norms_atol", 1e-4);
    const auto params = net.named_parameters();
    if (sameCount && params.size() != norms.size())
        return "parameters " + std::to_string(params.size()) + " vs reference norms " +
               std::to_string(norms.size());
    for (const auto& p : params) {
        if (!norms.contains(p.key()))
            return "no reference norm for " + p.key();
        const auto& want = norms[p.key()];
        if (want.is_null())
            continue;
        const double got = p.value().grad().norm().item<double>();
        if (!(std::fabs(got - want.get<double>()) <= atol + rtol * want.get<double>())) {
            std::ostringstream s;
            s << p.key() << ": grad norm " << got << " vs " << want.get<double>();
            return s.str();
        }
    }
    return {};
}

/// What a parity check covers beyond keys, weights and the eval output.
struct ParityChecks {
    bool train = true;       ///< train output and gradient norms too
    bool zeroDropout = true; ///< dropout p = 0 for the train pass
    bool sameCount = false;  ///< grad_norms lists exactly the parameters
};

/// "" if `net` matches MONAI on the case: same state keys, then with its
/// weights the eval output (no grad) and, with checks.train, the train
/// output and gradient norms of sum(output); else the first failure.
inline std::string checkParity(Network& net, const NetworkCase& nc, ParityChecks checks = {}) {
    std::string why = checkStateKeys(net, nc);
    if (!why.empty())
        return why;
    loadCaseWeights(net, nc);
    const at::Tensor x = nc.array("inputs", "input");
    const double rtol = nc.c["rtol"], atol = nc.c["atol"];
    net.eval();
    {
        torch::NoGradGuard ng;
        if (!allClose(net.forward(x), nc.array("outputs", "output"), rtol, atol, &why))
            return "eval output: " + why;
    }
    if (!checks.train)
        return {};
    net.train();
    if (checks.zeroDropout)
        zeroDropout(net);
    at::Tensor y = net.forward(x);
    if (!allClose(y, nc.array("outputs", "train_output"), rtol, atol, &why))
        return "train output: " + why;
    y.sum().backward();
    return checkGradNorms(net, nc, checks.sameCount);
}

} // namespace medulla::test
