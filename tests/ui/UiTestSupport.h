#pragma once
/// Helpers shared by the studio's GUI tests: screenshots into the build tree
/// (MEDULLA_SCREENSHOT_DIR) and checks that a grabbed image shows something.

#include <QAbstractSpinBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLineEdit>
#include <QString>
#include <QTimer>
#include <QWidget>
#include <QtTest>

#include "ui/views/VolumeView.h"

namespace medulla::ui::test {

/// Fraction of pixels (sampled every 2nd) brighter than `threshold` grey.
inline double litFraction(const QImage& img, int threshold = 20) {
    if (img.isNull())
        return 0;
    int lit = 0, n = 0;
    for (int y = 0; y < img.height(); y += 2)
        for (int x = 0; x < img.width(); x += 2, ++n)
            lit += qGray(img.pixel(x, y)) > threshold ? 1 : 0;
    return n ? double(lit) / n : 0;
}

/// Number of distinct colours (sampled), to tell a drawn view from a flat one.
inline int colourCount(const QImage& img) {
    QSet<QRgb> seen;
    for (int y = 0; y < img.height(); y += 3)
        for (int x = 0; x < img.width(); x += 3)
            seen.insert(img.pixel(x, y));
    return seen.size();
}

/// Grab `widget` and save it as <screenshots>/<name>; returns the image.
inline QImage saveScreenshot(QWidget* widget, const QString& name) {
    QDir().mkpath(MEDULLA_SCREENSHOT_DIR);
    QApplication::processEvents();
    const QImage img = VolumeView::grabWithViews(widget); // the 3D view's frame too
    const QString path = QString(MEDULLA_SCREENSHOT_DIR) + "/" + name;
    if (!img.save(path))
        qWarning("could not save %s", qPrintable(path));
    return img;
}

/// Replace a line edit's text by typing, as a person would.
inline void retype(QWidget* w, const QString& text) {
    auto* edit = qobject_cast<QLineEdit*>(w);
    QVERIFY2(edit, "not a line edit");
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

/// Type `text` over a spin box's value and leave it with Tab, as a person
/// would (the value is committed when the box loses focus).
inline void retypeSpinBox(QAbstractSpinBox* box, const QString& text) {
    QVERIFY2(box, "not a spin box");
    box->setFocus();
    box->selectAll();
    QTest::keyClicks(box, text);
    QTest::keyClick(box, Qt::Key_Tab);
}

/// A tiny synthetic segmentation experiment (32^3 spheres, UNet 4-8-16,
/// 24^3 crops) written to <dir>/experiment.json; its data go to <dir>/data
/// and its runs to <dir>/<outputSub>. Returns the file's path.
inline QString writeTinyExperiment(const QString& dir, const QString& name,
                                   const QString& outputSub, int numCases, double valFraction,
                                   int maxEpochs, int threads = 0) {
    const QString json = QString(R"({
      "name": "%1", "output_dir": "%2/%3",
      "data": {"dataset": "%2/data/dataset.json", "val_fraction": %4,
               "synthetic": {"num_cases": %5, "seed": 3, "size": [32, 32, 32], "num_objs": 4,
                             "rad_max": 8, "rad_min": 3, "noise_max": 0.3, "num_seg_classes": 1}},
      "train_transforms": [
        {"name": "LoadImaged"}, {"name": "EnsureChannelFirstd"}, {"name": "ScaleIntensityd"},
        {"name": "RandCropByPosNegLabeld", "spatial_size": [24, 24, 24], "num_samples": 2}],
      "val_transforms": [{"name": "LoadImaged"}, {"name": "EnsureChannelFirstd"}, {"name": "ScaleIntensityd"}],
      "network": {"name": "UNet", "channels": [4, 8, 16], "strides": [2, 2], "num_res_units": 1, "norm": "batch"},
      "loss": {"name": "DiceLoss", "to_onehot_y": true, "softmax": true},
      "optimizer": {"name": "Adam", "lr": 0.01},
      "trainer": {"max_epochs": %6, "batch_size": 2, "seed": 0, "threads": %7}
    })")
                             .arg(name, dir, outputSub)
                             .arg(valFraction)
                             .arg(numCases)
                             .arg(maxEpochs)
                             .arg(threads);
    const QString path = dir + "/experiment.json";
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(json.toUtf8()) != json.toUtf8().size())
        qWarning("could not write %s", qPrintable(path));
    return path;
}

/// Measures how long the GUI thread's event loop goes without running a
/// 10 ms timer: the longest gap between two ticks, minus the period, is the
/// worst stall a user would feel (a frozen window). Stalls are recorded per
/// named phase (beginPhase .. endPhase: "loading the data", "training"),
/// so that a test's own blocking work between phases (grabbing screenshots)
/// is not counted. Lives on the GUI thread.
class EventLoopProbe {
public:
    EventLoopProbe() {
        timer_.setInterval(10);
        timer_.setTimerType(Qt::PreciseTimer);
        QObject::connect(&timer_, &QTimer::timeout, [this] {
            const qint64 now = clock_.elapsed();
            const qint64 stall = now - last_ - timer_.interval();
            if (!phase_.isEmpty()) {
                worst_[phase_] = std::max(worst_.value(phase_), stall);
                if (stall > 100)
                    stalls_.append(QString("%1: %2 ms at %3 ms").arg(phase_).arg(stall).arg(last_));
                ++ticks_;
            }
            last_ = now;
        });
        clock_.start();
        timer_.start();
    }
    /// Start counting stalls under `name` (ends the previous phase).
    void beginPhase(const QString& name) {
        QCoreApplication::processEvents(); // the gap before the phase is not its own
        last_ = clock_.elapsed();
        phase_ = name;
        worst_.insert(name, std::max<qint64>(0, worst_.value(name)));
    }
    void endPhase() { phase_.clear(); }
    /// Worst stall (ms) of each phase measured.
    const QMap<QString, qint64>& worstByPhase() const { return worst_; }
    qint64 worstStallMs() const {
        qint64 w = 0;
        for (qint64 v : worst_)
            w = std::max(w, v);
        return w;
    }
    /// Every stall over 100 ms, as "phase: N ms at T ms".
    const QStringList& stalls() const { return stalls_; }
    /// ms since the probe was made (the times in stalls()).
    qint64 elapsedMs() const { return clock_.elapsed(); }
    /// Timer ticks counted inside phases.
    int ticks() const { return ticks_; }

private:
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 last_ = 0;
    QString phase_;
    QMap<QString, qint64> worst_;
    QStringList stalls_;
    int ticks_ = 0;
};

} // namespace medulla::ui::test
