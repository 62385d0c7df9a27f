#include "engine/training/TensorBoardWriter.h"

#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <unistd.h>

#include "engine/core/Error.h"

namespace fs = std::filesystem;

namespace medulla {

namespace {

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven.
std::array<uint32_t, 256> makeCrc32cTable() {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[i] = c;
    }
    return table;
}

uint32_t crc32c(const char* data, size_t n) {
    static const std::array<uint32_t, 256> table = makeCrc32cTable();
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; ++i)
        c = table[(c ^ uint8_t(data[i])) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

/// TFRecord's masked CRC (a CRC of data that holds CRCs is weak otherwise).
uint32_t maskedCrc(const char* data, size_t n) {
    const uint32_t c = crc32c(data, n);
    return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

void putLittleEndian(std::string& out, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
        out.push_back(char((v >> (8 * i)) & 0xFFu));
}

void putVarint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(char((v & 0x7Fu) | 0x80u));
        v >>= 7;
    }
    out.push_back(char(v));
}

/// Protobuf field key: (field number << 3) | wire type.
void putKey(std::string& out, int field, int wireType) {
    putVarint(out, uint64_t(field) << 3 | uint64_t(wireType));
}

constexpr int kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5;

void putBytesField(std::string& out, int field, const std::string& bytes) {
    putKey(out, field, kLengthDelimited);
    putVarint(out, bytes.size());
    out += bytes;
}

void putDoubleField(std::string& out, int field, double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    putKey(out, field, kFixed64);
    putLittleEndian(out, bits, 8);
}

void putFloatField(std::string& out, int field, float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    putKey(out, field, kFixed32);
    putLittleEndian(out, bits, 4);
}

/// Event.wall_time and Event.step (an int64: negative steps take 10 bytes).
std::string eventHeader(double wallTime, int64_t step) {
    std::string e;
    putDoubleField(e, 1, wallTime);
    putKey(e, 2, kVarint);
    putVarint(e, uint64_t(step));
    return e;
}

double nowSeconds() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string hostName() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0')
        return "localhost";
    return name;
}

} // namespace

std::string TensorBoardWriter::encodeFileVersionEvent(double wallTime) {
    std::string e = eventHeader(wallTime, 0);
    putBytesField(e, 3, "brain.Event:2");
    return e;
}

std::string TensorBoardWriter::encodeScalarEvent(const std::string& tag, float value, int64_t step,
                                                 double wallTime) {
    std::string v; // Summary.Value
    putBytesField(v, 1, tag);
    putFloatField(v, 2, value);
    std::string summary; // Summary { repeated Value value = 1; }
    putBytesField(summary, 1, v);
    std::string e = eventHeader(wallTime, step);
    putBytesField(e, 5, summary);
    return e;
}

std::string TensorBoardWriter::frameRecord(const std::string& data) {
    std::string r;
    r.reserve(data.size() + 16);
    putLittleEndian(r, data.size(), 8);
    putLittleEndian(r, maskedCrc(r.data(), 8), 4);
    r += data;
    putLittleEndian(r, maskedCrc(data.data(), data.size()), 4);
    return r;
}

TensorBoardWriter::TensorBoardWriter(const std::string& logDir, const std::string& filenameSuffix,
                                     double flushSeconds)
    : flushSeconds_(flushSeconds), lastFlush_(std::chrono::steady_clock::now()) {
    std::error_code ec;
    fs::create_directories(logDir, ec);
    if (ec || !fs::is_directory(logDir))
        throw IoError("cannot create the TensorBoard log folder" +
                          (ec ? ": " + ec.message() : std::string()),
                      logDir);
    static std::atomic<uint64_t> counter{0};
    const std::string stem = "events.out.tfevents." +
                             std::to_string(int64_t(std::floor(nowSeconds()))) + "." + hostName() +
                             "." + std::to_string(getpid()) + ".";
    for (int attempt = 0; attempt < 100 && !file_; ++attempt) {
        path_ = (fs::path(logDir) / (stem + std::to_string(counter++) + filenameSuffix)).string();
        file_ = std::fopen(path_.c_str(), "wbx"); // never reuse an existing file
        if (!file_ && errno != EEXIST)
            throw IoError(std::string("cannot create the event file: ") + std::strerror(errno),
                          path_);
    }
    if (!file_)
        throw IoError("cannot create a new event file (names taken)", path_);
    std::lock_guard<std::mutex> lock(mutex_);
    try {
        writeRecordLocked(encodeFileVersionEvent(nowSeconds()));
        flushLocked();
    } catch (...) {
        std::fclose(file_);
        file_ = nullptr;
        throw;
    }
}

TensorBoardWriter::~TensorBoardWriter() {
    try {
        close();
    } catch (...) { // a destructor must not throw; close() reports failures
    }
}

void TensorBoardWriter::writeRecordLocked(const std::string& data) {
    if (!file_)
        throw IoError("the TensorBoard writer is closed", path_);
    const std::string record = frameRecord(data);
    if (std::fwrite(record.data(), 1, record.size(), file_) != record.size())
        throw IoError(std::string("cannot write the event file: ") + std::strerror(errno), path_);
}

void TensorBoardWriter::flushLocked() {
    if (file_ && std::fflush(file_) != 0)
        throw IoError(std::string("cannot write the event file: ") + std::strerror(errno), path_);
    lastFlush_ = std::chrono::steady_clock::now();
}

void TensorBoardWriter::addScalar(const std::string& tag, double value, int64_t step,
                                  std::optional<double> wallTime) {
    const std::string event =
        encodeScalarEvent(tag, float(value), step, wallTime ? *wallTime : nowSeconds());
    std::lock_guard<std::mutex> lock(mutex_);
    writeRecordLocked(event);
    const double since =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - lastFlush_).count();
    if (since >= flushSeconds_)
        flushLocked();
}

void TensorBoardWriter::flush() {
    std::lock_guard<std::mutex> lock(mutex_);
    flushLocked();
}

void TensorBoardWriter::close() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!file_)
        return;
    std::FILE* f = file_;
    file_ = nullptr;
    const bool flushed = std::fflush(f) == 0;
    const int flushErrno = errno;
    const bool closed = std::fclose(f) == 0;
    if (!flushed || !closed)
        throw IoError(std::string("cannot write the event file: ") +
                          std::strerror(flushed ? errno : flushErrno),
                      path_);
}

} // namespace medulla
