#pragma once
/// The synthetic cases of shared/bench/monai/bench_transforms.py: a
/// 256x256x100 int16 "CT" .nii.gz (spacing 0.8 x 0.8 x 2.5, LPS-style axes,
/// body ellipse of -20..+380 HU in -1000 air) and its uint8 label.

#include <string>
#include <utility>
#include <vector>

namespace medulla::bench {

/// Writes the missing cases into `dir` (not timed by callers) and returns
/// (image, label) paths.
std::vector<std::pair<std::string, std::string>> spleenLikeCases(const std::string& dir, int cases);

/// The spleen tutorial's training chain as a JSON list: LoadImaged ->
/// EnsureChannelFirstd -> ScaleIntensityRanged(-57, 164, 0, 1, clip) ->
/// CropForegroundd -> Orientationd(RAS) -> Spacingd(1.5, 1.5, 2.0) ->
/// RandCropByPosNegLabeld(crop^3, pos 1, neg 1, `numSamples`); numSamples
/// 0: the deterministic chain only (no random crop; validation).
std::string spleenChainJson(int numSamples = 4, int crop = 96);

} // namespace medulla::bench
