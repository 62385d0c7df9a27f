#pragma once
/// The dataset panel: the cases of the experiment's dataset (the "data"
/// section of the shared ExperimentDocument) as image/label pairs with
/// their geometry read from headers on a worker thread, missing or
/// mismatched labels flagged, and the training/validation split the
/// trainer will use (val_fraction with trainer.seed, or validation_key).
/// The split and K folds can be set by hand (check box per row, "Move to
/// validation"/"Move to training") or at random; a hand-made split is
/// written as a datalist next to the dataset ("<name>_split.json", training
/// / validation sections with "fold" fields) and the document's data
/// section is pointed at it (validation_key "validation"), which the
/// engine reads as is. With data.synthetic and no dataset yet, "Generate"
/// writes the synthetic data.

#include <QWidget>

#include <memory>

class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;

namespace medulla {
class CancelToken;
}

namespace medulla::ui {

class CaseTableModel;
class ExperimentDocument;

class DatasetPanel : public QWidget {
    Q_OBJECT
public:
    explicit DatasetPanel(ExperimentDocument* document, QWidget* parent = nullptr);
    ~DatasetPanel() override;

    CaseTableModel* model() const { return model_; }
    QTableView* view() const { return view_; }
    QPushButton* reloadButton() const { return reload_; }
    QPushButton* generateButton() const { return generate_; }
    QPushButton* cancelButton() const { return cancel_; }
    QPushButton* toValidationButton() const { return toValidation_; }
    QPushButton* toTrainingButton() const { return toTraining_; }
    QPushButton* randomSplitButton() const { return randomSplit_; }
    QPushButton* randomFoldsButton() const { return randomFolds_; }
    QDoubleSpinBox* fractionSpin() const { return fraction_; }
    QSpinBox* seedSpin() const { return seed_; }
    QSpinBox* foldsSpin() const { return folds_; }
    QProgressBar* progressBar() const { return progress_; }
    /// The error or state line ("8 cases, 2 validation, 2 flagged", an error
    /// naming the file and field).
    QLabel* statusLabel() const { return status_; }

    /// True while cases are read or data is generated.
    bool isBusy() const { return busy_; }
    /// The datalist a hand-made split was last written to (empty: none).
    QString splitFile() const { return splitFile_; }
    /// Increments each time a reload finished (ok or not); for tests.
    int reloadCount() const { return reloads_; }

public Q_SLOTS:
    /// Read the cases of the document's data section again (worker).
    void reload();
    /// Write the synthetic dataset of data.synthetic (worker), then reload.
    void generate();
    void cancel();
    void moveSelectedToValidation();
    void moveSelectedToTraining();
    void randomSplit();
    void assignRandomFolds();

Q_SIGNALS:
    /// Double-click on a row: load this case in the viewer (label may be
    /// empty or missing on disk: see the row's status).
    void caseActivated(const QString& image, const QString& label);
    /// A reload finished (ok, or the error message).
    void casesLoaded(bool ok, const QString& message);
    /// generate() ended: ok (a reload follows), or the error / "cancelled".
    void generated(bool ok, const QString& message);

private:
    void persistSplit();
    void setBusy(bool busy);
    QList<int> selectedRows() const;
    void updateSummary();

    ExperimentDocument* document_;
    CaseTableModel* model_;
    QTableView* view_;
    QLabel* source_;
    QLabel* status_;
    QPushButton* reload_;
    QPushButton* generate_;
    QPushButton* cancel_;
    QPushButton* toValidation_;
    QPushButton* toTraining_;
    QPushButton* randomSplit_;
    QPushButton* randomFolds_;
    QDoubleSpinBox* fraction_;
    QSpinBox* seed_;
    QSpinBox* folds_;
    QProgressBar* progress_;
    QString splitFile_;
    QString splitSource_;
    bool busy_ = false;
    bool needsGeneration_ = false;
    bool ownEdit_ = false; ///< the document change is our own split
    int reloads_ = 0;
    quint64 generation_ = 0;
    std::shared_ptr<CancelToken> cancelToken_;
};

} // namespace medulla::ui
