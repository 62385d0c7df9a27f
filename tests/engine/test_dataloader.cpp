/// DataLoader, collation, partitions, cross-validation and datalists:
/// batches identical for any worker count, list_data_collate flattening,
/// MONAI's exact partition_dataset/numpy shuffles, DDP ranks covering every
/// item once, and dataset.json reading with clear errors.

#include <QtTest>
#include <torch/torch.h>

#include <QTemporaryDir>

#include <fstream>
#include <set>

#include "DataTestSupport.h"
#include "engine/core/Error.h"
#include "engine/data/CacheDataset.h"
#include "engine/data/CrossValidation.h"
#include "engine/data/DataLoader.h"
#include "engine/data/Datalist.h"
#include "engine/data/DatasetFactory.h"
#include "engine/data/NumpyRandom.h"
#include "engine/data/Partition.h"
#include "engine/data/SmartCacheDataset.h"
#include "engine/io/NiftiIO.h"

using namespace medulla;
using namespace medulla::test;

namespace {

const char* kRandomChain = R"([
  {"name": "ScaleIntensityd", "keys": ["image"]},
  {"name": "RandSpatialCropSamplesd", "keys": ["image", "label"], "roi_size": [6, 6, 6],
   "random_size": false, "num_samples": 3},
  {"name": "RandFlipd", "keys": ["image", "label"], "prob": 0.5, "spatial_axis": [0]},
  {"name": "RandScaleIntensityd", "keys": ["image"], "factors": 0.3, "prob": 1.0}
])";

std::vector<Batch> epochBatches(DataLoader& loader, int64_t epoch) {
    loader.startEpoch(epoch);
    std::vector<Batch> out;
    while (auto b = loader.next())
        out.push_back(std::move(*b));
    return out;
}

bool sameBatches(const std::vector<Batch>& a, const std::vector<Batch>& b) {
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].itemIndex != b[i].itemIndex)
            return false;
        for (const auto& kv : a[i].tensors)
            if (!b[i].tensors.count(kv.first) ||
                !torch::equal(kv.second, b[i].tensors.at(kv.first)))
                return false;
    }
    return true;
}

} // namespace

class TestDataLoader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void numpyShuffleIsBitExact() {
        // np.random.RandomState(seed).shuffle(list(range(10))) with numpy 1.24.2
        const std::vector<std::pair<uint64_t, std::vector<int>>> want = {
            {0, {2, 8, 4, 9, 1, 6, 7, 3, 0, 5}},
            {12345, {0, 7, 3, 9, 6, 4, 1, 8, 5, 2}},
            {7, {8, 5, 0, 2, 1, 9, 7, 3, 6, 4}}};
        for (const auto& w : want) {
            std::vector<int> v(10);
            std::iota(v.begin(), v.end(), 0);
            NumpyRandomState(w.first).shuffle(v);
            QCOMPARE(v, w.second);
        }
        std::vector<int> v(41);
        std::iota(v.begin(), v.end(), 0);
        NumpyRandomState(3).shuffle(v);
        const std::vector<int> want41 = {30, 16, 9,  28, 4,  18, 29, 39, 15, 27, 26, 11, 31, 33,
                                         13, 35, 25, 38, 5,  1,  32, 2,  22, 17, 40, 14, 7,  12,
                                         20, 37, 6,  23, 36, 34, 10, 19, 21, 0,  8,  3,  24};
        QCOMPARE(v, want41);
    }

    void partitionFollowsMonai() {
        using P = std::vector<std::vector<size_t>>;
        // the examples of MONAI's partition_dataset docstring (data = items 0..4)
        QCOMPARE(partitionIndices(5, PartitionOptions().ratios({0.6, 0.2, 0.2})),
                 P({{0, 1, 2}, {3}, {4}}));
        QCOMPARE(partitionIndices(5, PartitionOptions().num_partitions(2)), P({{0, 2, 4}, {1, 3}}));
        QCOMPARE(partitionIndices(
                     5, PartitionOptions().num_partitions(2).even_divisible(true).drop_last(true)),
                 P({{0, 2}, {1, 3}}));
        QCOMPARE(partitionIndices(5, PartitionOptions().num_partitions(2).even_divisible(true)),
                 P({{0, 2, 4}, {1, 3, 0}}));
        // shuffled with numpy's order for seed 0: 2 8 4 9 1 6 7 3 0 5
        QCOMPARE(partitionIndices(10, PartitionOptions().num_partitions(3).shuffle(true)),
                 P({{2, 9, 7, 5}, {8, 1, 3}, {4, 6, 0}}));
        QCOMPARE(partitionIndices(10, PartitionOptions().ratios({8, 1, 1}).shuffle(true)),
                 P({{2, 8, 4, 9, 1, 6, 7, 3}, {0}, {5}}));
        const std::vector<std::string> names = {"a", "b", "c"};
        auto parts = partitionDataset(names, PartitionOptions().num_partitions(2));
        QCOMPARE(parts[0], std::vector<std::string>({"a", "c"}));
        QCOMPARE(selectFolds(parts, {1, 0}), std::vector<std::string>({"b", "a", "c"}));
        QCOMPARE(selectFolds(parts, {-1}), std::vector<std::string>({"b"}));

        auto field = [](const PartitionOptions& o, size_t n) {
            try {
                partitionIndices(n, o);
            } catch (const ConfigError& e) {
                return e.field();
            }
            return std::string("no error");
        };
        QCOMPARE(field(PartitionOptions().num_partitions(2).drop_last(true), 5),
                 std::string("drop_last"));
        QCOMPARE(field(PartitionOptions().num_partitions(6), 5), std::string("num_partitions"));
        QCOMPARE(field(PartitionOptions(), 5), std::string("num_partitions"));
        QCOMPARE(field(PartitionOptions().ratios({1, -1}), 5), std::string("ratios"));
        QVERIFY_EXCEPTION_THROWN(selectFolds(parts, {2}), ConfigError);
    }

    void ddpRanksCoverEveryItemOnce() {
        for (size_t n : {7, 8, 13})
            for (int64_t r : {2, 3, 4}) {
                // partition_dataset for ranks (shuffled, not padded): exactly once
                std::multiset<size_t> seen;
                for (const auto& part : partitionIndices(
                         n, PartitionOptions().num_partitions(r).shuffle(true).seed(5)))
                    seen.insert(part.begin(), part.end());
                QCOMPARE(seen.size(), n);
                QCOMPARE(std::set<size_t>(seen.begin(), seen.end()).size(), n);

                // the loader's distributed sampling: padded to equal ranks
                std::vector<Sample> items = numberedItems(int(n));
                Dataset ds(items, Compose());
                std::multiset<size_t> loaded;
                size_t perRank = 0;
                for (int64_t rank = 0; rank < r; ++rank) {
                    DataLoader loader(
                        ds, DataLoaderOptions().shuffle(true).seed(9).num_replicas(r).rank(rank));
                    const auto order = loader.epochOrder(4);
                    QCOMPARE(int64_t(order.size()), loader.itemsPerEpoch());
                    perRank = order.size();
                    loaded.insert(order.begin(), order.end());
                }
                QCOMPARE(perRank, (n + size_t(r) - 1) / size_t(r));
                QCOMPARE(std::set<size_t>(loaded.begin(), loaded.end()).size(), n); // all covered
                QCOMPARE(loaded.size(), perRank * size_t(r)); // padding only repeats the head
                for (size_t i = 0; i < n; ++i)
                    QVERIFY(loaded.count(i) >= 1 && loaded.count(i) <= 2);
            }
    }

    void crossValidationFolds() {
        std::vector<Sample> items = numberedItems(10);
        CrossValidation cv(items, 5, 0);
        std::multiset<int> all;
        for (int k = 0; k < 5; ++k) {
            const DatalistSplit s = cv.split(k);
            QCOMPARE(s.validation.size(), size_t(2));
            QCOMPARE(s.train.size(), size_t(8));
            std::set<int> val;
            for (const auto& v : s.validation) {
                val.insert(std::stoi(v.fields.at("id")));
                all.insert(std::stoi(v.fields.at("id")));
            }
            for (const auto& t : s.train)
                QVERIFY(!val.count(std::stoi(t.fields.at("id"))));
        }
        QCOMPARE(all, std::multiset<int>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
        // MONAI: partition_dataset(num_partitions=5, shuffle=True, seed=0): fold 0 = items 2, 6
        const auto f0 = cv.folds({0});
        QCOMPARE(f0[0].fields.at("id"), std::string("2"));
        QCOMPARE(f0[1].fields.at("id"), std::string("6"));
        QVERIFY_EXCEPTION_THROWN(CrossValidation(items, 11, 0), ConfigError);
        QVERIFY_EXCEPTION_THROWN(cv.split(5), ConfigError);
    }

    void decathlonDatalist() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        QDir(dir.path()).mkpath("imagesTr");
        for (int i = 0; i < 4; ++i) {
            writeNifti(numberedItem(i).volumes.at("image"),
                       root + "/imagesTr/c" + std::to_string(i) + ".nii.gz");
            writeNifti(numberedItem(i).volumes.at("label"),
                       root + "/imagesTr/l" + std::to_string(i) + ".nii.gz");
        }
        std::ofstream(root + "/dataset.json") << R"({
          "name": "Test", "numTraining": 4,
          "training": [
            {"image": "./imagesTr/c0.nii.gz", "label": "./imagesTr/l0.nii.gz", "fold": 0},
            {"image": "./imagesTr/c1.nii.gz", "label": "./imagesTr/l1.nii.gz", "fold": 1},
            {"image": "./imagesTr/c2.nii.gz", "label": "./imagesTr/l2.nii.gz", "fold": 0, "site": "B"},
            {"image": "./imagesTr/c3.nii.gz", "label": "./imagesTr/l3.nii.gz", "fold": 1, "mask": "imagesTr/l3.nii.gz"}
          ],
          "validation": [{"image": "imagesTr/c1.nii.gz", "label": "imagesTr/l1.nii.gz"}],
          "test": ["./imagesTr/c2.nii.gz", "imagesTr/c3.nii.gz"],
          "broken": [{"image": "imagesTr/c0.nii.gz", "label": "imagesTr/missing.nii.gz"}],
          "classes": [{"image": "imagesTr/c0.nii.gz", "label": 3}],
          "no_image": [{"image": 7}]
        })";
        const auto train = loadDecathlonDatalist(root + "/dataset.json");
        QCOMPARE(train.size(), size_t(4));
        QCOMPARE(train[0].paths.at("image"), root + "/imagesTr/c0.nii.gz");
        QCOMPARE(train[0].fields.at("fold"), std::string("0"));
        QCOMPARE(train[2].fields.at("site"), std::string("\"B\"")); // not a file: a field
        QCOMPARE(train[3].paths.at("mask"),
                 root + "/imagesTr/l3.nii.gz"); // an existing file: a path
        QCOMPARE(loadDecathlonDatalist(root + "/dataset.json", "validation").size(), size_t(1));
        const auto test = loadDecathlonDatalist(root + "/dataset.json", "test");
        QCOMPARE(test[1].paths.at("image"), root + "/imagesTr/c3.nii.gz");
        QVERIFY(!test[1].paths.count("label"));

        const DatalistSplit byFold = splitByFold(train, 1);
        QCOMPARE(byFold.validation.size(), size_t(2));
        QCOMPARE(byFold.validation[0].paths.at("image"), root + "/imagesTr/c1.nii.gz");
        QVERIFY_EXCEPTION_THROWN(splitByFold(train, 7), ConfigError);
        QVERIFY_EXCEPTION_THROWN(splitByFold(test, 0), ConfigError);

        try {
            loadDecathlonDatalist(root + "/dataset.json", "broken");
            QFAIL("a missing file must be refused");
        } catch (const IoError& e) {
            QCOMPARE(e.field(), std::string("broken[0].label"));
            QVERIFY(std::string(e.what()).find("missing.nii.gz") != std::string::npos);
        }
        const auto classes = loadDecathlonDatalist(root + "/dataset.json", "classes");
        QCOMPARE(classes[0].fields.at("label"), std::string("3")); // a class, not a file
        QVERIFY(!classes[0].paths.count("label"));
        try {
            loadDecathlonDatalist(root + "/dataset.json", "no_image");
            QFAIL("an image must be a path");
        } catch (const ConfigError& e) {
            QCOMPARE(e.field(), std::string("no_image[0].image"));
        }
        try {
            loadDecathlonDatalist(root + "/dataset.json", "nope");
            QFAIL("an absent list must be refused");
        } catch (const ConfigError& e) {
            QCOMPARE(e.field(), std::string("nope"));
        }
        // MONAI's DecathlonDataset split: numpy seed 0 order 2 8 4 9 1 6 7 3 0 5, the first
        // int(10 * 0.2) validation
        const DatalistSplit s = splitDatalist(numberedItems(10), 0.2, 0);
        QCOMPARE(s.validation.size(), size_t(2));
        QCOMPARE(s.validation[0].fields.at("id"), std::string("2"));
        QCOMPARE(s.validation[1].fields.at("id"), std::string("8"));
        QCOMPARE(s.train[0].fields.at("id"), std::string("4"));
        QCOMPARE(s.train[7].fields.at("id"), std::string("5"));
    }

    void collateFlattensSamplesIntoTheBatch() {
        Dataset ds(numberedItems(5), chain(kRandomChain, 3));
        DataLoader loader(ds, DataLoaderOptions().batch_size(2));
        const auto batches = epochBatches(loader, 0);
        QCOMPARE(batches.size(), size_t(3)); // 2 + 2 + 1 items
        QCOMPARE(batches[0]["image"].sizes().vec(), std::vector<int64_t>({6, 1, 6, 6, 6}));
        QCOMPARE(batches[0]["label"].scalar_type(), torch::kByte); // dtype kept
        QCOMPARE(batches[0].itemIndex, std::vector<size_t>({0, 0, 0, 1, 1, 1}));
        QCOMPARE(batches[2].size(), int64_t(3));
        QCOMPARE(batches[0].records[4].fields.at("id"), std::string("1"));
        QCOMPARE(batches[0].affines.at("image").size(), size_t(6));
        QVERIFY(batches[0].records[0].volumes.empty());
        for (int r = 0; r < 6; ++r) // intensity scaled to [0, 1] then by 0.7..1.3: no item id left
            QVERIFY(batches[0]["image"][r].max().item<double>() <= 1.3 + 1e-5);

        DataLoader dropping(ds, DataLoaderOptions().batch_size(2).drop_last(true));
        QCOMPARE(dropping.batchesPerEpoch(), int64_t(2));
        QCOMPARE(epochBatches(dropping, 0).size(), size_t(2));

        std::vector<Sample> mixed = {numberedItem(0), numberedItem(1, 12, 10, 9)};
        try {
            collate(mixed);
            QFAIL("different shapes must be refused");
        } catch (const ShapeError& e) {
            QCOMPARE(e.field(), std::string("image"));
            QVERIFY(std::string(e.what()).find("[1, 12, 10, 9]") != std::string::npos);
        }
    }

    void batchesIdenticalForAnyWorkerCount() {
        std::vector<Sample> items = numberedItems(9);
        NullProgress quiet;
        CacheDataset ds(items, chain(kRandomChain, 11), CacheDatasetOptions(), quiet);
        std::vector<std::vector<Batch>> runs;
        for (int64_t workers : {0, 1, 3})
            for (int64_t prefetch : {1, 4}) {
                DataLoader loader(ds, DataLoaderOptions()
                                          .batch_size(2)
                                          .shuffle(true)
                                          .seed(42)
                                          .num_workers(workers)
                                          .prefetch_factor(prefetch));
                auto e0 = epochBatches(loader, 0);
                auto e1 = epochBatches(loader, 1);
                e0.insert(e0.end(), e1.begin(), e1.end());
                runs.push_back(std::move(e0));
            }
        for (size_t r = 1; r < runs.size(); ++r)
            QVERIFY2(sameBatches(runs[0], runs[r]), qPrintable("run " + QString::number(r)));
        // the epochs differ (order and augmentation), the seed matters
        QVERIFY(runs[0][0].itemIndex != runs[0][5].itemIndex ||
                !torch::equal(runs[0][0]["image"], runs[0][5]["image"]));
        DataLoader other(ds, DataLoaderOptions().batch_size(2).shuffle(true).seed(43));
        QVERIFY(!sameBatches(epochBatches(other, 0),
                             std::vector<Batch>(runs[0].begin(), runs[0].begin() + 5)));
        // the cached dataset gives what the plain dataset gives
        Dataset plain(items, chain(kRandomChain, 11));
        DataLoader plainLoader(
            plain, DataLoaderOptions().batch_size(2).shuffle(true).seed(42).num_workers(2));
        QVERIFY(sameBatches(epochBatches(plainLoader, 0),
                            std::vector<Batch>(runs[0].begin(), runs[0].begin() + 5)));
        // shuffled order: a permutation fixed by (seed, epoch)
        DataLoader a(ds, DataLoaderOptions().shuffle(true).seed(42));
        auto order = a.epochOrder(3);
        QCOMPARE(order, DataLoader(ds, DataLoaderOptions().shuffle(true).seed(42)).epochOrder(3));
        std::sort(order.begin(), order.end());
        QCOMPARE(order, std::vector<size_t>({0, 1, 2, 3, 4, 5, 6, 7, 8}));
    }

    void datasetKindsFromJson() {
        QStringList names;
        for (const auto& k : datasetKinds())
            names << QString::fromStdString(k.name);
        QCOMPARE(names, QStringList(
                            {"Dataset", "CacheDataset", "SmartCacheDataset", "PersistentDataset"}));
        NullProgress quiet;
        auto cache =
            makeDataset(Json::parse(R"({"name": "CacheDataset", "cache_rate": 0.5})"),
                        numberedItems(6), chain(kRandomChain), quiet, nullptr, "data.cache");
        QCOMPARE(dynamic_cast<CacheDataset&>(*cache).cacheNum(), size_t(3));
        auto smart = makeDataset(
            Json::parse(
                R"({"name": "SmartCacheDataset", "cache_num": 4, "replace_rate": 0.5, "shuffle": false})"),
            numberedItems(6), chain(kRandomChain), quiet, nullptr, "data.cache");
        QCOMPARE(smart->size(), size_t(4));
        QCOMPARE(dynamic_cast<SmartCacheDataset&>(*smart).replaceNum(), size_t(2));
        auto plain = makeDataset(Json::parse(R"({"name": "Dataset"})"), numberedItems(2),
                                 chain(kRandomChain), quiet, nullptr, "data.cache");
        QCOMPARE(plain->get(1, 0).size(), size_t(3));

        auto field = [](const char* json) {
            try {
                checkDatasetConfig(Json::parse(json), "data.cache");
            } catch (const ConfigError& e) {
                return e.field();
            }
            return std::string("no error");
        };
        QCOMPARE(field(R"({"name": "CacheDataset", "cache_rate": 2})"),
                 std::string("data.cache.cache_rate"));
        QCOMPARE(field(R"({"name": "CacheDataset", "cache_rat": 0.5})"),
                 std::string("data.cache.cache_rat"));
        QCOMPARE(field(R"({"name": "SmartCacheDataset", "replace_rate": "x"})"),
                 std::string("data.cache.replace_rate"));
        QCOMPARE(field(R"({"name": "PersistentDataset"})"), std::string("data.cache.cache_dir"));
        QCOMPARE(field(R"({"name": "MagicDataset"})"), std::string("data.cache.name"));
        QCOMPARE(field(R"({"name": "CacheDataset"})"), std::string("no error"));
    }

    void workerErrorsReachTheConsumer() {
        std::vector<Sample> items;
        for (int i = 0; i < 4; ++i) {
            Sample s;
            s.paths["image"] = "/nonexistent/case" + std::to_string(i) + ".nii.gz";
            items.push_back(s);
        }
        Dataset ds(items, chain(R"([{"name": "LoadImaged", "keys": ["image"]}])"));
        DataLoader loader(ds, DataLoaderOptions().num_workers(2));
        loader.startEpoch(0);
        try {
            loader.next();
            QFAIL("a missing file must be reported");
        } catch (const IoError& e) {
            QVERIFY(std::string(e.what()).find("/nonexistent/case0.nii.gz") != std::string::npos);
        }
        // cancelled while waiting for a batch
        Dataset slow(numberedItems(4), Compose());
        CancelToken token;
        token.cancel();
        DataLoader cancelled(slow, DataLoaderOptions().num_workers(1));
        cancelled.startEpoch(0);
        QVERIFY_EXCEPTION_THROWN(cancelled.next(&token), CancelledError);
        QVERIFY_EXCEPTION_THROWN(DataLoader(slow, DataLoaderOptions().batch_size(0)), ConfigError);
        QVERIFY_EXCEPTION_THROWN(DataLoader(slow, DataLoaderOptions().num_replicas(2).rank(2)),
                                 ConfigError);
    }
};

QTEST_MAIN(TestDataLoader)
#include "test_dataloader.moc"
