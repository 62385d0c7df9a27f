#include "engine/inference/InfererFactory.h"

#include "engine/inference/SlidingWindowInferer.h"

namespace medulla {

namespace {

ComponentInfo simpleInfererInfo() {
    return {"SimpleInferer", "inferer", "Run the network once on the whole input.", {}};
}

std::shared_ptr<Inferer> simpleInfererFromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = simpleInfererInfo();
    ParamReader r(config, context, i.params); // rejects unknown parameters
    return std::make_shared<SimpleInferer>();
}

} // namespace

Registry<Inferer>& infererRegistry() {
    static Registry<Inferer> registry = [] {
        Registry<Inferer> r;
        r.add(simpleInfererInfo(), &simpleInfererFromJson);
        r.add(SlidingWindowInferer::info(), &SlidingWindowInferer::fromJson);
        return r;
    }();
    return registry;
}

std::vector<ComponentInfo> infererInfos() {
    std::vector<ComponentInfo> out;
    for (const auto& name : infererRegistry().names())
        out.push_back(infererRegistry().info(name));
    return out;
}

InfererPtr makeInferer(const Json& config, const std::string& context) {
    return infererRegistry().create(config, context);
}

} // namespace medulla
