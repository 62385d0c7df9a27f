/// SegmentationSaver: predictions written back in the original image space.
/// Closed form: an evaluator whose prediction is the one-hot of its input,
/// where the input is the label map itself, so the saved label map must be
/// the original label file voxel for voxel (exact transforms), or nearly so
/// (Spacingd, resampled twice).

#include "TestSupport.h"

#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/core/OneHot.h"
#include "engine/data/DataLoader.h"
#include "engine/data/Dataset.h"
#include "engine/io/NiftiHeader.h"
#include "engine/io/NiftiIO.h"
#include "engine/training/Evaluator.h"
#include "engine/training/handlers/SegmentationSaver.h"

using namespace medulla;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kClasses = 3;

/// Predicts the one-hot of the (rounded) input: the input is a label map.
class OracleEvaluator : public Evaluator {
public:
    OracleEvaluator(DataLoader& loader, int64_t classes)
        : Evaluator(torch::kCPU, loader), classes_(classes) {}
    std::string name() const override { return "oracle"; }
    at::Tensor predict(const at::Tensor& input, const CancelToken*) override {
        return oneHot(input.round(), classes_);
    }
    int64_t numClasses() const override { return classes_; }

private:
    int64_t classes_;
};

/// An oblique-free but non-RAS grid (axes P, L, S) with anisotropic voxels.
Affine caseAffine() {
    return Affine({{{0, -0.9, 0, 30}, {-1.2, 0, 0, 20}, {0, 0, 2.0, -10}, {0, 0, 0, 1}}});
}

/// (1, 40, 48, 32) label map: a box of 1s and a box of 2s.
at::Tensor caseLabel(int shift) {
    at::Tensor l = torch::zeros({1, 40, 48, 32}, torch::kFloat);
    l.slice(1, 6 + shift, 20 + shift).slice(2, 8, 28).slice(3, 4, 18).fill_(1);
    l.slice(1, 22, 34).slice(2, 20 + shift, 40 + shift).slice(3, 12, 26).fill_(2);
    return l;
}

/// Writes case<i>.nii.gz (image = the label map as float) and
/// label<i>.nii.gz; returns the datalist.
std::vector<Sample> writeCases(const std::string& dir, int n) {
    std::vector<Sample> items;
    for (int i = 0; i < n; ++i) {
        const Volume v(caseLabel(i), caseAffine());
        Sample s;
        s.paths["image"] = dir + "/case" + std::to_string(i) + ".nii.gz";
        s.paths["label"] = dir + "/label" + std::to_string(i) + ".nii.gz";
        writeNifti(v, s.paths["image"]);
        writeNifti(Volume(v.data().to(torch::kByte), v.affine()), s.paths["label"]);
        items.push_back(s);
    }
    return items;
}

const char* kExactChain = R"([
  {"name": "LoadImaged", "keys": ["image", "label"]},
  {"name": "EnsureChannelFirstd", "keys": ["image", "label"]},
  {"name": "Orientationd", "keys": ["image", "label"], "axcodes": "RAS"},
  {"name": "CropForegroundd", "keys": ["image", "label"], "source_key": "image"},
  {"name": "SpatialPadd", "keys": ["image", "label"], "spatial_size": [48, 48, 48]},
  {"name": "Flipd", "keys": ["image", "label"], "spatial_axis": [0]}])";

/// Runs the oracle over `items` through `chain` with `saver` attached.
void run(std::vector<Sample> items, const std::string& chain,
         std::shared_ptr<SegmentationSaver> saver, std::vector<Affine>* affines = nullptr,
         std::vector<at::Tensor>* labels = nullptr, int64_t classes = kClasses) {
    Dataset ds(std::move(items), Compose::fromJson(Json::parse(chain), "test"));
    DataLoader loader(ds, DataLoaderOptions().batch_size(1));
    OracleEvaluator ev(loader, classes);
    ev.addHandler(saver);
    ev.on(Event::IterationCompleted, [&](Workflow&) {
        if (affines)
            affines->push_back(ev.lastOutput().affines.at(0));
        if (labels)
            labels->push_back(ev.lastOutput().label[0].clone());
    });
    CancelToken cancel;
    QCOMPARE(int(ev.run(1, cancel)), int(JobState::Completed));
}

bool sameAffine(const Affine& a, const Affine& b, double tol = 1e-5) {
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c)
            if (std::fabs(a(r, c) - b(r, c)) > tol)
                return false;
    return true;
}

double dice(const at::Tensor& a, const at::Tensor& b, int cls) {
    const at::Tensor x = a.eq(cls), y = b.eq(cls);
    return 2.0 * (x & y).sum().item<double>() / (x.sum() + y.sum()).item<double>();
}

} // namespace

class TestSegmentationSaver : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    /// Orientation, crop, pad and flip are undone exactly: every saved map is
    /// its label file (values, shape, affine), stored as uint8.
    void exactTransformsGiveTheLabelFileBack() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        auto saver = std::make_shared<SegmentationSaver>(
            SegmentationSaverOptions().output_dir(root + "/out"));
        std::vector<at::Tensor> transformed;
        run(writeCases(root, 2), kExactChain, saver, nullptr, &transformed);
        QCOMPARE(int(saver->written().size()), 2);
        // the transformed grid really differs: (RAS) 48^3 after the pad
        QCOMPARE(transformed[0].sizes().vec(), (std::vector<int64_t>{1, 48, 48, 48}));
        for (int i = 0; i < 2; ++i) {
            const std::string file = root + "/out/case" + std::to_string(i) + "/case" +
                                     std::to_string(i) + "_seg.nii.gz";
            QCOMPARE(QString::fromStdString(saver->written()[i]), QString::fromStdString(file));
            const Volume saved = readNifti(file);
            const Volume original = readNifti(root + "/label" + std::to_string(i) + ".nii.gz");
            QCOMPARE(saved.data().sizes().vec(), (std::vector<int64_t>{1, 40, 48, 32}));
            QVERIFY(sameAffine(saved.affine(), original.affine()));
            QVERIFY(torch::equal(saved.data(), original.data()));
            QCOMPARE(readNiftiHeader(file).datatype, 2); // uint8
        }
    }

    /// Spacingd resamples (nearest) to a coarser 1.3 x 1.1 x 2.3 mm grid and
    /// the saver back (nearest): the original shape and affine, and every
    /// voxel what an independent nearest-neighbour lookup through the two
    /// affines gives; the boxes lose a few voxel layers (Dice 0.963, 0.941).
    void spacingIsInvertedOntoTheOriginalGrid() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        auto saver = std::make_shared<SegmentationSaver>(
            SegmentationSaverOptions().output_dir(root + "/out").separate_folder(false));
        std::vector<Affine> affines;
        std::vector<at::Tensor> transformed;
        run(writeCases(root, 1), R"([
  {"name": "LoadImaged", "keys": ["image", "label"]},
  {"name": "EnsureChannelFirstd", "keys": ["image", "label"]},
  {"name": "Orientationd", "keys": ["image", "label"], "axcodes": "RAS"},
  {"name": "Spacingd", "keys": ["image", "label"], "pixdim": [1.3, 1.1, 2.3],
   "mode": ["nearest", "nearest"]}])",
            saver, &affines, &transformed);
        const std::string file = root + "/out/case0_seg.nii.gz";
        QCOMPARE(QString::fromStdString(saver->written().at(0)), QString::fromStdString(file));
        const Volume saved = readNifti(file);
        const Volume original = readNifti(root + "/label0.nii.gz");
        QCOMPARE(saved.data().sizes().vec(), original.data().sizes().vec());
        QVERIFY(sameAffine(saved.affine(), original.affine()));

        // original voxel -> world -> nearest voxel of the Spacingd grid
        const at::Tensor coarse = transformed[0][0].to(torch::kFloat);
        QVERIFY(coarse.sizes().vec() != (std::vector<int64_t>{48, 40, 32})); // resampled
        const Affine toCoarse = affines[0].inverse() * caseAffine();
        at::Tensor expected = torch::zeros({40, 48, 32}, torch::kFloat);
        auto e = expected.accessor<float, 3>();
        auto c = coarse.accessor<float, 3>();
        for (int64_t i = 0; i < 40; ++i)
            for (int64_t j = 0; j < 48; ++j)
                for (int64_t k = 0; k < 32; ++k) {
                    const Vec3 p = toCoarse.voxelToWorld({double(i), double(j), double(k)});
                    const int64_t a = std::lround(p[0]), b = std::lround(p[1]),
                                  d = std::lround(p[2]);
                    if (a >= 0 && b >= 0 && d >= 0 && a < coarse.size(0) && b < coarse.size(1) &&
                        d < coarse.size(2))
                        e[i][j][k] = c[a][b][d];
                }
        QVERIFY(torch::equal(saved.data()[0], expected));
        const double d1 = dice(saved.data(), original.data(), 1);
        const double d2 = dice(saved.data(), original.data(), 2);
        qInfo("Dice after Spacingd and back: %.4f (label 1), %.4f (label 2)", d1, d2);
        // Deterministic given the lookup above: each box loses the voxel
        // layers whose nearest coarse sample lies outside it (label 1:
        // 14x20x14 voxels, label 2: 12x20x14).
        QVERIFY(std::fabs(d1 - 0.9630) < 1e-4);
        QVERIFY(std::fabs(d2 - 0.9412) < 1e-4);
    }

    /// Probabilities: softmax of the one-hot scores, C = 3 float32 channels
    /// summing to 1; the largest is e / (e + 2) at the original label.
    void probabilitiesAreSoftmaxChannels() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        auto saver = std::make_shared<SegmentationSaver>(SegmentationSaverOptions()
                                                             .output_dir(root + "/out")
                                                             .mode("probabilities")
                                                             .output_postfix("prob"));
        // no crop: every original voxel lies on the transformed grid
        run(writeCases(root, 1), R"([
  {"name": "LoadImaged", "keys": ["image", "label"]},
  {"name": "EnsureChannelFirstd", "keys": ["image", "label"]},
  {"name": "Orientationd", "keys": ["image", "label"], "axcodes": "RAS"},
  {"name": "SpatialPadd", "keys": ["image", "label"], "spatial_size": [60, 50, 40]},
  {"name": "Flipd", "keys": ["image", "label"], "spatial_axis": [2]}])",
            saver);
        const std::string file = root + "/out/case0/case0_prob.nii.gz";
        const Volume p = readNifti(file);
        const Volume original = readNifti(root + "/label0.nii.gz");
        QCOMPARE(readNiftiHeader(file).datatype, 16); // float32
        QCOMPARE(p.data().sizes().vec(), (std::vector<int64_t>{3, 40, 48, 32}));
        QVERIFY(sameAffine(p.affine(), original.affine()));
        QVERIFY(test::allClose(p.data().sum(0), torch::ones({40, 48, 32}), 0, 1e-5));
        const double e = std::exp(1.0);
        QVERIFY(test::allClose(std::get<0>(p.data().max(0)), torch::full({40, 48, 32}, e / (e + 2)),
                               0, 1e-5));
        QVERIFY(torch::equal(p.data().argmax(0).to(torch::kFloat), original.data()[0]));
    }

    /// invert=false: the map on the transformed grid, with its affine.
    void withoutInversionTheTransformedGridIsWritten() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        auto saver = std::make_shared<SegmentationSaver>(
            SegmentationSaverOptions().output_dir(root + "/out").invert(false));
        std::vector<Affine> affines;
        std::vector<at::Tensor> labels;
        run(writeCases(root, 1), kExactChain, saver, &affines, &labels);
        const Volume saved = readNifti(saver->written().at(0));
        QCOMPARE(saved.data().sizes().vec(), (std::vector<int64_t>{1, 48, 48, 48}));
        QVERIFY(sameAffine(saved.affine(), affines[0]));
        QVERIFY(!sameAffine(saved.affine(), caseAffine(), 1e-3));
        QVERIFY(torch::equal(saved.data(), labels[0].to(torch::kFloat)));
    }

    /// Items without any source file are named case_<n>.
    void casesWithoutSourceAreNumbered() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        std::vector<Sample> items(2);
        for (int i = 0; i < 2; ++i) {
            items[i].volumes["image"] = Volume(caseLabel(i));
            items[i].volumes["label"] = Volume(caseLabel(i));
        }
        auto saver = std::make_shared<SegmentationSaver>(
            SegmentationSaverOptions().output_dir(root).separate_folder(false).output_ext(".nii"));
        run(items, "[]", saver);
        QCOMPARE(QString::fromStdString(saver->written().at(1)),
                 QString::fromStdString(root + "/case_1_seg.nii"));
        QVERIFY(torch::equal(readNifti(saver->written()[1]).data(), caseLabel(1)));
    }

    /// More than 255 classes: uint16 on disk (NIfTI datatype 512).
    void wideLabelMapsAreUint16() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        std::vector<Sample> items(1);
        at::Tensor label = torch::arange(64, torch::kFloat).view({1, 4, 4, 4}) * 4.5;
        label = label.round(); // 0 .. 284
        items[0].volumes["image"] = Volume(label);
        items[0].volumes["label"] = Volume(label);
        items[0].paths["image"] = "/nowhere/wide.nii.gz";
        auto saver = std::make_shared<SegmentationSaver>(
            SegmentationSaverOptions().output_dir(root).separate_folder(false));
        run(items, "[]", saver, nullptr, nullptr, 300);
        const std::string file = root + "/wide_seg.nii.gz";
        QCOMPARE(QString::fromStdString(saver->written().at(0)), QString::fromStdString(file));
        QCOMPARE(readNiftiHeader(file).datatype, 512);
        QVERIFY(torch::equal(readNifti(file).data(), label));
    }

    /// A folder that cannot be created: IoError naming the file.
    void unwritableFolderNamesTheFile() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        std::ofstream(root + "/blocker") << "a file, not a folder";
        auto saver = std::make_shared<SegmentationSaver>(
            SegmentationSaverOptions().output_dir(root + "/blocker/out"));
        bool thrown = false;
        try {
            run(writeCases(root, 1), kExactChain, saver);
        } catch (const IoError& e) {
            thrown = true;
            QVERIFY2(std::string(e.what()).find(root + "/blocker/out/case0/case0_seg.nii.gz") !=
                         std::string::npos,
                     e.what());
        }
        QVERIFY(thrown);
        QVERIFY(saver->written().empty());
    }

    void invalidOptionsNameTheField() {
        QVERIFY_THROWS_EXCEPTION(ConfigError,
                                 SegmentationSaver(SegmentationSaverOptions().mode("argmax")));
        try {
            SegmentationSaver(SegmentationSaverOptions().output_ext(".mha"));
            QFAIL("no error");
        } catch (const ConfigError& e) {
            QCOMPARE(QString::fromStdString(e.field()), QString("SegmentationSaver.output_ext"));
        }
        const auto o = SegmentationSaverOptions::fromJson(
            Json{{"mode", "probabilities"}, {"invert", false}}, "saver");
        QCOMPARE(QString::fromStdString(o.mode()), QString("probabilities"));
        QVERIFY(!o.invert());
        try {
            SegmentationSaverOptions::fromJson(Json{{"mode", "argmax"}}, "saver");
            QFAIL("no error");
        } catch (const ConfigError& e) {
            QCOMPARE(QString::fromStdString(e.field()), QString("saver.mode"));
        }
    }
};

QTEST_GUILESS_MAIN(TestSegmentationSaver)
#include "test_segmentation_saver.moc"
