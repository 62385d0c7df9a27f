/// The studio driven like a person would: open a real volume, start and
/// cancel training with real button clicks, run a short training to the
/// end and see the prediction overlaid. Screenshots of the main window go
/// to <build>/screenshots. Runs under Xvfb (see README).

#include <QDir>
#include <QFile>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

#include "ui/MainWindow.h"
#include "ui/bridge/TrainingController.h"
#include "ui/panels/TrainPanel.h"
#include "ui/views/SliceView.h"
#include "ui/views/VolumeView.h"

using namespace medulla;
using namespace medulla::ui;

namespace {

QString writeExperiment(const QString& dir, int epochs) {
    const QString json = QString(R"({
      "name": "studio-test", "output_dir": "%1/run",
      "data": {"dataset": "%1/data/dataset.json", "val_fraction": 0.25,
               "synthetic": {"num_cases": 8, "seed": 2, "size": [48, 48, 48], "num_objs": 6,
                             "rad_max": 10, "rad_min": 4, "noise_max": 0.3, "num_seg_classes": 1}},
      "train_transforms": [
        {"name": "LoadImaged"}, {"name": "EnsureChannelFirstd"}, {"name": "ScaleIntensityd"},
        {"name": "RandCropByPosNegLabeld", "spatial_size": [32, 32, 32], "num_samples": 2}],
      "val_transforms": [{"name": "LoadImaged"}, {"name": "EnsureChannelFirstd"}, {"name": "ScaleIntensityd"}],
      "network": {"name": "UNet", "channels": [8, 16, 32], "strides": [2, 2], "num_res_units": 1, "norm": "batch"},
      "loss": {"name": "DiceLoss", "to_onehot_y": true, "softmax": true},
      "optimizer": {"name": "Adam", "lr": 0.01},
      "trainer": {"max_epochs": %2, "batch_size": 2, "seed": 0}
    })")
                             .arg(dir)
                             .arg(epochs);
    const QString path = dir + QString("/experiment-%1.json").arg(epochs);
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(json.toUtf8());
    return path;
}

/// Fraction of pixels that are not (near) black: an image, not an empty view.
double litFraction(const QImage& img) {
    if (img.isNull())
        return 0;
    int lit = 0, n = 0;
    for (int y = 0; y < img.height(); y += 2)
        for (int x = 0; x < img.width(); x += 2, ++n)
            lit += qGray(img.pixel(x, y)) > 20 ? 1 : 0;
    return double(lit) / n;
}

/// Number of pixels with a clearly red overlay tint.
int overlayPixels(const QImage& img) {
    int n = 0;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) {
            const QRgb p = img.pixel(x, y);
            n += (qRed(p) > qGreen(p) + 40 && qRed(p) > qBlue(p) + 40) ? 1 : 0;
        }
    return n;
}

} // namespace

class TestStudio : public QObject {
    Q_OBJECT
private:
    MainWindow* window_ = nullptr;
    QTemporaryDir tmp_;

    void screenshot(const QString& name) {
        QDir().mkpath(MEDULLA_SCREENSHOT_DIR);
        QApplication::processEvents();
        const QImage img = window_->grab().toImage();
        QVERIFY(img.save(QString(MEDULLA_SCREENSHOT_DIR) + "/" + name));
        QVERIFY(litFraction(img) > 0.05);
    }

private Q_SLOTS:
    void initTestCase() {
        window_ = new MainWindow;
        window_->setInteractive(false);
        window_->resize(1400, 860);
        window_->show();
        QVERIFY(QTest::qWaitForWindowExposed(window_));
        screenshot("01-empty.png");
    }

    void opensARealVolume() {
        const QString ch2 = "/usr/share/mricron/templates/ch2.nii.gz";
        QVERIFY2(QFile::exists(ch2), "run packaging/setup-debian.sh (mricron-data)");
        QSignalSpy loaded(window_, &MainWindow::volumeLoaded);
        // dropped on the window, as from a file manager
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(ch2)});
        QDragEnterEvent enter(QPoint(300, 300), Qt::CopyAction, &mime, Qt::LeftButton,
                              Qt::NoModifier);
        QApplication::sendEvent(window_, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(300, 300), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(window_, &drop);
        QVERIFY(drop.isAccepted());
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 30000);
        QCOMPARE(window_->image().spatialShape(), (std::vector<int64_t>{181, 217, 181}));
        SliceView* axial = window_->sliceView(2);
        QCOMPARE(axial->slice(), 90);
        QVERIFY(litFraction(axial->renderSlice()) > 0.3); // brain, not black
        // wheel moves through slices
        QWheelEvent wheel(QPointF(50, 50), axial->mapToGlobal(QPointF(50, 50)), QPoint(),
                          QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(axial, &wheel);
        QCOMPARE(axial->slice(), 91);
        // window/level changes what is drawn; a right-drag changes window/level
        const QImage before = axial->renderSlice();
        const double window = axial->window();
        QTest::mousePress(axial, Qt::RightButton, Qt::NoModifier, QPoint(100, 100));
        QMouseEvent drag(QEvent::MouseMove, QPointF(160, 100),
                         axial->mapToGlobal(QPointF(160, 100)), Qt::NoButton, Qt::RightButton,
                         Qt::NoModifier);
        QApplication::sendEvent(axial, &drag);
        QTest::mouseRelease(axial, Qt::RightButton, Qt::NoModifier, QPoint(160, 100));
        QVERIFY(axial->window() > window);
        QVERIFY(axial->renderSlice() != before);
        QTest::qWait(300);
        // the 3D view renders the head: bright pixels over the dark background
        const QImage rendering = window_->volumeView()->grabFramebuffer();
        int bright = 0;
        for (int yy = 0; yy < rendering.height(); yy += 2)
            for (int xx = 0; xx < rendering.width(); xx += 2)
                bright += qGray(rendering.pixel(xx, yy)) > 90 ? 1 : 0;
        QVERIFY2(bright > rendering.width() * rendering.height() / 4 / 50,
                 qPrintable(QString("only %1 bright pixels in the 3D view").arg(bright)));
        screenshot("02-volume-loaded.png");
        // a bad file gives a message naming it, not a crash
        QSignalSpy failed(window_, &MainWindow::loadFailed);
        window_->openImage(tmp_.path() + "/missing.nii.gz");
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        QVERIFY(failed.at(0).at(0).toString().contains("missing.nii.gz"));
    }

    void startAndCancelByClicks() {
        QVERIFY(window_->loadExperiment(writeExperiment(tmp_.path(), 200)));
        TrainPanel* panel = window_->trainPanel();
        QSignalSpy finished(window_->controller(), &TrainingController::finished);
        QTest::mouseClick(panel->startButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(panel->cancelButton()->isEnabled(), 10000);
        QVERIFY(!panel->startButton()->isEnabled());
        // live curves: iteration losses, then at least two validation points
        QTRY_VERIFY_WITH_TIMEOUT(panel->dicePointCount() >= 2, 300000);
        QVERIFY(panel->lossPointCount() >= 4);
        QVERIFY(panel->progressBar()->value() > 0);
        // the training data is shown while it trains
        QTRY_VERIFY_WITH_TIMEOUT(
            window_->image().isValid() && window_->image().spatialShape()[0] == 48, 10000);
        screenshot("03-during-training.png");
        QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.at(0).at(0).value<JobState>(), JobState::Cancelled);
        QVERIFY(panel->startButton()->isEnabled());
        QVERIFY(!panel->cancelButton()->isEnabled());
        const int points = panel->lossPointCount();
        QTest::qWait(500);
        QCOMPARE(panel->lossPointCount(), points); // nothing arrives after the end
        screenshot("04-cancelled.png");
    }

    void trainToTheEndShowsPrediction() {
        QVERIFY(window_->loadExperiment(writeExperiment(tmp_.path(), 6)));
        QSignalSpy shown(window_, &MainWindow::predictionShown);
        QTest::mouseClick(window_->trainPanel()->startButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 600000);
        const double dice = shown.at(0).at(0).toDouble();
        QVERIFY2(dice > 0.5, qPrintable(QString("prediction Dice %1").arg(dice)));
        QVERIFY(window_->overlay().isValid());
        QCOMPARE(window_->overlay().spatialShape(), window_->image().spatialShape());
        QVERIFY(overlayPixels(window_->sliceView(2)->renderSlice()) > 0);
        QCOMPARE(window_->trainPanel()->dicePointCount(), 6);
        QTest::qWait(300);
        screenshot("05-after-training.png");
    }

    void cleanupTestCase() {
        delete window_;
        window_ = nullptr;
    }
};

int main(int argc, char** argv) {
    VolumeView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestStudio t;
    return QTest::qExec(&t, argc, argv);
}

#include "test_studio.moc"
