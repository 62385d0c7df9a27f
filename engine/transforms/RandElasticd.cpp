#include "engine/transforms/RandElasticd.h"

#include "engine/transforms/ElasticOps.h"
#include "engine/transforms/KeyParams.h"

namespace medulla {

namespace {

void checkRange(const std::vector<double>& r, const std::string& field) {
    if (r.size() != 2 || r[0] > r[1] || r[0] < 0)
        throw ConfigError("expected [min, max] with 0 <= min <= max", {}, field);
}

} // namespace

RandElasticd::RandElasticd(RandElasticdOptions options) : options_(std::move(options)) {
    const std::string n = name();
    if (options_.dims() != 2 && options_.dims() != 3)
        throw ConfigError("dims must be 2 or 3", {}, n);
    checkGridModes(options_.mode(), options_.padding_mode(), options_.keys().size(), n);
    checkRange(options_.magnitude_range(), n + ".magnitude_range");
    if (options_.dims() == 3) {
        checkRange(options_.sigma_range(), n + ".sigma_range");
        if (options_.sigma_range()[0] <= 0)
            throw ConfigError("sigma must be positive", {}, n + ".sigma_range");
    } else {
        if (options_.spacing().size() == 1)
            options_.spacing({options_.spacing()[0], options_.spacing()[0]});
        if (options_.spacing().size() != 2 || options_.spacing()[0] <= 0 ||
            options_.spacing()[1] <= 0)
            throw ConfigError("spacing needs 1 or 2 positive values (voxels)", {}, n + ".spacing");
    }
}

std::string RandElasticd::name() const {
    return options_.dims() == 2 ? "Rand2DElasticd" : "Rand3DElasticd";
}

ComponentInfo RandElasticd::info(int dims) {
    ComponentInfo info{
        dims == 2 ? "Rand2DElasticd" : "Rand3DElasticd",
        "transform",
        "Random elastic deformation plus random affine, with probability prob.",
        {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to process"},
         {"magnitude_range",
          ParamType::FloatList,
          Json{100.0, 200.0},
          0,
          1e6,
          {},
          "[min, max] deformation magnitude"},
         {"prob", ParamType::Float, 0.1, 0, 1, {}, "probability of applying"},
         {"spatial_size",
          ParamType::IntList,
          Json::array(),
          -1,
          1000000,
          {},
          "output size (empty or <= 0: the input's)"}}};
    appendGridModeSpecs(info.params, "reflection");
    if (dims == 3)
        info.params.push_back({"sigma_range",
                               ParamType::FloatList,
                               Json{5.0, 8.0},
                               0,
                               1e6,
                               {},
                               "[min, max] Gaussian sigma (voxels) of the smooth field"});
    else
        info.params.push_back({"spacing",
                               ParamType::FloatList,
                               Json{20.0, 20.0},
                               1e-6,
                               1e6,
                               {},
                               "control point spacing (voxels)"});
    for (auto& s : RandAffineRanges::specs())
        info.params.push_back(s);
    return info;
}

ComponentInfo RandElasticd::info2d() {
    return info(2);
}
ComponentInfo RandElasticd::info3d() {
    return info(3);
}

std::shared_ptr<Transform> RandElasticd::fromJson(int dims, const Json& config,
                                                  const std::string& context) {
    const ComponentInfo i = info(dims);
    ParamReader r(config, context, i.params);
    auto o = RandElasticdOptions()
                 .dims(dims)
                 .keys(r.stringList("keys"))
                 .magnitude_range(r.numberList("magnitude_range"))
                 .prob(r.number("prob"))
                 .ranges(RandAffineRanges::read(r))
                 .spatial_size(r.intList("spatial_size"))
                 .mode(r.stringList("mode"))
                 .padding_mode(r.stringList("padding_mode"));
    if (dims == 3)
        o.sigma_range(r.numberList("sigma_range"));
    else
        o.spacing(r.numberList("spacing"));
    return std::make_shared<RandElasticd>(o);
}

std::shared_ptr<Transform> RandElasticd::fromJson2d(const Json& c, const std::string& ctx) {
    return fromJson(2, c, ctx);
}
std::shared_ptr<Transform> RandElasticd::fromJson3d(const Json& c, const std::string& ctx) {
    return fromJson(3, c, ctx);
}

Sample RandElasticd::apply(Sample sample, RandomGenerator& rng) const {
    if (!(rng.uniform() < options_.prob()))
        return sample;
    const auto& keys = options_.keys();
    if (keys.empty())
        return sample;
    const std::vector<int64_t> in = sample.at(keys[0]).spatialShape();
    if (int(in.size()) != options_.dims())
        throw ShapeError(name() + " needs " + std::to_string(options_.dims()) + "D images", {},
                         name() + ".keys");
    std::vector<int64_t> out = in;
    for (size_t i = 0; i < out.size() && i < options_.spatial_size().size(); ++i)
        if (options_.spatial_size()[i] > 0)
            out[i] = options_.spatial_size()[i];
    const AffineParams p = options_.ranges().draw(rng, out);
    const MatrixN m = affineMatrix(in.size(), p, name());
    const double magnitude =
        rng.uniform(options_.magnitude_range()[0], options_.magnitude_range()[1]);
    const uint64_t seed = rng.nextSeed();
    at::Tensor grid;
    if (options_.dims() == 3) {
        const double sigma = rng.uniform(options_.sigma_range()[0], options_.sigma_range()[1]);
        grid = elasticGrid3d(out, sigma, magnitude, m, seed);
    } else {
        grid = elasticGrid2d(out, options_.spacing(), magnitude, m, seed);
    }
    // The affine part (no deformation) defines the output's world grid.
    std::vector<double> c(in.size()), co(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        c[i] = double(in[i] - 1) / 2;
        co[i] = -double(out[i] - 1) / 2;
    }
    const MatrixN nominal = MatrixN::translation(c) * m * MatrixN::translation(co);
    for (size_t i = 0; i < keys.size(); ++i) {
        sample.recordSpatial(keys[i], name());
        Volume& v = sample.at(keys[i]);
        if (v.spatialShape() != in)
            throw ShapeError("all keys need the same spatial shape", {}, name() + ".keys");
        v = sampleCentredGrid(
            v, grid, gridModeFor(options_.mode(), options_.padding_mode(), false, i, name()),
            nominal.appliedTo(v.affine()));
    }
    return sample;
}

Json RandElasticd::toJson() const {
    Json out = {{"name", name()},
                {"keys", options_.keys()},
                {"magnitude_range", options_.magnitude_range()},
                {"prob", options_.prob()},
                {"spatial_size", options_.spatial_size()},
                {"mode", options_.mode()},
                {"padding_mode", options_.padding_mode()}};
    if (options_.dims() == 3)
        out["sigma_range"] = options_.sigma_range();
    else
        out["spacing"] = options_.spacing();
    options_.ranges().write(out);
    return out;
}

} // namespace medulla
