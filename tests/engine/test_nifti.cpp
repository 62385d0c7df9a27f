/// NIfTI reading against nibabel's view of real files (shared/parity
/// geometry cases), writing round trips, and clear errors for bad files.

#include "TestSupport.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/io/NiftiHeader.h"
#include "engine/io/NiftiIO.h"

using namespace medulla;
namespace fs = std::filesystem;

class TestNifti : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void realFilesMatchNibabel_data() {
        QTest::addColumn<QString>("caseId");
        QTest::newRow("ch2 (RAS, mricron-data)") << "geom_nifti_ch2";
        QTest::newRow("KmeansTest T1 (LSA, sform+qform)") << "geom_nifti_kmeanstest_t1ucharraw";
        QTest::newRow("KmeansTest labels") << "geom_nifti_kmeanstest_t1kmeansprelimsegmentation";
        QTest::newRow("anatomical (big-endian)") << "geom_nifti_anatomical";
        QTest::newRow("standard (qform 0)") << "geom_nifti_standard";
    }
    void realFilesMatchNibabel() {
        QFETCH(QString, caseId);
        const auto c = test::parityCase(caseId.toStdString());
        const std::string path = c["inputs"]["file"]["path"];
        if (!fs::exists(path))
            QFAIL(qPrintable(QString("missing %1: run packaging/setup-debian.sh")
                                 .arg(QString::fromStdString(path))));
        const auto& out = c["outputs"];
        const double atol = c["atol"], rtol = c["rtol"];

        Volume v = readNifti(path);
        // shape: (C=1, X, Y, Z) in file axis order
        std::vector<int64_t> shape = out["shape"].get<std::vector<int64_t>>();
        QCOMPARE(v.spatialShape(), shape);
        QCOMPARE(v.channels(), int64_t(1));
        // affine exactly as nibabel reports it (RAS+)
        const auto want = out["affine_ras"];
        for (int r = 0; r < 4; ++r)
            for (int k = 0; k < 4; ++k) {
                const double w = want[r][k];
                if (std::fabs(v.affine()(r, k) - w) > atol + rtol * std::fabs(w))
                    QFAIL(qPrintable(QString("affine[%1][%2] = %3, nibabel %4")
                                         .arg(r)
                                         .arg(k)
                                         .arg(v.affine()(r, k))
                                         .arg(w)));
            }
        QCOMPARE(QString::fromStdString(v.affine().axisCodes()),
                 QString::fromStdString(out["axcodes"]));
        const auto zooms = out["zooms"];
        for (int i = 0; i < 3; ++i)
            QVERIFY(std::fabs(v.spacing()[i] - zooms[i].get<double>()) < 1e-4);
        // voxel values at the given indices and the global sum
        const auto idx = out["voxel_indices"];
        const auto vals = out["voxel_values"];
        for (size_t i = 0; i < idx.size(); ++i) {
            const double got = v.valueAt(0, idx[i][0], idx[i][1], idx[i][2]);
            QCOMPARE(got, vals[i].get<double>());
        }
        const double sum = v.data().to(torch::kDouble).sum().item<double>();
        QVERIFY2(std::fabs(sum - out["sum"].get<double>()) <=
                     1e-6 * std::fabs(out["sum"].get<double>()),
                 qPrintable(QString("sum %1 vs %2").arg(sum).arg(out["sum"].get<double>())));
        QCOMPARE(v.data().nonzero().size(0), out["nonzero_count"].get<int64_t>());
    }

    void fourDimensionalBecomesChannels_data() {
        QTest::addColumn<QString>("caseId");
        QTest::newRow("example4d (NIfTI-1)") << "geom_nifti_example4d";
        QTest::newRow("example_nifti2 (NIfTI-2)") << "geom_nifti_example_nifti2";
    }
    void fourDimensionalBecomesChannels() {
        QFETCH(QString, caseId);
        const auto c = test::parityCase(caseId.toStdString());
        const auto& out = c["outputs"];
        Volume v = readNifti(c["inputs"]["file"]["path"]);
        const auto shape = out["shape"].get<std::vector<int64_t>>(); // (X, Y, Z, T)
        QCOMPARE(v.channels(), shape[3]);
        QCOMPARE(v.spatialShape(), (std::vector<int64_t>{shape[0], shape[1], shape[2]}));
        const auto idx = out["voxel_indices"];
        const auto vals = out["voxel_values"];
        for (size_t i = 0; i < idx.size(); ++i)
            QCOMPARE(v.valueAt(idx[i][3], idx[i][0], idx[i][1], idx[i][2]), vals[i].get<double>());
        const auto want = out["affine_ras"];
        for (int r = 0; r < 4; ++r)
            for (int k = 0; k < 4; ++k)
                QVERIFY(std::fabs(v.affine()(r, k) - want[r][k].get<double>()) < 1e-4);
    }

    void pixdimRulesAndBadQuaternion() {
        // A hand-made NIfTI-1 header: qform only, pixdim (-2, 3, 0): nibabel
        // uses |pixdim| and 1 for zero, so the affine is diag(2, 3, 1) + offset.
        auto write = [](const std::string& path, float quaternB) {
            std::vector<char> hdr(352 + 8, 0);
            auto put = [&](size_t off, auto v) { std::memcpy(hdr.data() + off, &v, sizeof v); };
            put(0, int32_t(348));
            const int16_t dim[8] = {3, 2, 2, 2, 1, 1, 1, 1};
            for (int i = 0; i < 8; ++i)
                put(40 + 2 * i, dim[i]);
            put(70, int16_t(2)); // uint8
            put(72, int16_t(8));
            const float pixdim[8] = {1, -2, 3, 0, 1, 1, 1, 1};
            for (int i = 0; i < 8; ++i)
                put(76 + 4 * i, pixdim[i]);
            put(108, 352.0f);
            put(252, int16_t(1)); // qform_code
            put(254, int16_t(0)); // sform_code
            put(256, quaternB);
            put(268, 10.0f);
            put(272, 20.0f);
            put(276, 30.0f);
            std::memcpy(hdr.data() + 344, "n+1", 4);
            std::ofstream(path, std::ios::binary).write(hdr.data(), std::streamsize(hdr.size()));
        };
        QTemporaryDir dir;
        const std::string good = (dir.path() + "/pixdim.nii").toStdString();
        write(good, 0.0f);
        const Affine want({{{2, 0, 0, 10}, {0, 3, 0, 20}, {0, 0, 1, 30}, {0, 0, 0, 1}}});
        QVERIFY2(readNiftiHeader(good).affine.maxAbsDiff(want) < 1e-6,
                 qPrintable(QString("got diag %1 %2 %3")
                                .arg(readNiftiHeader(good).affine(0, 0))
                                .arg(readNiftiHeader(good).affine(1, 1))
                                .arg(readNiftiHeader(good).affine(2, 2))));
        const std::string bad = (dir.path() + "/quaternion.nii").toStdString();
        write(bad, 1.5f); // b^2 > 1: not a rotation
        try {
            readNiftiHeader(bad);
            QFAIL("no error for an impossible quaternion");
        } catch (const IoError& e) {
            QCOMPARE(QString::fromStdString(e.file()), QString::fromStdString(bad));
            QCOMPARE(QString::fromStdString(e.field()), QString("quatern_b"));
        }
    }

    void headerCodes() {
        const auto c = test::parityCase("geom_nifti_kmeanstest_t1ucharraw");
        NiftiHeader h = readNiftiHeader(c["inputs"]["file"]["path"]);
        QCOMPARE(h.qformCode, 2);
        QCOMPARE(h.sformCode, 1);
        const auto q = c["outputs"]["qform_affine"];
        for (int r = 0; r < 3; ++r)
            for (int k = 0; k < 4; ++k)
                QVERIFY(std::fabs(h.qform(r, k) - q[r][k].get<double>()) < 1e-5);
    }

    void roundTrip_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("dtype");
        QTest::newRow("float32 .nii.gz") << "rt.nii.gz" << int(torch::kFloat);
        QTest::newRow("uint8 .nii") << "rt.nii" << int(torch::kByte);
        QTest::newRow("int16 .nii.gz") << "rt16.nii.gz" << int(torch::kShort);
    }
    void roundTrip() {
        QFETCH(QString, name);
        QFETCH(int, dtype);
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/" + name).toStdString();
        torch::manual_seed(3);
        at::Tensor data = (torch::rand({1, 7, 5, 4}) * 100).to(torch::ScalarType(dtype));
        // oblique LPI-ish affine with anisotropic voxels
        const double c = std::cos(0.2), s = std::sin(0.2);
        Affine a = Affine::fromGeometry({0.7, 1.1, 2.5}, {12.5, -30, 7},
                                        {{{-c, -s, 0}, {s, -c, 0}, {0, 0, -1}}});
        writeNifti(Volume(data, a), path);
        Volume back = readNifti(path);
        QCOMPARE(back.spatialShape(), (std::vector<int64_t>{7, 5, 4}));
        QVERIFY(torch::allclose(back.data(), data.to(torch::kFloat)));
        QVERIFY2(back.affine().maxAbsDiff(a) < 1e-5,
                 qPrintable(QString("affine diff %1").arg(back.affine().maxAbsDiff(a))));
        // no temporary file is left beside the result
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }

    void badFilesGiveClearErrors() {
        QTemporaryDir dir;
        const std::string missing = (dir.path() + "/nope.nii.gz").toStdString();
        try {
            readNifti(missing);
            QFAIL("no error for a missing file");
        } catch (const IoError& e) {
            QCOMPARE(QString::fromStdString(e.file()), QString::fromStdString(missing));
        }
        // a truncated copy of a real file: header present, data cut
        const std::string src = test::parityCase("geom_nifti_anatomical")["inputs"]["file"]["path"];
        const std::string cut = (dir.path() + "/cut.nii").toStdString();
        {
            std::ifstream in(src, std::ios::binary);
            std::vector<char> bytes(4000);
            in.read(bytes.data(), std::streamsize(bytes.size()));
            std::ofstream out(cut, std::ios::binary);
            out.write(bytes.data(), std::streamsize(bytes.size()));
        }
        QVERIFY_THROWS_EXCEPTION(IoError, readNifti(cut));
        // a truncated .nii.gz (ITK alone would accept it and return garbage)
        const std::string cutGz = (dir.path() + "/cut.nii.gz").toStdString();
        {
            std::ifstream in(
                test::parityCase("geom_nifti_ch2")["inputs"]["file"]["path"].get<std::string>(),
                std::ios::binary);
            std::vector<char> bytes(300000);
            in.read(bytes.data(), std::streamsize(bytes.size()));
            std::ofstream out(cutGz, std::ios::binary);
            out.write(bytes.data(), std::streamsize(bytes.size()));
        }
        try {
            readNifti(cutGz);
            QFAIL("no error for a truncated .nii.gz");
        } catch (const IoError& e) {
            QVERIFY2(QString::fromStdString(e.what()).contains("truncated"), e.what());
        }
        const std::string junk = (dir.path() + "/junk.nii").toStdString();
        std::ofstream(junk) << "this is not a nifti file at all";
        try {
            readNifti(junk);
            QFAIL("no error for a junk file");
        } catch (const IoError& e) {
            QVERIFY(QString::fromStdString(e.what()).contains("junk.nii"));
        }
        // writing to an impossible place fails with the file named; nothing is left behind
        QVERIFY_THROWS_EXCEPTION(
            IoError, writeNifti(Volume(torch::zeros({1, 2, 2, 2})), "/proc/medulla/x.nii"));
    }
};

QTEST_GUILESS_MAIN(TestNifti)
#include "test_nifti.moc"
