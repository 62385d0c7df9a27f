/// TensorBoardWriter: the event files are decoded here by an independent
/// reader (TFRecord framing with both CRCs checked against a bit-wise
/// CRC-32C, then a generic protobuf wire-format parser), and by the Python
/// standard-library reader tests/data/tensorboard/read_events.py (the
/// tensorboard_events_python test).

#include "TensorBoardTestSupport.h"
#include "TestSupport.h"

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "engine/core/Error.h"
#include "engine/training/TensorBoardWriter.h"

using namespace medulla;
using namespace medulla::test::tb;

namespace {

double now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string hostName() {
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return name;
}

std::string hex(const std::string& s) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

} // namespace

class TestTensorBoard : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void referenceCrcMatchesTheKnownCheckValue() {
        // CRC-32C of "123456789" is 0xE3069283 (RFC 3720, B.4).
        QCOMPARE(crc32cBitwise("123456789"), 0xE3069283u);
        QCOMPARE(crc32cBitwise(""), 0u);
    }

    void encodesEventsByteForByte() {
        // Event{wall_time 0, step 1, summary{value{tag "a", simple_value 1}}},
        // encoded by hand from the .proto field numbers and wire types.
        QCOMPARE(hex(TensorBoardWriter::encodeScalarEvent("a", 1.0f, 1, 0.0)),
                 std::string("09"
                             "0000000000000000" // wall_time: fixed64 0.0
                             "1001"             // step: varint 1
                             "2a0a"             // summary: 10 bytes
                             "0a08"             //   value: 8 bytes
                             "0a0161"           //     tag "a"
                             "150000803f"));    //     simple_value 1.0f
        // wall_time 1.5, step -1 (ten-byte varint), file_version.
        QCOMPARE(hex(TensorBoardWriter::encodeFileVersionEvent(1.5)),
                 std::string("09000000000000f83f1000"
                             "1a0d") +
                     hex("brain.Event:2"));
        QCOMPARE(hex(TensorBoardWriter::encodeScalarEvent("", 0.0f, -1, 0.0)).substr(18, 22),
                 std::string("10ffffffffffffffffff01"));
        // An empty record: zero length, its CRC, no data, the CRC of nothing.
        const std::string empty = TensorBoardWriter::frameRecord("");
        QCOMPARE(empty.size(), size_t(16));
        QCOMPARE(littleEndian(empty, 8, 4), uint64_t(masked(crc32cBitwise(std::string(8, '\0')))));
        QCOMPARE(hex(empty.substr(12)), std::string("d8ea82a2")); // masked(0)
    }

    void writesAFileAnIndependentReaderDecodes() {
        QTemporaryDir dir;
        const std::string logDir = dir.path().toStdString() + "/runs/exp1"; // created
        const double t0 = now();
        std::string path;
        {
            TensorBoardWriter writer(logDir);
            path = writer.path();
            writer.addScalar("loss", 0.5, 1, 1000.25);
            writer.addScalar("val/mean_dice", 0.1, 2);
            writer.addScalar("Dice/\xc2\xb5", -7.25, -3, 2.0); // UTF-8 tag, negative step
            writer.addScalar("big", 1e30, int64_t(1) << 40, 3.0);
            writer.addScalar("nan", std::nan(""), 5, 4.0);
            writer.close();
        }
        const double t1 = now();
        const std::string name = std::filesystem::path(path).filename().string();
        QVERIFY2(std::regex_match(
                     name, std::regex("events\\.out\\.tfevents\\.[0-9]+\\." +
                                      std::regex_replace(hostName(), std::regex("[.]"), "\\.") +
                                      "\\.[0-9]+\\.[0-9]+")),
                 name.c_str());
        QCOMPARE(std::filesystem::path(path).parent_path().string(), logDir);

        std::vector<Event> events;
        try {
            events = readEvents(path);
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        QCOMPARE(events.size(), size_t(6));
        QCOMPARE(events[0].fileVersion, std::string("brain.Event:2"));
        QVERIFY(events[0].values.empty());
        QVERIFY(events[0].wallTime >= t0 - 1 && events[0].wallTime <= t1 + 1);
        QCOMPARE(events[1].wallTime, 1000.25);
        QCOMPARE(events[1].step, int64_t(1));
        QCOMPARE(events[1].values.size(), size_t(1));
        QCOMPARE(events[1].values[0].first, std::string("loss"));
        QCOMPARE(events[1].values[0].second, 0.5f);
        QVERIFY(events[2].wallTime >= t0 - 1 && events[2].wallTime <= t1 + 1);
        QCOMPARE(events[2].values[0].first, std::string("val/mean_dice"));
        QCOMPARE(events[2].values[0].second, 0.1f);
        QCOMPARE(events[2].step, int64_t(2));
        QCOMPARE(events[3].values[0].first, std::string("Dice/\xc2\xb5"));
        QCOMPARE(events[3].values[0].second, -7.25f);
        QCOMPARE(events[3].step, int64_t(-3));
        QCOMPARE(events[4].step, int64_t(1) << 40);
        QCOMPARE(events[4].values[0].second, 1e30f);
        QVERIFY(std::isnan(events[5].values[0].second));
    }

    void flushMakesRecordsVisibleWhileOpen() {
        QTemporaryDir dir;
        TensorBoardWriter writer(dir.path().toStdString(), ".suffix", /*flushSeconds=*/1e9);
        QVERIFY(writer.path().size() > 7 &&
                writer.path().compare(writer.path().size() - 7, 7, ".suffix") == 0);
        QCOMPARE(readEvents(writer.path()).size(), size_t(1)); // the version record, flushed
        writer.addScalar("a", 1.0, 1);
        writer.addScalar("b", 2.0, 2);
        writer.flush();
        const auto events = readEvents(writer.path());
        QCOMPARE(events.size(), size_t(3));
        QCOMPARE(events[2].values[0].first, std::string("b"));
    }

    void destructorFlushesAndTwoWritersGetTwoFiles() {
        QTemporaryDir dir;
        std::string first, second;
        {
            TensorBoardWriter a(dir.path().toStdString());
            TensorBoardWriter b(dir.path().toStdString());
            first = a.path();
            second = b.path();
            a.addScalar("x", 3.0, 7);
        }
        QVERIFY(first != second);
        const auto events = readEvents(first);
        QCOMPARE(events.size(), size_t(2));
        QCOMPARE(events[1].step, int64_t(7));
        QCOMPARE(readEvents(second).size(), size_t(1));
    }

    void concurrentWritersInterleaveWholeRecords() {
        QTemporaryDir dir;
        TensorBoardWriter writer(dir.path().toStdString(), "", /*flushSeconds=*/0.0);
        const int threads = 4, perThread = 250;
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&writer, t] {
                for (int k = 0; k < perThread; ++k) {
                    writer.addScalar("thread" + std::to_string(t), t * 1000 + k, k);
                    if (k % 50 == 0)
                        writer.flush();
                }
            });
        for (auto& th : pool)
            th.join();
        writer.close();
        const auto events = readEvents(writer.path());
        QCOMPARE(events.size(), size_t(threads * perThread + 1));
        std::set<std::pair<std::string, int64_t>> seen;
        for (size_t i = 1; i < events.size(); ++i) {
            const auto& [tag, value] = events[i].values.at(0);
            const int t = std::stoi(tag.substr(6));
            QCOMPARE(value, float(t * 1000 + events[i].step));
            QVERIFY(seen.insert({tag, events[i].step}).second);
        }
        QCOMPARE(seen.size(), size_t(threads * perThread));
    }

    void errorsNameTheFile() {
        QTemporaryDir dir;
        const std::string blocker = dir.path().toStdString() + "/not_a_folder";
        std::ofstream(blocker) << "x";
        try {
            TensorBoardWriter writer(blocker + "/logs");
            QFAIL("no error for a log folder under a file");
        } catch (const IoError& e) {
            QCOMPARE(e.file(), blocker + "/logs");
        }
        TensorBoardWriter writer(dir.path().toStdString());
        writer.close();
        writer.close(); // idempotent
        try {
            writer.addScalar("late", 1.0, 1);
            QFAIL("no error after close()");
        } catch (const IoError& e) {
            QCOMPARE(e.file(), writer.path());
            QVERIFY(std::string(e.what()).find("closed") != std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestTensorBoard)
#include "test_tensorboard.moc"
