#pragma once
/// Seeded synthetic 3D image/label pairs made the way MONAI's
/// create_test_image_3d makes them: random spheres of random intensity
/// (or class) over a noise floor, rescaled to [0, 1]; and their 2D
/// counterpart (create_test_image_2d: discs). The built-in demo data.

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
    Volume image; ///< (1, X, Y, Z) (2D: (1, X, Y)) float32 in [0, 1]
    Volume label; ///< same shape, float32 with values 0..num_seg_classes
};

/// One pair. Throws ConfigError if the radii do not fit the size.
SyntheticPair createTestImage3d(const SyntheticImageOptions& options, RandomGenerator& rng);

/// One 2D pair, (1, height, width): discs instead of spheres, drawn like
/// createTestImage3d (per disc: centre x, centre y, radius, value); depth()
/// is ignored. Throws ConfigError if the radii do not fit the size.
SyntheticPair createTestImage2d(const SyntheticImageOptions& options, RandomGenerator& rng);

struct SyntheticDatasetOptions {
    /// Number of cases written.
    TORCH_ARG(int64_t, num_cases) = 16;
    TORCH_ARG(uint64_t, seed) = 0;
    TORCH_ARG(SyntheticImageOptions, image) = {};
    /// 3: NIfTI volumes (createTestImage3d); 2: 8-bit PNG images
    /// (createTestImage2d, intensities round(255 * image), like MedNIST's
    /// 8-bit pictures) and PNG label maps.
    TORCH_ARG(int64_t, spatial_dims) = 3;
};

/// Write a Decathlon-style folder: imagesTr/case_NNN.nii.gz,
/// labelsTr/case_NNN.nii.gz (2D: case_NNN.png) and dataset.json listing
/// them under "training".
/// Reports per-case progress; throws CancelledError when cancelled.
void writeSyntheticDataset(const std::string& directory, const SyntheticDatasetOptions& options,
                           ProgressSink& progress, const CancelToken* cancel = nullptr);

} // namespace medulla
