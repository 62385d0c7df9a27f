#pragma once
/// Inferers (MONAI's monai.inferers): how a batch of inputs becomes the
/// network's prediction. SimpleInferer calls the network once;
/// SlidingWindowInferer (SlidingWindowInferer.h) runs it on overlapping
/// windows and blends them.

#include <ATen/Tensor.h>

#include <functional>
#include <memory>

#include "engine/core/CancelToken.h"
#include "engine/core/Params.h"

namespace medulla {

/// The network as the inferer sees it: (B, C_in, *spatial) -> (B, C_out, *spatial').
using Predictor = std::function<at::Tensor(const at::Tensor& inputs)>;

class Inferer {
public:
    virtual ~Inferer() = default;
    /// inputs (B, C, *spatial) on any device; returns the prediction.
    /// `cancel` (optional) is polled between windows.
    virtual at::Tensor operator()(const at::Tensor& inputs, const Predictor& predictor,
                                  const CancelToken* cancel = nullptr) const = 0;
    /// MONAI's class name ("SimpleInferer", "SlidingWindowInferer").
    virtual std::string name() const { return "Inferer"; }
    /// The parameters as makeInferer() reads them ({"name": ..., ...};
    /// InfererFactory.h).
    virtual Json toJson() const { return {{"name", name()}}; }
};

using InfererPtr = std::shared_ptr<Inferer>;

/// One forward pass: predictor(inputs).
class SimpleInferer : public Inferer {
public:
    at::Tensor operator()(const at::Tensor& inputs, const Predictor& predictor,
                          const CancelToken* cancel = nullptr) const override {
        (void)cancel;
        return predictor(inputs);
    }
    std::string name() const override { return "SimpleInferer"; }
};

} // namespace medulla
