#pragma once
/// One orthogonal slice of a volume with window/level, a ground-truth label
/// overlay (filled, with opacity), a prediction overlay (outline), a 3D
/// crosshair, zoom and pan. GUI thread only.
///
/// Mouse and keys: left click/drag sets the cursor voxel (crosshair);
/// Shift+left drag or middle drag pans; wheel moves through slices;
/// Ctrl+wheel zooms about the mouse; right drag changes window (x) and
/// level (y); double-click resets zoom, pan and window/level; "R" resets
/// zoom and pan.
///
/// Display orientation (radiological convention, decided from the affine,
/// so a volume stored LPS, RAS or permuted is shown the same way):
///  - the fixed voxel axis (`axis`) names the view by the world axis it is
///    most aligned with: x -> Sagittal, y -> Coronal, z -> Axial;
///  - Axial: screen right = patient left (world -x), screen up = anterior (+y);
///  - Coronal: screen right = patient left (-x), screen up = superior (+z);
///  - Sagittal: screen right = posterior (-y), screen up = superior (+z)
///    (the patient faces screen left).
/// Each in-plane voxel axis maps to the screen axis of its dominant world
/// axis; its direction sign decides whether the index grows or falls along
/// the screen axis. For a RAS-stored volume (e.g. ch2) the axial view shows
/// i growing to screen LEFT and j growing UP. Pixels keep their physical
/// aspect ratio (spacing).

#include <QImage>
#include <QWidget>

#include <array>

#include "engine/core/Volume.h"
#include "ui/views/LabelColors.h"

namespace medulla::ui {

using Voxel = std::array<int, 3>;

class SliceView : public QWidget {
    Q_OBJECT
public:
    /// axis: the voxel axis held fixed (0, 1, 2; for a RAS volume 0 =
    /// sagittal, 1 = coronal, 2 = axial).
    explicit SliceView(int axis, QWidget* parent = nullptr);

    /// Index of the world axis (0 = x/R, 1 = y/A, 2 = z/S) each voxel axis
    /// is most aligned with (a permutation), and the sign (+1/-1) of that
    /// alignment.
    static std::array<int, 3> worldAxes(const Affine& affine, std::array<int, 3>* signs = nullptr);

    /// Change the fixed voxel axis (keeps the image; slice goes to the cursor).
    void setAxis(int axis);
    int axis() const { return axis_; }
    /// "Axial", "Coronal" or "Sagittal" (from the image's affine).
    QString viewName() const;

    /// Show channel 0 of `image`; resets the slice to the middle, the cursor
    /// to the centre voxel, zoom/pan, the overlays and the window to the
    /// 1st-99th percentile range.
    void setImage(const Volume& image);
    /// Ground-truth label map, drawn filled (same spatial size; 0 =
    /// transparent; a mismatching size is not drawn). Empty clears.
    void setLabel(const Volume& label);
    /// Prediction label map, drawn as an outline. Empty clears.
    void setPrediction(const Volume& prediction);
    void setOverlayOpacity(double opacity); ///< 0..1, label fill (default 0.45)
    double overlayOpacity() const { return opacity_; }
    void setLabelVisible(bool on);
    void setPredictionVisible(bool on);
    void setColorTable(const LabelColors& colors);

    void setSlice(int index);
    int slice() const { return slice_; }
    int sliceCount() const;
    void setWindowLevel(double window, double level);
    double window() const { return window_; }
    double level() const { return level_; }
    /// The 1st-99th percentile window/level computed in setImage.
    double autoWindow() const { return autoWindow_; }
    double autoLevel() const { return autoLevel_; }

    /// The 3D cursor (crosshair); also moves this view to its slice.
    void setCursorVoxel(const Voxel& v);
    Voxel cursorVoxel() const { return cursor_; }
    void setCrosshairVisible(bool on);

    double zoom() const { return zoom_; }
    /// Zoom by `factor` keeping the point `anchor` (widget pixels) fixed.
    void zoomBy(double factor, QPointF anchor);
    QPointF pan() const { return pan_; }
    void resetView(); ///< zoom 1, no pan

    /// The voxel drawn at widget position `pos`; false outside the image.
    bool voxelAt(QPointF pos, Voxel* voxel) const;
    /// Widget position of the centre of voxel `v` (in-plane coordinates).
    QPointF widgetPos(const Voxel& v) const;
    /// Where the slice image is drawn, in widget pixels.
    QRectF imageRect() const;

    /// The rendered slice (for tests): one pixel per voxel in display
    /// orientation, overlays included, crosshair not.
    QImage renderSlice() const;

Q_SIGNALS:
    void sliceChanged(int index);
    /// Left click or drag chose a voxel (the view already moved its cursor).
    void voxelClicked(int i, int j, int k);
    /// The mouse moved over voxel (i, j, k) with no button pressed.
    void voxelHovered(int i, int j, int k);
    /// A right-drag (or double-click reset) changed window/level.
    void windowLevelEdited(double window, double level);
    /// Zoom or pan changed.
    void viewChanged();

protected:
    void paintEvent(QPaintEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;

private:
    void resetWindow();
    void updateOrientation();
    void invalidate();
    /// In-plane size of the rendered image (width, height) in voxels.
    QSize planeSize() const;
    /// Voxel index along ha_/va_ for image column/row (and back).
    int colToIndex(int col) const;
    int rowToIndex(int row) const;

    enum class Drag { None, Cursor, Pan, Window };

    int axis_;
    int ha_ = 0, va_ = 1;       ///< voxel axes along screen x / y
    bool hRight_ = true;        ///< index grows to the right
    bool vUp_ = true;           ///< index grows upwards
    Volume image_;              ///< float32 CPU contiguous (1, X, Y, Z)
    Volume label_, prediction_; ///< same, or empty
    bool showLabel_ = true, showPrediction_ = true, showCrosshair_ = false;
    double opacity_ = 0.45;
    LabelColors colors_;
    int slice_ = 0;
    Voxel cursor_{0, 0, 0};
    double window_ = 1, level_ = 0.5;
    double autoWindow_ = 1, autoLevel_ = 0.5;
    double zoom_ = 1;
    QPointF pan_;
    Drag drag_ = Drag::None;
    QPoint dragStart_;
    QPointF dragPan_;
    double dragWindow_ = 1, dragLevel_ = 0.5;
    mutable QImage cache_;
    mutable bool dirty_ = true;
};

} // namespace medulla::ui
