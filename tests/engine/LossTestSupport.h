#pragma once
/// Helpers shared by the loss suites (test_losses_dice, test_losses_ce):
/// building losses from registry JSON, scalar values, error messages, the
/// registry round trip and the float32/float64 agreement.

#include "TestSupport.h"

#include <cmath>
#include <functional>
#include <string>

#include "engine/core/Error.h"
#include "engine/losses/Loss.h"

namespace medulla::test {

/// The registered loss for {"name": name, params...} (section "loss").
inline LossPtr makeLoss(const std::string& name, Json params = Json::object()) {
    params["name"] = name;
    return lossRegistry().create(params, "loss");
}

inline double scalar(const at::Tensor& t) {
    return t.item<double>();
}

/// |got - want| <= tol, with a readable failure.
inline bool near(double got, double want, double tol = 1e-6) {
    if (std::fabs(got - want) <= tol)
        return true;
    qWarning("got %.9g, want %.9g", got, want);
    return false;
}

/// what() of the exception of type E that f throws; "" if it throws none.
template <class E> std::string errorText(const std::function<void()>& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return {};
}

/// True if `text` contains every one of `parts` (and is not empty).
inline bool mentions(const std::string& text, std::initializer_list<const char*> parts) {
    bool ok = !text.empty();
    for (const char* p : parts)
        ok = ok && text.find(p) != std::string::npos;
    if (!ok)
        qWarning("message \"%s\" lacks an expected part", text.c_str());
    return ok;
}

/// toJson -> create gives the same JSON and the same value on (input, target).
inline bool roundTrips(const LossPtr& loss, const at::Tensor& input, const at::Tensor& target) {
    const Json j = loss->toJson();
    const LossPtr again = lossRegistry().create(j, "loss");
    if (again->toJson() != j) {
        qWarning("%s != %s", j.dump().c_str(), again->toJson().dump().c_str());
        return false;
    }
    return torch::allclose((*loss)(input, target), (*again)(input, target), 0, 0);
}

/// The loss of float64 inputs is float64 and matches float32 within rtol.
inline bool dtypeAgnostic(const LossPtr& loss, const at::Tensor& input, const at::Tensor& target,
                          double rtol = 1e-5) {
    const at::Tensor l32 = (*loss)(input.to(torch::kFloat), target);
    const at::Tensor l64 = (*loss)(input.to(torch::kDouble), target);
    if (l32.scalar_type() != torch::kFloat || l64.scalar_type() != torch::kDouble)
        return false;
    return torch::allclose(l32.to(torch::kDouble), l64, rtol, 1e-6);
}

} // namespace medulla::test
