#pragma once
/// The studio's main window: three orthogonal slice views and a 3D volume
/// rendering of the open study, the Train panel with live curves, File ->
/// Open and drag-and-drop of NIfTI files. Long work (loading, training) runs
/// off the GUI thread; the window stays responsive.

#include <QMainWindow>

#include "engine/core/Volume.h"
#include "engine/training/Experiment.h"
#include "engine/training/TrainingEvents.h"

namespace medulla::ui {

class SliceView;
class VolumeView;
class TrainPanel;
class TrainingController;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Load an image (and `labelPath`, or else a label with the same name in
    /// a sibling labelsTr/ folder) in the background; emits volumeLoaded or
    /// loadFailed. The latest request wins over slower earlier ones.
    void openImage(const QString& path, const QString& labelPath = {});
    /// Load a label map in the background and overlay it.
    void openLabel(const QString& path);
    /// Use this experiment for the Train button. Returns false (and shows
    /// the error naming the file and field) if it is invalid.
    bool loadExperiment(const QString& path);
    void startTraining();
    void cancelTraining();

    const Volume& image() const { return image_; }
    const Volume& overlay() const { return overlay_; }
    TrainPanel* trainPanel() const { return trainPanel_; }
    TrainingController* controller() const { return controller_; }
    SliceView* sliceView(int axis) const { return slices_[axis]; }
    VolumeView* volumeView() const { return volumeView_; }
    /// When false, errors are only logged (tests, headless runs).
    void setInteractive(bool interactive) { interactive_ = interactive; }

Q_SIGNALS:
    void volumeLoaded(const QString& path);
    void labelLoaded(const QString& path);
    void loadFailed(const QString& message);
    void predictionShown(double dice);

protected:
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;
    void closeEvent(QCloseEvent* e) override;

private:
    void buildMenus();
    void showImage(const Volume& image, const QString& path);
    void showOverlay(const Volume& label);
    void showError(const QString& message);
    void onPrediction(const PredictionEvent& e);
    void openFirstDatasetCase();

    SliceView* slices_[3];
    VolumeView* volumeView_;
    TrainPanel* trainPanel_;
    TrainingController* controller_;
    Volume image_;
    Volume overlay_;
    ExperimentConfig experiment_;
    bool hasExperiment_ = false;
    bool interactive_ = true;
    quint64 imageGeneration_ = 0; ///< bumped per image request; stale loads are dropped
};

} // namespace medulla::ui
