#pragma once
/// NumPy .npy (format 1.0-3.0) and .npz archives: any byte order, C or
/// Fortran memory order; bool, int8-64, uint8-64, float16/32/64. Unsigned
/// types LibTorch lacks (uint16/32/64) are widened to the next signed type.

#include <ATen/Tensor.h>

#include <string>
#include <utility>
#include <vector>

namespace medulla {

/// Parse the bytes of one .npy file; `name` appears in errors.
/// Throws IoError naming it for bad magic, truncation or unsupported dtypes.
at::Tensor parseNpy(const std::string& bytes, const std::string& name);
/// Serialise a CPU tensor as .npy bytes (little endian, C order).
std::string serializeNpy(const at::Tensor& tensor, const std::string& name);

/// NumPy dtype name of a .npy header's descr ("<i2" -> "int16").
std::string npyDtypeName(const std::string& descr);

at::Tensor readNpy(const std::string& path);
/// Write a CPU tensor as .npy, atomically.
void writeNpy(const at::Tensor& tensor, const std::string& path);

/// All arrays of an .npz archive (stored or deflated), in archive order,
/// keyed by name without the ".npy" suffix.
std::vector<std::pair<std::string, at::Tensor>> readNpz(const std::string& path);
/// Write named arrays as an .npz archive (deflated when `compress`), atomically.
void writeNpz(const std::vector<std::pair<std::string, at::Tensor>>& arrays,
              const std::string& path, bool compress = true);

} // namespace medulla
