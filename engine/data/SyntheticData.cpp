#include "engine/data/SyntheticData.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/io/NiftiIO.h"

namespace fs = std::filesystem;

namespace medulla {

SyntheticPair createTestImage3d(const SyntheticImageOptions& o, RandomGenerator& rng) {
    const int64_t dims[3] = {o.height(), o.width(), o.depth()};
    for (int64_t d : dims)
        if (d <= 2 * o.rad_max())
            throw ConfigError("every size must exceed 2 * rad_max = " +
                                  std::to_string(2 * o.rad_max()),
                              {}, "synthetic.image");
    if (o.rad_min() < 1 || o.rad_min() >= o.rad_max())
        throw ConfigError("need 1 <= rad_min < rad_max", {}, "synthetic.image.rad_min");
    if (o.num_seg_classes() < 1)
        throw ConfigError("must be >= 1", {}, "synthetic.image.num_seg_classes");

    at::Tensor image = torch::zeros({dims[0], dims[1], dims[2]}, torch::kFloat);
    auto gx = torch::arange(dims[0], torch::kFloat).view({-1, 1, 1});
    auto gy = torch::arange(dims[1], torch::kFloat).view({1, -1, 1});
    auto gz = torch::arange(dims[2], torch::kFloat).view({1, 1, -1});
    for (int64_t n = 0; n < o.num_objs(); ++n) {
        const double cx = double(rng.integer(o.rad_max(), dims[0] - o.rad_max()));
        const double cy = double(rng.integer(o.rad_max(), dims[1] - o.rad_max()));
        const double cz = double(rng.integer(o.rad_max(), dims[2] - o.rad_max()));
        const double r = double(rng.integer(o.rad_min(), o.rad_max()));
        at::Tensor inside = ((gx - cx).square() + (gy - cy).square() + (gz - cz).square()) <= r * r;
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

void writeSyntheticDataset(const std::string& directory, const SyntheticDatasetOptions& options,
                           ProgressSink& progress, const CancelToken* cancel) {
    if (options.num_cases() < 1)
        throw ConfigError("must be >= 1", {}, "synthetic.num_cases");
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
        std::snprintf(name, sizeof name, "case_%03lld.nii.gz", static_cast<long long>(i));
        SyntheticPair pair = createTestImage3d(options.image(), rng);
        Volume label(pair.label.data().to(torch::kByte), pair.label.affine());
        writeNifti(pair.image, (root / "imagesTr" / name).string());
        writeNifti(label, (root / "labelsTr" / name).string());
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
        {"description", "Seeded random spheres over noise (create_test_image_3d style)"},
        {"tensorImageSize", "3D"},
        {"modality", {{"0", "synthetic"}}},
        {"labels", labels},
        {"numTraining", options.num_cases()},
        {"numTest", 0},
        {"training", training},
        {"test", nlohmann::json::array()}};
    writeTextAtomically((root / "dataset.json").string(), ds.dump(2) + "\n");
}

} // namespace medulla
