#include "app/parity/NetworkCase.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/io/Npy.h"
#include "engine/networks/Network.h"
#include "engine/networks/StateDict.h"

namespace medulla::parity {
namespace {

using Json = nlohmann::json;

Json readJson(const std::string& path) {
    std::ifstream f(path);
    if (!f)
        throw std::runtime_error("cannot open " + path);
    Json j;
    f >> j;
    return j;
}

std::shared_ptr<Network> build(const Json& spec) {
    Json cfg = spec["params"];
    cfg["name"] = spec["op"];
    return networkRegistry().create(cfg, "network");
}

std::string shapeText(at::IntArrayRef s) {
    std::ostringstream o;
    o << s;
    return o.str();
}

/// Keys, order and shapes must be MONAI's.
void checkKeys(const Network& net, const Json& keys) {
    const StateDict own = moduleStateDict(net);
    std::vector<std::string> problems;
    std::map<std::string, bool> wanted;
    for (const auto& e : keys) {
        const std::string k = e["key"];
        wanted[k] = true;
        auto it = own.find(k);
        if (it == own.end()) {
            problems.push_back("missing " + k);
            continue;
        }
        const auto shape = e["shape"].get<std::vector<int64_t>>();
        if (it->second.sizes().vec() != shape)
            problems.push_back(k + " has shape " + shapeText(it->second.sizes()) + ", MONAI " +
                               Json(shape).dump());
    }
    for (const auto& kv : own)
        if (!wanted.count(kv.first))
            problems.push_back("extra " + kv.first);
    if (problems.empty())
        return;
    std::string msg = std::to_string(problems.size()) + " state-dict differences:";
    for (size_t i = 0; i < problems.size() && i < 8; ++i)
        msg += " [" + problems[i] + "]";
    throw std::runtime_error(msg);
}

void setDropoutToZero(torch::nn::Module& net) {
    for (const auto& m : net.modules()) {
        if (auto* d = m->as<torch::nn::DropoutImpl>())
            d->options.p(0);
        else if (auto* d2 = m->as<torch::nn::Dropout2dImpl>())
            d2->options.p(0);
        else if (auto* d3 = m->as<torch::nn::Dropout3dImpl>())
            d3->options.p(0);
        else if (auto* a = m->as<torch::nn::AlphaDropoutImpl>())
            a->options.p(0);
    }
}

/// A network carrying the case's weights, in `dtype`.
std::shared_ptr<Network> loaded(const Json& spec, const std::string& dir, const Json& keys) {
    auto net = build(spec);
    checkKeys(*net, keys);
    if (spec["inputs"].contains("state_dict")) {
        loadStateDict(*net,
                      readStateDict(dir + "/" + spec["inputs"]["state_dict"].get<std::string>()));
    } else if (spec.value("weights_rule", "") == "medulla-hash-v1") {
        std::vector<std::string> order;
        for (const auto& e : keys)
            order.push_back(e["key"]);
        applyHashWeights(*net, order);
    } else {
        throw std::runtime_error("the case has neither a state dict nor a known weights_rule");
    }
    return net;
}

/// Gradient L2 norms of sum(train-mode output), by parameter name.
std::map<std::string, double> gradNorms(Network& net, const at::Tensor& input, at::Tensor* out) {
    net.train();
    setDropoutToZero(net);
    net.zero_grad();
    at::Tensor y = net.forward(input);
    y.sum().backward();
    if (out)
        *out = y.detach();
    std::map<std::string, double> norms;
    for (const auto& p : net.named_parameters(true))
        if (p.value().grad().defined())
            norms[p.key()] = p.value().grad().to(torch::kDouble).norm().item<double>();
    return norms;
}

/// Throws if a norm differs beyond atol + rtol * want (null = no gradient).
void compareNorms(const std::map<std::string, double>& got, const Json& want, double rtol,
                  double atol, const char* what) {
    int bad = 0;
    std::string first;
    for (auto it = want.begin(); it != want.end(); ++it) {
        auto g = got.find(it.key());
        if (it.value().is_null()) {
            if (g != got.end() && g->second != 0) {
                ++bad;
                first = first.empty() ? it.key() + " has a gradient, MONAI none" : first;
            }
            continue;
        }
        const double w = it.value().get<double>();
        const double v = g == got.end() ? 0.0 : g->second;
        if (!(std::abs(v - w) <= atol + rtol * std::abs(w))) {
            ++bad;
            if (first.empty())
                first = it.key() + " " + std::to_string(v) + " vs MONAI " + std::to_string(w);
        }
    }
    for (const auto& kv : got)
        if (!want.contains(kv.first)) {
            ++bad;
            first = first.empty() ? kv.first + " is not a MONAI parameter" : first;
        }
    if (bad)
        throw std::runtime_error(std::string(what) + ": " + std::to_string(bad) +
                                 " parameters differ, first " + first);
}

double largest(const Json& norms) {
    double m = 0;
    for (const auto& v : norms)
        if (v.is_number())
            m = std::max(m, std::abs(v.get<double>()));
    return m;
}

} // namespace

bool hasNetwork(const std::string& op) {
    return networkRegistry().contains(op);
}

void applyHashWeights(torch::nn::Module& net, const std::vector<std::string>& keys) {
    torch::NoGradGuard guard;
    StateDict own = moduleStateDict(net);
    for (size_t j = 0; j < keys.size(); ++j) {
        auto it = own.find(keys[j]);
        if (it == own.end())
            throw std::runtime_error("hash weights: the network has no " + keys[j]);
        at::Tensor t = it->second;
        const std::string& key = keys[j];
        const std::string leaf = key.substr(key.rfind('.') + 1);
        const auto opts = torch::TensorOptions().dtype(torch::kLong);
        const at::Tensor i = torch::arange(t.numel(), opts);
        const at::Tensor h =
            (i * int64_t(2654435761) + int64_t(j + 1) * 97531).remainder(int64_t(1) << 32);
        const at::Tensor u = h.to(torch::kDouble) / double(int64_t(1) << 32);
        at::Tensor v;
        if (leaf == "num_batches_tracked")
            v = torch::zeros_like(u);
        else if (leaf == "running_var")
            v = 0.5 + u;
        else if (leaf == "running_mean")
            v = 0.25 * (u - 0.5);
        else if (t.dim() >= 2)
            v = (2 * u - 1) * std::sqrt(3.0 / double(t.numel() / t.size(0)));
        else if (t.dim() == 1 && leaf == "weight")
            v = 1 + 0.25 * (u - 0.5);
        else
            v = 0.25 * (u - 0.5);
        t.copy_(v.reshape(t.sizes()).to(t.dtype()));
    }
}

std::map<std::string, at::Tensor> runNetworkCase(const Json& spec, const std::string& dir) {
    const Json keys = readJson(dir + "/" + spec["inputs"]["state_keys"].get<std::string>());
    const at::Tensor input =
        readNpy(dir + "/" + spec["inputs"]["input"].get<std::string>()).to(torch::kFloat);
    std::map<std::string, at::Tensor> out;

    auto net = loaded(spec, dir, keys);
    net->eval();
    {
        torch::NoGradGuard guard;
        out["output"] = net->forward(input);
    }
    at::Tensor trainOut;
    const auto norms = gradNorms(*net, input, &trainOut);
    out["train_output"] = trainOut;
    out["train_loss"] = trainOut.to(torch::kDouble).sum();

    const Json& o = spec["outputs"];
    if (o.contains("grad_norms")) {
        const Json want = readJson(dir + "/" + o["grad_norms"].get<std::string>());
        compareNorms(norms, want, spec.value("grad_norms_rtol", 1e-3),
                     spec.value("grad_norms_atol", 1e-4 * largest(want)), "float32 gradient norms");
    }
    if (o.contains("grad_norms_f64")) {
        // The same weights (float32 values) in float64: a tight check where
        // the float32 backward is ill-conditioned.
        auto net64 = loaded(spec, dir, keys);
        net64->to(torch::kDouble);
        const Json want = readJson(dir + "/" + o["grad_norms_f64"].get<std::string>());
        compareNorms(gradNorms(*net64, input.to(torch::kDouble), nullptr), want, 1e-6,
                     1e-9 * largest(want), "float64 gradient norms");
    }
    return out;
}

} // namespace medulla::parity
