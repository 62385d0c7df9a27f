#pragma once
/// Seeded synthetic 3D image/label pairs made the way MONAI's
/// create_test_image_3d makes them: random spheres of random intensity
/// (or class) over a noise floor, rescaled to [0, 1]. The built-in demo data.

#include <torch/arg.h>

#include <cstdint>
#include <string>

#include "engine/core/CancelToken.h"
#include "engine/core/Progress.h"
#include "engine/core/Random.h"
#include "engine/core/Volume.h"

namespace medulla {

struct SyntheticImageOptions {
    /// Volume size (X, Y, Z) in voxels.
    TORCH_ARG(int64_t, height) = 64;
    TORCH_ARG(int64_t, width) = 64;
    TORCH_ARG(int64_t, depth) = 64;
    /// Number of spheres.
    TORCH_ARG(int64_t, num_objs) = 12;
    /// Sphere radius range [rad_min, rad_max), voxels.
    TORCH_ARG(int64_t, rad_max) = 30;
    TORCH_ARG(int64_t, rad_min) = 5;
    /// Upper bound of the uniform noise floor.
    TORCH_ARG(double, noise_max) = 0.0;
    /// 1: binary label (spheres of random brightness); > 1: classes 1..n.
    TORCH_ARG(int64_t, num_seg_classes) = 5;
    /// Voxel spacing written to the affine (mm).
    TORCH_ARG(double, spacing) = 1.0;
};

struct SyntheticPair {
    Volume image; ///< (1, X, Y, Z) float32 in [0, 1]
    Volume label; ///< (1, X, Y, Z) float32 with values 0..num_seg_classes
};

/// One pair. Throws ConfigError if the radii do not fit the size.
SyntheticPair createTestImage3d(const SyntheticImageOptions& options, RandomGenerator& rng);

struct SyntheticDatasetOptions {
    /// Number of cases written.
    TORCH_ARG(int64_t, num_cases) = 16;
    TORCH_ARG(uint64_t, seed) = 0;
    TORCH_ARG(SyntheticImageOptions, image) = {};
};

/// Write a Decathlon-style folder: imagesTr/case_NNN.nii.gz,
/// labelsTr/case_NNN.nii.gz and dataset.json listing them under "training".
/// Reports per-case progress; throws CancelledError when cancelled.
void writeSyntheticDataset(const std::string& directory, const SyntheticDatasetOptions& options,
                           ProgressSink& progress, const CancelToken* cancel = nullptr);

} // namespace medulla
