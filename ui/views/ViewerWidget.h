#pragma once
/// The studio's image viewer: axial, coronal and sagittal SliceViews and the
/// 3D VolumeView in a 2x2 grid, under a toolbar (window/level presets,
/// overlay opacity, label colour table, label/prediction toggles,
/// screenshot) and above a read-out line. GUI thread only.
///
/// - Crosshair: a left click (or drag) in a slice view sets the 3D cursor
///   voxel; the other views jump to its slices; all draw the crosshair.
/// - Zoom (Ctrl+wheel), pan (middle or Shift+left drag), reset ("R" or
///   double-click) act on the view under the mouse; window/level (right
///   drag or a preset) applies to all three slice views.
/// - Read-out (under the mouse, or the cursor when the mouse is elsewhere):
///   "RAS (x, y, z) mm  voxel (i, j, k)  value v  label l  pred p", with
///   RAS = affine * (i, j, k, 1).
/// - Orientation: radiological, see SliceView.h. Which voxel axis each view
///   holds fixed comes from the affine (the one closest to world z is the
///   axial view, y coronal, x sagittal).

#include <QWidget>

#include "engine/core/Volume.h"
#include "ui/views/LabelColors.h"
#include "ui/views/SliceView.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;

namespace medulla::ui {

class VolumeView;

class ViewerWidget : public QWidget {
    Q_OBJECT
public:
    enum View { Axial = 0, Coronal = 1, Sagittal = 2 };

    explicit ViewerWidget(QWidget* parent = nullptr);

    /// Show `image` (channel 0); clears both overlays, centres the cursor,
    /// applies the "MR auto" window. `name` is shown in the read-out.
    void setImage(const Volume& image, const QString& name = {});
    const Volume& image() const { return image_; }
    /// Ground-truth label (filled, 3D surfaces). Must match the image size;
    /// a mismatch is reported in the read-out and not drawn. Empty clears.
    void setLabel(const Volume& label);
    /// Prediction (outlined in 2D, translucent surfaces in 3D). Empty clears.
    void setPrediction(const Volume& prediction);
    void clearOverlays();
    const Volume& label() const { return label_; }
    const Volume& prediction() const { return prediction_; }

    /// The 3D cursor: voxel indices (i, j, k) along the volume's array axes.
    Voxel cursorVoxel() const { return cursor_; }
    void setCursorVoxel(int i, int j, int k);

    /// Window/level of all three slice views.
    void setWindowLevel(double window, double level);
    double window() const;
    double level() const;
    /// Apply a preset by name (see WindowPresets.h); false if unknown.
    bool applyPreset(const QString& name);

    void setOverlayOpacity(double opacity); ///< 0..1
    double overlayOpacity() const;
    void setColorTable(const QString& name);
    void setLabelVisible(bool on);
    void setPredictionVisible(bool on);

    /// The read-out text for the voxel under the mouse (or the cursor).
    QString readout() const;
    /// Read-out text for any voxel.
    QString readoutFor(const Voxel& v) const;

    /// Save the 2x2 views as a PNG; false (and a message in the read-out)
    /// if the file cannot be written.
    bool saveScreenshot(const QString& path);
    /// When false the Screenshot button never opens a file dialog (tests).
    void setInteractive(bool on) { interactive_ = on; }

    SliceView* sliceView(View v) const { return slices_[v]; }
    VolumeView* volumeView() const { return volumeView_; }
    QWidget* viewGrid() const { return grid_; }
    QComboBox* presetCombo() const { return presets_; }
    QSlider* opacitySlider() const { return opacity_; }
    QComboBox* colorTableCombo() const { return colorTable_; }
    QCheckBox* labelCheck() const { return showLabel_; }
    QCheckBox* predictionCheck() const { return showPrediction_; }
    QCheckBox* volumeCheck() const { return showVolume_; }
    QPushButton* screenshotButton() const { return screenshot_; }
    QLabel* readoutLabel() const { return readout_; }

Q_SIGNALS:
    void cursorMoved(int i, int j, int k);
    /// The read-out text changed (mouse moved, cursor moved).
    void readoutChanged(const QString& text);

private:
    void onPresetChosen(int index);
    void onHover(const Voxel& v);
    void syncWindow(double window, double level);
    void updateReadout();

    Volume image_, label_, prediction_;
    QString name_;
    Voxel cursor_{0, 0, 0};
    Voxel hover_{-1, -1, -1};
    bool interactive_ = true;
    QString status_;

    SliceView* slices_[3];
    VolumeView* volumeView_;
    QWidget* grid_;
    QComboBox* presets_;
    QSlider* opacity_;
    QComboBox* colorTable_;
    QCheckBox* showLabel_;
    QCheckBox* showPrediction_;
    QCheckBox* showVolume_;
    QPushButton* screenshot_;
    QLabel* readout_;
};

} // namespace medulla::ui
