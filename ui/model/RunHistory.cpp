#include "ui/model/RunHistory.h"

namespace medulla::ui {

RunHistory::RunHistory(QObject* parent) : QAbstractTableModel(parent) {}

void RunHistory::setOutputDir(const QString& dir) {
    dir_ = dir;
    refresh();
}

void RunHistory::refresh() {
    beginResetModel();
    runs_ = dir_.isEmpty() ? std::vector<RunSummary>{} : listRuns(dir_.toStdString());
    QSet<QString> still;
    for (const auto& r : runs_)
        if (checked_.contains(QString::fromStdString(r.path)))
            still.insert(QString::fromStdString(r.path));
    const bool changed = still != checked_;
    checked_ = still;
    endResetModel();
    // the curves of checked runs may have grown
    if (changed || !checked_.isEmpty())
        Q_EMIT checkedChanged();
}

int RunHistory::rowOf(const QString& path) const {
    for (size_t i = 0; i < runs_.size(); ++i)
        if (QString::fromStdString(runs_[i].path) == path)
            return int(i);
    return -1;
}

void RunHistory::setChecked(int row, bool checked) {
    if (row < 0 || row >= rowCount())
        return;
    const QString p = QString::fromStdString(runs_[size_t(row)].path);
    if (checked == checked_.contains(p))
        return;
    if (checked)
        checked_.insert(p);
    else
        checked_.remove(p);
    Q_EMIT dataChanged(index(row, Run), index(row, Run), {Qt::CheckStateRole});
    Q_EMIT checkedChanged();
}

bool RunHistory::isChecked(int row) const {
    return row >= 0 && row < rowCount() &&
           checked_.contains(QString::fromStdString(runs_[size_t(row)].path));
}

std::vector<RunSummary> RunHistory::checkedRuns() const {
    std::vector<RunSummary> out;
    for (int i = 0; i < rowCount(); ++i)
        if (isChecked(i))
            out.push_back(runs_[size_t(i)]);
    return out;
}

int RunHistory::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(runs_.size());
}

int RunHistory::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunHistory::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const RunSummary& r = runs_[size_t(index.row())];
    if (role == Qt::CheckStateRole && index.column() == Run)
        return isChecked(index.row()) ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::ToolTipRole)
        return QString::fromStdString(r.path + (r.started.empty() ? "" : "\nstarted " + r.started));
    if (role == Qt::TextAlignmentRole && (index.column() == Epochs || index.column() == BestMetric))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Run:
        return QString::fromStdString(r.name);
    case Started: // "YYYY-mm-dd HH:MM" (the seconds in the tool tip)
        return QString::fromStdString(r.started.substr(0, 16));
    case Epochs:
        return r.maxEpochs > 0 ? QString("%1/%2").arg(r.epochs).arg(r.maxEpochs)
                               : QString::number(r.epochs);
    case BestMetric:
        return r.bestMetric >= 0 ? QString("%1 @ %2").arg(r.bestMetric, 0, 'f', 4).arg(r.bestEpoch)
                                 : QString("-");
    case State:
        return QString::fromStdString(r.lastState);
    default:
        return {};
    }
}

QVariant RunHistory::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Run:
        return tr("Run");
    case Started:
        return tr("Started");
    case Epochs:
        return tr("Epochs");
    case BestMetric:
        return tr("Best Dice");
    case State:
        return tr("State");
    default:
        return {};
    }
}

Qt::ItemFlags RunHistory::flags(const QModelIndex& index) const {
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == Run)
        f |= Qt::ItemIsUserCheckable;
    return f;
}

bool RunHistory::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!index.isValid() || role != Qt::CheckStateRole || index.column() != Run)
        return false;
    setChecked(index.row(), value.toInt() == Qt::Checked);
    return true;
}

} // namespace medulla::ui
