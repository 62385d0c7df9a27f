#include "ui/panels/GuidePanel.h"

#include <QFileInfo>
#include <QFrame>
#include <QGridLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>

#include "engine/services/CaseInspection.h"
#include "engine/services/RunFolders.h"
#include "ui/MainWindow.h"
#include "ui/bridge/TrainingController.h"
#include "ui/model/CaseResultsModel.h"
#include "ui/model/CaseTableModel.h"
#include "ui/panels/DatasetPanel.h"
#include "ui/panels/ResultsPanel.h"
#include "ui/panels/TrainingMonitor.h"

namespace medulla::ui {
namespace {

constexpr int kBadgeSize = 30;

QString dims(const std::vector<int64_t>& shape) {
    QStringList parts;
    for (int64_t d : shape)
        parts << QString::number(d);
    return parts.join(" x ");
}

/// The first case the trainer trains on (usable, not validation), or -1.
int firstTrainingCase(const CaseTableModel* model) {
    for (int i = 0; i < model->rowCount(); ++i) {
        const CaseInfo& c = model->caseAt(i);
        if (c.usable && !c.validation)
            return i;
    }
    return -1;
}

} // namespace

GuidePanel::GuidePanel(MainWindow* window, QWidget* parent)
    : QWidget(parent), window_(window), header_(new QLabel(this)) {
    setObjectName("GuidePanel");
    auto* layout = new QVBoxLayout(this);
    auto* title = new QLabel(tr("<h3>Guided tour</h3>"), this);
    header_->setWordWrap(true);
    header_->setObjectName("guideHeader");
    layout->addWidget(title);
    layout->addWidget(header_);

    const QString titles[StepCount] = {tr("Look at a case"), tr("Train"), tr("Look at the result")};
    const QString texts[StepCount] = {
        tr("Opens the first training case with its label map in the Viewer: scroll through "
           "the slices, drag with the right button for window/level."),
        tr("Trains the experiment's network on the training cases (Train tab). Loss and "
           "validation Dice curves appear as it runs."),
        tr("Evaluates the trained model on the validation cases (Results tab) and shows the "
           "best case in the Viewer: the prediction outlined over the ground truth.")};
    const QString buttons[StepCount] = {tr("Show a case"), tr("Start training"),
                                        tr("Evaluate and show")};
    const char* names[StepCount] = {"guideLookAtCase", "guideTrain", "guideLookAtResult"};
    for (int i = 0; i < StepCount; ++i) {
        auto* frame = new QFrame(this);
        frame->setFrameShape(QFrame::StyledPanel);
        auto* grid = new QGridLayout(frame);
        StepWidgets& s = steps_[size_t(i)];
        s.badge = new QLabel(frame);
        s.badge->setFixedSize(kBadgeSize, kBadgeSize);
        s.badge->setObjectName(QString(names[i]) + "Badge");
        auto* head = new QLabel(QString("<b>%1</b>").arg(titles[i]), frame);
        auto* text = new QLabel(texts[i], frame);
        text->setWordWrap(true);
        s.status = new QLabel(frame);
        s.status->setWordWrap(true);
        s.status->setObjectName(QString(names[i]) + "Status");
        s.button = new QPushButton(buttons[i], frame);
        s.button->setObjectName(names[i]);
        grid->addWidget(s.badge, 0, 0, 2, 1, Qt::AlignTop);
        grid->addWidget(head, 0, 1);
        grid->addWidget(s.button, 0, 2);
        grid->addWidget(text, 1, 1, 1, 2);
        grid->addWidget(s.status, 2, 1, 1, 2);
        grid->setColumnStretch(1, 1);
        layout->addWidget(frame);
        paintBadge(Step(i));
    }
    layout->addStretch(1);

    connect(steps_[LookAtCase].button, &QPushButton::clicked, this, &GuidePanel::lookAtCase);
    connect(steps_[Train].button, &QPushButton::clicked, this, &GuidePanel::train);
    connect(steps_[LookAtResult].button, &QPushButton::clicked, this, &GuidePanel::lookAtResult);

    DatasetPanel* data = window_->datasetPanel();
    connect(data, &DatasetPanel::casesLoaded, this, &GuidePanel::updateButtons);
    connect(window_, &MainWindow::volumeLoaded, this, [this](const QString& path) {
        if (pendingCase_.isEmpty() || path != pendingCase_)
            return;
        pendingCase_.clear();
        const Volume& v = window_->image();
        setDone(LookAtCase, tr("%1: %2%3")
                                .arg(QFileInfo(path).fileName(), dims(v.spatialShape()),
                                     caseHasLabel_ ? tr(", with its label") : QString()));
    });
    TrainingMonitor* monitor = window_->trainingMonitor();
    connect(monitor, &TrainingMonitor::runStarted, this, [this](const QString& runDir) {
        setStatus(Train, tr("Training in %1 ...").arg(QFileInfo(runDir).fileName()));
        updateButtons();
    });
    connect(monitor, &TrainingMonitor::runFinished, this, &GuidePanel::onRunFinished);
    connect(window_->controller(), &TrainingController::stateChanged, this,
            &GuidePanel::updateButtons);
    ResultsPanel* results = window_->resultsPanel();
    connect(results, &ResultsPanel::busyChanged, this, &GuidePanel::updateButtons);
    connect(results, &ResultsPanel::evaluationFinished, this, &GuidePanel::onEvaluationFinished);
    connect(window_, &MainWindow::resultShown, this, [this](const QString& prediction) {
        if (pendingPrediction_.isEmpty() || prediction != pendingPrediction_)
            return;
        pendingPrediction_.clear();
        setDone(LookAtResult, tr("%1: Dice %2; the prediction is outlined over the ground truth")
                                  .arg(shownCase_)
                                  .arg(shownDice_, 0, 'f', 4));
    });
    updateButtons();
}

QString GuidePanel::statusText(Step step) const {
    return steps_[step].status->text();
}

void GuidePanel::setHeader(const QString& text) {
    header_->setText(text);
}

QString GuidePanel::headerText() const {
    return header_->text();
}

void GuidePanel::paintBadge(Step step) {
    const bool done = steps_[step].done;
    const qreal dpr = devicePixelRatioF();
    QPixmap pm(QSize(kBadgeSize, kBadgeSize) * dpr);
    pm.setDevicePixelRatio(dpr);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r(2, 2, kBadgeSize - 4, kBadgeSize - 4);
    p.setPen(Qt::NoPen);
    p.setBrush(done ? QColor(0x1e, 0x84, 0x49) : palette().color(QPalette::Mid));
    p.drawEllipse(r);
    if (done) { // a white tick
        QPainterPath tick;
        tick.moveTo(r.left() + r.width() * 0.25, r.top() + r.height() * 0.52);
        tick.lineTo(r.left() + r.width() * 0.43, r.top() + r.height() * 0.70);
        tick.lineTo(r.left() + r.width() * 0.76, r.top() + r.height() * 0.32);
        p.setPen(QPen(Qt::white, 3.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        p.setBrush(Qt::NoBrush);
        p.drawPath(tick);
    } else {
        p.setPen(Qt::white);
        QFont f = font();
        f.setBold(true);
        p.setFont(f);
        p.drawText(r, Qt::AlignCenter, QString::number(int(step) + 1));
    }
    p.end();
    steps_[step].badge->setPixmap(pm);
    steps_[step].badge->setToolTip(done ? tr("Done") : tr("Step %1").arg(int(step) + 1));
}

void GuidePanel::setStatus(Step step, const QString& text, bool error) {
    steps_[step].status->setText(text);
    steps_[step].status->setStyleSheet(error ? "color: #c0392b;" : "color: #1e5631;");
}

void GuidePanel::setDone(Step step, const QString& status) {
    steps_[step].done = true;
    setStatus(step, status);
    paintBadge(step);
    updateButtons();
    Q_EMIT stepDone(int(step));
}

void GuidePanel::reset() {
    pendingCase_.clear();
    pendingPrediction_.clear();
    awaitingEvaluation_ = false;
    for (int i = 0; i < StepCount; ++i) {
        steps_[size_t(i)].done = false;
        setStatus(Step(i), {});
        paintBadge(Step(i));
    }
    updateButtons();
}

void GuidePanel::updateButtons() {
    DatasetPanel* data = window_->datasetPanel();
    const bool running = window_->controller()->isRunning();
    const bool haveCase = !data->isBusy() && firstTrainingCase(data->model()) >= 0;
    ResultsPanel* results = window_->resultsPanel();
    steps_[LookAtCase].button->setEnabled(haveCase);
    steps_[Train].button->setEnabled(haveCase && !running);
    steps_[LookAtResult].button->setEnabled(!running && !results->isBusy() &&
                                            !awaitingEvaluation_ && !results->model().isEmpty());
}

void GuidePanel::lookAtCase() {
    const CaseTableModel* model = window_->datasetPanel()->model();
    const int row = firstTrainingCase(model);
    if (row < 0) {
        setStatus(LookAtCase, tr("The dataset has no training case yet (Data tab)."), true);
        return;
    }
    const CaseInfo& c = model->caseAt(row);
    pendingCase_ = QString::fromStdString(c.image);
    caseHasLabel_ = !c.label.empty();
    setStatus(LookAtCase, tr("Loading %1 ...").arg(QFileInfo(pendingCase_).fileName()));
    window_->openImage(pendingCase_, QString::fromStdString(c.label));
    window_->showTab(MainWindow::ViewerTab);
}

void GuidePanel::train() {
    window_->showTab(MainWindow::TrainTab);
    if (!window_->trainingMonitor()->startRun())
        setStatus(Train, window_->trainingMonitor()->errorText(), true);
}

void GuidePanel::onRunFinished(const QString& runDir, JobState state) {
    if (state != JobState::Completed) {
        setStatus(Train,
                  state == JobState::Failed
                      ? tr("The run failed: %1").arg(window_->trainingMonitor()->errorText())
                      : tr("The run was %1; start it again to finish this step.")
                            .arg(QString::fromUtf8(toString(state)).toLower()),
                  state == JobState::Failed);
        updateButtons();
        return;
    }
    const RunSummary run = readRun(runDir.toStdString());
    QString text =
        tr("Completed %1 epochs in %2").arg(run.epochs).arg(QFileInfo(runDir).fileName());
    if (run.bestMetric >= 0)
        text += tr("; best validation Dice %1 (epoch %2)")
                    .arg(run.bestMetric, 0, 'f', 4)
                    .arg(run.bestEpoch);
    setDone(Train, text);
}

void GuidePanel::lookAtResult() {
    ResultsPanel* results = window_->resultsPanel();
    if (results->model().isEmpty()) {
        setStatus(LookAtResult, tr("Train a model first (step 2)."), true);
        return;
    }
    window_->showTab(MainWindow::ResultsTab);
    awaitingEvaluation_ = true;
    setStatus(LookAtResult, tr("Evaluating the validation cases ..."));
    results->evaluateValidation();
    updateButtons();
}

void GuidePanel::onEvaluationFinished(int cases, bool cancelled, const QString& error) {
    if (!awaitingEvaluation_)
        return;
    awaitingEvaluation_ = false;
    updateButtons();
    if (!error.isEmpty() || cancelled || cases == 0) {
        setStatus(LookAtResult,
                  !error.isEmpty() ? tr("The evaluation failed: %1").arg(error)
                  : cancelled      ? tr("The evaluation was cancelled.")
                                   : tr("No validation case was evaluated."),
                  !error.isEmpty());
        return;
    }
    // the best scored case (the first one when none has a finite Dice)
    ResultsPanel* results = window_->resultsPanel();
    const CaseResultsModel* rows = results->resultsModel();
    int best = 0;
    for (int i = 0; i < rows->rowCount(); ++i)
        if (std::isfinite(rows->result(i).dice) && (!std::isfinite(rows->result(best).dice) ||
                                                    rows->result(i).dice > rows->result(best).dice))
            best = i;
    const CaseResult& r = rows->result(best);
    const QModelIndex shown = results->proxyModel()->mapFromSource(rows->index(best, 0));
    results->table()->selectionModel()->select(shown, QItemSelectionModel::ClearAndSelect |
                                                          QItemSelectionModel::Rows);
    pendingPrediction_ = QString::fromStdString(r.prediction);
    shownCase_ = QFileInfo(QString::fromStdString(r.image)).fileName();
    shownDice_ = r.dice;
    setStatus(LookAtResult,
              tr("%1 cases evaluated; showing the best, %2 ...").arg(cases).arg(shownCase_));
    window_->openResult(QString::fromStdString(r.image), QString::fromStdString(r.label),
                        pendingPrediction_);
    window_->showTab(MainWindow::ViewerTab);
}

} // namespace medulla::ui
