#pragma once
/// Helpers shared by the engine tests: the MONAI parity manifest
/// (../shared/parity), temporary folders and tensor comparison.

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <string>

#include "engine/io/Npy.h"

namespace medulla::test {

inline std::string parityDir() {
    return MEDULLA_PARITY_DIR;
}

/// The case with this id from manifest.json; QSKIP-free: fails if absent.
inline nlohmann::json parityCase(const std::string& id) {
    std::ifstream f(parityDir() + "/manifest.json");
    if (!f)
        throw std::runtime_error("parity manifest not found in " + parityDir());
    nlohmann::json m;
    f >> m;
    for (const auto& c : m["cases"])
        if (c["id"] == id)
            return c;
    throw std::runtime_error("parity case not found: " + id);
}

inline at::Tensor parityArray(const nlohmann::json& c, const char* section, const char* name) {
    return readNpy(parityDir() + "/" + c[section][name].get<std::string>());
}

/// max |got - want| - (atol + rtol |want|) <= 0 everywhere.
inline bool allClose(const at::Tensor& got, const at::Tensor& want, double rtol, double atol,
                     std::string* why = nullptr) {
    if (got.sizes() != want.sizes()) {
        if (why)
            *why = "shape " + c10::str(got.sizes()) + " vs " + c10::str(want.sizes());
        return false;
    }
    at::Tensor g = got.to(torch::kDouble), w = want.to(torch::kDouble);
    at::Tensor excess = (g - w).abs() - (atol + rtol * w.abs());
    const double worst = excess.max().item<double>();
    if (why)
        *why = "worst excess " + std::to_string(worst) + ", max abs diff " +
               std::to_string((g - w).abs().max().item<double>());
    return worst <= 0;
}

} // namespace medulla::test
