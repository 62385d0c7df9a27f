#include "ui/panels/PipelineEditor.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTabBar>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "engine/services/Catalog.h"
#include "ui/bridge/Background.h"
#include "ui/model/ExperimentDocument.h"
#include "ui/model/PipelineModel.h"
#include "ui/views/SliceView.h"
#include "ui/widgets/ParamForm.h"
#include "ui/widgets/TransformPalette.h"

namespace medulla::ui {
namespace {

QString joinShape(const std::vector<int64_t>& shape) {
    QStringList parts;
    for (int64_t s : shape)
        parts << QString::number(s);
    return parts.join(" \u00d7 ");
}

QString joinSpacing(const std::array<double, 3>& spacing, size_t dims) {
    QStringList parts;
    for (size_t i = 0; i < dims && i < 3; ++i)
        parts << QString::number(spacing[i], 'g', 4);
    return parts.join(", ");
}

QLabel* caption(const QString& text, QWidget* parent) {
    auto* l = new QLabel(text, parent);
    l->setAlignment(Qt::AlignCenter);
    QFont f = l->font();
    f.setBold(true);
    l->setFont(f);
    return l;
}

} // namespace

PipelineEditor::PipelineEditor(ExperimentDocument* document, QWidget* parent)
    : QWidget(parent), doc_(document) {
    model_ = new PipelineModel(this);

    // --- left: palette ---------------------------------------------------
    palette_ = new TransformPalette(this);
    palette_->setMinimumWidth(230);

    // --- middle: steps + form --------------------------------------------
    auto* middle = new QWidget(this);
    auto* mid = new QVBoxLayout(middle);
    mid->setContentsMargins(0, 0, 0, 0);
    tabs_ = new QTabBar(middle);
    tabs_->addTab("Training");
    tabs_->addTab("Validation");
    steps_ = new QListView(middle);
    steps_->setObjectName("pipelineSteps");
    steps_->setModel(model_);
    steps_->setSelectionMode(QAbstractItemView::SingleSelection);
    steps_->setDragEnabled(true);
    steps_->setAcceptDrops(true);
    steps_->setDropIndicatorShown(true);
    steps_->setDragDropMode(QAbstractItemView::DragDrop);
    steps_->setDefaultDropAction(Qt::MoveAction);
    steps_->installEventFilter(this);
    remove_ = new QPushButton("Remove", middle);
    remove_->setObjectName("removeStep");
    remove_->setToolTip("Remove the selected step (Delete)");
    formHint_ = new QLabel("Select a step to edit its parameters.", middle);
    formHint_->setWordWrap(true);
    form_ = new ParamForm;
    auto* scroll = new QScrollArea(middle);
    scroll->setWidgetResizable(true);
    scroll->setWidget(form_);
    mid->addWidget(tabs_);
    mid->addWidget(steps_, 2);
    mid->addWidget(remove_);
    mid->addWidget(formHint_);
    mid->addWidget(scroll, 3);

    // --- right: preview --------------------------------------------------
    auto* right = new QWidget(this);
    auto* rl = new QVBoxLayout(right);
    rl->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    cases_ = new QComboBox(right);
    cases_->setObjectName("previewCase");
    cases_->setMinimumContentsLength(12);
    reroll_ = new QPushButton("Re-roll", right);
    reroll_->setObjectName("rerollSeed");
    reroll_->setToolTip("Draw the random steps again with a new seed");
    seedLabel_ = new QLabel(right);
    bar->addWidget(new QLabel("Case:", right));
    bar->addWidget(cases_, 1);
    bar->addWidget(reroll_);
    bar->addWidget(seedLabel_);
    auto* images = new QHBoxLayout;
    before_ = new SliceView(2, right);
    after_ = new SliceView(2, right);
    for (SliceView* v : {before_, after_})
        v->setMinimumSize(180, 180);
    auto* bcol = new QVBoxLayout;
    bcol->addWidget(caption("Before", right));
    bcol->addWidget(before_, 1);
    auto* acol = new QVBoxLayout;
    acol->addWidget(caption("After", right));
    acol->addWidget(after_, 1);
    images->addLayout(bcol);
    images->addLayout(acol);
    table_ = new QTableWidget(0, 5, right);
    table_->setObjectName("previewSteps");
    table_->setHorizontalHeaderLabels(
        {"Step", "Shape (C, X, Y, Z)", "Spacing (mm)", "Samples", "ms"});
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionMode(QAbstractItemView::NoSelection);
    status_ = new QLabel(right);
    status_->setObjectName("previewStatus");
    status_->setWordWrap(true);
    rl->addLayout(bar);
    rl->addLayout(images, 3);
    rl->addWidget(table_, 2);
    rl->addWidget(status_);

    auto* split = new QSplitter(this);
    split->addWidget(palette_);
    split->addWidget(middle);
    split->addWidget(right);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);
    split->setStretchFactor(2, 3);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);

    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(300);
    connect(debounce_, &QTimer::timeout, this, &PipelineEditor::runPreview);

    connect(palette_, &TransformPalette::transformActivated, this, &PipelineEditor::addTransform);
    connect(model_, &PipelineModel::edited, this, &PipelineEditor::writeToDocument);
    connect(model_, &PipelineModel::stepDropped, this, &PipelineEditor::selectRow);
    // The current index follows a moved step: so does the form.
    connect(model_, &PipelineModel::rowsMoved, this, [this] { formRow_ = currentRow(); });
    connect(steps_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& cur) { showStep(cur.isValid() ? cur.row() : -1); });
    connect(remove_, &QPushButton::clicked, this, &PipelineEditor::removeSelected);
    connect(form_, &ParamForm::changed, this, &PipelineEditor::onFormChanged);
    connect(tabs_, &QTabBar::currentChanged, this,
            [this](int i) { setSection(i == 1 ? "val_transforms" : "train_transforms"); });
    connect(cases_, &QComboBox::currentIndexChanged, this, [this] { schedulePreview(); });
    connect(reroll_, &QPushButton::clicked, this, &PipelineEditor::reroll);
    if (doc_)
        connect(doc_, &ExperimentDocument::changed, this, &PipelineEditor::onDocumentChanged);

    setSeed(seed_);
    loadFromDocument();
    refreshCases();
}

PipelineEditor::~PipelineEditor() {
    if (previewCancel_)
        previewCancel_->cancel();
    if (casesCancel_)
        casesCancel_->cancel();
}

void PipelineEditor::setSection(const QString& key) {
    if (key != "train_transforms" && key != "val_transforms")
        return;
    if (tabs_->currentIndex() != (key == "val_transforms" ? 1 : 0))
        tabs_->setCurrentIndex(key == "val_transforms" ? 1 : 0); // re-enters
    if (key == section_)
        return;
    section_ = key;
    loadFromDocument();
}

void PipelineEditor::setSeed(uint64_t seed) {
    seed_ = seed;
    seedLabel_->setText(QString("seed %1").arg(seed_));
    schedulePreview();
}

bool PipelineEditor::isPreviewPending() const {
    return debounce_->isActive() || previewRunning_;
}

QString PipelineEditor::previewError() const {
    return QString::fromStdString(preview_.error);
}

int PipelineEditor::currentRow() const {
    const QModelIndex i = steps_->currentIndex();
    return i.isValid() ? i.row() : -1;
}

void PipelineEditor::onDocumentChanged(const QString& section) {
    if (section.isEmpty() || section == "data")
        refreshCases();
    if (writing_)
        return;
    if (section.isEmpty() || section == section_)
        loadFromDocument();
}

void PipelineEditor::loadFromDocument() {
    const Json list = doc_ ? doc_->section(section_) : Json();
    if (list == model_->steps() && model_->rowCount() > 0)
        return;
    const int row = currentRow();
    model_->setSteps(list);
    formRow_ = -1;
    selectRow(std::min(row, model_->rowCount() - 1));
    if (currentRow() < 0)
        showStep(-1);
    schedulePreview();
}

void PipelineEditor::writeToDocument() {
    if (doc_) {
        writing_ = true;
        doc_->setSection(section_, model_->steps());
        writing_ = false;
    }
    schedulePreview();
}

void PipelineEditor::selectRow(int row) {
    if (row < 0 || row >= model_->rowCount()) {
        steps_->setCurrentIndex({});
        return;
    }
    const QModelIndex i = model_->index(row);
    const bool same = currentRow() == row; // no currentRowChanged: refresh the form here
    steps_->setCurrentIndex(i);
    steps_->scrollTo(i);
    if (same || formRow_ != row)
        showStep(row);
}

void PipelineEditor::showStep(int row) {
    formRow_ = row;
    remove_->setEnabled(row >= 0);
    if (row < 0) {
        form_->setComponent(ComponentInfo{});
        formHint_->setText("Select a step to edit its parameters.");
        return;
    }
    const QString name = model_->stepName(row);
    try {
        form_->setComponent(catalogEntry("transform", name.toStdString()), model_->step(row));
        formHint_->setText(QString("%1[%2]").arg(section_).arg(row));
    } catch (const std::exception& e) {
        form_->setComponent(ComponentInfo{});
        formHint_->setText(QString("%1[%2]: %3").arg(section_).arg(row).arg(e.what()));
    }
}

void PipelineEditor::onFormChanged() {
    if (formRow_ < 0 || formRow_ >= model_->rowCount() || !form_->isValid())
        return; // invalid fields stay red in the form; nothing is written
    model_->setStep(formRow_, form_->values());
}

void PipelineEditor::addTransform(const QString& name) {
    selectRow(model_->insertTransform(name));
}

void PipelineEditor::removeSelected() {
    const int row = currentRow();
    if (row < 0)
        return;
    formRow_ = -1;
    model_->removeStep(row);
    selectRow(std::min(row, model_->rowCount() - 1));
    if (currentRow() < 0)
        showStep(-1);
}

void PipelineEditor::reroll() {
    // A fixed sequence (splitmix64 of the current seed), so that a run of
    // re-rolls can be repeated.
    uint64_t x = seed_ + 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    x ^= x >> 31;
    uint64_t next = x % 1000000;
    if (next == seed_)
        ++next;
    setSeed(next);
}

bool PipelineEditor::eventFilter(QObject* watched, QEvent* event) {
    if (watched == steps_ && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent*>(event)->key();
        if (key == Qt::Key_Delete || key == Qt::Key_Backspace) {
            removeSelected();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

// --- cases ------------------------------------------------------------------

void PipelineEditor::refreshCases() {
    if (casesCancel_)
        casesCancel_->cancel();
    const Json data = doc_ ? doc_->section("data") : Json();
    const uint64_t gen = ++casesGen_;
    casesCancel_ = std::make_shared<CancelToken>();
    loadingCases_ = true;
    status_->setText("Reading the cases\u2026");
    QPointer<PipelineEditor> self(this);
    auto cancel = casesCancel_;
    runInBackground([self, data, gen, cancel] {
        std::vector<PreviewCase> list;
        QString error;
        try {
            list = previewCases(data, cancel.get());
        } catch (const CancelledError&) {
            return;
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, list, error, gen] {
                if (!self || gen != self->casesGen_)
                    return;
                self->loadingCases_ = false;
                const QString previous = self->cases_->currentData().toStringList().value(0);
                {
                    const QSignalBlocker block(self->cases_);
                    self->cases_->clear();
                    for (const auto& c : list)
                        self->cases_->addItem(QString::fromStdString(c.name),
                                              QStringList{QString::fromStdString(c.image),
                                                          QString::fromStdString(c.label)});
                    int keep = 0;
                    for (int i = 0; i < self->cases_->count(); ++i)
                        if (self->cases_->itemData(i).toStringList().value(0) == previous)
                            keep = i;
                    self->cases_->setCurrentIndex(list.empty() ? -1 : keep);
                }
                self->status_->setText(error.isEmpty() ? QString() : "data: " + error);
                Q_EMIT self->casesLoaded(int(list.size()));
                self->schedulePreview();
            },
            Qt::QueuedConnection);
    });
}

// --- preview ----------------------------------------------------------------

void PipelineEditor::schedulePreview() {
    if (debounce_)
        debounce_->start();
}

void PipelineEditor::runPreview() {
    if (previewCancel_)
        previewCancel_->cancel();
    const QStringList paths = cases_->currentData().toStringList();
    if (paths.isEmpty() || paths.value(0).isEmpty()) {
        previewRunning_ = false;
        return; // no case yet (refreshCases() schedules another preview)
    }
    Json item = {{"image", paths.value(0).toStdString()}};
    if (!paths.value(1).isEmpty())
        item["label"] = paths.value(1).toStdString();
    const Json transforms = model_->steps();
    const std::string context = section_.toStdString();
    const uint64_t gen = ++previewGen_, seed = seed_;
    previewCancel_ = std::make_shared<CancelToken>();
    previewRunning_ = true;
    QPointer<PipelineEditor> self(this);
    auto cancel = previewCancel_;
    runInBackground([self, transforms, item, seed, gen, cancel, context] {
        PreviewResult result;
        try {
            result = previewPipeline(transforms, item, seed, cancel.get(), context);
        } catch (const CancelledError&) {
            return; // a newer request is on its way
        } catch (const std::exception& e) {
            result.error = e.what();
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, result, gen] {
                if (!self || gen != self->previewGen_)
                    return;
                self->previewRunning_ = false;
                self->showPreview(result);
            },
            Qt::QueuedConnection);
    });
}

void PipelineEditor::showPreview(const PreviewResult& result) {
    preview_ = result;
    if (result.beforeImage.isValid()) {
        before_->setImage(result.beforeImage);
        before_->setLabel(result.beforeLabel);
    }
    if (result.afterImage.isValid()) {
        after_->setImage(result.afterImage);
        after_->setLabel(result.afterLabel);
    }
    const int n = model_->rowCount();
    table_->setRowCount(n);
    for (int r = 0; r < n; ++r) {
        const PreviewStep* step = r < int(result.steps.size()) ? &result.steps[size_t(r)] : nullptr;
        QStringList cells = {model_->stepName(r), "\u2014", "", "", ""};
        if (step && step->error.empty()) {
            cells[1] = joinShape(step->shape);
            cells[2] = step->shape.size() > 1 ? joinSpacing(step->spacing, step->shape.size() - 1)
                                              : QString();
            cells[3] = QString::number(step->samples);
            cells[4] = QString::number(step->seconds * 1000.0, 'f', 1);
        } else if (step) {
            cells[1] = QString::fromStdString(step->error);
        }
        for (int c = 0; c < 5; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (step && !step->error.empty())
                item->setBackground(QColor(255, 210, 210));
            else if (!step)
                item->setForeground(Qt::gray);
            table_->setItem(r, c, item);
        }
        if (step && step->random)
            table_->item(r, 0)->setIcon(TransformPalette::randomIcon());
    }
    if (!result.error.empty())
        status_->setText(QString::fromStdString(result.error));
    else if (!result.steps.empty())
        status_->setText(QString("%1 steps ran on %2 (seed %3)")
                             .arg(result.steps.size())
                             .arg(cases_->currentText())
                             .arg(result.seed));
    status_->setStyleSheet(result.error.empty() ? "" : "color: #c00000;");
    Q_EMIT previewUpdated();
}

} // namespace medulla::ui
