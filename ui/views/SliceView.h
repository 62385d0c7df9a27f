#pragma once
/// One orthogonal slice of a volume with window/level and a label overlay.
/// Wheel: move through slices; right-drag: window (x) / level (y);
/// double-click: reset window/level. GUI thread only.

#include <QImage>
#include <QWidget>

#include "engine/core/Volume.h"

namespace medulla::ui {

class SliceView : public QWidget {
    Q_OBJECT
public:
    /// axis: the voxel axis held fixed (0 = sagittal, 1 = coronal, 2 = axial).
    explicit SliceView(int axis, QWidget* parent = nullptr);

    /// Show channel 0 of `image`; resets the slice to the middle and the
    /// window to the 1st-99th percentile range.
    void setImage(const Volume& image);
    /// Overlay label map (same spatial size; 0 = transparent). Empty clears.
    void setLabel(const Volume& label);
    void setSlice(int index);
    int slice() const { return slice_; }
    int sliceCount() const;
    void setWindowLevel(double window, double level);
    double window() const { return window_; }
    double level() const { return level_; }
    /// The rendered slice (for tests): one pixel per voxel, overlay included.
    QImage renderSlice() const;

Q_SIGNALS:
    void sliceChanged(int index);

protected:
    void paintEvent(QPaintEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;

private:
    void resetWindow();
    /// In-plane axes (horizontal, vertical).
    std::pair<int, int> planeAxes() const;

    int axis_;
    Volume image_; ///< float32 CPU contiguous
    Volume label_; ///< float32 CPU contiguous, or empty
    int slice_ = 0;
    double window_ = 1, level_ = 0.5;
    double autoWindow_ = 1, autoLevel_ = 0.5;
    QPoint dragStart_;
    double dragWindow_ = 1, dragLevel_ = 0.5;
};

} // namespace medulla::ui
