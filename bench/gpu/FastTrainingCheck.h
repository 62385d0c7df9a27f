#pragma once
/// bench_gpu's "fast_training" check: time to a validation mean Dice of
/// `target` for MONAI's two training recipes on the GPU, the GPU twin of
/// bench/bench_fast_training (which runs the real Trainer on the NIfTI
/// spleen-like cases and needs ITK; the compute-only build has no file IO):
///
///   plain: volumes stay in host memory and every step's crops are copied
///          to the device (a plain Dataset + DataLoader), Adam lr 1e-4,
///          float32;
///   fast:  volumes moved to the device once (CacheDataset + ToDeviced),
///          Novograd lr 1e-3, AMP (Autocast fp16 + GradScaler on CUDA;
///          bf16 autocast on the CPU of a dry run).
///
/// Data: `cases` synthetic sphere volumes of edge `volume` (the last two
/// validate); each step trains on 2 random crops of `patch`^3 from random
/// training volumes; an "epoch" is (cases - 2) steps, after which the whole
/// validation volumes are predicted and their foreground Dice averaged.
/// Same spleen UNet (16..256, 2 residual units, batch norm), DiceLoss and
/// seeds for both. The clock includes moving the cache to the device.

#include <ATen/Tensor.h>
#include <nlohmann/json.hpp>

#include <cstdint>

#include "engine/networks/UNet.h"

namespace medulla::bench {

/// MONAI's spleen-tutorial UNet: UNet(3, 1, 2, (16,32,64,128,256),
/// (2,2,2,2), num_res_units=2, norm=batch), on the CPU, in train mode.
UNet spleenUnet();

struct FastTrainingSettings {
    int cases = 10;
    int volume = 128; ///< multiple of 16
    int patch = 96;   ///< multiple of 16, <= volume
    int maxEpochs = 100;
    double target = 0.9;
    uint64_t seed = 0;
};

/// One JSON object: per recipe seconds_to_target (null when not reached),
/// epochs_to_target, epoch Dice values and the median epoch time, and the
/// speed-up. `device`: where to train (CUDA, or the CPU for a dry run).
/// `volumes`, `labels`: (cases, 1, V, V, V) float32 on the CPU.
nlohmann::json fastTrainingCheck(const at::Device& device, const at::Tensor& volumes,
                                 const at::Tensor& labels, const FastTrainingSettings& settings);

} // namespace medulla::bench
