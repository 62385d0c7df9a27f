#pragma once
/// Deterministic training: the same experiment, seed and thread count give
/// bitwise the same weights, run after run and across a kill and resume.
///
/// What it sets: LibTorch's deterministic algorithms (an operation without
/// a deterministic implementation then throws, naming itself, instead of
/// silently varying), cuDNN deterministic with benchmarking off, and, for
/// CUDA, CUBLAS_WORKSPACE_CONFIG=:4096:8 unless already set (it must be set
/// before the first cuBLAS call). What it cannot set: the intra-op thread
/// count must be fixed by the caller (trainer.threads / --threads), because
/// CPU reductions split their work by the number of threads.
///
/// Threads: process-wide; call before training starts.

namespace medulla {

/// Turn deterministic mode on or off (off restores LibTorch's defaults).
void setDeterministic(bool on);

/// Whether deterministic algorithms are on.
bool isDeterministic();

} // namespace medulla
