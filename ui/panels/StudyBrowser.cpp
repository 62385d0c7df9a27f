#include "ui/panels/StudyBrowser.h"

#include <QApplication>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QTreeView>
#include <QVBoxLayout>

#include "engine/core/CancelToken.h"
#include "engine/core/Error.h"
#include "engine/services/StudyBrowsing.h"
#include "ui/bridge/Background.h"
#include "ui/bridge/QueuedProgress.h"
#include "ui/model/StudyTreeModel.h"

namespace medulla::ui {
namespace {

constexpr int kMaxRecent = 10;
const char* kRecentKey = "studio/recent";

} // namespace

StudyBrowser::StudyBrowser(QWidget* parent)
    : QWidget(parent), model_(new StudyTreeModel(this)), view_(new QTreeView(this)),
      open_(new QPushButton(tr("Open folder…"), this)),
      cancel_(new QPushButton(tr("Cancel"), this)), recent_(new QComboBox(this)),
      progress_(new QProgressBar(this)), status_(new QLabel(this)) {
    setObjectName("StudyBrowser");
    setAcceptDrops(true);
    view_->setModel(model_);
    view_->setIconSize(QSize(48, 48));
    view_->setUniformRowHeights(false);
    view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view_->setAlternatingRowColors(true);
    view_->header()->setStretchLastSection(true);
    recent_->setToolTip(tr("Recent folders and files"));
    recent_->setMinimumContentsLength(20);
    recent_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    progress_->setTextVisible(false);
    cancel_->setEnabled(false);
    status_->setWordWrap(true);
    status_->setText(tr("Open or drop a folder of DICOM series, NIfTI images or datasets."));

    auto* top = new QHBoxLayout;
    top->addWidget(open_);
    top->addWidget(recent_, 1);
    top->addWidget(cancel_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(progress_);
    layout->addWidget(view_, 1);
    layout->addWidget(status_);

    connect(open_, &QPushButton::clicked, this, &StudyBrowser::openFolderDialog);
    connect(cancel_, &QPushButton::clicked, this, &StudyBrowser::cancelScan);
    connect(view_, &QTreeView::doubleClicked, this, &StudyBrowser::activate);
    connect(recent_, qOverload<int>(&QComboBox::activated), this, [this](int i) {
        const QString p = recent_->itemData(i).toString();
        if (!p.isEmpty())
            openPath(p);
    });
    refreshRecent();
}

StudyBrowser::~StudyBrowser() {
    if (cancelToken_)
        cancelToken_->cancel();
}

QStringList StudyBrowser::recentPaths() {
    return QSettings().value(kRecentKey).toStringList();
}

void StudyBrowser::addRecentPath(const QString& path) {
    QSettings s;
    QStringList list = s.value(kRecentKey).toStringList();
    const QString p = QFileInfo(path).absoluteFilePath();
    list.removeAll(p);
    list.prepend(p);
    while (list.size() > kMaxRecent)
        list.removeLast();
    s.setValue(kRecentKey, list);
}

void StudyBrowser::refreshRecent() {
    recent_->clear();
    const QStringList list = recentPaths();
    recent_->addItem(list.isEmpty() ? tr("(no recent folders)") : tr("Recent…"), QString());
    for (const QString& p : list)
        recent_->addItem(
            QFileInfo(p).fileName().isEmpty() ? p : QFileInfo(p).fileName() + "  —  " + p, p);
}

void StudyBrowser::setBusy(bool busy) {
    busy_ = busy;
    cancel_->setEnabled(busy);
    if (!busy)
        progress_->setValue(progress_->maximum());
}

void StudyBrowser::openFolderDialog() {
    if (!interactive_)
        return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open folder"), current_);
    if (!dir.isEmpty())
        openPath(dir);
}

void StudyBrowser::cancelScan() {
    if (cancelToken_)
        cancelToken_->cancel();
}

void StudyBrowser::openPath(const QString& path) {
    if (cancelToken_)
        cancelToken_->cancel();
    auto token = std::make_shared<CancelToken>();
    cancelToken_ = token;
    const quint64 gen = ++generation_;
    setBusy(true);
    progress_->setValue(0);
    status_->setText(tr("Indexing %1…").arg(path));
    QPointer<StudyBrowser> self(this);
    auto sink = std::make_shared<QueuedProgress>(QPointer<QProgressBar>(progress_),
                                                 QPointer<QLabel>(status_));
    const std::string root = path.toStdString();
    runInBackground([self, token, gen, sink, root, path] {
        auto contents = std::make_shared<FolderContents>();
        QString error;
        bool cancelled = false;
        try {
            *contents = scanFolder(root, FolderScanOptions(), sink.get(), token.get());
        } catch (const CancelledError&) {
            cancelled = true;
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, gen, contents, error, cancelled, path] {
                if (!self || gen != self->generation_)
                    return; // destroyed, or a newer scan was started
                self->setBusy(false);
                self->cancelToken_.reset();
                if (cancelled) {
                    self->status_->setText(tr("Cancelled: %1").arg(path));
                    Q_EMIT self->scanFinished(false, tr("cancelled"));
                    return;
                }
                if (!error.isEmpty()) {
                    self->status_->setText(tr("Cannot open %1: %2").arg(path, error));
                    Q_EMIT self->scanFinished(false, error);
                    return;
                }
                self->current_ = path;
                self->model_->setContents(*contents);
                self->view_->expandAll();
                for (int c = 0; c < self->model_->columnCount(); ++c)
                    self->view_->resizeColumnToContents(c);
                addRecentPath(path);
                self->refreshRecent();
                QString msg = tr("%1: %2 series, %3 NIfTI images, %4 datasets")
                                  .arg(path)
                                  .arg(self->model_->seriesCount())
                                  .arg(self->model_->niftiCount())
                                  .arg(self->model_->datasetCount());
                if (!contents->studies.errors.empty())
                    msg += tr(" (%1 unreadable files)").arg(contents->studies.errors.size());
                self->status_->setText(msg);
                Q_EMIT self->scanFinished(true, msg);
            },
            Qt::QueuedConnection);
    });
}

void StudyBrowser::activate(const QModelIndex& index) {
    const QModelIndex first = index.sibling(index.row(), 0);
    const QString kind = first.data(StudyTreeModel::KindRole).toString();
    const QString path = first.data(StudyTreeModel::PathRole).toString();
    if (kind == "series")
        Q_EMIT openImageRequested(path, first.data(StudyTreeModel::SeriesLabelRole).toString());
    else if (kind == "nifti")
        Q_EMIT openImageRequested(path, QString());
    else if (kind == "dataset")
        Q_EMIT openDatasetRequested(path);
}

void StudyBrowser::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void StudyBrowser::dropEvent(QDropEvent* event) {
    const auto urls = event->mimeData()->urls();
    for (const QUrl& u : urls)
        if (u.isLocalFile()) {
            openPath(u.toLocalFile());
            event->acceptProposedAction();
            return;
        }
}

} // namespace medulla::ui
