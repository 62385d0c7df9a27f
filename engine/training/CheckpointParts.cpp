#include "engine/training/CheckpointParts.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/util/Type.h>
#include <torch/cuda.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/types.h>

#include <cmath>
#include <limits>
#include <mutex>
#include <set>
#include <typeinfo>

#include "engine/core/Error.h"
#include "engine/data/SmartCacheDataset.h"
#include "engine/networks/StateDict.h"
#include "engine/optim/LrScheduler.h"
#include "engine/training/Determinism.h"
#include "engine/training/Workflow.h"

namespace medulla {
namespace {

using torch::serialize::InputArchive;
using torch::serialize::OutputArchive;

/// "a, b, c (and 4 more)".
std::string listed(const std::vector<std::string>& items, size_t shown = 5) {
    std::string out;
    for (size_t i = 0; i < items.size() && i < shown; ++i)
        out += (i ? ", " : "") + items[i];
    if (items.size() > shown)
        out += " (and " + std::to_string(items.size() - shown) + " more)";
    return out;
}

void note(const PartLoadContext& c, const std::string& what) {
    if (c.notes)
        c.notes->push_back(c.name + ": " + what);
}

void writeJson(OutputArchive& archive, const Json& j) {
    archive.write("json", c10::IValue(j.dump()));
}

Json readJson(InputArchive& archive) {
    c10::IValue v;
    archive.read("json", v);
    return Json::parse(v.toStringRef());
}

/// JSON has no infinities: they are stored as null.
Json finiteOrNull(double x) {
    return std::isfinite(x) ? Json(x) : Json(nullptr);
}

double numberOr(const Json& j, double fallback) {
    return j.is_number() ? j.get<double>() : fallback;
}

// --- model ------------------------------------------------------------------

class ModelPart : public CheckpointPart {
public:
    explicit ModelPart(torch::nn::Module& model) : model_(model) {}

    void save(OutputArchive& archive) const override {
        for (const auto& kv : moduleStateDict(model_))
            archive.write(kv.first, kv.second.detach(), !kv.second.requires_grad());
    }

    void load(InputArchive& archive, const PartLoadContext& c) override {
        const StateDict own = moduleStateDict(model_);
        std::vector<std::string> missing, shapes, unexpected;
        StateDict loaded;
        for (const auto& kv : own) {
            at::Tensor t;
            if (!archive.try_read(kv.first, t)) {
                missing.push_back(kv.first);
                continue;
            }
            if (t.sizes() != kv.second.sizes()) {
                shapes.push_back(kv.first + " " + c10::str(t.sizes()) + " in the checkpoint, " +
                                 c10::str(kv.second.sizes()) + " in this network");
                continue;
            }
            loaded[kv.first] = t;
        }
        for (const auto& key : archive.keys())
            if (!own.count(key) && key != "training") // every archive has "training"
                unexpected.push_back(key);
        std::string differs;
        if (!missing.empty())
            differs += "; missing in the checkpoint: " + listed(missing);
        if (!unexpected.empty())
            differs += "; not in this network: " + listed(unexpected);
        if (!shapes.empty())
            differs += "; other shapes: " + listed(shapes, 3);
        if (!differs.empty()) {
            if (c.strict)
                throw ConfigError("the network differs from the checkpoint's" + differs, c.file,
                                  c.name);
            note(c, "loaded " + std::to_string(loaded.size()) + " of " +
                        std::to_string(own.size()) + " tensors" + differs);
        }
        torch::NoGradGuard guard;
        for (auto& kv : own) {
            auto it = loaded.find(kv.first);
            if (it != loaded.end())
                kv.second.copy_(it->second);
        }
    }

private:
    torch::nn::Module& model_;
};

// --- optimizer --------------------------------------------------------------

Json optimizerSignature(const torch::optim::Optimizer& optimizer) {
    Json groups = Json::array();
    for (const auto& g : optimizer.param_groups()) {
        Json shapes = Json::array();
        for (const auto& p : g.params())
            shapes.push_back(p.sizes().vec());
        groups.push_back(shapes);
    }
    return {{"type", c10::demangle(typeid(optimizer).name())}, {"groups", groups}};
}

/// Why `saved` does not describe `own` (empty when it does).
std::string signatureDifference(const Json& saved, const Json& own) {
    if (saved.at("type") != own.at("type"))
        return "the checkpoint's optimizer is " + saved.at("type").get<std::string>() +
               ", this run's " + own.at("type").get<std::string>();
    const Json &a = saved.at("groups"), &b = own.at("groups");
    if (a.size() != b.size())
        return "the checkpoint's optimizer has " + std::to_string(a.size()) +
               " parameter groups, this run's " + std::to_string(b.size());
    for (size_t g = 0; g < a.size(); ++g) {
        const std::string group = "parameter group " + std::to_string(g) + ": ";
        if (a[g].size() != b[g].size())
            return group + std::to_string(a[g].size()) + " parameters in the checkpoint, " +
                   std::to_string(b[g].size()) + " in this run";
        for (size_t i = 0; i < a[g].size(); ++i)
            if (a[g][i] != b[g][i])
                return group + "parameter " + std::to_string(i) + " has shape " + a[g][i].dump() +
                       " in the checkpoint, " + b[g][i].dump() + " in this run";
    }
    return {};
}

class OptimizerPart : public CheckpointPart {
public:
    explicit OptimizerPart(torch::optim::Optimizer& optimizer) : optimizer_(optimizer) {}

    void save(OutputArchive& archive) const override {
        optimizer_.save(archive);
        archive.write("medulla_signature", c10::IValue(optimizerSignature(optimizer_).dump()));
    }

    void load(InputArchive& archive, const PartLoadContext& c) override {
        c10::IValue sig;
        if (archive.try_read("medulla_signature", sig)) {
            const std::string why =
                signatureDifference(Json::parse(sig.toStringRef()), optimizerSignature(optimizer_));
            if (!why.empty()) {
                if (c.strict)
                    throw ConfigError(why, c.file, c.name);
                note(c, "not loaded: " + why);
                return;
            }
        }
        optimizer_.load(archive);
    }

private:
    torch::optim::Optimizer& optimizer_;
};

// --- JSON state -------------------------------------------------------------

class JsonPart : public CheckpointPart {
public:
    JsonPart(std::function<Json()> state, std::function<void(const Json&)> loadState)
        : state_(std::move(state)), loadState_(std::move(loadState)) {}
    void save(OutputArchive& archive) const override { writeJson(archive, state_()); }
    void load(InputArchive& archive, const PartLoadContext&) override {
        loadState_(readJson(archive));
    }

private:
    std::function<Json()> state_;
    std::function<void(const Json&)> loadState_;
};

class SchedulerPart : public CheckpointPart {
public:
    explicit SchedulerPart(LrScheduler& scheduler) : scheduler_(scheduler) {}
    void save(OutputArchive& archive) const override {
        writeJson(archive, {{"state", scheduler_.state()}, {"config", scheduler_.config()}});
    }
    void load(InputArchive& archive, const PartLoadContext& c) override {
        const Json j = readJson(archive);
        if (j.at("config") != scheduler_.config())
            note(c, "the schedule differs from the checkpoint's (" + j.at("config").dump() +
                        "); this run's continues at step " +
                        std::to_string(j.at("state").at("last_epoch").get<int64_t>()));
        try {
            scheduler_.loadState(j.at("state"));
        } catch (const ConfigError& e) {
            throw ConfigError(e.message(), c.file, c.name);
        }
    }

private:
    LrScheduler& scheduler_;
};

// --- workflow progress --------------------------------------------------------

class ProgressPart : public CheckpointPart {
public:
    explicit ProgressPart(Workflow& workflow) : workflow_(workflow) {}

    void save(OutputArchive& archive) const override {
        const WorkflowState& s = workflow_.state();
        Json metrics = Json::object(), output = Json::object();
        for (const auto& kv : s.metrics)
            metrics[kv.first] = finiteOrNull(kv.second);
        for (const auto& kv : s.output)
            output[kv.first] = finiteOrNull(kv.second);
        writeJson(archive, {{"epoch", s.epoch},
                            {"max_epochs", s.maxEpochs},
                            {"epoch_length", s.epochLength},
                            {"epoch_iteration", s.epochIteration},
                            {"iteration", s.iteration},
                            {"key_metric_name", s.keyMetricName},
                            {"best_metric", finiteOrNull(s.bestMetric)},
                            {"best_metric_epoch", s.bestMetricEpoch},
                            {"metrics", metrics},
                            {"output", output}});
    }

    void load(InputArchive& archive, const PartLoadContext&) override {
        const Json j = readJson(archive);
        WorkflowState& s = workflow_.state();
        s.epoch = j.at("epoch").get<int64_t>();
        s.epochLength = j.at("epoch_length").get<int64_t>();
        s.epochIteration = j.at("epoch_iteration").get<int64_t>();
        s.iteration = j.at("iteration").get<int64_t>();
        s.keyMetricName = j.at("key_metric_name").get<std::string>();
        s.bestMetric = numberOr(j.at("best_metric"), -std::numeric_limits<double>::infinity());
        s.bestMetricEpoch = j.at("best_metric_epoch").get<int64_t>();
        const double nan = std::numeric_limits<double>::quiet_NaN();
        s.metrics.clear();
        for (const auto& kv : j.at("metrics").items())
            s.metrics[kv.key()] = numberOr(kv.value(), nan);
        s.output.clear();
        for (const auto& kv : j.at("output").items())
            s.output[kv.key()] = numberOr(kv.value(), nan);
    }

private:
    Workflow& workflow_;
};

// --- random generators --------------------------------------------------------

at::Tensor generatorState(const at::Generator& g) {
    at::Generator gen = g; // shares the implementation
    std::lock_guard<std::mutex> lock(gen.mutex());
    return gen.get_state().clone();
}

void setGeneratorState(const at::Generator& g, const at::Tensor& state) {
    at::Generator gen = g;
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(state.to(torch::kCPU).contiguous());
}

class RandomPart : public CheckpointPart {
public:
    void save(OutputArchive& archive) const override {
        archive.write("cpu", generatorState(at::globalContext().defaultGenerator(torch::kCPU)),
                      true);
        const int64_t n = torch::cuda::is_available() ? int64_t(torch::cuda::device_count()) : 0;
        archive.write("cuda_count", c10::IValue(n));
        for (int64_t i = 0; i < n; ++i)
            archive.write("cuda_" + std::to_string(i),
                          generatorState(at::globalContext().defaultGenerator(
                              torch::Device(torch::kCUDA, c10::DeviceIndex(i)))),
                          true);
    }

    void load(InputArchive& archive, const PartLoadContext& c) override {
        at::Tensor cpu;
        archive.read("cpu", cpu, true);
        setGeneratorState(at::globalContext().defaultGenerator(torch::kCPU), cpu);
        c10::IValue count;
        archive.read("cuda_count", count);
        const int64_t saved = count.toInt();
        const int64_t here = torch::cuda::is_available() ? int64_t(torch::cuda::device_count()) : 0;
        for (int64_t i = 0; i < std::min(saved, here); ++i) {
            at::Tensor s;
            archive.read("cuda_" + std::to_string(i), s, true);
            setGeneratorState(at::globalContext().defaultGenerator(
                                  torch::Device(torch::kCUDA, c10::DeviceIndex(i))),
                              s);
        }
        if (saved != here && (saved > 0 || here > 0))
            note(c, "the checkpoint has the generators of " + std::to_string(saved) +
                        " GPUs, this machine " + std::to_string(here) + "; restored " +
                        std::to_string(std::min(saved, here)));
    }
};

// --- compute settings ----------------------------------------------------------

class ComputePart : public CheckpointPart {
public:
    void save(OutputArchive& archive) const override {
        writeJson(archive, {{"intra_op_threads", at::get_num_threads()},
                            {"deterministic", isDeterministic()}});
    }

    void load(InputArchive& archive, const PartLoadContext& c) override {
        const Json j = readJson(archive);
        if (!isDeterministic() || !c.notes)
            return;
        const int64_t saved = j.value("intra_op_threads", int64_t(0));
        const int64_t here = at::get_num_threads();
        const bool savedDeterministic = j.value("deterministic", false);
        if (saved != here)
            c.notes->push_back(
                "warning: the checkpoint was saved by a run with " + std::to_string(saved) +
                " intra-op threads, this run has " + std::to_string(here) +
                ": in deterministic mode the results may not be bitwise equal to an "
                "uninterrupted run's (CPU reductions split their work by the thread count; "
                "resume with --threads " +
                std::to_string(saved) + " for that)");
        if (!savedDeterministic)
            c.notes->push_back("warning: the checkpoint was saved by a run without deterministic "
                               "mode: the resumed run may not be bitwise equal to an "
                               "uninterrupted deterministic one");
    }
};

// --- SmartCache -----------------------------------------------------------------

class SmartCachePart : public CheckpointPart {
public:
    SmartCachePart(SmartCacheDataset& dataset, Workflow& workflow)
        : dataset_(dataset), workflow_(workflow) {}

    /// ITERATION_STARTED: the position the epoch in progress uses.
    void iterationStarted() {
        epochPosition_ = dataset_.position();
        known_ = true;
    }

    void save(OutputArchive& archive) const override {
        const size_t n = dataset_.datalist().size();
        const WorkflowState& s = workflow_.state();
        const bool epochDone = s.epochLength > 0 && s.epochIteration >= s.epochLength;
        size_t position = dataset_.position();
        if (known_)
            position = epochDone ? (epochPosition_ + dataset_.replaceNum()) % n : epochPosition_;
        writeJson(archive, {{"position", position},
                            {"items", n},
                            {"cache_num", dataset_.size()},
                            {"replace_num", dataset_.replaceNum()}});
    }

    void load(InputArchive& archive, const PartLoadContext& c) override {
        const Json j = readJson(archive);
        const Json own = {{"items", dataset_.datalist().size()},
                          {"cache_num", dataset_.size()},
                          {"replace_num", dataset_.replaceNum()}};
        for (const auto& kv : own.items())
            if (j.at(kv.key()) != kv.value())
                throw ConfigError(kv.key() + " is " + j.at(kv.key()).dump() +
                                      " in the checkpoint, " + kv.value().dump() +
                                      " in this run (the datalist or the cache options changed)",
                                  c.file, c.name);
        NullProgress quiet;
        dataset_.restore(j.at("position").get<size_t>(), quiet);
        known_ = false; // the next ITERATION_STARTED records it again
    }

private:
    SmartCacheDataset& dataset_;
    Workflow& workflow_;
    size_t epochPosition_ = 0;
    bool known_ = false;
};

} // namespace

void addModel(TrainingCheckpoint& checkpoint, torch::nn::Module& model, const std::string& name) {
    checkpoint.add(name, std::make_shared<ModelPart>(model));
    const auto params = model.parameters();
    if (!params.empty())
        checkpoint.setDefaultDevice(params.front().device());
}

void addOptimizer(TrainingCheckpoint& checkpoint, torch::optim::Optimizer& optimizer,
                  const std::string& name) {
    checkpoint.add(name, std::make_shared<OptimizerPart>(optimizer));
}

void addScheduler(TrainingCheckpoint& checkpoint, LrScheduler& scheduler, const std::string& name) {
    checkpoint.add(name, std::make_shared<SchedulerPart>(scheduler));
}

void addJsonState(TrainingCheckpoint& checkpoint, const std::string& name,
                  std::function<Json()> state, std::function<void(const Json&)> loadState,
                  bool optional) {
    checkpoint.add(name, std::make_shared<JsonPart>(std::move(state), std::move(loadState)),
                   optional);
}

void addWorkflowProgress(TrainingCheckpoint& checkpoint, Workflow& workflow,
                         const std::string& name) {
    checkpoint.add(name, std::make_shared<ProgressPart>(workflow));
    checkpoint.setProgressSource(&workflow);
}

void addRandomGenerators(TrainingCheckpoint& checkpoint, const std::string& name) {
    checkpoint.add(name, std::make_shared<RandomPart>());
}

void addComputeSettings(TrainingCheckpoint& checkpoint, const std::string& name) {
    checkpoint.add(name, std::make_shared<ComputePart>(), true);
}

void addSmartCache(TrainingCheckpoint& checkpoint, SmartCacheDataset& dataset, Workflow& workflow,
                   const std::string& name) {
    auto part = std::make_shared<SmartCachePart>(dataset, workflow);
    std::weak_ptr<SmartCachePart> weak = part;
    workflow.on(Event::IterationStarted, [weak](Workflow&) {
        if (auto p = weak.lock())
            p->iterationStarted();
    });
    checkpoint.add(name, part);
}

} // namespace medulla
