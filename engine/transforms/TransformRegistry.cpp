#include "engine/transforms/CenterSpatialCropd.h"
#include "engine/transforms/DivisiblePadd.h"
#include "engine/transforms/EnsureChannelFirstd.h"
#include "engine/transforms/Flipd.h"
#include "engine/transforms/LoadImaged.h"
#include "engine/transforms/NormalizeIntensityd.h"
#include "engine/transforms/RandCropByPosNegLabeld.h"
#include "engine/transforms/Rotate90d.h"
#include "engine/transforms/ScaleIntensityRanged.h"
#include "engine/transforms/ScaleIntensityd.h"
#include "engine/transforms/SpatialPadd.h"
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
        r.add(Flipd::info(), &Flipd::fromJson);
        r.add(Rotate90d::info(), &Rotate90d::fromJson);
        r.add(SpatialPadd::info(), &SpatialPadd::fromJson);
        r.add(DivisiblePadd::info(), &DivisiblePadd::fromJson);
        r.add(CenterSpatialCropd::info(), &CenterSpatialCropd::fromJson);
        return r;
    }();
    return registry;
}

} // namespace medulla
