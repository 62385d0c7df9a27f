#include "app/cli/WeightsCommand.h"

#include <cstdio>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/networks/Network.h"
#include "engine/networks/NetworkProbe.h"
#include "engine/training/WeightsTransfer.h"

namespace medulla::cli {
namespace {

Json readNetworkConfig(const std::string& path) {
    std::ifstream f(path);
    if (!f)
        throw IoError("cannot open the network description", path);
    Json j;
    try {
        f >> j;
    } catch (const std::exception& e) {
        throw ConfigError(std::string("not valid JSON: ") + e.what(), {}, path);
    }
    return networkConfigOf(j, path);
}

void printReport(const char* verb, const WeightsReport& r, const std::string& in,
                 const std::string& out) {
    std::printf("%s %s (%s%s) -> %s\n", verb, in.c_str(), r.container.c_str(),
                r.strippedModulePrefix ? ", \"module.\" prefix removed" : "", out.c_str());
    std::printf("%s: %zu tensors, %lld parameters, every key and shape matches\n",
                r.networkName.c_str(), r.tensors, static_cast<long long>(r.parameters));
}

} // namespace

int runWeights(const WeightsArgs& a) {
    const Json config = readNetworkConfig(a.network);
    if (a.action == "import") {
        printReport("imported", importWeights(a.input, config, a.output), a.input, a.output);
        return 0;
    }
    if (a.action == "export") {
        printReport("exported", exportWeights(a.input, config, a.output), a.input, a.output);
        return 0;
    }
    // check: read and compare only.
    auto net = networkRegistry().create(config, "network");
    std::string container;
    StateDict state = readPytorchWeights(a.input, &container);
    checkWeightsMatch(*net, state, a.input);
    std::printf("%s (%s) fits %s: %zu tensors, %lld parameters\n", a.input.c_str(),
                container.c_str(), config.value("name", "").c_str(), state.size(),
                static_cast<long long>(parameterCount(*net)));
    return 0;
}

} // namespace medulla::cli
