#include "engine/transforms/EnsureChannelFirstd.h"
#include "engine/transforms/LoadImaged.h"
#include "engine/transforms/NormalizeIntensityd.h"
#include "engine/transforms/RandCropByPosNegLabeld.h"
#include "engine/transforms/ScaleIntensityRanged.h"
#include "engine/transforms/ScaleIntensityd.h"
#include "engine/transforms/ThresholdIntensityd.h"

namespace medulla {

Registry<Transform>& transformRegistry() {
    static Registry<Transform> registry = [] {
        Registry<Transform> r;
        r.add(LoadImaged::info(), &LoadImaged::fromJson);
        r.add(EnsureChannelFirstd::info(), &EnsureChannelFirstd::fromJson);
        r.add(ScaleIntensityd::info(), &ScaleIntensityd::fromJson);
        r.add(ScaleIntensityRanged::info(), &ScaleIntensityRanged::fromJson);
        r.add(NormalizeIntensityd::info(), &NormalizeIntensityd::fromJson);
        r.add(ThresholdIntensityd::info(), &ThresholdIntensityd::fromJson);
        r.add(RandCropByPosNegLabeld::info(), &RandCropByPosNegLabeld::fromJson);
        return r;
    }();
    return registry;
}

} // namespace medulla
