/// Utility and IO dictionary transforms: dtype/device conversion, logging
/// without touching data, copy/concat/delete/select keeping volumes,
/// metadata and applied-transform records consistent, and SaveImaged
/// writing files that load back identically.

#include <QtTest>
#include <torch/torch.h>

#include <QDir>
#include <QTemporaryDir>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "engine/core/Error.h"
#include "engine/core/Random.h"
#include "engine/io/ImageLoader.h"
#include "engine/io/NiftiIO.h"
#include "engine/transforms/Compose.h"
#include "engine/transforms/SaveImaged.h"
#include "engine/transforms/Transform.h"
#include "engine/transforms/TransformLog.h"

using namespace medulla;
namespace fs = std::filesystem;

namespace {

TransformPtr make(const Json& json) {
    return transformRegistry().create(json, "test");
}

Sample runOn(const TransformPtr& t, Sample s) {
    RandomGenerator rng(0);
    return t->apply(std::move(s), rng);
}

/// image (2 channels) and label (1 channel) with metadata and a record.
Sample twoKeys() {
    Sample s;
    const Affine a({{{0.8, 0, 0, -20}, {0, 1.2, 0, 15}, {0, 0, 2.5, 3}, {0, 0, 0, 1}}});
    s.volumes["image"] = Volume(torch::arange(2 * 4 * 3 * 2, torch::kFloat).view({2, 4, 3, 2}), a);
    s.volumes["label"] = Volume(torch::ones({1, 4, 3, 2}, torch::kByte), Affine());
    s.paths["image"] = "/data/case1/img.nii.gz";
    s.paths["label"] = "/data/case1/seg.nii.gz";
    s.meta["image"].filenames = {"/data/case1/img.nii.gz"};
    s.meta["label"].filenames = {"/data/case1/seg.nii.gz"};
    s.applied["image"].push_back({"Flipd", {4, 3, 2}, a});
    return s;
}

std::vector<std::string> filesIn(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file())
            out.push_back(fs::relative(e.path(), dir).string());
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

class TestTransformsUtility : public QObject {
    Q_OBJECT
private Q_SLOTS:
    /// Float to int truncates toward zero, like tensor.to / numpy astype;
    /// one dtype per key.
    void castToTypePerKey() {
        Sample s;
        s.volumes["a"] = Volume(torch::tensor({2.7f, -1.5f, 0.2f, 255.9f}).view({1, 2, 2}));
        s.volumes["b"] = Volume(torch::tensor({1, 0, 3, 4}, torch::kLong).view({1, 2, 2}));
        Sample out = runOn(make({{"name", "CastToTyped"},
                                 {"keys", {"a", "b"}},
                                 {"dtype", {"np.int32", "torch.float64"}}}),
                           s);
        QCOMPARE(out.at("a").data().scalar_type(), at::kInt);
        QVERIFY(torch::equal(out.at("a").data(),
                             torch::tensor({2, -1, 0, 255}, torch::kInt).view({1, 2, 2})));
        QCOMPARE(out.at("b").data().scalar_type(), at::kDouble);
        Sample one =
            runOn(make({{"name", "CastToTyped"}, {"keys", {"a", "b"}}, {"dtype", "uint8"}}), s);
        QCOMPARE(one.at("a").data().scalar_type(), at::kByte);
        QCOMPARE(one.at("b").data().scalar_type(), at::kByte);
    }

    /// ToTensord / EnsureTyped convert dtype and device for real; numpy
    /// means CPU data; with no dtype the data is untouched.
    void toTensorAndEnsureType() {
        Sample s = twoKeys();
        Sample t = runOn(make({{"name", "ToTensord"},
                               {"keys", {"image"}},
                               {"dtype", "float64"},
                               {"device", "cpu"}}),
                         s);
        QCOMPARE(t.at("image").data().scalar_type(), at::kDouble);
        QVERIFY(t.at("image").data().device().is_cpu());
        QVERIFY(torch::equal(t.at("image").data().to(torch::kFloat), s.at("image").data()));
        Sample keep = runOn(make({{"name", "ToTensord"}, {"keys", {"image", "label"}}}), s);
        QVERIFY(keep.at("image").data().is_same(s.at("image").data()));
        Sample e = runOn(make({{"name", "EnsureTyped"},
                               {"keys", {"image", "label"}},
                               {"data_type", "numpy"},
                               {"dtype", {"float16", "int64"}}}),
                         s);
        QCOMPARE(e.at("image").data().scalar_type(), at::kHalf);
        QCOMPARE(e.at("label").data().scalar_type(), at::kLong);
        QVERIFY(e.at("image").data().device().is_cpu());
        QCOMPARE(e.meta.size(), size_t(2));
        if (!torch::cuda::is_available()) {
            QVERIFY_EXCEPTION_THROWN(
                runOn(make({{"name", "EnsureTyped"}, {"keys", {"image"}}, {"device", "cuda:0"}}),
                      s),
                Error);
        } else {
            Sample g =
                runOn(make({{"name", "EnsureTyped"}, {"keys", {"image"}}, {"device", "cuda"}}), s);
            QVERIFY(g.at("image").data().is_cuda());
        }
    }

    /// DataStatsd logs MONAI's lines through the sink and returns the very
    /// same tensors.
    void dataStatsLogsWithoutChangingData() {
        std::vector<std::pair<std::string, std::string>> records;
        std::mutex m;
        TransformLogSink previous =
            setTransformLogSink([&](const std::string& l, const std::string& t) {
                std::lock_guard<std::mutex> lock(m);
                records.emplace_back(l, t);
            });
        Sample s;
        s.volumes["image"] =
            Volume(torch::tensor({-1.f, 5.f, 2.f, 0.f, 1.f, 3.f}).view({1, 1, 2, 3}));
        s.volumes["label"] = Volume(torch::zeros({1, 2, 3}, torch::kByte));
        const at::Tensor before = s.at("image").data();
        Sample out = runOn(make({{"name", "DataStatsd"},
                                 {"keys", {"image", "label"}},
                                 {"prefix", {"img", "seg"}},
                                 {"data_value", true},
                                 {"logger_name", "stats"}}),
                           s);
        setTransformLogSink(previous);
        QVERIFY(out.at("image").data().is_same(before));
        QVERIFY(torch::equal(before,
                             torch::tensor({-1.f, 5.f, 2.f, 0.f, 1.f, 3.f}).view({1, 1, 2, 3})));
        QCOMPARE(records.size(), size_t(2));
        QCOMPARE(records[0].first, std::string("stats"));
        const std::string& a = records[0].second;
        QVERIFY2(a.rfind("img statistics:\nType: Volume torch.float32 (cpu)", 0) == 0, a.c_str());
        QVERIFY2(a.find("\nShape: (1, 1, 2, 3)") != std::string::npos, a.c_str());
        QVERIFY2(a.find("\nValue range: (-1, 5)") != std::string::npos, a.c_str());
        QVERIFY2(a.find("\nValue: ") != std::string::npos, a.c_str());
        const std::string& b = records[1].second;
        QVERIFY2(b.rfind("seg statistics:", 0) == 0, b.c_str());
        QVERIFY2(b.find("Type: Volume torch.uint8") != std::string::npos, b.c_str());
        QVERIFY2(b.find("Value range: (0, 0)") != std::string::npos, b.c_str());
        // The data_type/shape/range switches remove their lines.
        records.clear();
        previous = setTransformLogSink(
            [&](const std::string& l, const std::string& t) { records.emplace_back(l, t); });
        runOn(make({{"name", "DataStatsd"}, {"data_type", false}, {"value_range", false}}), s);
        setTransformLogSink(previous);
        QCOMPARE(records.size(), size_t(1));
        QCOMPARE(records[0].second, std::string("Data statistics:\nShape: (1, 1, 2, 3)"));
    }

    /// CopyItemsd: deep copies with metadata and records; MONAI's names and
    /// their pairing; an existing name is an error.
    void copyItems() {
        Sample s = twoKeys();
        Sample out = runOn(make({{"name", "CopyItemsd"}, {"keys", "image"}, {"times", 2}}), s);
        for (const char* k : {"image_0", "image_1"}) {
            QVERIFY(torch::equal(out.at(k).data(), s.at("image").data()));
            QVERIFY(!out.at(k).data().is_same(s.at("image").data()));
            QCOMPARE(out.at(k).affine().maxAbsDiff(s.at("image").affine()), 0.0);
            QCOMPARE(out.meta.at(k).filenames, s.meta.at("image").filenames);
            QCOMPARE(out.applied.at(k).size(), size_t(1));
            QCOMPARE(out.paths.at(k), s.paths.at("image"));
        }
        out.at("image_0").data().fill_(-7); // a deep copy: the source stays
        QCOMPARE(out.at("image").data().min().item<float>(), 0.f);
        // Two keys, default names: copy i of key j is names[i * 2 + j] (MONAI 1.3).
        Sample two =
            runOn(make({{"name", "CopyItemsd"}, {"keys", {"image", "label"}}, {"times", 2}}), s);
        QCOMPARE(two.at("image_0").channels(), int64_t(2));
        QCOMPARE(two.at("image_1").channels(), int64_t(1)); // label's first copy
        QCOMPARE(two.at("label_0").channels(), int64_t(2));
        QCOMPARE(two.at("label_1").channels(), int64_t(1));
        Sample named = runOn(make({{"name", "CopyItemsd"},
                                   {"keys", {"image", "label"}},
                                   {"names", {"img2", "seg2"}}}),
                             s);
        QCOMPARE(named.at("seg2").data().scalar_type(), at::kByte);
        QCOMPARE(named.meta.at("seg2").filenames[0], std::string("/data/case1/seg.nii.gz"));
        QVERIFY(named.applied.count("seg2") == 0);
        QVERIFY_EXCEPTION_THROWN(
            runOn(make({{"name", "CopyItemsd"}, {"keys", "image"}, {"names", "label"}}), s),
            ConfigError);
    }

    /// ConcatItemsd: channels stacked, first key's affine/meta/records.
    void concatItems() {
        Sample s = twoKeys();
        Sample out = runOn(
            make({{"name", "ConcatItemsd"}, {"keys", {"image", "label"}}, {"output_name", "both"}}),
            s);
        const at::Tensor both = out.at("both").data();
        QCOMPARE(both.size(0), int64_t(3));
        QVERIFY(torch::equal(both.slice(0, 0, 2), s.at("image").data()));
        QVERIFY(torch::equal(both.slice(0, 2), s.at("label").data().to(torch::kFloat)));
        QCOMPARE(out.at("both").affine().maxAbsDiff(s.at("image").affine()), 0.0);
        QCOMPARE(out.meta.at("both").filenames[0], std::string("/data/case1/img.nii.gz"));
        QCOMPARE(out.applied.at("both").size(), size_t(1));
        Sample bad = s;
        bad.volumes["label"] = Volume(torch::ones({1, 5, 3, 2}));
        QVERIFY_EXCEPTION_THROWN(runOn(make({{"name", "ConcatItemsd"},
                                             {"keys", {"image", "label"}},
                                             {"output_name", "both"}}),
                                       bad),
                                 ShapeError);
    }

    /// DeleteItemsd removes a key with its metadata; "<k>_meta_dict" only
    /// the metadata; regular expressions; absent keys ignored.
    void deleteItems() {
        Sample s = twoKeys();
        Sample out = runOn(make({{"name", "DeleteItemsd"}, {"keys", {"image", "missing"}}}), s);
        QVERIFY(!out.has("image") && !out.paths.count("image") && !out.meta.count("image") &&
                !out.applied.count("image"));
        QVERIFY(out.has("label") && out.meta.count("label"));
        Sample meta = runOn(make({{"name", "DeleteItemsd"}, {"keys", "label_meta_dict"}}), s);
        QVERIFY(meta.has("label") && !meta.meta.count("label") && meta.meta.count("image"));
        Sample re = runOn(make({{"name", "DeleteItemsd"}, {"keys", "^lab"}, {"use_re", true}}), s);
        QVERIFY(!re.has("label") && !re.meta.count("label") && re.has("image"));
        Sample metas =
            runOn(make({{"name", "DeleteItemsd"}, {"keys", "_meta_dict$"}, {"use_re", true}}), s);
        QVERIFY(metas.has("label") && metas.has("image") && metas.meta.empty());
    }

    /// SelectItemsd keeps exactly the listed items with their metadata.
    void selectItems() {
        Sample s = twoKeys();
        Sample out = runOn(make({{"name", "SelectItemsd"}, {"keys", "image"}}), s);
        QCOMPARE(out.volumes.size(), size_t(1));
        QCOMPARE(out.paths.size(), size_t(1));
        QCOMPARE(out.meta.size(), size_t(1));
        QCOMPARE(out.applied.size(), size_t(1));
        QVERIFY(out.at("image").data().is_same(s.at("image").data()));
        QVERIFY_EXCEPTION_THROWN(
            runOn(make({{"name", "SelectItemsd"}, {"keys", {"image", "nope"}}}), s), ShapeError);
        Sample lenient = runOn(make({{"name", "SelectItemsd"},
                                     {"keys", {"label", "nope"}},
                                     {"allow_missing_keys", true}}),
                               s);
        QCOMPARE(lenient.volumes.size(), size_t(1));
        QVERIFY(lenient.has("label") && lenient.meta.count("label") &&
                !lenient.meta.count("image"));
    }

    /// SaveImaged: MONAI's file names, atomic write (no temporary file
    /// left), the same voxels and affine when loaded back.
    void saveImageRoundTrip() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        Sample s = twoKeys();
        s.volumes.erase("label");
        s.volumes["image"] =
            Volume(s.at("image").data().slice(0, 0, 1) * 0.5 - 3, s.at("image").affine());
        s.meta["image"].filenames = {"/data/case1/img.nii.gz"};
        const TransformPtr t = make({{"name", "SaveImaged"},
                                     {"keys", "image"},
                                     {"output_dir", root},
                                     {"print_log", false}});
        Sample out = runOn(t, s);
        QVERIFY(out.at("image").data().is_same(s.at("image").data()));
        QCOMPARE(filesIn(root), std::vector<std::string>{"img/img_trans.nii.gz"});
        const Volume back = loadImage(root + "/img/img_trans.nii.gz");
        QVERIFY(torch::equal(back.data(), s.at("image").data()));
        QVERIFY(back.affine().maxAbsDiff(s.at("image").affine()) < 1e-5);

        // separate_folder false, data_root_dir, postfix "", .nii.
        const TransformPtr flat = make({{"name", "SaveImaged"},
                                        {"output_dir", root + "/flat"},
                                        {"separate_folder", false},
                                        {"data_root_dir", "/data"},
                                        {"output_postfix", ""},
                                        {"output_ext", "nii"},
                                        {"print_log", false},
                                        {"output_dtype", "int16"}});
        runOn(flat, s);
        QVERIFY(fs::exists(root + "/flat/case1/img.nii"));
        QVERIFY(torch::equal(loadImage(root + "/flat/case1/img.nii").data(),
                             s.at("image").data().to(torch::kShort).to(torch::kFloat)));

        // No source name: a running index, as MONAI's _data_index.
        Sample anon;
        anon.volumes["image"] = Volume(torch::rand({3, 4, 5, 6}));
        const TransformPtr npz = make({{"name", "SaveImaged"},
                                       {"output_dir", root + "/anon"},
                                       {"output_ext", ".npz"},
                                       {"print_log", false}});
        runOn(npz, anon);
        runOn(npz, anon);
        QCOMPARE(filesIn(root + "/anon"),
                 (std::vector<std::string>{"0/0_trans.npz", "1/1_trans.npz"}));
        QVERIFY(
            torch::equal(loadImage(root + "/anon/1/1_trans.npz").data(), anon.at("image").data()));

        // Patch index from the metadata.
        auto* saver = dynamic_cast<SaveImaged*>(t.get());
        QVERIFY(saver);
        QCOMPARE(saver->outputPath("/x/y/ct.scan.nii.gz", "3"),
                 root + "/ct.scan/ct.scan_trans_3.nii.gz");
    }

    /// An unwritable destination: IoError naming the file, nothing left.
    void saveImageErrorsNameTheFile() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        std::ofstream(root + "/blocker") << "a file where a folder should be";
        Sample s = twoKeys();
        const TransformPtr t = make({{"name", "SaveImaged"},
                                     {"keys", "image"},
                                     {"output_dir", root + "/blocker/out"},
                                     {"print_log", false},
                                     {"output_ext", ".npz"}});
        try {
            runOn(t, s);
            QFAIL("no error");
        } catch (const IoError& e) {
            const std::string what = e.what();
            QVERIFY2(what.find(root + "/blocker/out/img/img_trans.npz") != std::string::npos,
                     what.c_str());
        }
        QCOMPARE(filesIn(root), std::vector<std::string>{"blocker"});
        // Multi-channel NIfTI is written channels-last (MONAI's layout) and
        // reads back as the same channels; no temporary file is left.
        const TransformPtr nii = make({{"name", "SaveImaged"},
                                       {"keys", "image"},
                                       {"output_dir", root + "/n"},
                                       {"print_log", false}});
        runOn(nii, s);
        const std::string written = root + "/n/img/img_trans.nii.gz";
        QCOMPARE(filesIn(root), (std::vector<std::string>{"blocker", "n/img/img_trans.nii.gz"}));
        const at::Tensor back = readNifti(written).data().to(torch::kFloat);
        QVERIFY(torch::equal(back, s.volumes.at("image").data()));
    }

    /// JSON round trip of every utility transform, and named errors.
    void jsonRoundTripAndErrors() {
        const std::vector<Json> configs = {
            {{"name", "CastToTyped"}, {"keys", {"a", "b"}}, {"dtype", {"int8", "float64"}}},
            {{"name", "ToTensord"}, {"dtype", "float16"}, {"device", "cpu"}},
            {{"name", "EnsureTyped"}, {"data_type", "numpy"}, {"dtype", "int32"}},
            {{"name", "DataStatsd"}, {"prefix", "x"}, {"data_value", true}, {"logger_name", "L"}},
            {{"name", "CopyItemsd"}, {"keys", "image"}, {"times", 2}, {"names", {"a", "b"}}},
            {{"name", "ConcatItemsd"}, {"keys", {"a", "b"}}, {"output_name", "c"}, {"dim", 0}},
            {{"name", "DeleteItemsd"},
             {"keys", {"a", "b."}},
             {"sep", "/"},
             {"use_re", {false, true}}},
            {{"name", "SelectItemsd"}, {"keys", {"a"}}},
            {{"name", "SaveImaged"},
             {"output_dir", "/tmp/x"},
             {"output_postfix", "seg"},
             {"separate_folder", false},
             {"output_dtype", "uint8"}},
        };
        for (const auto& c : configs) {
            const TransformPtr t = make(c);
            const Json j = t->toJson();
            QCOMPARE(transformRegistry().create(j, "again")->toJson(), j);
            for (const auto& p : transformRegistry().info(t->name()).params)
                QVERIFY2(j.contains(p.name), (t->name() + " misses " + p.name).c_str());
        }
        const std::vector<std::pair<Json, std::string>> bad = {
            {{{"name", "CastToTyped"}, {"dtype", "float128"}}, "dtype"},
            {{{"name", "CastToTyped"}, {"keys", {"a", "b", "c"}}, {"dtype", {"int8", "int16"}}},
             "dtype"},
            {{{"name", "ToTensord"}, {"device", "gpu7"}}, "device"},
            {{{"name", "EnsureTyped"}, {"data_type", "cupy"}}, "data_type"},
            {{{"name", "DataStatsd"}, {"additional_info", "len"}}, "additional_info"},
            {{{"name", "CopyItemsd"}, {"times", 0}}, "times"},
            {{{"name", "CopyItemsd"}, {"times", 2}, {"names", {"x"}}}, "names"},
            {{{"name", "ConcatItemsd"}, {"keys", {"a"}}}, "output_name"},
            {{{"name", "DeleteItemsd"}, {"keys", "a.b"}}, "keys"},
            {{{"name", "DeleteItemsd"}, {"keys", "(("}, {"use_re", true}}, "keys"},
            {{{"name", "SaveImaged"}, {"resample", true}}, "resample"},
            {{{"name", "SaveImaged"}, {"output_ext", ".mha"}}, "output_ext"},
            {{{"name", "SaveImaged"}, {"output_dtype", "complex"}}, "output_dtype"},
        };
        for (const auto& [json, param] : bad) {
            const std::string name = json["name"];
            bool thrown = false;
            try {
                transformRegistry().create(json, "pipeline[1]");
            } catch (const ConfigError& e) {
                thrown = true;
                const std::string what = e.what();
                QVERIFY2(what.find(name) != std::string::npos, what.c_str());
                QVERIFY2(e.field().find(param) != std::string::npos, what.c_str());
            }
            QVERIFY2(thrown, json.dump().c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestTransformsUtility)
#include "test_transforms_utility.moc"
