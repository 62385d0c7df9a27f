#include "ui/model/CaseResultsModel.h"

#include <QFileInfo>

#include <cmath>
#include <limits>

namespace medulla::ui {

CaseResultsModel::CaseResultsModel(QObject* parent) : QAbstractTableModel(parent) {}

int CaseResultsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(results_.size());
}

int CaseResultsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

double CaseResultsModel::metric(const CaseResult& r, int column) {
    switch (column) {
    case DiceColumn:
        return r.dice;
    case Hd95Column:
        return r.hd95;
    case MsdColumn:
        return r.meanSurfaceDistance;
    default:
        return std::nan("");
    }
}

QVariant CaseResultsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const CaseResult& r = results_[size_t(index.row())];
    const int col = index.column();
    switch (role) {
    case Qt::DisplayRole:
        if (col == CaseColumn)
            return QString::fromStdString(r.caseName);
        return QString::fromStdString(formatMetric(metric(r, col), col == DiceColumn ? 4 : 2));
    case SortRole:
        if (col == CaseColumn)
            return QString::fromStdString(r.caseName);
        {
            const double v = metric(r, col);
            // non-finite (empty structure, unlabelled) after every number
            return std::isfinite(v) ? v : std::numeric_limits<double>::max();
        }
    case Qt::TextAlignmentRole:
        return col == CaseColumn ? int(Qt::AlignLeft | Qt::AlignVCenter)
                                 : int(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        return QString("image: %1\nlabel: %2\nprediction: %3")
            .arg(QString::fromStdString(r.image),
                 r.label.empty() ? QString("(none)") : QString::fromStdString(r.label),
                 QString::fromStdString(r.prediction));
    case ImageRole:
        return QString::fromStdString(r.image);
    case LabelRole:
        return QString::fromStdString(r.label);
    case PredictionRole:
        return QString::fromStdString(r.prediction);
    default:
        return {};
    }
}

QVariant CaseResultsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case CaseColumn:
        return tr("Case");
    case DiceColumn:
        return tr("Dice");
    case Hd95Column:
        return tr("HD95 (mm)");
    case MsdColumn:
        return tr("MSD (mm)");
    default:
        return {};
    }
}

void CaseResultsModel::append(const CaseResult& result) {
    const int row = rowCount();
    beginInsertRows({}, row, row);
    results_.push_back(result);
    endInsertRows();
}

void CaseResultsModel::clear() {
    beginResetModel();
    results_.clear();
    endResetModel();
}

CaseResultsModel::Stats CaseResultsModel::stats(int column) const {
    double sum = 0, sum2 = 0;
    int n = 0;
    for (const CaseResult& r : results_) {
        const double v = metric(r, column);
        if (!r.scored || !std::isfinite(v))
            continue;
        sum += v;
        ++n;
    }
    if (n == 0)
        return {std::nan(""), std::nan(""), 0};
    const double mean = sum / n;
    for (const CaseResult& r : results_) {
        const double v = metric(r, column);
        if (r.scored && std::isfinite(v))
            sum2 += (v - mean) * (v - mean);
    }
    return {mean, n > 1 ? std::sqrt(sum2 / (n - 1)) : 0.0, n};
}

QString CaseResultsModel::summary() const {
    if (results_.empty())
        return tr("No results yet.");
    QString text = rowCount() == 1 ? tr("1 case") : tr("%1 cases").arg(rowCount());
    const struct {
        int column;
        const char* name;
        const char* unit;
        int decimals;
    } columns[] = {
        {DiceColumn, "Dice", "", 4}, {Hd95Column, "HD95", " mm", 2}, {MsdColumn, "MSD", " mm", 2}};
    for (const auto& c : columns) {
        const Stats s = stats(c.column);
        text += QString(" · %1 %2 ± %3%4")
                    .arg(c.name, QString::fromStdString(formatMetric(s.mean, c.decimals)),
                         QString::fromStdString(formatMetric(s.sd, c.decimals)), c.unit);
    }
    return text;
}

} // namespace medulla::ui
