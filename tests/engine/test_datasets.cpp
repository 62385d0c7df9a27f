/// Caching datasets: CacheDataset (threads, progress, cancel, memory in
/// bytes, cached items never modified), SmartCacheDataset (MONAI's
/// round-robin order, background replacement, thread safety, resume) and
/// PersistentDataset (disk entries, invalidation by transform
/// configuration, corrupt entries recomputed, atomic files).

#include <QtTest>
#include <torch/torch.h>

#include <QTemporaryDir>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "DataTestSupport.h"
#include "engine/core/Error.h"
#include "engine/data/CacheDataset.h"
#include "engine/data/PersistentDataset.h"
#include "engine/data/SampleFile.h"
#include "engine/data/SmartCacheDataset.h"
#include "engine/io/NiftiIO.h"
#include "engine/transforms/Transform.h"

using namespace medulla;
using namespace medulla::test;
namespace fs = std::filesystem;

namespace {

const char* kCropChain = R"([
  {"name": "CenterSpatialCropd", "keys": ["image", "label"], "roi_size": [8, 6, 4]},
  {"name": "RandFlipd", "keys": ["image", "label"], "prob": 0.5, "spatial_axis": [0, 1]},
  {"name": "RandScaleIntensityd", "keys": ["image"], "factors": 0.5, "prob": 1.0},
  {"name": "RandGaussianNoised", "keys": ["image"], "prob": 1.0, "std": 0.2}
])";

/// Parameters a random transform needs beyond "keys" (those without defaults).
Json needed(const std::string& name) {
    const bool twoD = name.find("2D") != std::string::npos;
    Json j = {{"name", name}, {"keys", {"image", "label"}}};
    for (const auto& p : transformRegistry().info(name).params) {
        if (!p.defaultValue.is_null() || p.name == "keys")
            continue;
        if (p.name == "label_key" || p.name == "w_key")
            j[p.name] = "label";
        else if (p.name == "sigma_range" || p.name == "magnitude_range")
            j[p.name] = {1.0, 2.0};
        else if (p.name == "spacing")
            j[p.name] = twoD ? Json{3.0, 3.0} : Json{3.0, 3.0, 3.0};
        else if (p.name == "num_samples")
            j[p.name] = 2;
        else if (p.name == "sigma")
            j[p.name] = 1.0;
        else if (p.name == "offsets" || p.name == "factors")
            j[p.name] = 0.2;
        else if (p.name == "translate")
            j[p.name] = {1, 1, 1};
    }
    for (const auto& p : transformRegistry().info(name).params) {
        if (p.name == "prob")
            j["prob"] = 1.0;
        if (p.name == "spatial_size" || p.name == "roi_size")
            j[p.name] = twoD ? Json{4, 4} : Json{4, 4, 4};
        if (p.name == "num_classes")
            j[p.name] = 2;
    }
    return j;
}

} // namespace

class TestDatasets : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cacheHoldsThePrefixCompactly() {
        std::vector<Sample> items = numberedItems(5);
        CountingProgress progress;
        CacheDataset ds(items, chain(kCropChain), CacheDatasetOptions().num_workers(3), progress);
        QCOMPARE(ds.cacheNum(), size_t(5));
        QCOMPARE(progress.calls, 5);
        QCOMPARE(progress.last, 1.0);
        QCOMPARE(progress.lastMessage, std::string("caching 5/5"));
        // 8x6x4 crops stored on their own, not as views of the 12x10x8 items:
        // 192 float32 + 192 uint8 voxels per item
        QCOMPARE(ds.memoryBytes(), size_t(5 * (192 * 4 + 192 * 1)));
        for (size_t i = 0; i < 5; ++i) {
            const at::Tensor& c = ds.cached(i).at("image").data();
            QCOMPARE(c.sizes().vec(), std::vector<int64_t>({1, 8, 6, 4}));
            QCOMPARE(idOf(c), int(i));
            QVERIFY(c.is_contiguous());
        }
        // same cache on 1 and 3 threads; partial caches by rate and number
        NullProgress quiet;
        CacheDataset one(items, chain(kCropChain), CacheDatasetOptions().num_workers(1), quiet);
        for (size_t i = 0; i < 5; ++i)
            QVERIFY(
                torch::equal(one.cached(i).at("image").data(), ds.cached(i).at("image").data()));
        QCOMPARE(
            CacheDataset(items, chain(kCropChain), CacheDatasetOptions().cache_rate(0.5), quiet)
                .cacheNum(),
            size_t(2));
        QCOMPARE(CacheDataset(items, chain(kCropChain),
                              CacheDatasetOptions().cache_num(3).cache_rate(0.9), quiet)
                     .cacheNum(),
                 size_t(3));
        QCOMPARE(CacheDataset::cacheCount(10, 100, 0.25), size_t(2));
        try {
            CacheDataset(items, chain(kCropChain), CacheDatasetOptions().cache_rate(1.5), quiet);
            QFAIL("cache_rate 1.5 must be refused");
        } catch (const ConfigError& e) {
            QCOMPARE(e.field(), std::string("cache_rate"));
        }
    }

    void cachedAndPlainGiveTheSameSamples() {
        std::vector<Sample> items = numberedItems(6);
        NullProgress quiet;
        Dataset plain(items, chain(kCropChain, 7));
        CacheDataset half(items, chain(kCropChain, 7), CacheDatasetOptions().cache_rate(0.5),
                          quiet);
        for (size_t i = 0; i < 6; ++i)
            for (uint64_t key : {0, 1, 99}) {
                const auto a = plain.get(i, key), b = half.get(i, key);
                QCOMPARE(a.size(), size_t(1));
                QVERIFY(torch::equal(a[0].at("image").data(), b[0].at("image").data()));
                QVERIFY(torch::equal(a[0].at("label").data(), b[0].at("label").data()));
            }
        QVERIFY(!torch::equal(plain.get(0, 1)[0].at("image").data(),
                              plain.get(0, 2)[0].at("image").data()));
    }

    void randomTransformsNeverModifyTheCache() {
        std::vector<Sample> items = numberedItems(2);
        NullProgress quiet;
        CacheDataset ds(items, chain(kCropChain), CacheDatasetOptions(), quiet);
        const at::Tensor before = ds.cached(0).at("image").data().clone();
        for (uint64_t key = 0; key < 50; ++key)
            ds.get(0, key);
        QVERIFY(torch::equal(before, ds.cached(0).at("image").data()));

        // every registered random transform leaves its input untouched
        int checked = 0;
        QStringList failures;
        for (const auto& name : transformRegistry().names()) {
            TransformPtr t;
            try {
                t = transformRegistry().create(needed(name), "test");
            } catch (const ConfigError& e) {
                if (name.rfind("Rand", 0) == 0 && name != "RandomOrder") // a container
                    failures << QString::fromStdString(name + " not created: " + e.what());
                continue; // deterministic transforms with other needs
            }
            if (!t->isRandom())
                continue;
            Sample s = numberedItem(3, 16, 16, 16);
            s.volumes["image"].setData(s.volumes["image"].data() * 0.05f);
            if (name.find("2D") != std::string::npos) // 2D transforms get 2D images
                for (auto& kv : s.volumes)
                    kv.second.setData(kv.second.data().select(3, 8).contiguous());
            const at::Tensor img = s.at("image").data().clone(), lab = s.at("label").data().clone();
            const auto vImg = s.at("image").data()._version(),
                       vLab = s.at("label").data()._version();
            RandomGenerator rng(5);
            try {
                t->applyMany(s, rng);
            } catch (const std::exception& e) {
                failures << QString::fromStdString(name + " failed: " + e.what());
                continue;
            }
            if (!torch::equal(img, s.at("image").data()) ||
                !torch::equal(lab, s.at("label").data()) ||
                vImg != s.at("image").data()._version() || vLab != s.at("label").data()._version())
                failures << QString::fromStdString(name + " wrote into its input");
            ++checked;
        }
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join("; ")));
        QVERIFY2(checked >= 20,
                 qPrintable(QString::number(checked) + " random transforms checked"));
    }

    void cacheFillCancelsAndNamesTheFile() {
        std::vector<Sample> items = numberedItems(8);
        CancelToken token;
        CountingProgress cancelling(&token, 2);
        QVERIFY_EXCEPTION_THROWN(CacheDataset(items, chain(kCropChain),
                                              CacheDatasetOptions().num_workers(2), cancelling,
                                              &token),
                                 CancelledError);
        QVERIFY(cancelling.calls < 8);

        QTemporaryDir dir;
        for (int i = 0; i < 8; ++i) {
            items[size_t(i)].paths["image"] =
                dir.filePath(QString("c%1.nii.gz").arg(i)).toStdString();
            writeNifti(items[size_t(i)].volumes.at("image"), items[size_t(i)].paths["image"]);
            items[size_t(i)].volumes.clear();
        }
        items[5].paths["image"] = "/nowhere/case5.nii.gz";
        NullProgress quiet;
        try {
            CacheDataset(items, chain(R"([{"name": "LoadImaged", "keys": ["image"]}])"),
                         CacheDatasetOptions().num_workers(2), quiet);
            QFAIL("a missing file must be reported");
        } catch (const IoError& e) {
            QVERIFY2(std::string(e.what()).find("/nowhere/case5.nii.gz") != std::string::npos,
                     e.what());
        }
    }

    void smartCacheRoundRobin() {
        NullProgress quiet;
        SmartCacheDataset ds(
            numberedItems(5), chain(kCropChain),
            SmartCacheDatasetOptions().cache_num(4).replace_rate(0.25).shuffle(false), quiet);
        QCOMPARE(ds.size(), size_t(4));
        QCOMPARE(ds.replaceNum(), size_t(1));
        const std::vector<std::vector<size_t>> want = {{0, 1, 2, 3}, {1, 2, 3, 4}, {2, 3, 4, 0},
                                                       {3, 4, 0, 1}, {4, 0, 1, 2}, {0, 1, 2, 3}};
        ds.start();
        for (size_t epoch = 0; epoch < want.size(); ++epoch) {
            QCOMPARE(ds.cachedIndices(), want[epoch]);
            for (size_t slot = 0; slot < 4; ++slot)
                QCOMPARE(std::stoi(ds.get(slot, epoch)[0].fields.at("id")), int(want[epoch][slot]));
            ds.updateCache();
        }
        ds.shutdown();
        QCOMPARE(ds.position(), size_t(1));
        ds.updateCache(); // without the thread: prepared synchronously
        QCOMPARE(ds.cachedIndices(), std::vector<size_t>({2, 3, 4, 0}));
        ds.restore(3, quiet);
        QCOMPARE(ds.cachedIndices(), std::vector<size_t>({3, 4, 0, 1}));
        QCOMPARE(std::stoi(ds.get(0, 0)[0].fields.at("id")), 3);
        QCOMPARE(ds.memoryBytes(), size_t(4 * (192 * 4 + 192)));

        // MONAI's rules: replace_num = min(ceil(7 * 0.5), 10 - 7) = 3; shuffled by numpy seed 0
        SmartCacheDataset big(numberedItems(10), chain(kCropChain),
                              SmartCacheDatasetOptions().cache_num(7).replace_rate(0.5), quiet);
        QCOMPARE(big.replaceNum(), size_t(3));
        std::vector<int> order;
        for (const auto& s : big.datalist())
            order.push_back(std::stoi(s.fields.at("id")));
        QCOMPARE(order, std::vector<int>({2, 8, 4, 9, 1, 6, 7, 3, 0, 5}));
        SmartCacheDataset all(numberedItems(3), chain(kCropChain),
                              SmartCacheDatasetOptions().cache_num(5), quiet);
        QCOMPARE(all.replaceNum(), size_t(0)); // everything cached: nothing to replace
    }

    void smartCacheIsThreadSafe() {
        NullProgress quiet;
        SmartCacheDataset ds(numberedItems(9), chain(kCropChain),
                             SmartCacheDatasetOptions()
                                 .cache_num(4)
                                 .replace_rate(0.5)
                                 .num_replace_workers(2)
                                 .shuffle(false),
                             quiet);
        ds.start();
        std::atomic<bool> done{false};
        std::atomic<int> fetched{0}, bad{0};
        std::vector<std::thread> readers;
        for (int r = 0; r < 3; ++r)
            readers.emplace_back([&, r] {
                uint64_t key = uint64_t(r) * 1000;
                while (!done) {
                    for (size_t slot = 0; slot < ds.size(); ++slot) {
                        const auto out = ds.get(slot, key++);
                        const int id = std::stoi(out[0].fields.at("id"));
                        if (id < 0 || id > 8 ||
                            out[0].at("image").data().sizes() != at::IntArrayRef({1, 8, 6, 4}))
                            ++bad;
                        ++fetched;
                    }
                }
            });
        for (int epoch = 0; epoch < 12; ++epoch)
            ds.updateCache();
        done = true;
        for (auto& t : readers)
            t.join();
        ds.shutdown();
        QCOMPARE(bad.load(), 0);
        QVERIFY(fetched.load() > 0);
        QCOMPARE(ds.position(), size_t(12 * 2 % 9));
        QCOMPARE(ds.cachedIndices(), std::vector<size_t>({6, 7, 8, 0}));
    }

    void sampleFileRoundTrip() {
        QTemporaryDir dir;
        Sample s = numberedItem(4);
        s.volumes["weights"] =
            Volume(torch::tensor({1.5, -2.0}, torch::kDouble).view({1, 2, 1, 1}), Affine());
        s.meta["image"].filenames = {"/a/b.nii.gz"};
        s.meta["image"].tags["Modality"] = "CT";
        s.meta["image"].spatialShape = {12, 10, 8};
        s.applied["image"].push_back({"Spacingd", {24, 20, 16}, Affine()});
        const std::string path = dir.filePath("s.mdsample").toStdString();
        writeSampleFile(s, path, "tag-1");
        std::string tag;
        const Sample r = readSampleFile(path, &tag);
        QCOMPARE(tag, std::string("tag-1"));
        for (const auto& kv : s.volumes) {
            QVERIFY(torch::equal(kv.second.data(), r.at(kv.first).data()));
            QCOMPARE(r.at(kv.first).affine().maxAbsDiff(kv.second.affine()), 0.0);
        }
        QCOMPARE(r.fields, s.fields);
        QCOMPARE(r.paths, s.paths);
        QCOMPARE(r.meta.at("image").tags.at("Modality"), std::string("CT"));
        QCOMPARE(r.applied.at("image")[0].shape, std::vector<int64_t>({24, 20, 16}));
        // truncated: a clear error naming the file
        fs::resize_file(path, fs::file_size(path) - 10);
        try {
            readSampleFile(path);
            QFAIL("a truncated file must be refused");
        } catch (const IoError& e) {
            QCOMPARE(e.file(), path);
        }
    }

    void persistentCacheOnDisk() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        std::vector<Sample> items;
        for (int i = 0; i < 3; ++i) {
            Sample s;
            s.paths["image"] = root + "/img" + std::to_string(i) + ".nii.gz";
            writeNifti(numberedItem(i).volumes.at("image"), s.paths["image"]);
            items.push_back(s);
        }
        const std::string chainA = R"([{"name": "LoadImaged", "keys": ["image"]},
            {"name": "ScaleIntensityd", "keys": ["image"], "minv": 0.0, "maxv": 1.0},
            {"name": "RandFlipd", "keys": ["image"], "prob": 0.5, "spatial_axis": [0]}])";
        const std::string cacheDir = root + "/cache";
        PersistentDataset ds(items, chain(chainA), PersistentDatasetOptions().cache_dir(cacheDir));
        CountingProgress progress;
        ds.precompute(3, progress);
        QCOMPARE(progress.calls, 3);
        size_t files = 0;
        for (const auto& e : fs::directory_iterator(cacheDir)) {
            QVERIFY2(e.path().extension() == ".mdsample",
                     qPrintable(QString::fromStdString(e.path().string())));
            ++files;
        }
        QCOMPARE(files, size_t(3)); // no temporary file left behind
        Dataset plain(items, chain(chainA));
        for (size_t i = 0; i < 3; ++i)
            QVERIFY(torch::equal(ds.get(i, 5)[0].at("image").data(),
                                 plain.get(i, 5)[0].at("image").data()));

        // a second dataset reads the entries (prove it: alter one entry, same key and tag)
        std::string tag;
        Sample e0 = readSampleFile(ds.cacheFile(0), &tag);
        QCOMPARE(tag, ds.transformHash());
        e0.volumes["image"].setData(e0.at("image").data() + 100.0f);
        writeSampleFile(e0, ds.cacheFile(0), tag);
        PersistentDataset again(items, chain(chainA),
                                PersistentDatasetOptions().cache_dir(cacheDir));
        QVERIFY(again.get(0, 0)[0].at("image").data().min().item<double>() >= 100.0);

        // another transform configuration: other entries, the altered one is not used
        const std::string chainB = R"([{"name": "LoadImaged", "keys": ["image"]},
            {"name": "ScaleIntensityd", "keys": ["image"], "minv": 0.0, "maxv": 2.0},
            {"name": "RandFlipd", "keys": ["image"], "prob": 0.5, "spatial_axis": [0]}])";
        PersistentDataset changed(items, chain(chainB),
                                  PersistentDatasetOptions().cache_dir(cacheDir));
        QVERIFY(changed.transformHash() != ds.transformHash());
        QVERIFY(changed.cacheFile(0) != ds.cacheFile(0));
        QCOMPARE(changed.get(0, 0)[0].at("image").data().max().item<double>(), 2.0);
        // the random suffix is not part of the key
        const std::string chainC = R"([{"name": "LoadImaged", "keys": ["image"]},
            {"name": "ScaleIntensityd", "keys": ["image"], "minv": 0.0, "maxv": 1.0},
            {"name": "RandFlipd", "keys": ["image"], "prob": 0.9, "spatial_axis": [1]}])";
        QCOMPARE(
            PersistentDataset(items, chain(chainC), PersistentDatasetOptions().cache_dir(cacheDir))
                .cacheFile(1),
            ds.cacheFile(1));

        // a corrupt entry is recomputed, not trusted
        { std::ofstream(ds.cacheFile(1), std::ios::trunc) << "garbage"; }
        PersistentDataset repaired(items, chain(chainA),
                                   PersistentDatasetOptions().cache_dir(cacheDir));
        QVERIFY(torch::equal(repaired.get(1, 5)[0].at("image").data(),
                             plain.get(1, 5)[0].at("image").data()));
        QCOMPARE(repaired.recomputedCount(), size_t(1));
        QVERIFY(readSampleFile(ds.cacheFile(1)).has("image"));

        // a changed source file is a new record
        const std::string before = ds.cacheFile(2);
        writeNifti(numberedItem(7).volumes.at("image"), items[2].paths["image"] + ".tmp.nii.gz");
        fs::rename(items[2].paths["image"] + ".tmp.nii.gz", items[2].paths["image"]);
        fs::last_write_time(items[2].paths["image"],
                            fs::last_write_time(items[2].paths["image"]) + std::chrono::seconds(5));
        QVERIFY(ds.cacheFile(2) != before);

        try {
            PersistentDataset(items, chain(chainA), PersistentDatasetOptions());
            QFAIL("a missing cache_dir must be refused");
        } catch (const ConfigError& e) {
            QCOMPARE(e.field(), std::string("cache_dir"));
        }
    }
};

QTEST_MAIN(TestDatasets)
#include "test_datasets.moc"
