#pragma once
/// Transposed convolution built from regular convolutions (sub-pixel /
/// polyphase decomposition), for CPU builds of LibTorch 1.13 where
/// `conv_transpose3d` runs the slow im2col + gemm kernel
/// (`slow_conv_transpose3d`) while a regular `conv3d` runs oneDNN.
///
/// For stride s along a dimension, output index o = s*u + rho belongs to
/// phase rho; every phase is a regular convolution of the input with the taps
/// of the kernel that land on it (flipped, in/out channels swapped). The s^d
/// phase outputs are interleaved into the result. Everything is made of
/// differentiable ATen ops, so autograd gives exact gradients for the input,
/// the weight and the bias.
///
/// Measured (bench/bench_conv_transpose, 2026-11-29, 2-vCPU AMD EPYC, Debian
/// LibTorch 1.13.1 with oneDNN + OpenBLAS): on the spleen UNet's up-convolutions
/// (k3 s2 p1 op1) ATen's own slow_conv_transpose3d (one OpenBLAS gemm +
/// col2im) was faster than both methods, forward and forward + backward,
/// mostly by 1.4x-4x; only 64->16 at 24^3 came out level (+-20% between
/// runs). Channels-last inputs did not change that. Measure before using this
/// on a CPU; it is kept as an exact, tested alternative for other stacks.

#include <ATen/ATen.h>

namespace medulla {

/// How convTranspose computes. `Phases`: one regular convolution per output
/// phase (s_0 * .. * s_{d-1} of them, each with only the kernel taps that
/// reach it; phases no tap reaches are the bias). `FusedPhases`: a single
/// regular convolution whose output channels are all phases, each phase's
/// taps placed in a common window (zero elsewhere; more multiply-adds, one
/// call); used where no sub-convolution is dilated (dilation divides stride),
/// else `Phases`. `ATen`: at::convolution(transposed=true) itself.
enum class ConvTransposeMethod { Phases, FusedPhases, ATen };

/// Same result (within float rounding) as
/// `at::convolution(x, weight, bias, stride, padding, dilation, true, outputPadding, groups)`
/// for 1, 2 or 3 spatial dimensions.
///
/// `x` is [N, Cin, *spatial], `weight` [Cin, Cout/groups, *kernel] (PyTorch's
/// ConvTranspose layout), `bias` [Cout] or undefined. `stride`, `padding`,
/// `outputPadding` and `dilation` have one entry per spatial dimension, or a
/// single entry used for all of them. Any stride, padding, output padding,
/// dilation and group count is decomposed; inputs the decomposition does not
/// take (an unbatched input, a spatial-dimension count other than 1-3, a
/// non-strided or quantized tensor) go to `at::convolution(..., true, ...)`.
/// Invalid arguments throw as `at::convolution` does.
at::Tensor convTranspose(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                         at::IntArrayRef stride, at::IntArrayRef padding,
                         at::IntArrayRef outputPadding, at::IntArrayRef dilation, int64_t groups,
                         ConvTransposeMethod method = ConvTransposeMethod::Phases);

} // namespace medulla
