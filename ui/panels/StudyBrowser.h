#pragma once
/// The study browser: open (button, recent list, drag and drop) a folder or
/// a file; it is indexed on a worker thread (progress bar, Cancel) into
/// Patient -> Study -> Series, NIfTI images and Decathlon datasets
/// (StudyTreeModel). Double-click asks the studio to open the item.
/// Recent folders and files live in QSettings (key "studio/recent", most
/// recent first, at most 10).

#include <QPointer>
#include <QStringList>
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTreeView;

namespace medulla {
class CancelToken;
}

namespace medulla::ui {

class StudyTreeModel;

class StudyBrowser : public QWidget {
    Q_OBJECT
public:
    explicit StudyBrowser(QWidget* parent = nullptr);
    ~StudyBrowser() override;

    /// false: "Open folder…" shows no dialog (tests).
    void setInteractive(bool interactive) { interactive_ = interactive; }

    StudyTreeModel* model() const { return model_; }
    QTreeView* view() const { return view_; }
    QPushButton* openButton() const { return open_; }
    QPushButton* cancelButton() const { return cancel_; }
    QProgressBar* progressBar() const { return progress_; }
    QComboBox* recentCombo() const { return recent_; }
    QLabel* statusLabel() const { return status_; }

    /// The folder or file shown (empty before the first scan).
    QString currentPath() const { return current_; }
    /// True while a scan runs.
    bool isBusy() const { return busy_; }
    /// Recent folders and files, most recent first (QSettings).
    static QStringList recentPaths();
    /// Put `path` first in the recent list (at most 10 kept).
    static void addRecentPath(const QString& path);

public Q_SLOTS:
    /// Scan `path` (folder or file) on a worker; a running scan is cancelled.
    void openPath(const QString& path);
    /// Ask for a folder (dialog) and open it.
    void openFolderDialog();
    /// Stop the running scan (the tree keeps its previous content).
    void cancelScan();

Q_SIGNALS:
    /// Double-click on a series (folder + SeriesRecord::label, what
    /// loadSeries() / DicomReader's series_uid take) or a NIfTI file
    /// (seriesLabel empty).
    void openImageRequested(const QString& path, const QString& seriesLabel);
    /// Double-click on a dataset (its dataset.json).
    void openDatasetRequested(const QString& datasetJson);
    /// A scan ended: ok, or the error / "cancelled" in `message`.
    void scanFinished(bool ok, const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void activate(const QModelIndex& index);
    void refreshRecent();
    void setBusy(bool busy);

    StudyTreeModel* model_;
    QTreeView* view_;
    QPushButton* open_;
    QPushButton* cancel_;
    QComboBox* recent_;
    QProgressBar* progress_;
    QLabel* status_;
    QString current_;
    bool interactive_ = true;
    bool busy_ = false;
    quint64 generation_ = 0;
    std::shared_ptr<CancelToken> cancelToken_;
};

} // namespace medulla::ui
