#pragma once
/// Image readers and their registry: the heart of the LoadImage factory.
///
/// A reader says whether it can read a path (from its name and its first
/// bytes) and reads it into a LoadedImage. The registry keeps readers in a
/// documented order (see ReaderRegistry::select). Readers are stateless and
/// may be used from several threads at once.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <ATen/Tensor.h>

#include "engine/io/ImageMeta.h"

namespace medulla {

/// What a reader returns: the voxels in the reader's native layout plus the
/// metadata. `data` is (X, Y[, Z]) for single-channel images and has the
/// channel axis at `meta.originalChannelDim` otherwise (MONAI's layout
/// before EnsureChannelFirst); values are the file's after rescaling, in
/// `data`'s dtype (the source type where it is exact, else float32/64).
struct LoadedImage {
    at::Tensor data;
    Affine affine; ///< RAS+ voxel -> world mm for the spatial axes
    ImageMeta meta;
};

/// Reader-specific choices, passed through LoadImage.
struct ReadOptions {
    /// DicomReader on a folder holding several series: which one
    /// (SeriesInstanceUID, optionally followed by " part N").
    std::string seriesUid;
    /// NumpyReader on .npz: the arrays to load (stacked as channels when
    /// several); empty = all arrays except a 4x4 "affine".
    std::vector<std::string> npzKeys;
};

/// The first bytes of a file and its lower-cased name, for content sniffing.
struct FileProbe {
    std::string path;
    std::string lowerName; ///< file name only, lower case
    bool isDirectory = false;
    std::string head; ///< up to 512 first bytes (empty for directories)
    bool endsWith(const std::string& suffix) const;
};

/// Read `path`'s name and first bytes. Throws IoError if it does not exist.
FileProbe probeFile(const std::string& path);

class ImageReader {
public:
    virtual ~ImageReader() = default;
    /// Registry name, as in MONAI ("ITKReader", "NumpyReader", …).
    virtual std::string name() const = 0;
    /// One line for `medulla info` and error messages: what it reads.
    virtual std::string formats() const = 0;
    /// True if the name or content says this reader handles the file.
    virtual bool canRead(const FileProbe& probe) const = 0;
    /// Read the file (or folder); throws IoError naming the file and the
    /// reason for anything it cannot read correctly.
    virtual LoadedImage read(const std::string& path, const ReadOptions& options = {}) const = 0;
};

using ReaderFactory = std::function<std::shared_ptr<ImageReader>()>;

/// Process-wide reader registry. Thread-safe.
class ReaderRegistry {
public:
    static ReaderRegistry& instance();

    /// Register (or replace, same name) a reader. Readers registered at run
    /// time are tried before the built-in ones, the most recent first.
    void add(std::shared_ptr<ImageReader> reader);
    /// The reader with this name (case-insensitive); throws ConfigError
    /// listing the known names.
    std::shared_ptr<ImageReader> byName(const std::string& name) const;
    /// Choose a reader for `path`: run-time readers (newest first), then the
    /// built-ins in this order: NiftiReader, NumpyReader, DicomReader,
    /// ITKReader. The first whose canRead() accepts the file wins. Throws
    /// IoError naming the file when none does.
    std::shared_ptr<ImageReader> select(const std::string& path) const;
    /// All readers in selection order.
    std::vector<std::shared_ptr<ImageReader>> readers() const;

private:
    ReaderRegistry();
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace medulla
