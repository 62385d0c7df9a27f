#include "engine/distributed/DistributedEnv.h"

#include <cstdlib>
#include <string>

#include "engine/core/Error.h"

namespace medulla {
namespace {

/// An integer environment variable, `fallback` when unset or empty.
int intVariable(const char* name, int fallback) {
    const char* v = std::getenv(name);
    if (!v || !*v)
        return fallback;
    char* end = nullptr;
    const long x = std::strtol(v, &end, 10);
    if (*end != '\0' || x < -2147483647L || x > 2147483647L)
        throw ConfigError(std::string("\"") + v + "\" is not an integer", {}, name);
    return int(x);
}

} // namespace

DistributedEnv DistributedEnv::fromEnvironment() {
    DistributedEnv e;
    e.worldSize = intVariable("WORLD_SIZE", 1);
    e.rank = intVariable("RANK", 0);
    e.localRank = intVariable("LOCAL_RANK", e.rank);
    e.localWorldSize = intVariable("LOCAL_WORLD_SIZE", e.worldSize);
    if (const char* a = std::getenv("MASTER_ADDR"); a && *a)
        e.masterAddr = a;
    e.masterPort = intVariable("MASTER_PORT", 29500);
    e.validate();
    return e;
}

void DistributedEnv::validate() const {
    if (worldSize < 1)
        throw ConfigError("must be >= 1, is " + std::to_string(worldSize), {}, "WORLD_SIZE");
    if (rank < 0 || rank >= worldSize)
        throw ConfigError("must be in 0.." + std::to_string(worldSize - 1) + " (WORLD_SIZE " +
                              std::to_string(worldSize) + "), is " + std::to_string(rank),
                          {}, "RANK");
    if (localWorldSize < 1 || localWorldSize > worldSize)
        throw ConfigError("must be in 1.." + std::to_string(worldSize) + ", is " +
                              std::to_string(localWorldSize),
                          {}, "LOCAL_WORLD_SIZE");
    if (localRank < 0 || localRank >= localWorldSize)
        throw ConfigError("must be in 0.." + std::to_string(localWorldSize - 1) + ", is " +
                              std::to_string(localRank),
                          {}, "LOCAL_RANK");
    if (masterPort < 1 || masterPort > 65535)
        throw ConfigError("must be in 1..65535, is " + std::to_string(masterPort), {},
                          "MASTER_PORT");
    if (masterAddr.empty())
        throw ConfigError("is empty", {}, "MASTER_ADDR");
}

} // namespace medulla
