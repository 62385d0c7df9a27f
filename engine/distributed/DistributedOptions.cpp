#include "engine/distributed/DistributedOptions.h"

#include "engine/core/Error.h"

namespace medulla {

std::vector<ParamSpec> DistributedOptions::params() {
    return {
        {"nproc_per_node",
         ParamType::Int,
         1,
         1,
         64,
         {},
         "processes started on this machine (one per GPU, or CPU processes)"},
        {"backend",
         ParamType::String,
         "auto",
         0,
         0,
         {"auto", "gloo", "nccl"},
         "collective backend: auto = NCCL for CUDA devices when available, else Gloo"},
        {"timeout_s",
         ParamType::Float,
         300.0,
         1,
         86400,
         {},
         "seconds to wait for the other processes before stopping with an error"},
        {"bucket_cap_mb",
         ParamType::Float,
         25.0,
         0.01,
         4096,
         {},
         "gradient megabytes per all-reduce bucket"},
        {"sync_batch_norm",
         ParamType::Bool,
         false,
         0,
         0,
         {},
         "batch norm statistics over all processes' samples"},
        {"partition_cache",
         ParamType::Bool,
         true,
         0,
         0,
         {},
         "each process caches only its share of the cases"},
    };
}

DistributedOptions DistributedOptions::fromJson(const Json& j, const std::string& field) {
    const Json object = j.is_null() ? Json::object() : j;
    if (!object.is_object())
        throw ConfigError("expected an object", {}, field);
    static const auto specs = params();
    ParamReader r(object, field, specs);
    DistributedOptions o;
    o.nproc_per_node(r.integer("nproc_per_node"))
        .backend(r.string("backend"))
        .timeout_s(r.number("timeout_s"))
        .bucket_cap_mb(r.number("bucket_cap_mb"))
        .sync_batch_norm(r.boolean("sync_batch_norm"))
        .partition_cache(r.boolean("partition_cache"));
    return o;
}

Json DistributedOptions::toJson() const {
    return Json{{"nproc_per_node", nproc_per_node()},
                {"backend", backend()},
                {"timeout_s", timeout_s()},
                {"bucket_cap_mb", bucket_cap_mb()},
                {"sync_batch_norm", sync_batch_norm()},
                {"partition_cache", partition_cache()}};
}

} // namespace medulla
