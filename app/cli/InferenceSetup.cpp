#include "app/cli/InferenceSetup.h"

#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <thread>

#include "engine/core/Error.h"
#include "engine/inference/InfererFactory.h"
#include "engine/networks/MemoryFormat.h"
#include "engine/training/EvaluationData.h"
#include "engine/training/ModelWeights.h"

namespace medulla::cli {

TrainedModel loadTrainedModel(const ExperimentConfig& config, const std::string& modelPath) {
    TrainedModel m;
    m.network = networkRegistry().create(config.network, "network");
    m.weightsFile = loadModelWeights(*m.network, modelPath);
    m.device = evaluationDevice(config);
    m.network->to(m.device);
    m.network->eval();
    m.channelsLast =
        preferChannelsLast(m.device, int64_t(config.network.value("spatial_dims", 3)) + 2);
    if (m.channelsLast)
        toChannelsLast(*m.network);
    if (!config.inferer.is_null())
        m.inferer = makeInferer(config.inferer, "inferer");
    return m;
}

JobState runInterruptible(const std::function<JobState(const CancelToken&)>& work,
                          const std::function<bool()>& interrupted) {
    CancelToken cancel;
    JobState state = JobState::Completed;
    std::exception_ptr error;
    std::atomic<bool> done{false};
    std::thread worker([&] {
        try {
            state = work(cancel);
        } catch (const CancelledError&) {
            state = JobState::Cancelled;
        } catch (...) {
            error = std::current_exception();
        }
        done = true;
    });
    while (!done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (!cancel.isCancelled() && interrupted())
            cancel.cancel();
    }
    worker.join();
    if (error)
        std::rethrow_exception(error);
    return state;
}

} // namespace medulla::cli
