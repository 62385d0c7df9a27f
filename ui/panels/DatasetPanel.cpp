#include "ui/panels/DatasetPanel.h"

#include <QApplication>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

#include "engine/core/CancelToken.h"
#include "engine/core/Error.h"
#include "engine/services/CaseInspection.h"
#include "ui/bridge/Background.h"
#include "ui/bridge/QueuedProgress.h"
#include "ui/model/CaseTableModel.h"
#include "ui/model/ExperimentDocument.h"

namespace medulla::ui {
namespace {

std::string experimentName(const ExperimentDocument* doc) {
    const Json n = doc->section("name");
    return n.is_string() ? n.get<std::string>() : std::string("experiment");
}

} // namespace

DatasetPanel::DatasetPanel(ExperimentDocument* document, QWidget* parent)
    : QWidget(parent), document_(document), model_(new CaseTableModel(this)),
      view_(new QTableView(this)), source_(new QLabel(this)), status_(new QLabel(this)),
      reload_(new QPushButton(tr("Reload"), this)),
      generate_(new QPushButton(tr("Generate"), this)),
      cancel_(new QPushButton(tr("Cancel"), this)),
      toValidation_(new QPushButton(tr("Move to validation"), this)),
      toTraining_(new QPushButton(tr("Move to training"), this)),
      randomSplit_(new QPushButton(tr("Random split"), this)),
      randomFolds_(new QPushButton(tr("Assign folds at random"), this)),
      fraction_(new QDoubleSpinBox(this)), seed_(new QSpinBox(this)), folds_(new QSpinBox(this)),
      progress_(new QProgressBar(this)) {
    setObjectName("DatasetPanel");
    view_->setModel(model_);
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view_->verticalHeader()->setVisible(false);
    view_->horizontalHeader()->setStretchLastSection(true);
    source_->setWordWrap(true);
    status_->setWordWrap(true);
    generate_->setVisible(false);
    generate_->setToolTip(tr("Write the synthetic dataset of data.synthetic"));
    cancel_->setEnabled(false);
    progress_->setRange(0, 1000);
    progress_->setTextVisible(false);
    fraction_->setRange(0.0, 0.95);
    fraction_->setSingleStep(0.05);
    fraction_->setDecimals(2);
    fraction_->setValue(0.2);
    fraction_->setPrefix(tr("validation "));
    seed_->setRange(0, 1'000'000);
    seed_->setPrefix(tr("seed "));
    folds_->setRange(2, 20);
    folds_->setValue(5);
    folds_->setPrefix(tr("K = "));

    auto* top = new QHBoxLayout;
    top->addWidget(source_, 1);
    top->addWidget(generate_);
    top->addWidget(reload_);
    top->addWidget(cancel_);
    auto* split = new QHBoxLayout;
    split->addWidget(toValidation_);
    split->addWidget(toTraining_);
    split->addSpacing(12);
    split->addWidget(fraction_);
    split->addWidget(seed_);
    split->addWidget(randomSplit_);
    split->addSpacing(12);
    split->addWidget(folds_);
    split->addWidget(randomFolds_);
    split->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(progress_);
    layout->addWidget(view_, 1);
    layout->addLayout(split);
    layout->addWidget(status_);

    connect(reload_, &QPushButton::clicked, this, &DatasetPanel::reload);
    connect(generate_, &QPushButton::clicked, this, &DatasetPanel::generate);
    connect(cancel_, &QPushButton::clicked, this, &DatasetPanel::cancel);
    connect(toValidation_, &QPushButton::clicked, this, &DatasetPanel::moveSelectedToValidation);
    connect(toTraining_, &QPushButton::clicked, this, &DatasetPanel::moveSelectedToTraining);
    connect(randomSplit_, &QPushButton::clicked, this, &DatasetPanel::randomSplit);
    connect(randomFolds_, &QPushButton::clicked, this, &DatasetPanel::assignRandomFolds);
    connect(model_, &CaseTableModel::splitEdited, this, &DatasetPanel::persistSplit);
    connect(view_, &QTableView::doubleClicked, this, [this](const QModelIndex& i) {
        if (!i.isValid())
            return;
        const CaseInfo& c = model_->caseAt(i.row());
        Q_EMIT caseActivated(QString::fromStdString(c.image), QString::fromStdString(c.label));
    });
    if (document_) {
        connect(document_, &ExperimentDocument::changed, this, [this](const QString& section) {
            if (ownEdit_)
                return;
            if (section.isEmpty() || section == "data" || section == "trainer")
                reload();
        });
        if (!document_->section("data").is_null())
            reload();
    }
    updateSummary();
}

DatasetPanel::~DatasetPanel() {
    if (cancelToken_)
        cancelToken_->cancel();
}

void DatasetPanel::setBusy(bool busy) {
    busy_ = busy;
    cancel_->setEnabled(busy);
    reload_->setEnabled(!busy);
    generate_->setEnabled(!busy);
    for (QPushButton* b : {toValidation_, toTraining_, randomSplit_, randomFolds_})
        b->setEnabled(!busy && model_->rowCount() > 0);
    if (!busy)
        progress_->setValue(progress_->maximum());
}

void DatasetPanel::cancel() {
    if (cancelToken_)
        cancelToken_->cancel();
}

void DatasetPanel::reload() {
    const Json data = document_ ? document_->section("data") : Json();
    const Json trainer = document_ ? document_->section("trainer") : Json();
    const uint64_t seed =
        trainer.is_object() && trainer.contains("seed") && trainer["seed"].is_number_unsigned()
            ? trainer["seed"].get<uint64_t>()
            : 0;
    if (cancelToken_)
        cancelToken_->cancel();
    auto token = std::make_shared<CancelToken>();
    cancelToken_ = token;
    const quint64 gen = ++generation_;
    setBusy(true);
    progress_->setValue(0);
    auto sink = std::make_shared<QueuedProgress>(progress_, status_);
    QPointer<DatasetPanel> self(this);
    runInBackground([self, token, gen, sink, data, seed] {
        auto list = std::make_shared<CaseList>();
        QString error;
        try {
            *list = inspectCases(data, seed, sink.get(), token.get());
        } catch (const CancelledError&) {
            error = tr("cancelled");
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, gen, list, error, data, seed] {
                if (!self || gen != self->generation_)
                    return;
                DatasetPanel& p = *self;
                p.cancelToken_.reset();
                ++p.reloads_;
                if (!error.isEmpty()) {
                    p.model_->setCases({});
                    p.needsGeneration_ = false;
                    p.setBusy(false);
                    p.status_->setText(tr("Cannot read the dataset: %1").arg(error));
                    p.status_->setStyleSheet("color: #a00000;");
                    Q_EMIT p.casesLoaded(false, error);
                    return;
                }
                p.status_->setStyleSheet({});
                // Keep the rows where they were (a written split lists
                // training, validation, then left-out cases).
                std::map<std::string, size_t> before;
                for (size_t i = 0; i < p.model_->cases().size(); ++i)
                    before[p.model_->cases()[i].image] = i;
                std::vector<CaseInfo> cases = std::move(list->cases);
                std::stable_sort(cases.begin(), cases.end(),
                                 [&](const CaseInfo& a, const CaseInfo& b) {
                                     auto ia = before.find(a.image), ib = before.find(b.image);
                                     const size_t ka = ia == before.end() ? SIZE_MAX : ia->second;
                                     const size_t kb = ib == before.end() ? SIZE_MAX : ib->second;
                                     return ka < kb;
                                 });
                p.model_->setCases(std::move(cases));
                // The random-split controls start from the experiment's own
                // fraction and seed (what the trainer would use).
                if (data.is_object() && data.contains("val_fraction") &&
                    data["val_fraction"].is_number())
                    p.fraction_->setValue(data["val_fraction"].get<double>());
                p.seed_->setValue(int(std::min<uint64_t>(seed, 1'000'000)));
                p.needsGeneration_ = list->needsGeneration;
                p.splitSource_ = QString::fromStdString(list->splitSource);
                p.source_->setText(
                    tr("Dataset: %1").arg(QString::fromStdString(list->datasetJson)));
                p.generate_->setVisible(p.needsGeneration_);
                p.setBusy(false);
                p.view_->resizeColumnsToContents();
                p.updateSummary();
                Q_EMIT p.casesLoaded(true, p.status_->text());
            },
            Qt::QueuedConnection);
    });
}

void DatasetPanel::generate() {
    const Json data = document_ ? document_->section("data") : Json();
    if (cancelToken_)
        cancelToken_->cancel();
    auto token = std::make_shared<CancelToken>();
    cancelToken_ = token;
    const quint64 gen = ++generation_;
    setBusy(true);
    progress_->setValue(0);
    status_->setText(tr("Generating the synthetic dataset…"));
    auto sink = std::make_shared<QueuedProgress>(progress_, status_);
    QPointer<DatasetPanel> self(this);
    runInBackground([self, token, gen, sink, data] {
        QString error;
        try {
            generateSyntheticDataset(data, sink.get(), token.get());
        } catch (const CancelledError&) {
            error = tr("cancelled");
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, gen, error] {
                if (!self || gen != self->generation_)
                    return;
                self->cancelToken_.reset();
                self->setBusy(false);
                if (!error.isEmpty()) {
                    self->status_->setText(tr("Cannot generate the dataset: %1").arg(error));
                    self->status_->setStyleSheet("color: #a00000;");
                    Q_EMIT self->generated(false, error);
                    return;
                }
                Q_EMIT self->generated(true, {});
                if (self)
                    self->reload();
            },
            Qt::QueuedConnection);
    });
}

QList<int> DatasetPanel::selectedRows() const {
    QList<int> rows;
    for (const QModelIndex& i : view_->selectionModel()->selectedRows())
        rows << i.row();
    return rows;
}

void DatasetPanel::moveSelectedToValidation() {
    model_->setValidation(selectedRows(), true);
}

void DatasetPanel::moveSelectedToTraining() {
    model_->setValidation(selectedRows(), false);
}

void DatasetPanel::randomSplit() {
    try {
        model_->setAllValidation(randomValidation(size_t(model_->rowCount()), fraction_->value(),
                                                  uint64_t(seed_->value())));
    } catch (const std::exception& e) {
        status_->setText(QString::fromStdString(e.what()));
    }
}

void DatasetPanel::assignRandomFolds() {
    try {
        model_->setAllFolds(
            randomFolds(size_t(model_->rowCount()), folds_->value(), uint64_t(seed_->value())));
    } catch (const std::exception& e) {
        status_->setText(QString::fromStdString(e.what()));
    }
}

void DatasetPanel::persistSplit() {
    if (!document_)
        return;
    const Json data = document_->section("data");
    if (!data.is_object() || !data.contains("dataset") || !data["dataset"].is_string())
        return;
    const std::string path =
        splitDatalistPath(data["dataset"].get<std::string>(), experimentName(document_));
    try {
        writeSplitDatalist(path, model_->cases());
    } catch (const std::exception& e) {
        status_->setText(tr("Cannot save the split: %1").arg(QString::fromStdString(e.what())));
        status_->setStyleSheet("color: #a00000;");
        return;
    }
    splitFile_ = QString::fromStdString(path);
    splitSource_ = tr("hand-made, saved in %1").arg(QFileInfo(splitFile_).fileName());
    ownEdit_ = true;
    document_->setSection("data", splitDataSection(data, path));
    ownEdit_ = false;
    status_->setStyleSheet({});
    updateSummary();
}

void DatasetPanel::updateSummary() {
    const int n = model_->rowCount();
    if (needsGeneration_) {
        status_->setText(tr("The synthetic dataset has not been written yet: click Generate."));
        return;
    }
    if (n == 0)
        return;
    int left = 0, folds = 0;
    for (const auto& c : model_->cases()) {
        left += c.usable ? 0 : 1;
        folds += c.fold >= 0 ? 1 : 0;
    }
    QString text = tr("%1 cases: %2 training, %3 validation (%4)")
                       .arg(n)
                       .arg(n - model_->validationCount())
                       .arg(model_->validationCount())
                       .arg(splitSource_);
    if (model_->flaggedCount() > 0)
        text += tr("; %1 flagged").arg(model_->flaggedCount());
    if (left > 0)
        text += tr(", %1 left out of a hand-made split (not loadable)").arg(left);
    if (folds > 0)
        text += tr("; %1 with a fold").arg(folds);
    status_->setText(text);
}

} // namespace medulla::ui
