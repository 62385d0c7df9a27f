#include "bench/BenchData.h"

#include <torch/torch.h>

#include <filesystem>

#include "engine/data/SyntheticData.h"
#include "engine/io/NiftiIO.h"

namespace medulla::bench {

std::vector<std::pair<std::string, std::string>> spleenLikeCases(const std::string& dir,
                                                                 int cases) {
    std::filesystem::create_directories(dir);
    const Affine affine({{{-0.8, 0, 0, 0}, {0, -0.8, 0, 0}, {0, 0, 2.5, 0}, {0, 0, 0, 1}}});
    std::vector<std::pair<std::string, std::string>> files;
    for (int i = 0; i < cases; ++i) {
        const std::string img = dir + "/img_" + std::to_string(i) + ".nii.gz";
        const std::string lbl = dir + "/lbl_" + std::to_string(i) + ".nii.gz";
        files.emplace_back(img, lbl);
        if (std::filesystem::exists(img) && std::filesystem::exists(lbl))
            continue;
        RandomGenerator rng{uint64_t(i)};
        auto pair = createTestImage3d(SyntheticImageOptions()
                                          .height(256)
                                          .width(256)
                                          .depth(100)
                                          .num_objs(12)
                                          .rad_max(30)
                                          .rad_min(10)
                                          .noise_max(0.1)
                                          .num_seg_classes(1),
                                      rng);
        auto x = torch::arange(256, torch::kFloat).view({-1, 1, 1});
        auto y = torch::arange(256, torch::kFloat).view({1, -1, 1});
        at::Tensor body =
            ((x - 128) / (0.45 * 256)).square() + ((y - 128) / (0.40 * 256)).square() <= 1;
        body = body.expand({256, 256, 100}).unsqueeze(0);
        at::Tensor image =
            torch::where(body, (pair.image.data() * 400 - 20).round(), torch::full({1}, -1000.0f));
        at::Tensor label = (pair.label.data() > 0).logical_and(body);
        writeNifti(Volume(image.to(torch::kShort), affine), img);
        writeNifti(Volume(label.to(torch::kByte), affine), lbl);
    }
    return files;
}

std::string spleenChainJson(int numSamples, int crop) {
    std::string chain = R"([
  {"name": "LoadImaged", "keys": ["image", "label"]},
  {"name": "EnsureChannelFirstd", "keys": ["image", "label"]},
  {"name": "ScaleIntensityRanged", "keys": ["image"], "a_min": -57, "a_max": 164,
   "b_min": 0.0, "b_max": 1.0, "clip": true},
  {"name": "CropForegroundd", "keys": ["image", "label"], "source_key": "image",
   "allow_smaller": true},
  {"name": "Orientationd", "keys": ["image", "label"], "axcodes": "RAS"},
  {"name": "Spacingd", "keys": ["image", "label"], "pixdim": [1.5, 1.5, 2.0],
   "mode": ["bilinear", "nearest"]})";
    if (numSamples > 0) {
        const std::string c = std::to_string(crop);
        chain += R"(,
  {"name": "RandCropByPosNegLabeld", "keys": ["image", "label"], "label_key": "label",
   "spatial_size": [)" +
                 c + ", " + c + ", " + c + R"(], "pos": 1, "neg": 1, "num_samples": )" +
                 std::to_string(numSamples) + R"(, "image_key": "image", "image_threshold": 0})";
    }
    return chain + "\n]";
}

} // namespace medulla::bench
