#include "engine/networks/Network.h"
#include "engine/networks/UNet.h"

namespace medulla {

Registry<Network>& networkRegistry() {
    static Registry<Network> registry = [] {
        Registry<Network> r;
        r.add(UNet::info(), &UNet::fromJson);
        return r;
    }();
    return registry;
}

} // namespace medulla
