#include "engine/metrics/ConfusionMatrixMetric.h"
#include "engine/metrics/DiceMetric.h"
#include "engine/metrics/HausdorffDistanceMetric.h"
#include "engine/metrics/MeanIoU.h"
#include "engine/metrics/Metric.h"
#include "engine/metrics/ROCAUCMetric.h"
#include "engine/metrics/SurfaceDiceMetric.h"
#include "engine/metrics/SurfaceDistanceMetric.h"

namespace medulla {

Registry<Metric>& metricRegistry() {
    static Registry<Metric> registry = [] {
        Registry<Metric> r;
        r.add(DiceMetric::info(), &DiceMetric::fromJson);
        r.add(MeanIoU::info(), &MeanIoU::fromJson);
        r.add(ConfusionMatrixMetric::info(), &ConfusionMatrixMetric::fromJson);
        r.add(ROCAUCMetric::info(), &ROCAUCMetric::fromJson);
        r.add(HausdorffDistanceMetric::info(), &HausdorffDistanceMetric::fromJson);
        r.add(SurfaceDistanceMetric::info(), &SurfaceDistanceMetric::fromJson);
        r.add(SurfaceDiceMetric::info(), &SurfaceDiceMetric::fromJson);
        return r;
    }();
    return registry;
}

} // namespace medulla
