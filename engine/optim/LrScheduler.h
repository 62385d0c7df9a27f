#pragma once
/// Learning-rate schedules with PyTorch's stepping convention: building the
/// scheduler sets every parameter group's lr to lr(0); each step() advances
/// the counter and sets lr(step). Schedules are closed forms of (step,
/// base lr), so a scheduler restored from state() continues exactly.
///
/// Registered schedules (MONAI's and torch's names and parameters):
///   WarmupCosineSchedule (MONAI): warmup_steps, t_total, end_lr, cycles,
///     warmup_multiplier
///   LinearLR, ExponentialLR (MONAI's range-test schedules, not torch's
///     LinearLR): end_lr, num_iter
///   PolynomialLR (torch, nnU-Net's poly decay): total_iters, power
///   StepLR (torch): step_size, gamma
///   CosineAnnealingLR (torch, closed form): T_max, eta_min
/// Every schedule also takes "epoch_level" (bool, default true, as MONAI's
/// LrScheduleHandler): step once per epoch, else once per iteration.

#include <torch/optim/optimizer.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/Params.h"

namespace medulla {

/// lr at scheduler step `step` (>= 0) for a group whose initial lr is
/// `baseLr`.
using LrFormula = std::function<double(int64_t step, double baseLr)>;

class LrScheduler {
public:
    /// Records each group's current lr as its base lr, then sets lr(0).
    /// The optimizer must outlive the scheduler.
    LrScheduler(torch::optim::Optimizer& optimizer, LrFormula formula, Json config);

    /// torch's scheduler.step(): advance one step and set every group's lr.
    void step();
    /// Steps taken so far (torch's last_epoch).
    int64_t lastEpoch() const { return lastEpoch_; }
    /// The lr of each group now.
    std::vector<double> currentLrs() const;
    const std::vector<double>& baseLrs() const { return baseLrs_; }
    /// The lr the formula gives at `step` for group `group`.
    double lrAt(int64_t step, size_t group = 0) const;

    /// Step once per epoch (true) or per iteration (false).
    bool epochLevel() const;
    /// The configuration it was built from ({"name": ..., params...}).
    const Json& config() const { return config_; }

    /// {"last_epoch": n, "base_lrs": [...]} for checkpoints.
    Json state() const;
    /// Restores state() and sets the lrs of that step. Throws ConfigError
    /// when the number of parameter groups differs.
    void loadState(const Json& state);

private:
    void apply();

    torch::optim::Optimizer& optimizer_;
    LrFormula formula_;
    Json config_;
    std::vector<double> baseLrs_;
    int64_t lastEpoch_ = 0;
};

/// Parameters of every schedule, by name (category "scheduler").
std::vector<ComponentInfo> schedulerInfos();

/// Builds {"name": "WarmupCosineSchedule", ...} on `optimizer`; errors are
/// ConfigErrors naming `context`.<field>.
std::unique_ptr<LrScheduler> makeScheduler(const Json& config, torch::optim::Optimizer& optimizer,
                                           const std::string& context = "scheduler");

} // namespace medulla
