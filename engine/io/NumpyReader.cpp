#include "engine/io/NumpyReader.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "engine/core/Error.h"
#include "engine/io/LoadImage.h"
#include "engine/io/Npy.h"

namespace medulla {

bool NumpyReader::canRead(const FileProbe& probe) const {
    if (probe.isDirectory)
        return false;
    if (probe.endsWith(".npy") || probe.endsWith(".npz"))
        return true;
    return probe.head.compare(0, 6, "\x93NUMPY") == 0;
}

LoadedImage NumpyReader::read(const std::string& path, const ReadOptions& options) const {
    const FileProbe probe = probeFile(path);
    LoadedImage out;
    out.meta.filenames = {path};
    out.meta.reader = name();
    const bool isZip = probe.head.compare(0, 4, "PK\x03\x04") == 0;
    if (!isZip) {
        out.data = readNpy(path);
        out.meta.originalChannelDim = ImageMeta::kNoChannel;
    } else {
        auto arrays = readNpz(path);
        std::vector<at::Tensor> chosen;
        std::vector<std::string> names;
        bool hasAffine = false;
        if (!options.npzKeys.empty()) {
            for (const auto& key : options.npzKeys) {
                auto it = std::find_if(arrays.begin(), arrays.end(),
                                       [&](const auto& a) { return a.first == key; });
                if (it == arrays.end()) {
                    std::string known;
                    for (const auto& a : arrays)
                        known += (known.empty() ? "" : ", ") + a.first;
                    throw IoError(
                        "npz_keys: no array '" + key + "' (the archive has: " + known + ")", path);
                }
                chosen.push_back(it->second);
                names.push_back(key);
            }
        } else {
            for (const auto& [key, t] : arrays) {
                if (key == "affine" && t.dim() == 2 && t.size(0) == 4 && t.size(1) == 4) {
                    at::Tensor a = t.to(at::kDouble).contiguous();
                    std::array<std::array<double, 4>, 4> m{};
                    for (int r = 0; r < 4; ++r)
                        for (int c = 0; c < 4; ++c)
                            m[size_t(r)][size_t(c)] = a[r][c].item<double>();
                    out.affine = Affine(m);
                    hasAffine = true;
                    continue;
                }
                chosen.push_back(t);
                names.push_back(key);
            }
        }
        if (chosen.empty())
            throw IoError("the archive holds no image array", path);
        for (const auto& t : chosen)
            if (!t.sizes().equals(chosen[0].sizes()))
                throw IoError("the .npz arrays have different shapes and cannot be stacked", path);
        out.data = chosen.size() == 1 ? chosen[0] : at::stack(chosen, 0);
        // Medulla's writer stores a channel-first "image" beside its "affine".
        const bool medullaImage = hasAffine && names.size() == 1 && names[0] == "image";
        out.meta.originalChannelDim =
            chosen.size() == 1 && !medullaImage ? ImageMeta::kNoChannel : 0;
    }
    const int64_t spatial =
        out.meta.originalChannelDim == ImageMeta::kNoChannel ? out.data.dim() : out.data.dim() - 1;
    if (spatial < 1)
        throw IoError("a 0-d array is not an image", path);
    const int64_t first = out.meta.originalChannelDim == 0 ? 1 : 0;
    for (int64_t d = first; d < first + std::min<int64_t>(spatial, 3); ++d)
        out.meta.spatialShape.push_back(out.data.size(d));
    out.meta.sourceDtype = dtypeName(out.data.scalar_type());
    out.meta.originalAffine = out.affine;
    return out;
}

} // namespace medulla
