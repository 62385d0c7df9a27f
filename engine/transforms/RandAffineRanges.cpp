#include "engine/transforms/RandAffineRanges.h"

namespace medulla {

std::vector<ParamSpec> RandAffineRanges::specs() {
    auto spec = [](const char* name, const char* help) {
        return ParamSpec{name, ParamType::Object, Json::array(), 0, 0, {}, help};
    };
    return {spec("rotate_range", "radians per axis: r for [-r, r) or [min, max]"),
            spec("shear_range", "shear factors: r or [min, max] each (2 in 2D, 6 in 3D)"),
            spec("translate_range", "voxels per axis: r or [min, max]"),
            spec("scale_range", "scale offsets per axis (1 is added): r or [min, max]")};
}

RandAffineRanges RandAffineRanges::read(const ParamReader& r) {
    return {RandRange::fromJson(r.raw("rotate_range"), r.field("rotate_range")),
            RandRange::fromJson(r.raw("shear_range"), r.field("shear_range")),
            RandRange::fromJson(r.raw("translate_range"), r.field("translate_range")),
            RandRange::fromJson(r.raw("scale_range"), r.field("scale_range"))};
}

void RandAffineRanges::write(Json& out) const {
    out["rotate_range"] = rotate.toJson();
    out["shear_range"] = shear.toJson();
    out["translate_range"] = translate.toJson();
    out["scale_range"] = scale.toJson();
}

AffineParams RandAffineRanges::draw(RandomGenerator& rng,
                                    const std::vector<int64_t>& spatialSize) const {
    AffineParams p;
    p.rotate = rotate.draw(rng);
    p.shear = shear.draw(rng);
    p.translate = translate.draw(rng);
    p.scale = scale.draw(rng, 1.0);
    p.spatialSize = spatialSize;
    return p;
}

} // namespace medulla
