#pragma once
/// Where this process stands in a distributed run: the variables torchrun
/// (and `medulla launch`) give every worker.

#include <string>

namespace medulla {

struct DistributedEnv {
    int rank = 0;                         ///< RANK: 0 .. worldSize-1, unique over all nodes
    int worldSize = 1;                    ///< WORLD_SIZE: processes over all nodes
    int localRank = 0;                    ///< LOCAL_RANK: index on this node (the GPU it uses)
    int localWorldSize = 1;               ///< LOCAL_WORLD_SIZE: processes on this node
    std::string masterAddr = "127.0.0.1"; ///< MASTER_ADDR: host of rank 0's TCPStore
    int masterPort = 29500;               ///< MASTER_PORT

    /// More than one process.
    bool distributed() const { return worldSize > 1; }
    bool isMain() const { return rank == 0; }

    /// Read from the environment. No WORLD_SIZE (or 1): a single process.
    /// Throws ConfigError naming the variable when one is not an integer or
    /// out of range (RANK >= WORLD_SIZE, port outside 1..65535).
    static DistributedEnv fromEnvironment();
    /// The same checks for values given in code (the studio's own rank 0).
    void validate() const;
};

} // namespace medulla
