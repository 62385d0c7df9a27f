#pragma once
/// The pipeline editor (studio area 4): edits the shared experiment's
/// "train_transforms" or "val_transforms" (tabs "Training" / "Validation").
///  - palette of registered transforms by group (TransformPalette): add by
///    double-click, the Add button, or drag onto the step list;
///  - step list: drag to reorder, Delete key or Remove button, random
///    transforms marked; the selected step's parameters in a ParamForm.
///    Every valid edit writes the list back with one setSection(); an
///    invalid field stays red with its error and writes nothing;
///  - live preview on a case of the experiment's datalist: before/after
///    middle axial slices (SliceView), a table of shape (C, X, Y, Z) and
///    spacing after each step, and "Re-roll" (a new seed for the random
///    steps). The preview runs on a worker thread (previewPipeline), 300 ms
///    after the last change; a newer request cancels an older one.
/// GUI thread only.

#include <QPointer>
#include <QWidget>

#include <cstdint>
#include <memory>

#include "engine/core/CancelToken.h"
#include "engine/services/PipelinePreview.h"

class QComboBox;
class QLabel;
class QListView;
class QPushButton;
class QTabBar;
class QTableWidget;
class QTimer;

namespace medulla::ui {

class ExperimentDocument;
class ParamForm;
class PipelineModel;
class SliceView;
class TransformPalette;

class PipelineEditor : public QWidget {
    Q_OBJECT
public:
    explicit PipelineEditor(ExperimentDocument* document, QWidget* parent = nullptr);
    ~PipelineEditor() override;

    /// Which list is edited: "train_transforms" (default) or "val_transforms".
    void setSection(const QString& key);
    QString section() const { return section_; }

    /// The seed of the random steps in the preview (shown next to Re-roll).
    uint64_t seed() const { return seed_; }
    void setSeed(uint64_t seed);
    /// The last preview shown (empty before the first one finished).
    const PreviewResult& lastPreview() const { return preview_; }
    /// True while a preview is scheduled or running (tests wait for false).
    bool isPreviewPending() const;
    /// True while the case list is being read (or the demo data generated).
    bool isLoadingCases() const { return loadingCases_; }

    // The widgets, for the main window and for tests.
    TransformPalette* palette() const { return palette_; }
    QListView* stepList() const { return steps_; }
    PipelineModel* model() const { return model_; }
    ParamForm* paramForm() const { return form_; }
    QTabBar* sectionTabs() const { return tabs_; }
    QComboBox* caseCombo() const { return cases_; }
    QPushButton* rerollButton() const { return reroll_; }
    QPushButton* removeButton() const { return remove_; }
    QTableWidget* previewTable() const { return table_; }
    SliceView* beforeView() const { return before_; }
    SliceView* afterView() const { return after_; }
    /// The preview's error line ("" when the pipeline ran).
    QString previewError() const;

public Q_SLOTS:
    /// Append `name` to the list (with default parameters) and select it.
    void addTransform(const QString& name);
    void removeSelected();
    /// The next seed of a fixed pseudo-random sequence, then a new preview.
    void reroll();
    /// Re-read the cases of the document's "data" section (worker thread).
    void refreshCases();

Q_SIGNALS:
    /// A preview finished and is shown (lastPreview()).
    void previewUpdated();
    /// The case list was (re)read: `count` cases.
    void casesLoaded(int count);

private:
    void onDocumentChanged(const QString& section);
    void loadFromDocument();
    void writeToDocument();
    void selectRow(int row);
    void showStep(int row);
    void onFormChanged();
    void schedulePreview();
    void runPreview();
    void showPreview(const PreviewResult& result);
    int currentRow() const;
    bool eventFilter(QObject* watched, QEvent* event) override;

    QPointer<ExperimentDocument> doc_;
    QString section_ = "train_transforms";
    PipelineModel* model_ = nullptr;
    TransformPalette* palette_ = nullptr;
    QTabBar* tabs_ = nullptr;
    QListView* steps_ = nullptr;
    QPushButton* remove_ = nullptr;
    ParamForm* form_ = nullptr;
    QLabel* formHint_ = nullptr;
    QComboBox* cases_ = nullptr;
    QPushButton* reroll_ = nullptr;
    QLabel* seedLabel_ = nullptr;
    QLabel* status_ = nullptr;
    QTableWidget* table_ = nullptr;
    SliceView* before_ = nullptr;
    SliceView* after_ = nullptr;
    QTimer* debounce_ = nullptr;

    int formRow_ = -1;     ///< the step the form shows
    bool writing_ = false; ///< inside writeToDocument()
    uint64_t seed_ = 1;
    uint64_t previewGen_ = 0, casesGen_ = 0;
    bool previewRunning_ = false, loadingCases_ = false;
    std::shared_ptr<CancelToken> previewCancel_, casesCancel_;
    PreviewResult preview_;
};

} // namespace medulla::ui
