#pragma once
/// Connected-component labelling of a binary mask (scikit-image's
/// measure.label semantics, which MONAI's KeepLargestConnectedComponent,
/// RemoveSmallObjects and FillHoles rely on).

#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

namespace medulla::kernels {

struct Components {
    /// int32, the mask's shape: 0 off the mask, components numbered 1..N in
    /// the raster (C) order of their first voxel, as skimage numbers them.
    at::Tensor labels;
    /// sizes[k - 1] = number of voxels of component k.
    std::vector<int64_t> sizes;
    int64_t count() const { return int64_t(sizes.size()); }
};

/// mask: 1 to 4 dims (non-zero = foreground), any dtype. CUDA masks of 1-3
/// dims are labelled on the GPU (cuda/ConnectedComponents.cu) when the
/// build has the CUDA kernels, others on the CPU; labels come back on the CPU. connectivity k in
/// [1, ndim]: neighbours are the voxels reachable in up to k orthogonal
/// steps (3D: 1 = 6, 2 = 18, 3 = 26 neighbours; 2D: 1 = 4, 2 = 8); 0 means
/// full connectivity (k = ndim). Throws std::invalid_argument otherwise, or
/// when the mask has 2^31 voxels or more.
/// Union-find over slabs of the first axis, one slab per thread
/// (at::parallel_for), joined by a merge pass across slab faces.
Components connectedComponents(const at::Tensor& mask, int connectivity = 0);

/// The neighbour offsets of a connectivity in `ndim` dims: every vector of
/// {-1, 0, 1}^ndim with 1..connectivity non-zero entries (for tests and
/// for morphology). Row-major, ndim entries per offset.
std::vector<std::vector<int>> neighbourOffsets(int ndim, int connectivity);

} // namespace medulla::kernels
