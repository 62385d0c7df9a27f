#include "engine/training/DistributedRun.h"

#include <torch/torch.h>

#include "engine/data/Partition.h"
#include "engine/distributed/DistributedContext.h"
#include "engine/distributed/RunControl.h"
#include "engine/training/SupervisedTrainer.h"

namespace medulla {

int DistributedRun::rank() const {
    return context ? context->rank() : 0;
}

int DistributedRun::worldSize() const {
    return context ? context->worldSize() : 1;
}

std::vector<Sample> trainingShare(const std::vector<Sample>& items, int worldSize, int rank,
                                  uint64_t seed) {
    if (worldSize <= 1)
        return items;
    if (items.size() < size_t(worldSize))
        throw ConfigError("only " + std::to_string(items.size()) + " training cases for " +
                              std::to_string(worldSize) +
                              " processes; every process needs at least one",
                          {}, "distributed.nproc_per_node");
    const auto parts = partitionDataset(
        items,
        PartitionOptions().num_partitions(worldSize).shuffle(true).seed(seed).even_divisible(true));
    return parts.at(size_t(rank));
}

std::vector<Sample> validationShare(const std::vector<Sample>& items, int worldSize, int rank) {
    std::vector<Sample> out;
    for (size_t k = size_t(rank); k < items.size(); k += size_t(worldSize))
        out.push_back(items[k]);
    return out;
}

void gatherMetrics(DistributedContext& context,
                   std::vector<std::pair<std::string, MetricPtr>>& metrics) {
    const int world = context.worldSize();
    for (auto& [name, metric] : metrics) {
        at::Tensor local = metric->buffer();
        const std::vector<std::string> ids = metric->caseIds();
        // ranks without a case still take part (an empty block of rows);
        // the trailing shape comes from the first rank that has rows
        int64_t cols = local.defined() ? local[0].numel() : 0;
        at::Tensor width =
            torch::tensor({cols}, torch::dtype(torch::kLong).device(context.device()));
        context.allReduceMax(width, "all-gather of the metrics");
        cols = width.cpu().item<int64_t>();
        at::Tensor rows = local.defined() ? local.to(torch::kDouble).reshape({local.size(0), cols})
                                          : torch::zeros({0, cols}, torch::kDouble);
        std::vector<at::Tensor> all = context.allGatherRows(rows, "all-gather of the metrics");
        std::vector<std::vector<std::string>> allIds = context.allGatherStrings(ids);
        // back to datalist order: rank r's k-th case is case k * world + r
        int64_t total = 0;
        for (const auto& a : all)
            total += a.size(0);
        if (total == 0)
            continue;
        std::vector<int64_t> trailing = {total};
        at::Tensor sample = local.defined() ? local : at::Tensor();
        if (sample.defined())
            for (int64_t d = 1; d < sample.dim(); ++d)
                trailing.push_back(sample.size(d));
        at::Tensor merged = torch::empty({total, cols}, torch::kDouble);
        std::vector<std::string> mergedIds(static_cast<size_t>(total));
        for (int r = 0; r < world; ++r)
            for (int64_t k = 0; k < all[r].size(0); ++k) {
                const int64_t pos = k * world + r;
                merged[pos].copy_(all[r][k]);
                mergedIds[size_t(pos)] =
                    size_t(k) < allIds[r].size() ? allIds[r][size_t(k)] : std::string();
            }
        at::Tensor shaped = sample.defined() && sample.dim() > 1
                                ? merged.reshape(trailing).to(sample.scalar_type())
                                : merged;
        metric->restore(shaped, std::move(mergedIds));
    }
}

void attachLossAverage(SupervisedTrainer& trainer, DistributedContext& context) {
    trainer.on(Event::IterationCompleted, [&context](Workflow& w) {
        auto it = w.state().output.find("loss");
        if (it != w.state().output.end())
            it->second = context.mean(it->second);
    });
}

void attachRunControl(SupervisedTrainer& trainer, RunControl& control, const CancelToken& requested,
                      CancelToken& runCancel) {
    // the workflows see the cancel before their next iteration or case
    auto sync = [&control, &requested, &runCancel](Workflow&) {
        if (control.synchronize(requested.isCancelled()))
            runCancel.cancel();
    };
    trainer.on(Event::IterationCompleted, sync);
    trainer.on(Event::EpochCompleted, sync);
}

} // namespace medulla
