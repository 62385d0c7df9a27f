#include "ui/panels/ResultsPanel.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <exception>

#include "ui/bridge/Background.h"
#include "ui/model/CaseResultsModel.h"

namespace medulla::ui {

ResultsPanel::ResultsPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);

    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(new QLabel(tr("Model (run folder):"), this));
    modelEdit_ = new QLineEdit(this);
    modelEdit_->setObjectName("resultsModelEdit");
    modelEdit_->setPlaceholderText(tr("a training run folder with experiment.json"));
    modelRow->addWidget(modelEdit_, 1);
    browse_ = new QPushButton(tr("Browse…"), this);
    browse_->setObjectName("resultsBrowseButton");
    modelRow->addWidget(browse_);
    layout->addLayout(modelRow);

    auto* buttons = new QHBoxLayout;
    evaluate_ = new QPushButton(tr("Evaluate validation set"), this);
    evaluate_->setObjectName("evaluateValidationButton");
    predict_ = new QPushButton(tr("Predict case…"), this);
    predict_->setObjectName("predictCaseButton");
    export_ = new QPushButton(tr("Export predictions…"), this);
    export_->setObjectName("exportPredictionsButton");
    buttons->addWidget(evaluate_);
    buttons->addWidget(predict_);
    buttons->addWidget(export_);
    buttons->addStretch(1);
    layout->addLayout(buttons);

    auto* progressRow = new QHBoxLayout;
    progress_ = new QProgressBar(this);
    progress_->setObjectName("resultsProgress");
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progress_->setFormat(tr("%v / %m cases"));
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setObjectName("resultsCancelButton");
    cancel_->setEnabled(false);
    progressRow->addWidget(progress_, 1);
    progressRow->addWidget(cancel_);
    layout->addLayout(progressRow);

    status_ = new QLabel(tr("Choose a trained model."), this);
    status_->setObjectName("resultsStatus");
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(status_);

    model_ = new CaseResultsModel(this);
    proxy_ = new QSortFilterProxyModel(this);
    proxy_->setSourceModel(model_);
    proxy_->setSortRole(CaseResultsModel::SortRole);
    table_ = new QTableView(this);
    table_->setObjectName("resultsTable");
    table_->setModel(proxy_);
    // insertion order until a header is clicked
    table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    table_->setSortingEnabled(true);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setAlternatingRowColors(true);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setSectionResizeMode(CaseResultsModel::CaseColumn,
                                                     QHeaderView::Stretch);
    layout->addWidget(table_, 1);

    summary_ = new QLabel(model_->summary(), this);
    summary_->setObjectName("resultsSummary");
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(summary_);

    connect(browse_, &QPushButton::clicked, this, &ResultsPanel::browseModel);
    connect(evaluate_, &QPushButton::clicked, this, &ResultsPanel::evaluateValidation);
    connect(predict_, &QPushButton::clicked, this, &ResultsPanel::chooseCase);
    connect(export_, &QPushButton::clicked, this, &ResultsPanel::chooseExportDir);
    connect(cancel_, &QPushButton::clicked, this, &ResultsPanel::cancel);
    connect(table_, &QTableView::clicked, this, &ResultsPanel::onRowClicked);
    connect(model_, &QAbstractItemModel::rowsInserted, this, &ResultsPanel::updateSummary);
    connect(model_, &QAbstractItemModel::modelReset, this, &ResultsPanel::updateSummary);
}

ResultsPanel::~ResultsPanel() {
    ++generation_;
    if (cancelToken_)
        cancelToken_->cancel();
    joinWorker();
}

void ResultsPanel::joinWorker() {
    if (worker_.joinable())
        worker_.join();
}

void ResultsPanel::setModel(const QString& runDir) {
    modelEdit_->setText(runDir);
    setStatus(runDir.isEmpty() ? tr("Choose a trained model.") : tr("Model: %1").arg(runDir));
}

QString ResultsPanel::model() const {
    return modelEdit_->text().trimmed();
}

QString ResultsPanel::outputDir() const {
    if (!outputDir_.isEmpty())
        return outputDir_;
    const QFileInfo info(model());
    const QString run = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
    return QDir(run).filePath("results/predictions");
}

QString ResultsPanel::statusText() const {
    return status_->text();
}
QString ResultsPanel::summaryText() const {
    return summary_->text();
}

void ResultsPanel::setStatus(const QString& text, bool error) {
    status_->setText(text);
    status_->setStyleSheet(error ? "color: #c0392b;" : QString());
}

void ResultsPanel::setBusy(bool busy) {
    busy_ = busy;
    evaluate_->setEnabled(!busy);
    predict_->setEnabled(!busy);
    export_->setEnabled(!busy);
    browse_->setEnabled(!busy);
    modelEdit_->setEnabled(!busy);
    cancel_->setEnabled(busy);
    Q_EMIT busyChanged(busy);
}

void ResultsPanel::evaluateValidation() {
    start({}, false);
}

void ResultsPanel::evaluateCases(const QVector<QPair<QString, QString>>& cases) {
    std::vector<std::pair<std::string, std::string>> list;
    for (const auto& c : cases)
        list.emplace_back(c.first.toStdString(), c.second.toStdString());
    if (list.empty()) {
        setStatus(tr("No cases to evaluate."), true);
        return;
    }
    start(std::move(list), false);
}

void ResultsPanel::predictCase(const QString& image, const QString& label) {
    if (image.isEmpty()) {
        setStatus(tr("No image chosen."), true);
        return;
    }
    start({{image.toStdString(), label.toStdString()}}, true);
}

void ResultsPanel::start(std::vector<std::pair<std::string, std::string>> cases, bool append) {
    if (busy_)
        return;
    if (model().isEmpty()) {
        setStatus(tr("Choose a trained model (a run folder) first."), true);
        return;
    }
    joinWorker(); // the previous run has finished (busy_ was false)
    if (!append)
        model_->clear();
    EvaluationRequest request;
    request.model = model().toStdString();
    request.experimentJson = experimentFile_.toStdString();
    request.cases = std::move(cases);
    request.outputDir = outputDir().toStdString();
    const int generation = ++generation_;
    cancelToken_ = std::make_shared<CancelToken>();
    progress_->setRange(0, std::max<int>(1, int(request.cases.size())));
    progress_->setValue(0);
    setStatus(request.cases.empty() ? tr("Evaluating the validation set…")
                                    : tr("Predicting %1 case(s)…").arg(request.cases.size()));
    setBusy(true);

    QPointer<ResultsPanel> self(this);
    auto token = cancelToken_;
    worker_ = std::thread([self, request, token, generation] {
        enterBackgroundPriority();
        QString error;
        auto onCase = [&](const CaseResult& r, int n, int total) {
            QMetaObject::invokeMethod(
                self.data(),
                [self, r, n, total, generation] {
                    if (!self || self->generation_ != generation)
                        return;
                    self->model_->append(r);
                    self->progress_->setRange(0, total);
                    self->progress_->setValue(n);
                    Q_EMIT self->caseFinished(QString::fromStdString(r.caseName),
                                              QString::fromStdString(r.prediction));
                },
                Qt::QueuedConnection);
        };
        try {
            medulla::evaluateCases(request, onCase, token.get());
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        } catch (...) {
            error = QStringLiteral("unknown error");
        }
        const bool cancelled = token->isCancelled();
        QMetaObject::invokeMethod(
            self.data(),
            [self, error, cancelled, generation] {
                if (!self || self->generation_ != generation)
                    return;
                self->setBusy(false);
                const int rows = self->model_->rowCount();
                if (!error.isEmpty())
                    self->setStatus(tr("Evaluation failed: %1").arg(error), true);
                else if (cancelled)
                    self->setStatus(tr("Cancelled; %1 case(s) done.").arg(rows));
                else
                    self->setStatus(
                        tr("Done: %1 case(s); predictions in %2").arg(rows).arg(self->outputDir()));
                Q_EMIT self->evaluationFinished(rows, cancelled, error);
            },
            Qt::QueuedConnection);
    });
}

void ResultsPanel::cancel() {
    if (cancelToken_ && busy_) {
        cancelToken_->cancel();
        setStatus(tr("Cancelling…"));
    }
}

void ResultsPanel::onRowClicked(const QModelIndex& index) {
    if (!index.isValid())
        return;
    const QModelIndex source = proxy_->mapToSource(index);
    const CaseResult& r = model_->result(source.row());
    Q_EMIT caseSelected(QString::fromStdString(r.image), QString::fromStdString(r.label),
                        QString::fromStdString(r.prediction));
}

int ResultsPanel::exportPredictions(const QString& dir) {
    if (dir.isEmpty()) {
        setStatus(tr("No export folder chosen."), true);
        return -1;
    }
    if (!QDir().mkpath(dir)) {
        setStatus(tr("Cannot create the folder %1").arg(dir), true);
        return -1;
    }
    int copied = 0;
    for (const CaseResult& r : model_->results()) {
        if (r.prediction.empty())
            continue;
        const QString from = QString::fromStdString(r.prediction);
        const QString to = QDir(dir).filePath(QFileInfo(from).fileName());
        QFile in(from);
        if (!in.open(QIODevice::ReadOnly)) {
            setStatus(tr("Cannot read %1: %2").arg(from, in.errorString()), true);
            return -1;
        }
        QSaveFile out(to); // temporary file renamed over `to` on commit
        bool ok = out.open(QIODevice::WriteOnly);
        while (ok && !in.atEnd()) {
            const QByteArray chunk = in.read(1 << 20);
            ok = !chunk.isEmpty() && out.write(chunk) == chunk.size();
        }
        if (!ok || !out.commit()) {
            setStatus(tr("Cannot write %1: %2").arg(to, out.errorString()), true);
            return -1;
        }
        ++copied;
    }
    setStatus(tr("Exported %1 prediction(s) to %2").arg(copied).arg(dir));
    return copied;
}

void ResultsPanel::browseModel() {
    if (!interactive_)
        return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Run folder"), model());
    if (!dir.isEmpty())
        setModel(dir);
}

void ResultsPanel::chooseCase() {
    if (!interactive_)
        return;
    const QString file = QFileDialog::getOpenFileName(this, tr("Image to predict"), QString(),
                                                      tr("Images (*.nii *.nii.gz *.nrrd *.mha "
                                                         "*.mhd);;All files (*)"));
    if (!file.isEmpty())
        predictCase(file);
}

void ResultsPanel::chooseExportDir() {
    if (!interactive_)
        return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export predictions to"));
    if (!dir.isEmpty())
        exportPredictions(dir);
}

void ResultsPanel::updateSummary() {
    summary_->setText(model_->summary());
}

} // namespace medulla::ui
