#pragma once
/// Writes TensorBoard event files (MONAI's TensorBoardStatsHandler writes
/// through torch.utils.tensorboard.SummaryWriter; this is the C++ end of the
/// same format, without protobuf or TensorFlow).
///
/// File: <logDir>/events.out.tfevents.<unix seconds>.<host>.<pid>.<n> (the
/// name PyTorch's SummaryWriter uses; TensorBoard reads any file whose name
/// contains "tfevents"). It is a stream of TFRecords:
///   uint64 length (little-endian), uint32 masked CRC32C of those 8 bytes,
///   `length` bytes of data, uint32 masked CRC32C of the data,
/// with masked(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8. Each record
/// is one serialized tensorflow.Event protobuf message:
///   wall_time (double, field 1), step (int64, field 2), and either
///   file_version (string, field 3: "brain.Event:2", the first record) or
///   summary (message, field 5) holding Summary.Value {tag (string, field 1),
///   simple_value (float, field 2)}.
///
/// An event file is an append-only stream that TensorBoard reads while it
/// grows, so it is not written through a temporary file: records are
/// appended whole to a buffered stream and reach the file at flush(), when
/// flushSeconds have passed since the last flush (checked on each add), or
/// at close()/destruction. A failed write throws IoError naming the file.
///
/// Threads: every member function may be called from any thread at once.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

namespace medulla {

class TensorBoardWriter {
public:
    /// Creates `logDir` (with its parents) and a new event file in it,
    /// which starts with the file_version record. filenameSuffix is appended
    /// to the name (PyTorch's filename_suffix). Throws IoError naming the
    /// folder or file when it cannot be created.
    explicit TensorBoardWriter(const std::string& logDir, const std::string& filenameSuffix = "",
                               double flushSeconds = 10.0);
    /// Flushes and closes; never throws (a failure here is lost: call
    /// close() to see it).
    ~TensorBoardWriter();
    TensorBoardWriter(const TensorBoardWriter&) = delete;
    TensorBoardWriter& operator=(const TensorBoardWriter&) = delete;

    /// Appends a scalar event (tag, value as float32, step); wallTime in
    /// seconds since 1970 (default: now). Throws IoError when closed or
    /// when the write fails.
    void addScalar(const std::string& tag, double value, int64_t step,
                   std::optional<double> wallTime = std::nullopt);
    /// Pushes the buffered records to the file (fflush; no fsync).
    void flush();
    /// Flushes and closes the file; later adds throw. Idempotent.
    void close();

    /// The event file's full path.
    const std::string& path() const { return path_; }

    /// The serialized Event messages (exposed for tests and other writers).
    static std::string encodeFileVersionEvent(double wallTime);
    static std::string encodeScalarEvent(const std::string& tag, float value, int64_t step,
                                         double wallTime);
    /// One TFRecord around `data` (length, CRCs).
    static std::string frameRecord(const std::string& data);

private:
    void writeRecordLocked(const std::string& data);
    void flushLocked();

    std::mutex mutex_;
    std::string path_;
    std::FILE* file_ = nullptr;
    double flushSeconds_;
    std::chrono::steady_clock::time_point lastFlush_;
};

} // namespace medulla
