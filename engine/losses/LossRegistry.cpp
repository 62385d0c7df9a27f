#include "engine/losses/DiceLoss.h"

namespace medulla {

Registry<Loss>& lossRegistry() {
    static Registry<Loss> registry = [] {
        Registry<Loss> r;
        r.add(DiceLoss::info(), &DiceLoss::fromJson);
        return r;
    }();
    return registry;
}

} // namespace medulla
