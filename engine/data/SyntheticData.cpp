#include "engine/data/SyntheticData.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/io/ImageLoader.h"
#include "engine/io/NiftiIO.h"

namespace fs = std::filesystem;

namespace medulla {

namespace {

/// The shared body of createTestImage2d/3d: `dims` spatial axes of `sizes`.
SyntheticPair createTestImage(const SyntheticImageOptions& o, RandomGenerator& rng, int dims) {
    const int64_t sizes[3] = {o.height(), o.width(), o.depth()};
    for (int d = 0; d < dims; ++d)
        if (sizes[d] <= 2 * o.rad_max())
            throw ConfigError("every size must exceed 2 * rad_max = " +
                                  std::to_string(2 * o.rad_max()),
                              {}, "synthetic.image");
    if (o.rad_min() < 1 || o.rad_min() >= o.rad_max())
        throw ConfigError("need 1 <= rad_min < rad_max", {}, "synthetic.image.rad_min");
    if (o.num_seg_classes() < 1)
        throw ConfigError("must be >= 1", {}, "synthetic.image.num_seg_classes");

    const std::vector<int64_t> shape(sizes, sizes + dims);
    at::Tensor image = torch::zeros(shape, torch::kFloat);
    std::vector<at::Tensor> grid; // coordinate of axis d, broadcastable to `shape`
    for (int d = 0; d < dims; ++d) {
        std::vector<int64_t> view(size_t(dims), 1);
        view[size_t(d)] = -1;
        grid.push_back(torch::arange(sizes[d], torch::kFloat).view(view));
    }
    for (int64_t n = 0; n < o.num_objs(); ++n) {
        double centre[3] = {0, 0, 0};
        for (int d = 0; d < dims; ++d)
            centre[d] = double(rng.integer(o.rad_max(), sizes[d] - o.rad_max()));
        const double r = double(rng.integer(o.rad_min(), o.rad_max()));
        at::Tensor dist2 = (grid[0] - centre[0]).square();
        for (int d = 1; d < dims; ++d)
            dist2 = dist2 + (grid[size_t(d)] - centre[d]).square();
        at::Tensor inside = dist2 <= r * r;
        const double value = o.num_seg_classes() > 1
                                 ? std::ceil(rng.uniform() * double(o.num_seg_classes()))
                                 : rng.uniform() * 0.5 + 0.5;
        image.masked_fill_(inside, std::max(value, 1e-3));
    }
    at::Tensor label = image.ceil();
    // Noise floor: max(image, U(0, classes * noise_max)), then rescale to [0, 1].
    if (o.noise_max() > 0) {
        at::Tensor noise = torch::empty_like(image);
        float* p = noise.data_ptr<float>();
        const double hi = double(o.num_seg_classes()) * o.noise_max();
        for (int64_t i = 0; i < noise.numel(); ++i)
            p[i] = float(rng.uniform(0.0, hi));
        image = torch::maximum(image, noise);
    }
    const double lo = image.min().item<double>(), hi = image.max().item<double>();
    if (hi > lo)
        image = (image - lo) / (hi - lo);
    const Affine affine = Affine::fromGeometry({o.spacing(), o.spacing(), o.spacing()}, {0, 0, 0},
                                               {{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}});
    return {Volume(image.unsqueeze(0).contiguous(), affine),
            Volume(label.unsqueeze(0).contiguous(), affine)};
}

} // namespace

SyntheticPair createTestImage3d(const SyntheticImageOptions& o, RandomGenerator& rng) {
    return createTestImage(o, rng, 3);
}

SyntheticPair createTestImage2d(const SyntheticImageOptions& o, RandomGenerator& rng) {
    return createTestImage(o, rng, 2);
}

void writeSyntheticDataset(const std::string& directory, const SyntheticDatasetOptions& options,
                           ProgressSink& progress, const CancelToken* cancel) {
    if (options.num_cases() < 1)
        throw ConfigError("must be >= 1", {}, "synthetic.num_cases");
    const bool flat = options.spatial_dims() == 2;
    if (!flat && options.spatial_dims() != 3)
        throw ConfigError("must be 2 or 3", {}, "synthetic.spatial_dims");
    const fs::path root(directory);
    std::error_code ec;
    fs::create_directories(root / "imagesTr", ec);
    fs::create_directories(root / "labelsTr", ec);
    if (ec)
        throw IoError("cannot create the dataset folder: " + ec.message(), directory);
    RandomGenerator rng(options.seed());
    nlohmann::json training = nlohmann::json::array();
    for (int64_t i = 0; i < options.num_cases(); ++i) {
        if (cancel)
            cancel->throwIfCancelled();
        char name[32];
        std::snprintf(name, sizeof name, flat ? "case_%03lld.png" : "case_%03lld.nii.gz",
                      static_cast<long long>(i));
        SyntheticPair pair = flat ? createTestImage2d(options.image(), rng)
                                  : createTestImage3d(options.image(), rng);
        Volume label(pair.label.data().to(torch::kByte), pair.label.affine());
        if (flat) { // 8-bit pictures
            saveImage(Volume(pair.image.data() * 255.0, pair.image.affine()),
                      (root / "imagesTr" / name).string());
            saveImage(label, (root / "labelsTr" / name).string());
        } else {
            writeNifti(pair.image, (root / "imagesTr" / name).string());
            writeNifti(label, (root / "labelsTr" / name).string());
        }
        training.push_back({{"image", std::string("./imagesTr/") + name},
                            {"label", std::string("./labelsTr/") + name}});
        progress.progress(double(i + 1) / double(options.num_cases()),
                          "writing synthetic case " + std::to_string(i + 1) + "/" +
                              std::to_string(options.num_cases()));
    }
    nlohmann::json labels = {{"0", "background"}};
    const int64_t classes = options.image().num_seg_classes();
    for (int64_t c = 1; c <= classes; ++c)
        labels[std::to_string(c)] =
            classes == 1 ? std::string("sphere") : "sphere " + std::to_string(c);
    nlohmann::json ds = {
        {"name", "MedullaSyntheticSpheres"},
        {"description", flat ? "Seeded random discs over noise (create_test_image_2d style)"
                             : "Seeded random spheres over noise (create_test_image_3d style)"},
        {"tensorImageSize", flat ? "2D" : "3D"},
        {"modality", {{"0", "synthetic"}}},
        {"labels", labels},
        {"numTraining", options.num_cases()},
        {"numTest", 0},
        {"training", training},
        {"test", nlohmann::json::array()}};
    writeTextAtomically((root / "dataset.json").string(), ds.dump(2) + "\n");
}

} // namespace medulla
