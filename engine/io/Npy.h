#pragma once
/// NumPy .npy files (format 1.x/2.x, C order): float32/64, int8-64, uint8,
/// bool; read into a tensor of the same dtype and shape, write atomically.

#include <ATen/Tensor.h>

#include <string>

namespace medulla {

/// Throws IoError naming the file for missing, truncated, Fortran-order or
/// unsupported-dtype files.
at::Tensor readNpy(const std::string& path);

/// Write a CPU tensor (any supported dtype) as .npy, atomically.
void writeNpy(const at::Tensor& tensor, const std::string& path);

} // namespace medulla
