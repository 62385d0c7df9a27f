#include "engine/core/Volume.h"

#include <ATen/ATen.h>

#include <cstdio>
#include <sstream>

#include "engine/core/Error.h"

namespace medulla {

Volume::Volume(at::Tensor data, Affine affine) : affine_(affine) {
    setData(std::move(data));
}

void Volume::setData(at::Tensor data) {
    if (data.defined() && (data.dim() < 3 || data.dim() > 4))
        throw ShapeError("a volume must be shaped (C, X, Y[, Z]); got a tensor of rank " +
                         std::to_string(data.dim()));
    data_ = std::move(data);
}

int64_t Volume::channels() const {
    return data_.defined() ? data_.size(0) : 0;
}

int Volume::spatialDims() const {
    return data_.defined() ? int(data_.dim()) - 1 : 0;
}

std::vector<int64_t> Volume::spatialShape() const {
    if (!data_.defined())
        return {};
    auto s = data_.sizes();
    return std::vector<int64_t>(s.begin() + 1, s.end());
}

Volume Volume::toFloatCpu() const {
    if (!data_.defined())
        return *this;
    if (data_.scalar_type() == at::kFloat && data_.device().is_cpu() && data_.is_contiguous())
        return *this;
    return Volume(data_.to(at::kCPU, at::kFloat).contiguous(), affine_);
}

const float* Volume::floatData() const {
    if (!data_.defined() || data_.scalar_type() != at::kFloat || !data_.device().is_cpu() ||
        !data_.is_contiguous())
        throw ShapeError("floatData() needs a contiguous float32 CPU volume; call toFloatCpu()");
    return data_.data_ptr<float>();
}

double Volume::valueAt(int64_t c, int64_t x, int64_t y, int64_t z) const {
    if (spatialDims() == 2)
        return data_.index({c, x, y}).item<double>();
    return data_.index({c, x, y, z}).item<double>();
}

std::string Volume::describe() const {
    if (!data_.defined())
        return "(empty volume)";
    std::ostringstream os;
    for (int64_t i = 0; i < data_.dim(); ++i)
        os << (i ? "x" : "") << data_.size(i);
    os << " " << c10::toString(data_.scalar_type()) << ", ";
    const Vec3 s = spacing();
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.3gx%.3gx%.3g mm, ", s[0], s[1], s[2]);
    os << buf << affine_.axisCodes();
    return os.str();
}

} // namespace medulla
