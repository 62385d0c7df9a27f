#pragma once
/// An independent reader of TensorBoard event files for the tests: TFRecord
/// framing with both CRCs checked against a bit-wise CRC-32C, then a generic
/// protobuf wire-format parser of tensorflow.Event / Summary.Value. Shared by
/// test_tensorboard (the writer) and test_workflows_trainer (the event files
/// of whole runs).

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace medulla::test::tb {

/// CRC-32C one bit at a time (Castagnoli, reflected 0x82F63B78).
inline uint32_t crc32cBitwise(const std::string& bytes) {
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char b : bytes) {
        crc ^= b;
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

inline uint32_t masked(uint32_t crc) {
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

inline uint64_t littleEndian(const std::string& s, size_t at, int bytes) {
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i)
        v = (v << 8) | uint8_t(s.at(at + i));
    return v;
}

inline std::string readFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

/// The records of a TFRecord file; throws on a bad length or CRC.
inline std::vector<std::string> readRecords(const std::string& path) {
    const std::string file = readFile(path);
    std::vector<std::string> records;
    size_t pos = 0;
    while (pos < file.size()) {
        if (file.size() - pos < 12)
            throw std::runtime_error("truncated header at " + std::to_string(pos));
        const uint64_t n = littleEndian(file, pos, 8);
        if (masked(crc32cBitwise(file.substr(pos, 8))) != littleEndian(file, pos + 8, 4))
            throw std::runtime_error("bad length CRC at " + std::to_string(pos));
        if (file.size() - pos - 12 < n + 4)
            throw std::runtime_error("truncated record at " + std::to_string(pos));
        std::string data = file.substr(pos + 12, n);
        if (masked(crc32cBitwise(data)) != littleEndian(file, pos + 12 + n, 4))
            throw std::runtime_error("bad data CRC at " + std::to_string(pos));
        records.push_back(std::move(data));
        pos += 12 + n + 4;
    }
    return records;
}

/// A protobuf wire-format reader over one message.
struct Wire {
    const std::string& s;
    size_t pos = 0;
    bool done() const { return pos >= s.size(); }
    uint64_t varint() {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            const uint8_t b = uint8_t(s.at(pos++));
            v |= uint64_t(b & 0x7F) << shift;
            if (!(b & 0x80))
                return v;
        }
        throw std::runtime_error("varint too long");
    }
    std::string bytes() {
        const uint64_t n = varint();
        if (n > s.size() - pos)
            throw std::runtime_error("length past the end");
        std::string out = s.substr(pos, n);
        pos += n;
        return out;
    }
    uint64_t fixed(int n) {
        const uint64_t v = littleEndian(s, pos, n);
        pos += n;
        return v;
    }
};

struct Event {
    double wallTime = 0;
    int64_t step = 0;
    std::string fileVersion;
    std::vector<std::pair<std::string, float>> values;
};

inline Event decodeEvent(const std::string& data) {
    Event e;
    Wire w{data};
    while (!w.done()) {
        const uint64_t key = w.varint();
        const uint64_t field = key >> 3, type = key & 7;
        if (field == 1 && type == 1) {
            const uint64_t bits = w.fixed(8);
            std::memcpy(&e.wallTime, &bits, 8);
        } else if (field == 2 && type == 0) {
            e.step = int64_t(w.varint());
        } else if (field == 3 && type == 2) {
            e.fileVersion = w.bytes();
        } else if (field == 5 && type == 2) {
            const std::string summary = w.bytes();
            Wire sw{summary};
            while (!sw.done()) {
                if (sw.varint() != (1 << 3 | 2))
                    throw std::runtime_error("Summary: unexpected field");
                const std::string value = sw.bytes();
                Wire vw{value};
                std::pair<std::string, float> tv;
                while (!vw.done()) {
                    const uint64_t k = vw.varint();
                    if (k == (1 << 3 | 2)) {
                        tv.first = vw.bytes();
                    } else if (k == (2 << 3 | 5)) {
                        const uint32_t bits = uint32_t(vw.fixed(4));
                        std::memcpy(&tv.second, &bits, 4);
                    } else {
                        throw std::runtime_error("Summary.Value: unexpected field");
                    }
                }
                e.values.push_back(tv);
            }
        } else {
            throw std::runtime_error("Event: unexpected field " + std::to_string(field));
        }
    }
    return e;
}

inline std::vector<Event> readEvents(const std::string& path) {
    std::vector<Event> events;
    for (const auto& r : readRecords(path))
        events.push_back(decodeEvent(r));
    return events;
}

/// (step, value) of every scalar with `tag` in `events`, in file order.
inline std::vector<std::pair<int64_t, float>> scalars(const std::vector<Event>& events,
                                                      const std::string& tag) {
    std::vector<std::pair<int64_t, float>> out;
    for (const auto& e : events)
        for (const auto& v : e.values)
            if (v.first == tag)
                out.emplace_back(e.step, v.second);
    return out;
}

} // namespace medulla::test::tb
