/// LoadImage and the non-DICOM readers and writers: reader choice and the
/// run-time registry, MONAI's options, nibabel's geometry through the
/// factory, nibabel's NIfTI edge cases, ITK's MetaImage/NRRD/PNG example
/// files, images written by Qt (BMP, JPEG, TIFF), NumPy fixtures written by
/// numpy, writers round-tripping, and clear errors for bad files.
#include <QImage>
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "TestSupport.h"
#include "engine/core/Error.h"
#include "engine/io/ImageLoader.h"
#include "engine/io/LoadImage.h"

using namespace medulla;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kItkData = "/usr/share/doc/insighttoolkit5-examples/examples/Data/";
const std::string kNibabel = "/usr/lib/python3/dist-packages/nibabel/tests/data/";
const std::string kNumpy = std::string(MEDULLA_SOURCE_DIR) + "/tests/data/numpy/";

/// a[i, j, k] = i*100 + j*10 + k on a 4x3x2 grid (tests/data/numpy/make_fixtures.py).
at::Tensor arangeGrid() {
    at::Tensor i = torch::arange(4).view({4, 1, 1}), j = torch::arange(3).view({1, 3, 1}),
               k = torch::arange(2).view({1, 1, 2});
    return (i * 100 + j * 10 + k).to(torch::kDouble);
}

bool sameAffine(const Affine& a, const Affine& b, double tol = 1e-4) {
    return a.maxAbsDiff(b) < tol;
}

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

class CountingReader : public ImageReader {
public:
    std::string name() const override { return "TextGridReader"; }
    std::string formats() const override { return "text grids (.grid)"; }
    bool canRead(const FileProbe& p) const override { return p.endsWith(".grid"); }
    LoadedImage read(const std::string& path, const ReadOptions&) const override {
        LoadedImage out;
        out.data = torch::full({2, 2}, 7.0);
        out.meta.reader = name();
        out.meta.filenames = {path};
        return out;
    }
};

} // namespace

class TestIo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void nibabelGeometryThroughLoadImage();
    void nibabelEdgeCases();
    void dataMdVolumesMatchNibabel();
    void readerChoiceAndRegistry();
    void loadImageOptions();
    void metaImageAndNrrdMatchTheirHeaders();
    void pngAndQtWrittenImages();
    void numpyFixtures();
    void writersRoundTrip();
    void badFilesGiveClearErrors();
};

void TestIo::nibabelGeometryThroughLoadImage() {
    std::ifstream f(test::parityDir() + "/manifest.json");
    Json m;
    f >> m;
    int checked = 0;
    for (const auto& c : m["cases"]) {
        if (c["op"] != "nibabel.load")
            continue;
        const std::string path = c["inputs"]["file"]["path"];
        const Json& o = c["outputs"];
        const LoadedImage img = loadImageFile(path, LoadImageOptions().dtype(at::kDouble));
        QCOMPARE(img.meta.reader, std::string("NiftiReader"));
        // MONAI layout: spatial axes, then a 4th (time) axis as the last, channel axis.
        QCOMPARE(img.data.sizes().vec(), o["shape"].get<std::vector<int64_t>>());
        QCOMPARE(img.meta.originalChannelDim, o["shape"].size() > 3 ? -1 : ImageMeta::kNoChannel);
        Affine want;
        for (int r = 0; r < 4; ++r)
            for (int k = 0; k < 4; ++k)
                want(r, k) = o["affine_ras"][r][k];
        QVERIFY2(sameAffine(img.affine, want), path.c_str());
        QCOMPARE(img.meta.sourceDtype, o["dtype_on_disk"].get<std::string>());
        for (size_t i = 0; i < o["voxel_indices"].size(); ++i) {
            at::Tensor v = img.data;
            for (const auto& ix : o["voxel_indices"][i])
                v = v[ix.get<int64_t>()];
            QCOMPARE(v.item<double>(), o["voxel_values"][i].get<double>());
        }
        const double sum = img.data.nansum().item<double>();
        QVERIFY(std::abs(sum - o["sum"].get<double>()) <= 1e-6 * std::abs(o["sum"].get<double>()));
        ++checked;
    }
    QCOMPARE(checked, 9);
}

void TestIo::nibabelEdgeCases() {
    // Figures from nibabel 5.0 (get_fdata, nansum/nanmin/nanmax).
    const LoadedImage nan = loadImageFile(kNibabel + "resampled_anat_moved.nii");
    QCOMPARE(nan.data.sizes().vec(), (std::vector<int64_t>{17, 21, 3}));
    QCOMPARE(torch::isnan(nan.data).sum().item<int64_t>(), int64_t(153));
    QVERIFY(std::abs(nan.data.to(torch::kDouble).nansum().item<double>() - 7749957.09866333) <
            1e-3);
    QCOMPARE(nan.meta.sourceDtype, std::string("float32")); // big-endian >f4
    QCOMPARE(nan.affine.axisCodes(), std::string("LAS"));

    const LoadedImage fn =
        loadImageFile(kNibabel + "functional.nii", LoadImageOptions().dtype(at::kDouble));
    QCOMPARE(fn.data.sizes().vec(), (std::vector<int64_t>{17, 21, 3, 20}));
    QVERIFY(std::abs(fn.data.sum().item<double>() - 77913290.36292362) <
            1e-6 * 77913290.36292362); // scl_slope applied (float32 voxels)
    QVERIFY(std::abs(fn.data.min().item<double>() - 629.826171875) < 1e-4);

    const LoadedImage re = loadImageFile(kNibabel + "reoriented_anat_moved.nii");
    Affine want;
    want(0, 0) = 4, want(1, 1) = 4, want(2, 2) = 4;
    want(0, 3) = -35.297897, want(1, 3) = -47.977585, want(2, 3) = -27.599409;
    QVERIFY(sameAffine(re.affine, want));
    QVERIFY(std::abs(re.data.to(torch::kDouble).sum().item<double>() - 32739769.449157715) < 1e-1);

    // Header-only .hdr files (the .img halves are not shipped): a clear error.
    for (const char* h : {"analyze.hdr", "nifti1.hdr", "nifti2.hdr"}) {
        const std::string e = errorOf([&] { (void)loadImageFile(kNibabel + h); });
        QVERIFY2(e.find(h) != std::string::npos && e.find(".img") != std::string::npos &&
                     e.find("missing") != std::string::npos,
                 e.c_str());
    }
}

void TestIo::dataMdVolumesMatchNibabel() {
    // tests/data/nifti_reference.json (nibabel): every NIfTI volume of DATA.md
    // that the parity set does not cover, labels included.
    std::ifstream f(std::string(MEDULLA_SOURCE_DIR) + "/tests/data/nifti_reference.json");
    Json ref;
    f >> ref;
    const std::map<std::string, std::string> roots = {
        {"mricron:", "/usr/share/mricron/templates/"},
        {"itk:", kItkData},
        {"nipype:", std::string(MEDULLA_TESTDATA_DIR) +
                        "/nipype/usr/lib/python3/dist-packages/nipype/testing/data/"}};
    int checked = 0;
    for (const auto& [key, c] : ref["cases"].items()) {
        const std::string token = key.substr(0, key.find(':') + 1);
        const std::string path = roots.at(token) + key.substr(token.size());
        const LoadedImage img = loadImageFile(path, LoadImageOptions().dtype(at::kDouble));
        QVERIFY2(img.data.sizes().vec() == c["shape"].get<std::vector<int64_t>>(), key.c_str());
        Affine want;
        for (int r = 0; r < 4; ++r)
            for (int k = 0; k < 4; ++k)
                want(r, k) = c["affine_ras"][r][k];
        QVERIFY2(sameAffine(img.affine, want), key.c_str());
        QCOMPARE(img.meta.sourceDtype, c["dtype_on_disk"].get<std::string>());
        for (size_t i = 0; i < c["indices"].size(); ++i) {
            at::Tensor v = img.data;
            for (const auto& ix : c["indices"][i])
                v = v[ix.get<int64_t>()];
            const double want = c["values"][i];
            QVERIFY2(std::abs(v.item<double>() - want) <= 1e-6 * std::max(1.0, std::abs(want)),
                     key.c_str());
        }
        const double sum = img.data.nansum().item<double>(), wantSum = c["sum"];
        QVERIFY2(std::abs(sum - wantSum) <= 1e-6 * std::max(1.0, std::abs(wantSum)), key.c_str());
        ++checked;
    }
    QCOMPARE(checked, 22);
}

void TestIo::readerChoiceAndRegistry() {
    auto& reg = ReaderRegistry::instance();
    QCOMPARE(reg.select(kNibabel + "anatomical.nii")->name(), std::string("NiftiReader"));
    QCOMPARE(reg.select(kItkData + "BrainProtonDensity3Slices.mha")->name(),
             std::string("ITKReader"));
    QCOMPARE(reg.select(kNumpy + "two_arrays.npz")->name(), std::string("NumpyReader"));
    QCOMPARE(reg.select("/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests/"
                        "98892001/CT5N/2062")
                 ->name(),
             std::string("DicomReader")); // no suffix: found by content
    // Content sniffing: a PNG without its suffix.
    QTemporaryDir tmp;
    const std::string noSuffix = tmp.filePath("slice").toStdString();
    fs::copy_file(kItkData + "BrainProtonDensitySlice.png", noSuffix);
    QCOMPARE(reg.select(noSuffix)->name(), std::string("ITKReader"));
    QCOMPARE(loadImageFile(noSuffix).data.sizes().vec(), (std::vector<int64_t>{181, 217}));
    // By name, case-insensitive; unknown names list the known ones.
    QCOMPARE(reg.byName("itkreader")->name(), std::string("ITKReader"));
    const std::string e = errorOf([&] { (void)reg.byName("PILReader"); });
    QVERIFY2(e.find("NumpyReader") != std::string::npos && e.find("reader") != std::string::npos,
             e.c_str());
    // ITKReader reads NIfTI-1 too, with the same geometry as NiftiReader.
    const LoadedImage a = loadImageFile(kItkData + "KmeansTest_T1UCharRaw.nii.gz",
                                        LoadImageOptions().reader("ITKReader"));
    const LoadedImage b = loadImageFile(kItkData + "KmeansTest_T1UCharRaw.nii.gz");
    QVERIFY(a.data.to(torch::kFloat).equal(b.data));
    // Run-time registration: tried before the built-ins.
    const std::string grid = tmp.filePath("x.grid").toStdString();
    std::ofstream(grid) << "1";
    QVERIFY_THROWS_EXCEPTION(IoError, reg.select(grid));
    reg.add(std::make_shared<CountingReader>());
    QCOMPARE(reg.select(grid)->name(), std::string("TextGridReader"));
    QCOMPARE(reg.readers().front()->name(), std::string("TextGridReader"));
    QCOMPARE(loadImageFile(grid).data.sum().item<double>(), 28.0);
}

void TestIo::loadImageOptions() {
    const std::string png = kItkData + "BrainProtonDensitySlice.png";
    // dtype: float32 by default, "none" keeps the file's type.
    QCOMPARE(loadImageFile(png).data.scalar_type(), at::kFloat);
    QCOMPARE(loadImageFile(png, LoadImageOptions().dtype(parseDtype("none", "dtype")))
                 .data.scalar_type(),
             at::kByte);
    QCOMPARE(parseDtype("np.int16", "dtype"), at::kShort);
    QVERIFY(errorOf([] {
                (void)parseDtype("complex", "transforms[0].dtype");
            }).find("transforms[0].dtype") != std::string::npos);
    // ensure_channel_first: (X, Y) -> (1, X, Y); channel-last RGB -> (3, X, Y).
    QCOMPARE(loadImageFile(png, LoadImageOptions().ensure_channel_first(true)).data.sizes().vec(),
             (std::vector<int64_t>{1, 181, 217}));
    const std::string rgb = "/usr/lib/python3/dist-packages/pydicom/data/test_files/SC_rgb_rle.dcm";
    const LoadedImage last = loadImageFile(rgb);
    QCOMPARE(last.meta.originalChannelDim, -1);
    QCOMPARE(last.data.size(-1), int64_t(3));
    const LoadedImage first = loadImageFile(rgb, LoadImageOptions().ensure_channel_first(true));
    QCOMPARE(first.data.size(0), int64_t(3));
    QVERIFY(first.data.select(0, 1).equal(last.data.select(-1, 1)));
    // The metadata record.
    const LoadedImage ct =
        loadImageFile("/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm");
    QCOMPARE(ct.meta.tags.at("PatientID"), std::string("1CT1"));
    QCOMPARE(ct.meta.tags.at("StudyDate"), std::string("20040119"));
    QCOMPARE(ct.meta.spatialShape, (std::vector<int64_t>{128, 128, 1}));
    QCOMPARE(ct.meta.sourceDtype, std::string("int16"));
    QVERIFY(sameAffine(ct.meta.originalAffine, ct.affine, 1e-12));
    QCOMPARE(loadVolume(png).data().sizes().vec(), (std::vector<int64_t>{1, 181, 217}));
}

void TestIo::metaImageAndNrrdMatchTheirHeaders() {
    // The same slice as PNG, MetaImage (.mhd + .raw) and NRRD (.nhdr + .raw).
    const auto png = loadImageFile(kItkData + "BrainProtonDensitySliceBorder20.png").data;
    const auto mhd = loadImageFile(kItkData + "BrainProtonDensitySliceBorder20.mhd").data;
    const auto nhdr = loadImageFile(kItkData + "BrainProtonDensitySliceBorder20.nhdr").data;
    QCOMPARE(png.sizes().vec(), (std::vector<int64_t>{221, 257})); // DimSize = 221 257
    QVERIFY(png.equal(mhd) && png.equal(nhdr));
    // Rotated by +30 degrees: TransformMatrix / space directions give axis 0
    // = (0.866025, 0.5) and axis 1 = (-0.5, 0.866025) in LPS; RAS flips both.
    for (const char* f : {"BrainProtonDensitySliceBorder20DirectionPlus30.mhd",
                          "BrainProtonDensitySliceBorder20DirectionPlus30.nhdr"}) {
        const LoadedImage img = loadImageFile(kItkData + f);
        QVERIFY(img.data.equal(png));
        Affine want;
        want(0, 0) = -0.8660254, want(1, 0) = -0.5, want(0, 1) = 0.5, want(1, 1) = -0.8660254;
        QVERIFY2(sameAffine(img.affine, want, 1e-5), f);
    }
    // A 3D MetaImage: DimSize = 181 217 3, ElementSpacing 1.
    const LoadedImage three = loadImageFile(kItkData + "BrainProtonDensity3Slices.mha");
    QCOMPARE(three.data.sizes().vec(), (std::vector<int64_t>{181, 217, 3}));
    QCOMPARE(three.meta.spatialShape, (std::vector<int64_t>{181, 217, 3}));
}

void TestIo::pngAndQtWrittenImages() {
    // Images written by Qt, read by ITK: BMP and TIFF exactly, JPEG within its loss.
    QTemporaryDir tmp;
    QImage grey(40, 30, QImage::Format_Grayscale8), colour(40, 30, QImage::Format_RGB888);
    for (int y = 0; y < 30; ++y)
        for (int x = 0; x < 40; ++x) {
            grey.setPixel(x, y, qRgb(x * 6, x * 6, x * 6));
            colour.setPixel(x, y, qRgb(x * 6, y * 8, 100));
        }
    for (const char* ext : {"bmp", "png", "jpg", "tif"}) {
        const QString path = tmp.filePath(QString("c.") + ext);
        if (!colour.save(path, nullptr, 100))
            continue; // Qt without this format plugin
        const LoadedImage img =
            loadImageFile(path.toStdString(), LoadImageOptions().dtype(at::kDouble));
        QCOMPARE(img.meta.reader, std::string("ITKReader"));
        QCOMPARE(img.data.size(0), int64_t(40)); // X = column
        QCOMPARE(img.data.size(1), int64_t(30)); // Y = row
        QCOMPARE(img.data.size(2), int64_t(3));
        const double tol = std::string(ext) == "jpg" ? 6.0 : 0.0;
        QVERIFY2(std::abs(img.data[10][5][0].item<double>() - 60) <= tol, ext);
        QVERIFY2(std::abs(img.data[10][5][1].item<double>() - 40) <= tol, ext);
        QVERIFY2(std::abs(img.data[10][5][2].item<double>() - 100) <= tol, ext);
    }
    const QString gpath = tmp.filePath("g.png");
    QVERIFY(grey.save(gpath));
    const LoadedImage g = loadImageFile(gpath.toStdString());
    QCOMPARE(g.data.sizes().vec(), (std::vector<int64_t>{40, 30}));
    QCOMPARE(g.data[7][3].item<double>(), 42.0);
}

void TestIo::numpyFixtures() {
    const at::Tensor want = arangeGrid();
    for (const char* f : {"le_int16.npy", "be_int16.npy", "fortran_float32.npy"}) {
        const LoadedImage img = loadImageFile(kNumpy + f, LoadImageOptions().dtype(at::kDouble));
        QCOMPARE(img.meta.reader, std::string("NumpyReader"));
        QVERIFY2(img.data.equal(want), f);
    }
    QVERIFY(loadImageFile(kNumpy + "be_float64.npy", LoadImageOptions().dtype(at::kDouble))
                .data.equal(want * 0.5));
    const LoadedImage u16 =
        loadImageFile(kNumpy + "uint16.npy", LoadImageOptions().dtype(at::ScalarType::Undefined));
    QCOMPARE(u16.data.scalar_type(), at::kInt); // widened: LibTorch has no uint16
    QCOMPARE(u16.meta.sourceDtype, std::string("int32"));
    QVERIFY(u16.data.to(torch::kDouble).equal(want + 60000));
    QVERIFY(loadImageFile(kNumpy + "bool.npy", LoadImageOptions().dtype(at::kDouble))
                .data.equal(torch::remainder(want, 2)));
    // .npz: all arrays stacked as channels, or the chosen keys.
    const LoadedImage both =
        loadImageFile(kNumpy + "two_arrays.npz", LoadImageOptions().dtype(at::kDouble));
    QCOMPARE(both.data.sizes().vec(), (std::vector<int64_t>{2, 4, 3, 2}));
    QCOMPARE(both.meta.originalChannelDim, 0);
    QVERIFY(both.data[1].equal(torch::remainder(want, 3)));
    ReadOptions ro;
    ro.npzKeys = {"label"};
    const LoadedImage label = loadImageFile(kNumpy + "two_arrays.npz",
                                            LoadImageOptions().read_options(ro).dtype(at::kDouble));
    QVERIFY(label.data.equal(torch::remainder(want, 3)));
    ro.npzKeys = {"mask"};
    const std::string e = errorOf([&] {
        (void)loadImageFile(kNumpy + "two_arrays.npz", LoadImageOptions().read_options(ro));
    });
    QVERIFY2(e.find("'mask'") != std::string::npos && e.find("image, label") != std::string::npos,
             e.c_str());
    QVERIFY(loadImageFile(kNumpy + "compressed.npz", LoadImageOptions().dtype(at::kDouble))
                .data.equal(want)); // deflated
}

void TestIo::writersRoundTrip() {
    QTemporaryDir tmp;
    const Volume src = loadImage(kItkData + "KmeansTest_T1UCharRaw.nii.gz"); // LSA, 2x2x3 mm
    for (const char* ext : {".nii.gz", ".nii", ".npz"}) {
        const std::string out = tmp.filePath(QString("k") + ext).toStdString();
        saveImage(src, out);
        const Volume back = loadImage(out);
        QVERIFY2(back.data().equal(src.data()), ext);
        QVERIFY2(sameAffine(back.affine(), src.affine(), 1e-5), ext);
    }
    // PNG: 2D, spacing kept in the pHYs chunk (PNG has no origin or direction).
    Affine sp;
    sp(0, 0) = -0.5, sp(1, 1) = -0.25;
    const Volume slice(torch::arange(12, torch::kFloat).view({1, 4, 3}) * 20, sp);
    const std::string png = tmp.filePath("s.png").toStdString();
    saveImage(slice, png);
    const Volume p = loadImage(png);
    QVERIFY(p.data().equal(slice.data()));
    QVERIFY(std::abs(p.spacing()[0] - 0.5) < 1e-3 && std::abs(p.spacing()[1] - 0.25) < 1e-3);
    // 16-bit values survive as 16-bit PNG.
    saveImage(Volume(torch::full({1, 2, 2}, 40000.0)), png);
    QCOMPARE(loadImage(png).data().max().item<double>(), 40000.0);
    // Failures leave the previous file intact.
    QVERIFY_THROWS_EXCEPTION(IoError, saveImage(Volume(torch::zeros({1, 4, 3, 2})), png));
    QCOMPARE(loadImage(png).data().max().item<double>(), 40000.0);
    QVERIFY(errorOf([&] { saveImage(slice, tmp.filePath("x.xyz").toStdString()); }).find(".npz") !=
            std::string::npos);
}

void TestIo::badFilesGiveClearErrors() {
    QTemporaryDir tmp;
    auto write = [&](const char* name, const std::string& bytes) {
        const std::string p = tmp.filePath(name).toStdString();
        std::ofstream(p, std::ios::binary) << bytes;
        return p;
    };
    const std::string junk = write("junk.bin", std::string(600, 'x'));
    QVERIFY(errorOf([&] { (void)loadImageFile(junk); }).find("no reader recognises") !=
            std::string::npos);
    QVERIFY(errorOf([&] {
                (void)loadImageFile(tmp.filePath("none.nii").toStdString());
            }).find("not found") != std::string::npos);
    // Truncated PNG, NPY and NPZ.
    std::ifstream in(kItkData + "BrainProtonDensitySlice.png", std::ios::binary);
    std::string png((std::istreambuf_iterator<char>(in)), {});
    const std::string cut = write("cut.png", png.substr(0, png.size() / 2));
    QVERIFY(errorOf([&] { (void)loadImageFile(cut); }).find("cut.png") != std::string::npos);
    std::ifstream npyIn(kNumpy + "le_int16.npy", std::ios::binary);
    std::string npy((std::istreambuf_iterator<char>(npyIn)), {});
    const std::string cutNpy = write("cut.npy", npy.substr(0, npy.size() - 5));
    QVERIFY(errorOf([&] { (void)loadImageFile(cutNpy); }).find("truncated .npy data") !=
            std::string::npos);
    const std::string badZip = write("bad.npz", "PK\x03\x04 this is not a zip archive");
    QVERIFY(errorOf([&] { (void)loadImageFile(badZip); }).find("bad.npz") != std::string::npos);
    // A DICOM-named file that is not DICOM.
    const std::string fake = write("fake.dcm", std::string(300, '\0'));
    QVERIFY(errorOf([&] { (void)loadImageFile(fake); }).find("not a DICOM file") !=
            std::string::npos);
    // An empty folder.
    QVERIFY(errorOf([&] {
                (void)loadImageFile(tmp.path().toStdString());
            }).find("no DICOM image files") != std::string::npos);
}

QTEST_MAIN(TestIo)
#include "test_io.moc"
