/// The viewer driven like a person would: a real MR volume (ch2), clicks
/// that move the crosshair, hover read-out checked against the affine and
/// the voxels, presets chosen with the keyboard, Ctrl+wheel zoom, overlays
/// with opacity and colour tables, 3D label surfaces, screenshots.
/// Expected voxels are computed here from the widget geometry and the
/// documented orientation (SliceView.h: radiological; screen right = world
/// -x in axial/coronal views, screen up = +y (axial) / +z (coronal)).

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include "engine/io/ImageLoader.h"
#include "tests/ui/UiTestSupport.h"
#include "ui/views/SliceView.h"
#include "ui/views/ViewerWidget.h"
#include "ui/views/VolumeView.h"
#include "ui/views/WindowPresets.h"

using namespace medulla;
using namespace medulla::ui;

namespace {

constexpr double kPi = 3.14159265358979323846;

/// Widget position of the centre of image pixel (col, row) for a view that
/// shows `cols` x `rows` voxels of size (sw, sh) mm, fitted and centred.
QPoint pixelCentre(const QWidget* view, int cols, int rows, double sw, double sh, int col,
                   int row) {
    const double physW = cols * sw, physH = rows * sh;
    const double scale = std::min(view->width() / physW, view->height() / physH);
    const double left = (view->width() - physW * scale) / 2;
    const double top = (view->height() - physH * scale) / 2;
    return QPoint(int(std::floor(left + (col + 0.5) * sw * scale)),
                  int(std::floor(top + (row + 0.5) * sh * scale)));
}

void sendMove(QWidget* w, QPoint pos, Qt::MouseButtons buttons = Qt::NoButton,
              Qt::KeyboardModifiers mods = Qt::NoModifier) {
    QMouseEvent e(QEvent::MouseMove, QPointF(pos), w->mapToGlobal(QPointF(pos)), Qt::NoButton,
                  buttons, mods);
    QApplication::sendEvent(w, &e);
}

void sendWheel(QWidget* w, QPoint pos, int dy, Qt::KeyboardModifiers mods) {
    QWheelEvent e(QPointF(pos), w->mapToGlobal(QPointF(pos)), QPoint(), QPoint(0, dy), Qt::NoButton,
                  mods, Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &e);
}

/// Pixels whose red clearly dominates (a red label surface / fill).
int redPixels(const QImage& img) {
    int n = 0;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) {
            const QRgb p = img.pixel(x, y);
            n += (qRed(p) > qGreen(p) + 60 && qRed(p) > qBlue(p) + 60) ? 1 : 0;
        }
    return n;
}

} // namespace

class TestViewer : public QObject {
    Q_OBJECT
private:
    ViewerWidget* viewer_ = nullptr;
    Volume image_;
    Volume sphere_;
    Voxel centre_{0, 0, 0};
    int radius_ = 18;
    QTemporaryDir tmp_;

    int dim(int a) const { return int(image_.spatialShape()[size_t(a)]); }

private Q_SLOTS:
    void initTestCase() {
        const QString ch2 = "/usr/share/mricron/templates/ch2.nii.gz";
        QVERIFY2(QFile::exists(ch2), "run packaging/setup-debian.sh (mricron-data)");
        image_ = loadImage(ch2.toStdString());
        QCOMPARE(image_.spatialShape(), (std::vector<int64_t>{181, 217, 181}));
        QCOMPARE(QString::fromStdString(image_.affine().axisCodes()), QString("RAS"));
        viewer_ = new ViewerWidget;
        viewer_->setInteractive(false);
        viewer_->resize(1100, 900);
        viewer_->show();
        QVERIFY(QTest::qWaitForWindowExposed(viewer_));
        viewer_->setImage(image_, "ch2");
        QApplication::processEvents();
        // for a RAS volume, the view holding voxel axis 2 fixed is axial
        QCOMPARE(viewer_->sliceView(ViewerWidget::Axial)->axis(), 2);
        QCOMPARE(viewer_->sliceView(ViewerWidget::Coronal)->axis(), 1);
        QCOMPARE(viewer_->sliceView(ViewerWidget::Sagittal)->axis(), 0);
        QCOMPARE(viewer_->sliceView(ViewerWidget::Axial)->viewName(), QString("Axial"));
        QCOMPARE(viewer_->cursorVoxel(), (Voxel{90, 108, 90}));
    }

    void clickMovesCrosshairInOtherViews() {
        SliceView* axial = viewer_->sliceView(ViewerWidget::Axial);
        SliceView* coronal = viewer_->sliceView(ViewerWidget::Coronal);
        SliceView* sagittal = viewer_->sliceView(ViewerWidget::Sagittal);
        const Vec3 sp = image_.spacing();
        // axial: columns run along i (flipped: +x is patient right, shown
        // on screen left), rows along j (anterior up: row 0 is j = ny-1)
        const int col = 60, row = 80;
        const QPoint pos = pixelCentre(axial, dim(0), dim(1), sp[0], sp[1], col, row);
        const int i = dim(0) - 1 - col, j = dim(1) - 1 - row, k = axial->slice();
        QSignalSpy moved(viewer_, &ViewerWidget::cursorMoved);
        QTest::mouseClick(axial, Qt::LeftButton, Qt::NoModifier, pos);
        QCOMPARE(moved.count(), 1);
        QCOMPARE(viewer_->cursorVoxel(), (Voxel{i, j, k}));
        QCOMPARE(coronal->slice(), j);
        QCOMPARE(sagittal->slice(), i);
        QCOMPARE(axial->slice(), k);
        QCOMPARE(sagittal->cursorVoxel(), (Voxel{i, j, k}));
        // the crosshair passes through the clicked pixel
        const QPointF c = axial->widgetPos(viewer_->cursorVoxel());
        QVERIFY(std::abs(c.x() - pos.x()) <= 2 && std::abs(c.y() - pos.y()) <= 2);
        // plain wheel still moves through slices
        sendWheel(axial, pos, 120, Qt::NoModifier);
        QCOMPARE(axial->slice(), k + 1);
        QCOMPARE(viewer_->cursorVoxel()[2], k); // the viewer cursor follows clicks only
        sendWheel(axial, pos, -120, Qt::NoModifier);
    }

    void hoverReadoutMatchesAffineAndVoxels() {
        SliceView* coronal = viewer_->sliceView(ViewerWidget::Coronal);
        const Vec3 sp = image_.spacing();
        // coronal: columns along i (flipped), rows along k (superior up)
        const int col = 100, row = 70;
        const QPoint pos = pixelCentre(coronal, dim(0), dim(2), sp[0], sp[2], col, row);
        const int i = dim(0) - 1 - col, j = coronal->slice(), k = dim(2) - 1 - row;
        QSignalSpy changed(viewer_, &ViewerWidget::readoutChanged);
        sendMove(coronal, pos);
        QCOMPARE(changed.count(), 1);
        const QString text = viewer_->readout();
        QVERIFY2(text.contains(QString("voxel (%1, %2, %3)").arg(i).arg(j).arg(k)),
                 qPrintable(text));
        // RAS = affine * (i, j, k, 1), computed here from the affine rows
        const auto& m = image_.affine().rows();
        double ras[3];
        for (int r = 0; r < 3; ++r)
            ras[r] =
                m[size_t(r)][0] * i + m[size_t(r)][1] * j + m[size_t(r)][2] * k + m[size_t(r)][3];
        const QString expectRas = QString("RAS (%1, %2, %3) mm")
                                      .arg(ras[0], 0, 'f', 2)
                                      .arg(ras[1], 0, 'f', 2)
                                      .arg(ras[2], 0, 'f', 2);
        QVERIFY2(text.contains(expectRas), qPrintable(text + " vs " + expectRas));
        const float value = image_.floatData()[(int64_t(i) * dim(1) + j) * dim(2) + k];
        QVERIFY2(text.contains(QString("value %1").arg(double(value), 0, 'g', 6)),
                 qPrintable(text));
        QVERIFY(viewer_->readoutLabel()->text().contains(text));
    }

    void presetsAndWindowDrag() {
        SliceView* axial = viewer_->sliceView(ViewerWidget::Axial);
        const QImage before = axial->renderSlice();
        // choose "CT bone" with the keyboard, as a person can
        QComboBox* combo = viewer_->presetCombo();
        combo->setFocus();
        const int target = combo->findText("CT bone");
        QVERIFY(target > 0);
        QCOMPARE(combo->currentIndex(), 0);
        for (int n = 0; n < target; ++n)
            QTest::keyClick(combo, Qt::Key_Down);
        QCOMPARE(combo->currentText(), QString("CT bone"));
        const WindowPreset* bone = findWindowPreset("CT bone");
        QVERIFY(bone);
        QCOMPARE(bone->window, 2000.0);
        QCOMPARE(bone->level, 300.0);
        for (int v = 0; v < 3; ++v) {
            QCOMPARE(viewer_->sliceView(ViewerWidget::View(v))->window(), 2000.0);
            QCOMPARE(viewer_->sliceView(ViewerWidget::View(v))->level(), 300.0);
        }
        QCOMPARE(viewer_->window(), 2000.0);
        QVERIFY(axial->renderSlice() != before);
        // back to MR auto: the 1st-99th percentile window again
        QVERIFY(viewer_->applyPreset("MR auto (1-99 %)"));
        QCOMPARE(viewer_->window(), axial->autoWindow());
        // a right-drag in the axial view changes all three views
        const double w0 = viewer_->window();
        QTest::mousePress(axial, Qt::RightButton, Qt::NoModifier, QPoint(100, 100));
        sendMove(axial, QPoint(160, 100), Qt::RightButton);
        QTest::mouseRelease(axial, Qt::RightButton, Qt::NoModifier, QPoint(160, 100));
        QVERIFY(axial->window() > w0);
        QCOMPARE(viewer_->sliceView(ViewerWidget::Sagittal)->window(), axial->window());
        QCOMPARE(combo->currentText(), QString("Custom"));
        QVERIFY(viewer_->applyPreset("MR auto (1-99 %)"));
        test::saveScreenshot(viewer_, "viewer-ch2.png");
    }

    void zoomAndPan() {
        SliceView* axial = viewer_->sliceView(ViewerWidget::Axial);
        const QImage before = axial->grab().toImage();
        const QPoint anchor(axial->width() / 2 + 20, axial->height() / 2 - 10);
        Voxel under{};
        QVERIFY(axial->voxelAt(anchor, &under));
        sendWheel(axial, anchor, 240, Qt::ControlModifier);
        QVERIFY2(std::abs(axial->zoom() - 1.5625) < 1e-9,
                 qPrintable(QString::number(axial->zoom())));
        Voxel afterZoom{};
        QVERIFY(axial->voxelAt(anchor, &afterZoom));
        QCOMPARE(afterZoom, under);                          // zoom keeps the point under the mouse
        QCOMPARE(axial->slice(), viewer_->cursorVoxel()[2]); // no slice change
        const QImage zoomed = axial->grab().toImage();
        QVERIFY(zoomed != before);
        // a zoomed voxel covers more widget pixels
        const QRectF r = axial->imageRect();
        QVERIFY(r.width() > axial->width() * 0.9 || r.height() > axial->height() * 0.9);
        // middle drag pans
        QTest::mousePress(axial, Qt::MiddleButton, Qt::NoModifier, QPoint(50, 50));
        sendMove(axial, QPoint(80, 70), Qt::MiddleButton);
        QTest::mouseRelease(axial, Qt::MiddleButton, Qt::NoModifier, QPoint(80, 70));
        QVERIFY(axial->pan() != QPointF(0, 0));
        // "R" resets
        axial->setFocus();
        QTest::keyClick(axial, Qt::Key_R);
        QCOMPARE(axial->zoom(), 1.0);
        QCOMPARE(axial->pan(), QPointF(0, 0));
        QCOMPARE(axial->grab().toImage(), before);
    }

    void labelOverlayOpacityAndColours() {
        // a synthetic sphere label in the image's geometry
        at::Tensor t = image_.data().clone();
        float* p = t.data_ptr<float>();
        centre_ = viewer_->cursorVoxel();
        const int ny = dim(1), nz = dim(2);
        int64_t inside = 0;
        for (int x = 0; x < dim(0); ++x)
            for (int y = 0; y < ny; ++y)
                for (int z = 0; z < nz; ++z) {
                    const int dx = x - centre_[0], dy = y - centre_[1], dz = z - centre_[2];
                    const bool in = dx * dx + dy * dy + dz * dz <= radius_ * radius_;
                    p[(int64_t(x) * ny + y) * nz + z] = in ? 1.f : 0.f;
                    inside += in;
                }
        QVERIFY(inside > 20000);
        sphere_ = Volume(t, image_.affine());
        viewer_->setLabel(sphere_);
        SliceView* axial = viewer_->sliceView(ViewerWidget::Axial);
        QCOMPARE(axial->slice(), centre_[2]);
        // the image pixel of the sphere centre (display orientation)
        const int col = dim(0) - 1 - centre_[0], row = dim(1) - 1 - centre_[1];
        viewer_->opacitySlider()->setValue(0);
        const QRgb grey = axial->renderSlice().pixel(col, row);
        QCOMPARE(qRed(grey), qGreen(grey));
        viewer_->opacitySlider()->setValue(100);
        QCOMPARE(viewer_->overlayOpacity(), 1.0);
        QImage img = axial->renderSlice();
        QCOMPARE(img.pixel(col, row), LabelColors("Default").color(1).rgb());
        // roughly pi r^2 voxels of the slice are label-coloured
        const int red = redPixels(img);
        QVERIFY2(std::abs(red - kPi * radius_ * radius_) < 0.1 * kPi * radius_ * radius_,
                 qPrintable(QString::number(red)));
        // outside the sphere the image is untouched
        const QRgb far = img.pixel(col + radius_ + 5, row);
        QCOMPARE(qRed(far), qGreen(far));
        // colour table "Binary red" chosen with the combo
        viewer_->colorTableCombo()->setCurrentText("Binary red");
        QCOMPARE(axial->renderSlice().pixel(col, row), QColor(240, 40, 40).rgb());
        viewer_->colorTableCombo()->setCurrentText("Default");
        // hiding the label restores the grey image
        QTest::mouseClick(viewer_->labelCheck(), Qt::LeftButton);
        QVERIFY(!viewer_->labelCheck()->isChecked());
        QCOMPARE(axial->renderSlice().pixel(col, row), grey);
        QTest::mouseClick(viewer_->labelCheck(), Qt::LeftButton);
        viewer_->opacitySlider()->setValue(45);
        // the read-out shows the label value at the cursor
        viewer_->setCursorVoxel(centre_[0], centre_[1], centre_[2]);
        QVERIFY2(viewer_->readout().contains("label 1"), qPrintable(viewer_->readout()));

        // prediction: a shifted sphere drawn as an outline (centre not drawn)
        at::Tensor pt = t.roll({6}, {1}).contiguous(); // +6 voxels along i
        viewer_->setPrediction(Volume(pt, image_.affine()));
        viewer_->opacitySlider()->setValue(0);
        img = axial->renderSlice();
        const QRgb outlineColour = LabelColors("Default").outlineColor(1).rgb();
        QVERIFY(img.pixel(col - 6, row) != outlineColour);          // interior not drawn
        QCOMPARE(img.pixel(col - 6 - radius_, row), outlineColour); // the rim is
        int outline = 0;
        for (int y = 0; y < img.height(); ++y)
            for (int x = 0; x < img.width(); ++x)
                outline += img.pixel(x, y) == outlineColour ? 1 : 0;
        // about the circumference of the slice through the sphere
        QVERIFY2(outline > 2 * kPi * radius_ * 0.7 && outline < 2 * kPi * radius_ * 2.5,
                 qPrintable(QString::number(outline)));
        viewer_->opacitySlider()->setValue(60);
        test::saveScreenshot(viewer_, "viewer-overlay.png");
        // a label of another size is rejected with a message, not drawn
        Volume small(t.narrow(1, 0, 100).contiguous(), image_.affine());
        viewer_->setPrediction(small);
        QVERIFY(!viewer_->prediction().isValid());
        QVERIFY(viewer_->readoutLabel()->text().contains("does not match"));
        viewer_->setPrediction(Volume());
    }

    void threeDLabelSurface() {
        VolumeView* view = viewer_->volumeView();
        // the label surface is extracted on a worker
        QTRY_COMPARE_WITH_TIMEOUT(view->labelSurfaceCount(), 1, 30000);
        const auto surfaces = VolumeView::extractSurfaces(sphere_);
        QCOMPARE(int(surfaces.size()), 1);
        QCOMPARE(surfaces[0].label, 1);
        // hide the volume rendering so the sphere inside the head is seen
        QTest::mouseClick(viewer_->volumeCheck(), Qt::LeftButton);
        QVERIFY(!viewer_->volumeCheck()->isChecked());
        QTest::qWait(200);
        const int withSurface = redPixels(view->grabFramebuffer());
        QTest::mouseClick(viewer_->labelCheck(), Qt::LeftButton);
        QTest::qWait(100);
        const int without = redPixels(view->grabFramebuffer());
        QTest::mouseClick(viewer_->labelCheck(), Qt::LeftButton);
        QTest::qWait(100);
        QVERIFY2(withSurface > 500 && without < withSurface / 10,
                 qPrintable(QString("%1 vs %2").arg(withSurface).arg(without)));
        // prediction surfaces too (translucent, outline colour)
        viewer_->setPrediction(Volume(sphere_.data().roll({6}, {1}).contiguous(), image_.affine()));
        QTRY_COMPARE_WITH_TIMEOUT(view->predictionSurfaceCount(), 1, 30000);
        QTest::qWait(100);
        test::saveScreenshot(viewer_, "viewer-3d-surface.png");
        viewer_->setPrediction(Volume());
        QCOMPARE(view->predictionSurfaceCount(), 0);
        QTest::mouseClick(viewer_->volumeCheck(), Qt::LeftButton);
        QVERIFY(viewer_->volumeCheck()->isChecked());
    }

    void screenshotToPng() {
        const QString path = tmp_.path() + "/shot.png";
        QVERIFY(viewer_->saveScreenshot(path));
        QImage back(path);
        QVERIFY(!back.isNull());
        const qreal r = viewer_->viewGrid()->devicePixelRatioF();
        QCOMPARE(back.size(), viewer_->viewGrid()->size() * r);
        QVERIFY(test::litFraction(back) > 0.1);
        QVERIFY(test::colourCount(back) > 50);
        // an unwritable path gives a message, not a crash
        QVERIFY(!viewer_->saveScreenshot(tmp_.path() + "/no/such/dir/shot.png"));
        QVERIFY(viewer_->readoutLabel()->text().contains("could not write"));
    }

    void cleanupTestCase() {
        delete viewer_;
        viewer_ = nullptr;
    }
};

int main(int argc, char** argv) {
    VolumeView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestViewer t;
    return QTest::qExec(&t, argc, argv);
}

#include "test_viewer.moc"
