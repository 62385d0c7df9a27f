#pragma once
/// The studio's main window. One experiment document (the JSON the CLI
/// runs) is shared by every panel:
///
///   Studies dock | Viewer | Data | Pipeline | Experiment | Train | Results
///
/// - Studies (left dock): folders of DICOM series, NIfTI files and
///   Decathlon datasets; double-click opens a series/file in the viewer or
///   a dataset in the Data tab.
/// - Viewer: three slice views with a synchronized crosshair and a 3D view;
///   the label and prediction overlays.
/// - Data: the dataset's cases, split and folds; double-click shows a case.
/// - Pipeline: the train/validation transforms with a live preview.
/// - Experiment: network, loss, optimizer, trainer; save/load the JSON.
/// - Train: start/pause/resume/cancel, live curves, run history.
/// - Results: the finished run evaluated per case; a row shows the case
///   with its prediction over the ground truth.
///
/// Long work (loading, indexing, training, evaluation) runs off the GUI
/// thread; the window stays responsive.

#include <QMainWindow>

#include "engine/core/Volume.h"
#include "engine/training/TrainingEvents.h"

class QTabWidget;

namespace medulla::ui {

class DatasetPanel;
class ExperimentDocument;
class ExperimentPanel;
class PipelineEditor;
class ResultsPanel;
class SliceView;
class StudyBrowser;
class TrainingController;
class TrainingMonitor;
class ViewerWidget;
class VolumeView;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum Tab { ViewerTab = 0, DataTab, PipelineTab, ExperimentTab, TrainTab, ResultsTab };

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Load an image (and `labelPath`, or else a label with the same name in
    /// a sibling labelsTr/ folder) in the background; emits volumeLoaded or
    /// loadFailed. The latest request wins over slower earlier ones.
    void openImage(const QString& path, const QString& labelPath = {});
    /// What a dropped or command-line path opens (LaunchTarget): a folder,
    /// a .dcm file or DICOMDIR indexes its folder in the Studies browser;
    /// any other file loads in the viewer.
    void openPath(const QString& path);
    /// One DICOM series of a folder (its StudyIndex label), in the background.
    void openSeries(const QString& folder, const QString& seriesLabel);
    /// Load a label map in the background and overlay it.
    void openLabel(const QString& path);
    /// A case with its prediction: image, ground truth (may be empty) and
    /// prediction, shown together in the viewer.
    void openResult(const QString& image, const QString& label, const QString& prediction);
    /// Load an experiment JSON into the shared document. Returns false (and
    /// shows the error naming the file) if it cannot be read.
    bool loadExperiment(const QString& path);
    void startTraining();
    void cancelTraining();
    void showTab(Tab tab);

    const Volume& image() const { return image_; }
    const Volume& overlay() const { return overlay_; }
    const Volume& prediction() const { return prediction_; }
    ExperimentDocument* document() const { return document_; }
    StudyBrowser* studyBrowser() const { return browser_; }
    ViewerWidget* viewer() const { return viewer_; }
    DatasetPanel* datasetPanel() const { return dataset_; }
    PipelineEditor* pipelineEditor() const { return pipeline_; }
    ExperimentPanel* experimentPanel() const { return experimentPanel_; }
    TrainingMonitor* trainingMonitor() const { return monitor_; }
    ResultsPanel* resultsPanel() const { return results_; }
    TrainingController* controller() const { return controller_; }
    QTabWidget* tabs() const { return tabs_; }
    SliceView* sliceView(int axis) const;
    VolumeView* volumeView() const;
    /// When false, errors are only logged and no dialog opens (tests).
    void setInteractive(bool interactive);

Q_SIGNALS:
    void volumeLoaded(const QString& path);
    void labelLoaded(const QString& path);
    void resultShown(const QString& prediction);
    void loadFailed(const QString& message);
    void predictionShown(double dice);

protected:
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;
    void closeEvent(QCloseEvent* e) override;

private:
    void buildMenus();
    void connectPanels();
    void showImage(const Volume& image, const QString& path);
    void showOverlay(const Volume& label);
    void showError(const QString& message);
    void onPrediction(const PredictionEvent& e);
    void onRunFinished(const QString& runDir, JobState state);

    ExperimentDocument* document_;
    TrainingController* controller_;
    StudyBrowser* browser_;
    QTabWidget* tabs_;
    ViewerWidget* viewer_;
    DatasetPanel* dataset_;
    PipelineEditor* pipeline_;
    ExperimentPanel* experimentPanel_;
    TrainingMonitor* monitor_;
    ResultsPanel* results_;
    Volume image_;
    Volume overlay_;
    Volume prediction_;
    bool interactive_ = true;
    quint64 imageGeneration_ = 0; ///< bumped per image request; stale loads are dropped
};

} // namespace medulla::ui
