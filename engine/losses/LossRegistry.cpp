#include "engine/losses/DeepSupervisionLoss.h"
#include "engine/losses/DiceCELoss.h"
#include "engine/losses/DiceFocalLoss.h"
#include "engine/losses/DiceLoss.h"
#include "engine/losses/FocalLoss.h"
#include "engine/losses/GeneralizedDiceFocalLoss.h"
#include "engine/losses/GeneralizedDiceLoss.h"
#include "engine/losses/GeneralizedWassersteinDiceLoss.h"
#include "engine/losses/MaskedDiceLoss.h"
#include "engine/losses/TverskyLoss.h"

namespace medulla {

Registry<Loss>& lossRegistry() {
    static Registry<Loss> registry = [] {
        Registry<Loss> r;
        r.add(DiceLoss::info(), &DiceLoss::fromJson);
        r.add(MaskedDiceLoss::info(), &MaskedDiceLoss::fromJson);
        r.add(GeneralizedDiceLoss::info(), &GeneralizedDiceLoss::fromJson);
        r.add(GeneralizedWassersteinDiceLoss::info(), &GeneralizedWassersteinDiceLoss::fromJson);
        r.add(TverskyLoss::info(), &TverskyLoss::fromJson);
        r.add(FocalLoss::info(), &FocalLoss::fromJson);
        r.add(DiceCELoss::info(), &DiceCELoss::fromJson);
        r.add(DiceFocalLoss::info(), &DiceFocalLoss::fromJson);
        r.add(GeneralizedDiceFocalLoss::info(), &GeneralizedDiceFocalLoss::fromJson);
        r.add(DeepSupervisionLoss::info(), &DeepSupervisionLoss::fromJson);
        return r;
    }();
    return registry;
}

} // namespace medulla
