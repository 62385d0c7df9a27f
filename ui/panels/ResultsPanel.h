#pragma once
/// The Results panel: a trained model (run folder) evaluated on the
/// validation set or on chosen cases, through the engine's evaluation
/// (engine/services/EvaluationService.h, the path of `medulla evaluate`)
/// on a worker thread; per-case rows (Dice, HD95, MSD) appear as cases
/// finish, in a numerically sortable table with a mean ± sd summary.
/// Clicking a row emits caseSelected(image, label, prediction) for the
/// viewer. Predictions (NIfTI, original image space) are written under
/// outputDir() and can be exported (copied) to a folder.
///
/// Errors are shown inline in statusText(), never as a crash; with
/// setInteractive(false) no dialog is ever opened.

#include <QPair>
#include <QPointer>
#include <QString>
#include <QVector>
#include <QWidget>

#include <memory>
#include <thread>

#include "engine/core/CancelToken.h"
#include "engine/services/EvaluationService.h"

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace medulla::ui {

class CaseResultsModel;

class ResultsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ResultsPanel(QWidget* parent = nullptr);
    /// Cancels a running evaluation and waits for its current case.
    ~ResultsPanel() override;

    /// The model: a run folder (holding experiment.json and its weights) or
    /// a weights file (then setExperimentFile is needed).
    void setModel(const QString& runDir);
    QString model() const;
    /// The experiment to use instead of <run folder>/experiment.json.
    void setExperimentFile(const QString& path) { experimentFile_ = path; }
    /// Folder of the predictions; default <run folder>/results/predictions.
    void setOutputDir(const QString& dir) { outputDir_ = dir; }
    QString outputDir() const;
    /// false: Browse/Predict/Export buttons open no file dialogs.
    void setInteractive(bool on) { interactive_ = on; }
    bool isBusy() const { return busy_; }

    CaseResultsModel* resultsModel() const { return model_; }
    QSortFilterProxyModel* proxyModel() const { return proxy_; }
    QTableView* table() const { return table_; }
    QLineEdit* modelEdit() const { return modelEdit_; }
    QPushButton* evaluateButton() const { return evaluate_; }
    QPushButton* predictButton() const { return predict_; }
    QPushButton* exportButton() const { return export_; }
    QPushButton* cancelButton() const { return cancel_; }
    QProgressBar* progressBar() const { return progress_; }
    QString statusText() const;
    QString summaryText() const;

public Q_SLOTS:
    /// Clears the table and evaluates the experiment's validation cases.
    void evaluateValidation();
    /// Clears the table and evaluates these (image, label) pairs (label ""
    /// = predict only).
    void evaluateCases(const QVector<QPair<QString, QString>>& cases);
    /// Predicts one image (scored when `label` is given) and appends its
    /// row; the prediction file arrives with caseFinished / the row.
    void predictCase(const QString& image, const QString& label = {});
    void cancel();
    /// Copies every row's prediction into `dir` (atomically, same file
    /// names). Returns the number copied; on failure -1, and statusText()
    /// names the file.
    int exportPredictions(const QString& dir);

Q_SIGNALS:
    /// A row was clicked: the case's files (label "" when unlabelled).
    void caseSelected(const QString& image, const QString& label, const QString& prediction);
    /// One case finished (its row is in the table).
    void caseFinished(const QString& caseName, const QString& prediction);
    /// The run ended: `cases` rows done; `cancelled`; `error` "" on success.
    void evaluationFinished(int cases, bool cancelled, const QString& error);
    void busyChanged(bool busy);

private:
    void start(std::vector<std::pair<std::string, std::string>> cases, bool append);
    void setBusy(bool busy);
    void setStatus(const QString& text, bool error = false);
    void onRowClicked(const QModelIndex& index);
    void browseModel();
    void chooseCase();
    void chooseExportDir();
    void updateSummary();
    void joinWorker();

    CaseResultsModel* model_;
    QSortFilterProxyModel* proxy_;
    QTableView* table_;
    QLineEdit* modelEdit_;
    QPushButton* browse_;
    QPushButton* evaluate_;
    QPushButton* predict_;
    QPushButton* export_;
    QPushButton* cancel_;
    QProgressBar* progress_;
    QLabel* status_;
    QLabel* summary_;

    QString experimentFile_;
    QString outputDir_;
    bool interactive_ = true;
    bool busy_ = false;
    int generation_ = 0;
    std::shared_ptr<CancelToken> cancelToken_;
    std::thread worker_;
};

} // namespace medulla::ui
