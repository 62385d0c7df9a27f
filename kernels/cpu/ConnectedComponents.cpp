#include "kernels/cpu/ConnectedComponents.h"

#ifdef MEDULLA_HAVE_CUDA_KERNELS
#include "kernels/cuda/ConnectedComponentsCuda.h"
#endif

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>
#include <string>

namespace medulla::kernels {
namespace {

using Index = int32_t;

Index findCompress(std::vector<Index>& parent, Index x) {
    while (parent[size_t(x)] != x) {
        parent[size_t(x)] = parent[size_t(parent[size_t(x)])];
        x = parent[size_t(x)];
    }
    return x;
}

Index findReadOnly(const std::vector<Index>& parent, Index x) {
    while (parent[size_t(x)] != x)
        x = parent[size_t(x)];
    return x;
}

/// Union keeping the smaller index as root, so that every root is the
/// first voxel of its component in raster order.
void unite(std::vector<Index>& parent, Index a, Index b) {
    a = findCompress(parent, a);
    b = findCompress(parent, b);
    if (a < b)
        parent[size_t(b)] = a;
    else if (b < a)
        parent[size_t(a)] = b;
}

struct Grid {
    int nd = 0;
    std::array<int64_t, 4> size{};
    std::array<int64_t, 4> stride{};
};

struct Offset {
    std::array<int, 4> d{};
    int64_t flat = 0;
};

/// Visit the raster range [begin, end) of flat indices, calling
/// f(flat, coords) for each foreground voxel.
template <class F>
void forEachForeground(const Grid& g, const uint8_t* m, int64_t begin, int64_t end, F&& f) {
    std::array<int64_t, 4> c{};
    int64_t rem = begin;
    for (int a = 0; a < g.nd; ++a) {
        c[size_t(a)] = rem / g.stride[size_t(a)];
        rem %= g.stride[size_t(a)];
    }
    for (int64_t i = begin; i < end; ++i) {
        if (m[i])
            f(i, c);
        for (int a = g.nd - 1; a >= 0; --a) {
            if (++c[size_t(a)] < g.size[size_t(a)])
                break;
            c[size_t(a)] = 0;
        }
    }
}

bool inside(const Grid& g, const std::array<int64_t, 4>& c, const Offset& o, int64_t lo0) {
    for (int a = 0; a < g.nd; ++a) {
        const int64_t v = c[size_t(a)] + o.d[size_t(a)];
        if (v < (a == 0 ? lo0 : 0) || v >= g.size[size_t(a)])
            return false;
    }
    return true;
}

} // namespace

std::vector<std::vector<int>> neighbourOffsets(int ndim, int connectivity) {
    std::vector<std::vector<int>> out;
    int64_t total = 1;
    for (int a = 0; a < ndim; ++a)
        total *= 3;
    for (int64_t code = 0; code < total; ++code) {
        std::vector<int> d(static_cast<size_t>(ndim));
        int64_t c = code;
        int nonzero = 0;
        for (int a = ndim - 1; a >= 0; --a) {
            d[size_t(a)] = int(c % 3) - 1;
            c /= 3;
            nonzero += d[size_t(a)] != 0;
        }
        if (nonzero >= 1 && nonzero <= connectivity)
            out.push_back(d);
    }
    return out;
}

#ifdef MEDULLA_HAVE_CUDA_KERNELS
namespace {

/// CUDA masks of 1-3 dims: label propagation on the device
/// (cuda/ConnectedComponents.cu), then roots compacted to 1..N in order.
Components connectedComponentsCuda(const at::Tensor& mask, int connectivity) {
    const int ndim = int(mask.dim());
    const at::Tensor m = mask.ne(0).to(at::kByte).contiguous();
    std::vector<int64_t> s(3, 1);
    for (int d = 0; d < ndim; ++d)
        s[size_t(d)] = mask.size(d);
    std::vector<int> flat;
    const auto offsets = neighbourOffsets(ndim, connectivity);
    for (const auto& o : offsets)
        for (int a = 0; a < 3; ++a)
            flat.push_back(a < ndim ? o[size_t(a)] : 0);
    at::Tensor lab = at::empty(m.sizes(), m.options().dtype(at::kInt));
    const int code = cuda::labelComponents(m.data_ptr<uint8_t>(), lab.data_ptr<int32_t>(), s[0],
                                           s[1], s[2], flat.data(), int(offsets.size()));
    if (code != 0)
        throw std::runtime_error("connectedComponents (CUDA): error " + std::to_string(code));
    auto [roots, inverse, counts] = at::_unique2(lab.flatten(), true, true, true);
    const at::Tensor rootsCpu = roots.cpu(), countsCpu = counts.cpu().to(at::kLong);
    const bool hasBackground = rootsCpu.numel() > 0 && rootsCpu[0].item<int32_t>() == 0;
    Components out;
    out.labels = (hasBackground ? inverse : inverse + 1).to(at::kInt).view(mask.sizes()).cpu();
    for (int64_t k = hasBackground ? 1 : 0; k < countsCpu.numel(); ++k)
        out.sizes.push_back(countsCpu[k].item<int64_t>());
    return out;
}

} // namespace
#endif

Components connectedComponents(const at::Tensor& mask, int connectivity) {
    const int ndim = int(mask.dim());
    if (ndim < 1 || ndim > 4)
        throw std::invalid_argument("connectedComponents: expected 1 to 4 dims, got " +
                                    std::to_string(ndim));
    if (connectivity == 0)
        connectivity = ndim;
    if (connectivity < 1 || connectivity > ndim)
        throw std::invalid_argument("connectedComponents: connectivity must be in [1, " +
                                    std::to_string(ndim) + "], got " +
                                    std::to_string(connectivity));
    if (mask.numel() >= int64_t(std::numeric_limits<Index>::max()))
        throw std::invalid_argument("connectedComponents: mask has too many voxels");

#ifdef MEDULLA_HAVE_CUDA_KERNELS
    if (mask.is_cuda() && ndim <= 3 && mask.numel() > 0)
        return connectedComponentsCuda(mask, connectivity);
#endif
    const at::Tensor m = mask.to(at::kCPU).ne(0).to(at::kByte).contiguous();
    Components out;
    out.labels = at::zeros(mask.sizes(), at::TensorOptions().dtype(at::kInt));
    const int64_t n = m.numel();
    if (n == 0)
        return out;

    // Singleton axes carry no neighbours: drop them (a k-connectivity in
    // the full space is a min(k, nd)-connectivity in the rest).
    Grid g;
    for (int a = 0; a < ndim; ++a)
        if (mask.size(a) > 1)
            g.size[size_t(g.nd++)] = mask.size(a);
    if (g.nd == 0)
        g.size[size_t(g.nd++)] = 1;
    connectivity = std::min(connectivity, g.nd);
    g.stride[size_t(g.nd - 1)] = 1;
    for (int a = g.nd - 2; a >= 0; --a)
        g.stride[size_t(a)] = g.stride[size_t(a + 1)] * g.size[size_t(a + 1)];

    // Backward neighbours: first non-zero component is -1 (already visited).
    std::vector<Offset> back;
    for (const auto& d : neighbourOffsets(g.nd, connectivity)) {
        int first = 0;
        for (int v : d)
            if (v != 0) {
                first = v;
                break;
            }
        if (first != -1)
            continue;
        Offset o;
        for (int a = 0; a < g.nd; ++a) {
            o.d[size_t(a)] = d[size_t(a)];
            o.flat += d[size_t(a)] * g.stride[size_t(a)];
        }
        back.push_back(o);
    }

    const uint8_t* fg = m.data_ptr<uint8_t>();
    std::vector<Index> parent(size_t(n), 0);
    const int64_t planes = g.size[0];
    const int64_t nSlabs = std::max<int64_t>(1, std::min<int64_t>(planes, at::get_num_threads()));
    auto slabStart = [&](int64_t s) { return planes * s / nSlabs; };

    // 1) Each slab of planes on its own: neighbours inside the slab only.
    at::parallel_for(0, nSlabs, 1, [&](int64_t b, int64_t e) {
        for (int64_t s = b; s < e; ++s) {
            const int64_t z0 = slabStart(s), z1 = slabStart(s + 1);
            forEachForeground(g, fg, z0 * g.stride[0], z1 * g.stride[0],
                              [&](int64_t i, const std::array<int64_t, 4>& c) {
                                  parent[size_t(i)] = Index(i);
                                  for (const Offset& o : back) {
                                      if (!inside(g, c, o, z0) || !fg[i + o.flat])
                                          continue;
                                      unite(parent, Index(i), Index(i + o.flat));
                                  }
                              });
        }
    });
    // 2) Merge across slab faces: the first plane of each slab meets the
    //    last plane of the previous one.
    for (int64_t s = 1; s < nSlabs; ++s) {
        const int64_t z0 = slabStart(s);
        forEachForeground(g, fg, z0 * g.stride[0], (z0 + 1) * g.stride[0],
                          [&](int64_t i, const std::array<int64_t, 4>& c) {
                              for (const Offset& o : back) {
                                  if (o.d[0] != -1 || !inside(g, c, o, 0) || !fg[i + o.flat])
                                      continue;
                                  unite(parent, Index(i), Index(i + o.flat));
                              }
                          });
    }
    // 3) Number the roots in raster order, then label every voxel.
    int32_t* lab = out.labels.data_ptr<int32_t>();
    const int64_t chunk = 1 << 16;
    const int64_t nChunks = (n + chunk - 1) / chunk;
    std::vector<int64_t> roots(size_t(nChunks) + 1, 0);
    at::parallel_for(0, nChunks, 1, [&](int64_t b, int64_t e) {
        for (int64_t c = b; c < e; ++c) {
            int64_t k = 0;
            for (int64_t i = c * chunk, end = std::min(n, (c + 1) * chunk); i < end; ++i)
                k += fg[i] && parent[size_t(i)] == Index(i);
            roots[size_t(c) + 1] = k;
        }
    });
    for (int64_t c = 0; c < nChunks; ++c)
        roots[size_t(c) + 1] += roots[size_t(c)];
    at::parallel_for(0, nChunks, 1, [&](int64_t b, int64_t e) {
        for (int64_t c = b; c < e; ++c) {
            auto next = int32_t(roots[size_t(c)]);
            for (int64_t i = c * chunk, end = std::min(n, (c + 1) * chunk); i < end; ++i)
                if (fg[i] && parent[size_t(i)] == Index(i))
                    lab[i] = ++next;
        }
    });
    at::parallel_for(0, n, chunk, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i)
            if (fg[i] && parent[size_t(i)] != Index(i))
                lab[i] = lab[findReadOnly(parent, Index(i))];
    });
    out.sizes.assign(size_t(roots[size_t(nChunks)]), 0);
    for (int64_t i = 0; i < n; ++i)
        if (lab[i])
            ++out.sizes[size_t(lab[i] - 1)];
    return out;
}

} // namespace medulla::kernels
