#include "engine/transforms/ElasticOps.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/upsampling.h>
#include <torch/torch.h>

#include <cmath>

#include "engine/core/Error.h"
#include "kernels/cpu/GaussianFilter.h"

namespace medulla {

at::Tensor centredGrid(const std::vector<int64_t>& shape) {
    std::vector<at::Tensor> axes;
    for (int64_t n : shape)
        axes.push_back(torch::arange(n, torch::kDouble) - double(n - 1) / 2.0);
    return torch::stack(torch::meshgrid(axes, "ij"));
}

at::Tensor transformGrid(const at::Tensor& grid, const MatrixN& m) {
    const int64_t d = grid.size(0);
    at::Tensor flat = grid.reshape({d, -1}).to(torch::kDouble);
    at::Tensor lin = torch::empty({d, d}, torch::kDouble),
               shift = torch::empty({d, 1}, torch::kDouble);
    for (int64_t r = 0; r < d; ++r) {
        for (int64_t c = 0; c < d; ++c)
            lin[r][c] = m(size_t(r), size_t(c));
        shift[r][0] = m(size_t(r), size_t(d));
    }
    return (lin.matmul(flat) + shift).reshape(grid.sizes());
}

Volume sampleCentredGrid(const Volume& v, const at::Tensor& grid, const GridMode& mode,
                         const Affine& outAffine) {
    const std::vector<int64_t> in = v.spatialShape();
    at::Tensor g = grid.to(torch::kDouble).clone();
    for (size_t i = 0; i < in.size(); ++i)
        g[int64_t(i)] += double(in[i] - 1) / 2.0;
    const kernels::ResampleOptions o{mode.interp, mode.padding, mode.alignCorners};
    return Volume(kernels::resampleGrid(v.data(), g, o), outAffine);
}

at::Tensor elasticGrid3d(const std::vector<int64_t>& shape, double sigma, double magnitude,
                         const MatrixN& m, uint64_t seed) {
    if (shape.size() != 3)
        throw ShapeError("3D elastic deformation needs a 3D image", {}, "Rand3DElasticd");
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    std::vector<int64_t> sizes{3};
    sizes.insert(sizes.end(), shape.begin(), shape.end());
    at::Tensor offset = torch::rand(sizes, gen, torch::kFloat) * 2.0 - 1.0;
    const std::vector<float> taps = kernels::gaussianKernel1d(sigma, 3.0);
    offset = kernels::separableFilter(offset, {taps, taps, taps}) * magnitude;
    return transformGrid(centredGrid(shape) + offset.to(torch::kDouble), m);
}

at::Tensor elasticGrid2d(const std::vector<int64_t>& shape, const std::vector<double>& spacing,
                         double magnitude, const MatrixN& m, uint64_t seed) {
    if (shape.size() != 2 || spacing.size() != 2)
        throw ShapeError("2D elastic deformation needs a 2D image and two spacings", {},
                         "Rand2DElasticd");
    std::vector<int64_t> control(2);
    std::vector<at::Tensor> axes;
    for (size_t i = 0; i < 2; ++i) {
        const double d = double(shape[i]), s = spacing[i];
        control[i] = shape[i] % 2 == 0 ? int64_t(std::ceil((d - 1) / (2 * s) + 0.5)) * 2 + 2
                                       : int64_t(std::ceil((d - 1) / (2 * s))) * 2 + 3;
        axes.push_back((torch::arange(control[i], torch::kDouble) - double(control[i] - 1) / 2) *
                       s);
    }
    at::Tensor grid = torch::stack(torch::meshgrid(axes, "ij"));
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    grid += torch::randn({2, control[0], control[1]}, gen, torch::kFloat).to(torch::kDouble) *
            magnitude;
    grid = transformGrid(grid, m);
    namespace F = torch::nn::functional;
    std::vector<int64_t> up{int64_t(std::floor(double(control[0]) * spacing[0])),
                            int64_t(std::floor(double(control[1]) * spacing[1]))};
    grid = F::interpolate(
               grid.unsqueeze(0),
               F::InterpolateFuncOptions().size(up).mode(torch::kBicubic).align_corners(false))
               .squeeze(0);
    const int64_t x0 = up[0] / 2 - shape[0] / 2, y0 = up[1] / 2 - shape[1] / 2; // CenterSpatialCrop
    if (x0 < 0 || y0 < 0 || up[0] < shape[0] || up[1] < shape[1])
        throw ShapeError("elastic control grid smaller than the image", {}, "Rand2DElasticd");
    return grid.slice(1, x0, x0 + shape[0]).slice(2, y0, y0 + shape[1]).contiguous();
}

} // namespace medulla
