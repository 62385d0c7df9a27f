#include "engine/training/AmpHooks.h"

#include "engine/training/Autocast.h"

namespace medulla {

StepHooks ampEvaluationHooks(c10::Device device) {
    StepHooks hooks;
    hooks.autocast = [device](const std::function<void()>& body) {
        Autocast guard(device.type());
        body();
    };
    return hooks;
}

StepHooks ampTrainingHooks(c10::Device device, std::shared_ptr<GradScaler> scaler) {
    StepHooks hooks = ampEvaluationHooks(device);
    if (!scaler || !scaler->isEnabled())
        return hooks;
    hooks.backward = [scaler](const at::Tensor& loss) { scaler->scale(loss).backward(); };
    hooks.step = [scaler](torch::optim::Optimizer& optimizer) {
        const bool stepped = scaler->step(optimizer);
        scaler->update();
        return stepped;
    };
    return hooks;
}

} // namespace medulla
