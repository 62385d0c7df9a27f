#include "engine/training/ModelEvaluation.h"

#include <torch/torch.h>

#include "engine/core/Error.h"
#include "engine/data/DataLoader.h"
#include "engine/data/Dataset.h"
#include "engine/inference/InfererFactory.h"
#include "engine/metrics/CaseScorer.h"
#include "engine/networks/MemoryFormat.h"
#include "engine/training/EvaluationData.h"
#include "engine/training/ModelWeights.h"
#include "engine/training/SupervisedEvaluator.h"
#include "engine/training/handlers/SegmentationSaver.h"
#include "engine/transforms/Compose.h"
#include "engine/transforms/TransformKeys.h"

namespace medulla {

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

ModelEvaluation::ModelEvaluation(const ExperimentConfig& config, const TrainedModel& model,
                                 std::vector<Sample> cases, const ModelEvaluationOptions& options)
    : cases_(cases.size()) {
    const Json transforms = options.labelled
                                ? config.valTransforms
                                : restrictToKeys(config.valTransforms, {"image"}, "val_transforms");
    dataset_ = std::make_unique<Dataset>(std::move(cases),
                                         Compose::fromJson(transforms, "val_transforms"));
    loader_ =
        std::make_unique<DataLoader>(*dataset_, DataLoaderOptions().batch_size(1).num_workers(1));
    EvaluatorOptions evalOptions;
    evalOptions.channels_last(model.channelsLast).require_label(options.labelled);
    if (options.labelled)
        evalOptions.key_metric_name("dice");
    evaluator_ = std::make_unique<SupervisedEvaluator>(model.device, *loader_, model.network,
                                                       evalOptions, nullptr, model.inferer);
    if (options.labelled) {
        CaseScorerOptions scoring;
        scoring.num_classes = model.network->outChannels();
        for (const auto& key : options.scores)
            if (key != "dice")
                evaluator_->addMetric(
                    key, metricRegistry().create(CaseScorer::metricConfig(key, scoring),
                                                 "metrics." + key));
    }
    if (!options.predictionsDir.empty()) {
        saver_ = std::make_shared<SegmentationSaver>(SegmentationSaverOptions()
                                                         .output_dir(options.predictionsDir)
                                                         .mode(options.predictionMode));
        evaluator_->addHandler(saver_);
    }
}

ModelEvaluation::~ModelEvaluation() = default;

JobState ModelEvaluation::run(const CancelToken& cancel) {
    return evaluator_->run(1, cancel);
}

} // namespace medulla
