/// The Medical Segmentation Decathlon downloader against a local HTTP
/// server: checksums, resumable downloads (dropped connections, an existing
/// .part, servers that ignore Range), cancel, HTTP errors, all-or-nothing
/// extraction (corrupt archives, unsafe entries) and MONAI's split semantics.

#include "TestSupport.h"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <functional>
#include <regex>
#include <set>

#include "LocalHttpServer.h"
#include "engine/core/CancelToken.h"
#include "engine/core/Error.h"
#include "engine/data/Archive.h"
#include "engine/data/Checksum.h"
#include "engine/data/DecathlonDataset.h"
#include "engine/data/Download.h"
#include "engine/data/SyntheticData.h"

using namespace medulla;
using medulla::test::LocalHttpServer;
namespace fs = std::filesystem;

namespace {

const std::string kTask = "Task09_Spleen";

/// Records every report; `onReport` may throw or cancel.
class RecordingSink : public ProgressSink {
public:
    void progress(double fraction, const std::string& message) override {
        fractions.push_back(fraction);
        messages.push_back(message);
        if (onReport)
            onReport(fraction, message);
    }
    std::vector<double> fractions;
    std::vector<std::string> messages;
    std::function<void(double, const std::string&)> onReport;
};

std::string readBytes(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

void writeBytes(const fs::path& p, const std::string& bytes) {
    std::ofstream f(p, std::ios::binary);
    f.write(bytes.data(), std::streamsize(bytes.size()));
}

/// Deterministic incompressible bytes.
std::string noise(size_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s)
        c = char(rng() & 0xff);
    return s;
}

struct TarEntry {
    TarEntry(std::string n, std::string c = {}, mode_t t = AE_IFREG, std::string l = {})
        : name(std::move(n)), content(std::move(c)), type(t), link(std::move(l)) {}
    std::string name;
    std::string content;
    mode_t type;
    std::string link; ///< symlink target
};

/// A tar (optionally gzip-compressed) made with libarchive's writer.
std::string makeTar(const std::vector<TarEntry>& entries, const fs::path& scratch,
                    bool gzip = false) {
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (gzip)
        archive_write_add_filter_gzip(a);
    const std::string file = (scratch / "made.tar").string();
    if (archive_write_open_filename(a, file.c_str()) != ARCHIVE_OK)
        throw std::runtime_error(archive_error_string(a));
    for (const auto& e : entries) {
        struct archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, e.name.c_str());
        archive_entry_set_filetype(entry, e.type);
        archive_entry_set_perm(entry, e.type == AE_IFDIR ? 0755 : 0644);
        if (e.type == AE_IFLNK)
            archive_entry_set_symlink(entry, e.link.c_str());
        archive_entry_set_size(entry, e.type == AE_IFREG ? la_int64_t(e.content.size()) : 0);
        archive_write_header(a, entry);
        if (e.type == AE_IFREG)
            archive_write_data(a, e.content.data(), e.content.size());
        archive_entry_free(entry);
    }
    archive_write_close(a);
    archive_write_free(a);
    std::string bytes = readBytes(file);
    fs::remove(file);
    return bytes;
}

/// A task archive as the MSD ships it: `<task>/dataset.json`, imagesTr,
/// labelsTr, with `numTest` of the images listed under "test".
std::string makeTaskTar(const fs::path& scratch, int cases, int numTest, bool gzip = false) {
    const fs::path dir = scratch / "src" / kTask;
    SyntheticDatasetOptions o;
    o.num_cases(cases).seed(3).image(SyntheticImageOptions()
                                         .height(8)
                                         .width(8)
                                         .depth(8)
                                         .num_objs(2)
                                         .rad_max(3)
                                         .rad_min(1)
                                         .num_seg_classes(1));
    NullProgress none;
    writeSyntheticDataset(dir.string(), o, none);
    nlohmann::json j;
    std::ifstream(dir / "dataset.json") >> j;
    j["name"] = "Spleen";
    j["labels"] = {{"0", "background"}, {"1", "spleen"}};
    j["modality"] = {{"0", "CT"}};
    j["numTest"] = numTest;
    j["test"] = nlohmann::json::array();
    for (int i = 0; i < numTest; ++i)
        j["test"].push_back(j["training"][size_t(i)]["image"]);
    std::ofstream(dir / "dataset.json") << j.dump(2);
    std::vector<TarEntry> entries{{kTask + "/", "", AE_IFDIR}};
    std::vector<fs::path> files;
    for (const auto& p : fs::recursive_directory_iterator(dir))
        files.push_back(p.path());
    std::sort(files.begin(), files.end());
    for (const auto& p : files) {
        const std::string rel = kTask + "/" + fs::relative(p, dir).generic_string();
        if (fs::is_directory(p))
            entries.push_back({rel + "/", "", AE_IFDIR});
        else
            entries.push_back({rel, readBytes(p)});
    }
    fs::remove_all(scratch / "src");
    return makeTar(entries, scratch, gzip);
}

/// Names in `root` that a failed run must not leave behind.
std::vector<std::string> leftovers(const fs::path& root) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(root)) {
        const std::string n = e.path().filename().string();
        if (n == kTask || n.find(".partial-") != n.npos || n.find(".extracting") != n.npos ||
            n.find(".part") != n.npos)
            out.push_back(n);
    }
    return out;
}

template <typename E> E expectThrow(const std::function<void()>& f) {
    try {
        f();
    } catch (const E& e) {
        return e;
    }
    throw std::runtime_error("the expected exception was not thrown");
}

/// Download and extract the archive served at /t.tar, which must fail.
IoError failingDownload(const fs::path& root, LocalHttpServer& server, const std::string& md5) {
    NullProgress none;
    return expectThrow<IoError>([&] {
        DecathlonDataset(DecathlonDatasetOptions()
                             .root_dir(root.string())
                             .download(true)
                             .url_override(server.url("/t.tar"))
                             .md5_override(md5),
                         none);
    });
}

} // namespace

class TestDecathlon : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void checksumsOfKnownVectors();
    void tableHasTheTenTasks();
    void unknownTaskNamesTheValidOnes();
    void downloadVerifyExtractAndSplit();
    void splitFollowsValFracAndSeed();
    void resumesAfterDroppedConnections();
    void resumesAnExistingPartFile();
    void restartsWhenTheServerIgnoresRange();
    void cancelKeepsThePartForResume();
    void notFoundNamesTheUrl();
    void refusedConnectionGivesUpAfterRetries();
    void md5MismatchLeavesNothing();
    void corruptArchiveLeavesNothing();
    void truncatedArchiveLeavesNothing();
    void refusesEntriesOutsideTheFolder();
    void extractsGzipTarball();
    void missingFolderAsksForDownload();
};

void TestDecathlon::checksumsOfKnownVectors() {
    QCOMPARE(md5Hex(""), std::string("d41d8cd98f00b204e9800998ecf8427e"));
    QCOMPARE(md5Hex("The quick brown fox jumps over the lazy dog"),
             std::string("9e107d9d372bb6826bd81d3542a419d6"));
    QCOMPARE(sha256Hex("abc"),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QTemporaryDir tmp;
    const fs::path f = fs::path(tmp.path().toStdString()) / "bytes.bin";
    const std::string bytes = noise(3 * 1024 * 1024 + 17, 1); // spans several read blocks
    writeBytes(f, bytes);
    QCOMPARE(md5OfFile(f.string()), md5Hex(bytes));
    QCOMPARE(sha256OfFile(f.string()), sha256Hex(bytes));
    const auto e = expectThrow<IoError>([&] { md5OfFile((f.string() + ".missing")); });
    QCOMPARE(e.file(), f.string() + ".missing");
    CancelToken cancel;
    cancel.cancel();
    expectThrow<CancelledError>([&] { md5OfFile(f.string(), &cancel); });
}

void TestDecathlon::tableHasTheTenTasks() {
    const auto& tasks = decathlonTasks();
    QCOMPARE(tasks.size(), size_t(10));
    const std::regex md5("^[0-9a-f]{32}$");
    std::set<std::string> md5s;
    for (size_t i = 0; i < tasks.size(); ++i) {
        char prefix[8];
        std::snprintf(prefix, sizeof prefix, "Task%02d_", int(i + 1));
        QVERIFY2(tasks[i].name.rfind(prefix, 0) == 0, tasks[i].name.c_str());
        QVERIFY(std::regex_match(tasks[i].md5, md5));
        QCOMPARE(tasks[i].url,
                 "https://msd-for-monai.s3-us-west-2.amazonaws.com/" + tasks[i].name + ".tar");
        md5s.insert(tasks[i].md5);
    }
    QCOMPARE(md5s.size(), size_t(10));
    QCOMPARE(tasks.front().name, std::string("Task01_BrainTumour"));
    QCOMPARE(tasks.back().name, std::string("Task10_Colon"));
    QCOMPARE(findDecathlonTask("Task09_Spleen").md5,
             std::string("410d4a301da4e5b2f6f86ec3ddba524e"));
}

void TestDecathlon::unknownTaskNamesTheValidOnes() {
    NullProgress none;
    const auto e = expectThrow<ConfigError>([&] {
        DecathlonDataset(DecathlonDatasetOptions().root_dir("/nonexistent").task("Task99_Nope"),
                         none);
    });
    QCOMPARE(e.field(), std::string("task"));
    const std::string what = e.what();
    QVERIFY2(what.find("Task99_Nope") != what.npos, what.c_str());
    QVERIFY2(what.find("Task01_BrainTumour") != what.npos, what.c_str());
    QVERIFY2(what.find("Task10_Colon") != what.npos, what.c_str());
    const auto s = expectThrow<ConfigError>([&] {
        DecathlonDataset(DecathlonDatasetOptions().root_dir("/nonexistent").section("train"), none);
    });
    QCOMPARE(s.field(), std::string("section"));
}

void TestDecathlon::downloadVerifyExtractAndSplit() {
    QTemporaryDir tmp;
    const fs::path root = fs::path(tmp.path().toStdString()) / "msd";
    const std::string tar = makeTaskTar(tmp.path().toStdString(), 5, 2);
    LocalHttpServer server;
    server.serve("/" + kTask + ".tar", tar);
    auto options = DecathlonDatasetOptions()
                       .root_dir(root.string())
                       .task(kTask)
                       .download(true)
                       .seed(7)
                       .url_override(server.url("/" + kTask + ".tar"))
                       .md5_override(md5Hex(tar));
    RecordingSink sink;
    DecathlonDataset training(options, sink);
    QCOMPARE(server.requests().size(), size_t(1));
    QCOMPARE(training.size(), size_t(4)); // floor(0.2 * 5) = 1 validation case
    QCOMPARE(training.directory(), (root / kTask).string());
    QVERIFY(fs::is_regular_file(root / kTask / "dataset.json"));
    QCOMPARE(md5OfFile((root / (kTask + ".tar")).string()), md5Hex(tar));
    QCOMPARE(sink.fractions.back(), 1.0);
    QVERIFY(std::is_sorted(sink.fractions.begin(), sink.fractions.end()));
    QVERIFY(std::any_of(sink.messages.begin(), sink.messages.end(), [](const std::string& m) {
        return m.rfind("downloading Task09_Spleen.tar: ", 0) == 0 && m.find(" MB") != m.npos;
    }));
    QVERIFY(leftovers(root) == std::vector<std::string>{kTask});

    // Already there: no second request, the same split for the same seed.
    DecathlonDataset validation(DecathlonDatasetOptions(options).section("validation"), sink);
    DecathlonDataset again(options, sink);
    QCOMPARE(server.requests().size(), size_t(1));
    QCOMPARE(validation.size(), size_t(1));
    QCOMPARE(again.indices(), training.indices());
    std::set<std::string> images;
    for (const auto* ds : {&training, &validation})
        for (const auto& s : ds->items()) {
            QVERIFY(fs::is_regular_file(s.paths.at("image")));
            QVERIFY(fs::is_regular_file(s.paths.at("label")));
            QCOMPARE(fs::path(s.paths.at("image")).parent_path(), root / kTask / "imagesTr");
            images.insert(s.paths.at("image"));
        }
    QCOMPARE(images.size(), size_t(5)); // training and validation partition the list

    DecathlonDataset test(DecathlonDatasetOptions(options).section("test"), sink);
    QCOMPARE(test.size(), size_t(2));
    QCOMPARE(test.items()[0].paths.at("image"),
             (root / kTask / "imagesTr" / "case_000.nii.gz").string());
    QCOMPARE(test.items()[0].paths.count("label"), size_t(0));

    const DecathlonProperties& p = training.properties();
    QCOMPARE(p.name, std::string("Spleen"));
    QCOMPARE(p.numTraining, int64_t(5));
    QCOMPARE(p.numTest, int64_t(2));
    QCOMPARE(p.tensorImageSize, std::string("3D"));
    QCOMPARE(p.labels.at("1"), std::string("spleen"));
    QCOMPARE(p.modality.at("0"), std::string("CT"));

    // The tar alone (folder deleted) is extracted again without a download.
    fs::remove_all(root / kTask);
    DecathlonDataset reextracted(options, sink);
    QCOMPARE(server.requests().size(), size_t(1));
    QCOMPARE(reextracted.indices(), training.indices());
}

void TestDecathlon::splitFollowsValFracAndSeed() {
    // MONAI: shuffle 0..n-1, the first floor(val_frac * n) are validation.
    for (int64_t n : {1, 5, 10, 41}) {
        for (double frac : {0.0, 0.2, 0.5, 1.0}) {
            const auto tr = decathlonSplit(n, frac, 12345, "training");
            const auto va = decathlonSplit(n, frac, 12345, "validation");
            QCOMPARE(int64_t(va.size()), int64_t(std::floor(double(n) * frac)));
            QCOMPARE(int64_t(tr.size() + va.size()), n);
            std::set<int64_t> all(tr.begin(), tr.end());
            all.insert(va.begin(), va.end());
            QCOMPARE(int64_t(all.size()), n);
            QCOMPARE(*all.begin(), int64_t(0));
            QCOMPARE(*all.rbegin(), n - 1);
        }
    }
    // numpy 1.24: RandomState(0).shuffle(arange(10)) = 2 8 4 9 1 6 7 3 0 5
    QCOMPARE(decathlonSplit(10, 0.2, 0, "validation"), std::vector<int64_t>({2, 8}));
    QCOMPARE(decathlonSplit(10, 0.2, 0, "training"),
             std::vector<int64_t>({4, 9, 1, 6, 7, 3, 0, 5}));
    QCOMPARE(decathlonSplit(41, 0.2, 1, "training"), decathlonSplit(41, 0.2, 1, "training"));
    QVERIFY(decathlonSplit(41, 0.2, 1, "validation") != decathlonSplit(41, 0.2, 2, "validation"));
    const auto order = decathlonSplit(41, 0.0, 1, "training");
    QVERIFY(!std::is_sorted(order.begin(), order.end())); // shuffled
    const auto e = expectThrow<ConfigError>([] { decathlonSplit(5, 1.5, 0, "training"); });
    QCOMPARE(e.field(), std::string("val_frac"));
}

void TestDecathlon::resumesAfterDroppedConnections() {
    QTemporaryDir tmp;
    const fs::path dest = fs::path(tmp.path().toStdString()) / "sub" / "file.bin";
    const std::string bytes = noise(1000000, 2);
    LocalHttpServer server;
    server.serve("/file.bin", bytes);
    server.dropAfter(300000, 3); // the first three connections die after 300 kB
    NullProgress none;
    downloadFile(DownloadOptions()
                     .url(server.url("/file.bin"))
                     .destination(dest.string())
                     .md5(md5Hex(bytes))
                     .retry_delay_ms(10)
                     .max_retries(2),
                 none);
    const auto requests = server.requests();
    QCOMPARE(requests.size(), size_t(4));
    const int64_t starts[] = {-1, 300000, 600000, 900000};
    for (size_t i = 0; i < 4; ++i) {
        QCOMPARE(requests[i].rangeStart, starts[i]);
        QCOMPARE(requests[i].status, i == 0 ? 200 : 206);
    }
    QCOMPARE(requests[1].headers.at("range"), std::string("bytes=300000-"));
    QCOMPARE(int64_t(fs::file_size(dest)), int64_t(1000000));
    QCOMPARE(md5OfFile(dest.string()), md5Hex(bytes));
    QVERIFY(!fs::exists(dest.string() + ".part"));

    // Present and valid: skipped without a request.
    downloadFile(DownloadOptions()
                     .url(server.url("/file.bin"))
                     .destination(dest.string())
                     .md5(md5Hex(bytes)),
                 none);
    QCOMPARE(server.requests().size(), size_t(4));
}

void TestDecathlon::resumesAnExistingPartFile() {
    QTemporaryDir tmp;
    const fs::path dest = fs::path(tmp.path().toStdString()) / "file.bin";
    const std::string bytes = noise(777777, 3);
    writeBytes(dest.string() + ".part", bytes.substr(0, 388888));
    LocalHttpServer server;
    server.serve("/file.bin", bytes);
    RecordingSink sink;
    downloadFile(DownloadOptions()
                     .url(server.url("/file.bin"))
                     .destination(dest.string())
                     .md5(md5Hex(bytes)),
                 sink);
    QCOMPARE(server.requests().size(), size_t(1));
    QCOMPARE(server.requests()[0].rangeStart, int64_t(388888));
    QCOMPARE(md5OfFile(dest.string()), md5Hex(bytes));
    // Progress counts the bytes already there: it starts at or above one half.
    QVERIFY(!sink.fractions.empty());
    QVERIFY2(sink.fractions.front() >= 0.49, std::to_string(sink.fractions.front()).c_str());
}

void TestDecathlon::restartsWhenTheServerIgnoresRange() {
    QTemporaryDir tmp;
    const fs::path dest = fs::path(tmp.path().toStdString()) / "file.bin";
    const std::string bytes = noise(500000, 4);
    writeBytes(dest.string() + ".part", noise(100000, 99)); // would corrupt a naive append
    LocalHttpServer server;
    server.serve("/file.bin", bytes);
    server.ignoreRange(true);
    NullProgress none;
    downloadFile(DownloadOptions()
                     .url(server.url("/file.bin"))
                     .destination(dest.string())
                     .md5(md5Hex(bytes))
                     .retry_delay_ms(10),
                 none);
    const auto requests = server.requests();
    QCOMPARE(requests.front().rangeStart, int64_t(100000));
    QCOMPARE(requests.front().status, 200);
    QCOMPARE(requests.back().rangeStart, int64_t(-1));
    QCOMPARE(md5OfFile(dest.string()), md5Hex(bytes));
}

void TestDecathlon::cancelKeepsThePartForResume() {
    QTemporaryDir tmp;
    const fs::path dest = fs::path(tmp.path().toStdString()) / "file.bin";
    const std::string bytes = noise(2000000, 5);
    LocalHttpServer server;
    server.serve("/file.bin", bytes);
    server.throttle(32768, std::chrono::milliseconds(5));
    CancelToken cancel;
    RecordingSink sink;
    sink.onReport = [&](double fraction, const std::string&) {
        if (fraction > 0)
            cancel.cancel();
    };
    const auto options = DownloadOptions()
                             .url(server.url("/file.bin"))
                             .destination(dest.string())
                             .md5(md5Hex(bytes));
    expectThrow<CancelledError>([&] { downloadFile(options, sink, &cancel); });
    QVERIFY(!fs::exists(dest));
    const fs::path part = dest.string() + ".part";
    QVERIFY(fs::exists(part));
    const int64_t kept = int64_t(fs::file_size(part));
    QVERIFY2(kept > 0 && kept < int64_t(bytes.size()), std::to_string(kept).c_str());
    QCOMPARE(readBytes(part), bytes.substr(0, size_t(kept)));

    server.throttle(65536, std::chrono::milliseconds(0));
    CancelToken fresh;
    NullProgress none;
    downloadFile(options, none, &fresh);
    QCOMPARE(server.requests().back().rangeStart, kept);
    QCOMPARE(md5OfFile(dest.string()), md5Hex(bytes));
}

void TestDecathlon::notFoundNamesTheUrl() {
    QTemporaryDir tmp;
    const fs::path dest = fs::path(tmp.path().toStdString()) / "file.bin";
    LocalHttpServer server;
    NullProgress none;
    const std::string url = server.url("/missing.tar");
    const auto e = expectThrow<IoError>([&] {
        downloadFile(DownloadOptions().url(url).destination(dest.string()).retry_delay_ms(10),
                     none);
    });
    QCOMPARE(e.file(), url);
    const std::string what = e.what();
    QVERIFY2(what.find("404") != what.npos, what.c_str());
    QCOMPARE(server.requests().size(), size_t(1)); // a 404 is not retried
    QVERIFY(!fs::exists(dest));
    QVERIFY(!fs::exists(dest.string() + ".part"));
}

void TestDecathlon::refusedConnectionGivesUpAfterRetries() {
    int port = 0;
    {
        LocalHttpServer closed;
        port = closed.port();
    }
    QTemporaryDir tmp;
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/x.tar";
    RecordingSink sink;
    const auto e = expectThrow<IoError>([&] {
        downloadFile(DownloadOptions()
                         .url(url)
                         .destination(tmp.path().toStdString() + "/x.tar")
                         .max_retries(2)
                         .retry_delay_ms(5),
                     sink);
    });
    QCOMPARE(e.file(), url);
    const std::string what = e.what();
    QVERIFY2(what.find("after 3 attempts") != what.npos, what.c_str());
    QCOMPARE(std::count_if(sink.messages.begin(), sink.messages.end(),
                           [](const std::string& m) { return m.find("interrupted") != m.npos; }),
             long(2));
}

void TestDecathlon::md5MismatchLeavesNothing() {
    QTemporaryDir tmp;
    const fs::path root(tmp.path().toStdString());
    const std::string tar = makeTaskTar(root, 3, 0);
    LocalHttpServer server;
    server.serve("/t.tar", tar);
    NullProgress none;
    const std::string wrong(32, '0');
    const auto e = expectThrow<IoError>([&] {
        DecathlonDataset(DecathlonDatasetOptions()
                             .root_dir(root.string())
                             .download(true)
                             .url_override(server.url("/t.tar"))
                             .md5_override(wrong),
                         none);
    });
    const std::string what = e.what();
    QVERIFY2(what.find("MD5 mismatch") != what.npos, what.c_str());
    QVERIFY2(what.find("expected " + wrong + ", got " + md5Hex(tar)) != what.npos, what.c_str());
    QVERIFY(!fs::exists(root / (kTask + ".tar")));
    QVERIFY(leftovers(root).empty());
}

void TestDecathlon::corruptArchiveLeavesNothing() {
    QTemporaryDir tmp;
    const fs::path root(tmp.path().toStdString());
    const std::string garbage = noise(200000, 6);
    LocalHttpServer server;
    server.serve("/t.tar", garbage);
    const auto e = failingDownload(root, server, md5Hex(garbage));
    QCOMPARE(e.file(), (root / (kTask + ".tar")).string());
    QVERIFY(leftovers(root).empty());
}

void TestDecathlon::truncatedArchiveLeavesNothing() {
    QTemporaryDir tmp;
    const fs::path root(tmp.path().toStdString());
    const std::string tar = makeTaskTar(root, 6, 0);
    // Cut inside the last file's data (each entry is a 512-byte header + data).
    const std::string cut = tar.substr(0, tar.size() * 3 / 5 / 512 * 512 + 700);
    LocalHttpServer server;
    server.serve("/t.tar", cut);
    const auto e = failingDownload(root, server, md5Hex(cut));
    QCOMPARE(e.file(), (root / (kTask + ".tar")).string());
    const std::string what = e.what();
    QVERIFY2(what.find("truncated") != what.npos || what.find("Truncated") != what.npos,
             what.c_str());
    QVERIFY2(what.find(kTask + "/") != what.npos, what.c_str()); // names the entry
    QVERIFY(leftovers(root).empty());
}

void TestDecathlon::refusesEntriesOutsideTheFolder() {
    QTemporaryDir tmp;
    const fs::path base(tmp.path().toStdString());
    const fs::path root = base / "root";
    fs::create_directories(root);
    NullProgress none;
    const std::vector<std::vector<TarEntry>> unsafe = {
        {{"ok.txt", "fine"}, {"../evil", "pwned"}},
        {{"a/", "", AE_IFDIR}, {"a/../../evil", "pwned"}},
        {{"ok.txt", "fine"}, {"link", "", AE_IFLNK, "../../evil"}},
        {{"ok.txt", "fine"}, {"abs", "", AE_IFLNK, "/etc/passwd"}},
    };
    for (const auto& entries : unsafe) {
        const fs::path archive = base / "unsafe.tar";
        writeBytes(archive, makeTar(entries, base));
        const auto e = expectThrow<IoError>(
            [&] { extractArchive(archive.string(), (root / "out").string(), none); });
        QCOMPARE(e.file(), archive.string());
        const std::string what = e.what();
        QVERIFY2(what.find(entries[1].name) != what.npos, what.c_str());
        QVERIFY(!fs::exists(base / "evil"));
        QVERIFY(fs::is_empty(root)); // neither "out" nor "out.partial-*"
    }
    // A link that stays inside is skipped, the files are extracted.
    const fs::path archive = base / "inside.tar";
    writeBytes(
        archive,
        makeTar({{"d/", "", AE_IFDIR}, {"d/f.txt", "data"}, {"d/l", "", AE_IFLNK, "f.txt"}}, base));
    extractArchive(archive.string(), (root / "out").string(), none);
    QCOMPARE(readBytes(root / "out" / "d" / "f.txt"), std::string("data"));
    QVERIFY(!fs::exists(fs::symlink_status(root / "out" / "d" / "l")));
}

void TestDecathlon::extractsGzipTarball() {
    QTemporaryDir tmp;
    const fs::path base(tmp.path().toStdString());
    const std::string tgz = makeTaskTar(base, 3, 1, true);
    QCOMPARE(uint8_t(tgz[0]), uint8_t(0x1f)); // gzip magic
    QCOMPARE(uint8_t(tgz[1]), uint8_t(0x8b));
    writeBytes(base / "t.tar.gz", tgz);
    RecordingSink sink;
    extractArchive((base / "t.tar.gz").string(), (base / "out").string(), sink);
    QVERIFY(fs::is_regular_file(base / "out" / kTask / "dataset.json"));
    int files = 0;
    for (const auto& p : fs::recursive_directory_iterator(base / "out"))
        files += fs::is_regular_file(p) ? 1 : 0;
    QCOMPARE(files, 3 * 2 + 1);
    QCOMPARE(sink.fractions.back(), 1.0);
    // Not over an existing, non-empty folder.
    const auto e = expectThrow<IoError>(
        [&] { extractArchive((base / "t.tar.gz").string(), (base / "out").string(), sink); });
    QVERIFY(std::string(e.what()).find("existing") != std::string::npos);
}

void TestDecathlon::missingFolderAsksForDownload() {
    QTemporaryDir tmp;
    NullProgress none;
    const auto e = expectThrow<IoError>([&] {
        DecathlonDataset(DecathlonDatasetOptions().root_dir(tmp.path().toStdString()), none);
    });
    const std::string dir = (fs::path(tmp.path().toStdString()) / kTask).string();
    QCOMPARE(e.file(), dir);
    const std::string what = e.what();
    QVERIFY2(what.find("enable download") != what.npos, what.c_str());
}

QTEST_MAIN(TestDecathlon)
#include "test_decathlon.moc"
