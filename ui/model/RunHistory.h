#pragma once
/// The runs of an experiment, one row per run folder under its output_dir
/// (engine/services/RunFolders.h): name, start date, epochs, best
/// validation metric. Rows are checkable; checked runs are overlaid on the
/// monitor's plot (checkedRuns()). Columns: run, started, epochs ("4/6"),
/// best Dice ("0.9184 @ 6"), state (completed / cancelled / failed).
/// GUI thread only.

#include <QAbstractTableModel>
#include <QSet>

#include <vector>

#include "engine/services/RunFolders.h"

namespace medulla::ui {

class RunHistory : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Run, Started, Epochs, BestMetric, State, ColumnCount };

    explicit RunHistory(QObject* parent = nullptr);

    /// The folder whose run folders are listed; refreshes.
    void setOutputDir(const QString& dir);
    QString outputDir() const { return dir_; }
    /// Re-read the folder (keeps the check marks of runs still there).
    void refresh();

    const std::vector<medulla::RunSummary>& runs() const { return runs_; }
    /// Row of the run folder `path` (-1 if not listed).
    int rowOf(const QString& path) const;
    /// Check or uncheck a run (emits checkedChanged()).
    void setChecked(int row, bool checked);
    bool isChecked(int row) const;
    /// The checked runs, in list order.
    std::vector<medulla::RunSummary> checkedRuns() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;

Q_SIGNALS:
    void checkedChanged();

private:
    QString dir_;
    std::vector<medulla::RunSummary> runs_;
    QSet<QString> checked_; ///< paths of checked runs
};

} // namespace medulla::ui
