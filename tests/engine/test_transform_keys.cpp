/// restrictToKeys: an experiment's val_transforms on the image key alone
/// (inference on unlabelled images).

#include "TestSupport.h"

#include "engine/core/Error.h"
#include "engine/transforms/Compose.h"
#include "engine/transforms/TransformKeys.h"

using namespace medulla;

namespace {

Json restricted(const std::string& chain) {
    return restrictToKeys(Json::parse(chain), {"image"}, "val_transforms");
}

QString fieldOf(const std::string& chain) {
    try {
        restricted(chain);
    } catch (const ConfigError& e) {
        return QString::fromStdString(e.field() + ": " + e.message());
    }
    return "no error";
}

} // namespace

class TestTransformKeys : public QObject {
    Q_OBJECT

private Q_SLOTS:
    /// Keys, default keys and per-key lists keep the image's entries only;
    /// label-only transforms disappear; the rest is untouched.
    void keepsTheImageEntries() {
        const Json out = restricted(R"([
          {"name": "LoadImaged"},
          {"name": "EnsureChannelFirstd", "keys": ["image", "label"]},
          {"name": "Spacingd", "keys": ["label", "image"], "pixdim": [1.5, 1.5],
           "mode": ["nearest", "bilinear"], "padding_mode": "zeros"},
          {"name": "CastToTyped", "keys": ["image", "label"], "dtype": ["float32", "uint8"]},
          {"name": "ScaleIntensityd"},
          {"name": "CastToTyped", "keys": "label", "dtype": "uint8"},
          {"name": "CropForegroundd", "keys": ["image", "label"], "source_key": "image"}])");
        const Json want = Json::parse(R"([
          {"name": "LoadImaged", "keys": ["image"]},
          {"name": "EnsureChannelFirstd", "keys": ["image"]},
          {"name": "Spacingd", "keys": ["image"], "pixdim": [1.5, 1.5],
           "mode": ["bilinear"], "padding_mode": "zeros"},
          {"name": "CastToTyped", "keys": ["image"], "dtype": ["float32"]},
          {"name": "ScaleIntensityd", "keys": ["image"]},
          {"name": "CropForegroundd", "keys": ["image"], "source_key": "image"}])");
        QCOMPARE(QString::fromStdString(out.dump()), QString::fromStdString(want.dump()));
        // and the result builds
        QCOMPARE(int(Compose::fromJson(out, "val_transforms").transforms().size()), 6);
    }

    /// pixdim has two entries for two keys but is not per key: kept whole.
    void listsThatAreNotPerKeyStay() {
        const Json out = restricted(R"([{"name": "Spacingd", "keys": ["image", "label"],
                                         "pixdim": [1.0, 2.0]}])");
        QCOMPARE(QString::fromStdString(out[0]["pixdim"].dump()), QString("[1.0,2.0]"));
    }

    /// Keys created by a kept transform are available afterwards.
    void createdKeysStayAvailable() {
        const Json out = restricted(R"([
          {"name": "CopyItemsd", "keys": ["label", "image"], "times": 2,
           "names": ["l0", "i0", "l1", "i1"]},
          {"name": "ScaleIntensityd", "keys": ["i1", "l1"]},
          {"name": "ConcatItemsd", "keys": ["image", "i0"], "output_name": "both"},
          {"name": "ScaleIntensityd", "keys": ["both"]}])");
        QCOMPARE(QString::fromStdString(out[0]["names"].dump()), QString(R"(["i0","i1"])"));
        QCOMPARE(QString::fromStdString(out[0]["keys"].dump()), QString(R"(["image"])"));
        QCOMPARE(QString::fromStdString(out[1]["keys"].dump()), QString(R"(["i1"])"));
        QCOMPARE(int(out.size()), 4);
    }

    /// Nested lists are restricted with their weights; emptied ones go.
    void nestedListsAndWeights() {
        const Json out = restricted(R"([
          {"name": "OneOf", "weights": [1, 2, 3], "transforms": [
            {"name": "ScaleIntensityd", "keys": ["label"]},
            {"name": "ScaleIntensityd", "keys": ["image", "label"]},
            {"name": "Flipd", "keys": ["image"], "spatial_axis": [0]}]},
          {"name": "RandomOrder", "transforms": [{"name": "Flipd", "keys": ["label"]}]}])");
        QCOMPARE(int(out.size()), 1);
        QCOMPARE(QString::fromStdString(out[0]["weights"].dump()), QString("[2,3]"));
        QCOMPARE(int(out[0]["transforms"].size()), 2);
    }

    /// A kept transform that needs a removed key: ConfigError naming it.
    void missingSourceKeysAreErrors() {
        QCOMPARE(fieldOf(R"([{"name": "LoadImaged"},
            {"name": "CropForegroundd", "keys": ["image", "label"], "source_key": "label"}])"),
                 QString("val_transforms[1].source_key: CropForegroundd needs \"label\", which "
                         "is not available here (only \"image\")"));
        QVERIFY(fieldOf(R"([{"name": "RandCropByPosNegLabeld", "keys": ["image", "label"],
                           "spatial_size": [8, 8]}])")
                    .startsWith("val_transforms[0].label_key: RandCropByPosNegLabeld needs "
                                "\"label\""));
        QVERIFY(fieldOf(R"([{"name": "ConcatItemsd", "keys": ["image", "label"],
                           "output_name": "x"}])")
                    .startsWith("val_transforms[0].keys: ConcatItemsd"));
        QVERIFY(fieldOf(R"([{"name": "Nope"}])").startsWith("val_transforms[0].name"));
        QVERIFY(fieldOf(R"([42])").startsWith("val_transforms[0]: expected an object"));
        // a label-only transform with a label source is simply dropped
        QCOMPARE(int(restricted(R"([{"name": "CropForegroundd", "keys": ["label"],
                                     "source_key": "label"}])")
                         .size()),
                 0);
    }
};

QTEST_GUILESS_MAIN(TestTransformKeys)
#include "test_transform_keys.moc"
