#include "ui/model/CaseTableModel.h"

#include <QBrush>
#include <QColor>
#include <QFileInfo>

namespace medulla::ui {
namespace {

QString shapeText(const std::vector<int64_t>& s) {
    QStringList parts;
    for (auto v : s)
        parts << QString::number(v);
    return parts.join(" x ");
}

bool flagged(const CaseInfo& c) {
    return c.status != "ok" && c.status != "no label";
}

} // namespace

CaseTableModel::CaseTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void CaseTableModel::setCases(std::vector<CaseInfo> cases) {
    beginResetModel();
    cases_ = std::move(cases);
    endResetModel();
}

int CaseTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(cases_.size());
}

int CaseTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

int CaseTableModel::validationCount() const {
    int n = 0;
    for (const auto& c : cases_)
        n += c.validation ? 1 : 0;
    return n;
}

int CaseTableModel::flaggedCount() const {
    int n = 0;
    for (const auto& c : cases_)
        n += flagged(c) ? 1 : 0;
    return n;
}

QVariant CaseTableModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, o, role);
    switch (section) {
    case NameColumn:
        return tr("Case");
    case ImageColumn:
        return tr("Image");
    case LabelColumn:
        return tr("Label");
    case ShapeColumn:
        return tr("Image shape");
    case SpacingColumn:
        return tr("Spacing (mm)");
    case StatusColumn:
        return tr("Label status");
    case SplitColumn:
        return tr("Split");
    case FoldColumn:
        return tr("Fold");
    default:
        return {};
    }
}

QVariant CaseTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const CaseInfo& c = cases_[size_t(index.row())];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case NameColumn:
            return QString::fromStdString(c.name);
        case ImageColumn:
            return QFileInfo(QString::fromStdString(c.image)).fileName();
        case LabelColumn:
            return c.label.empty() ? QString("-")
                                   : QFileInfo(QString::fromStdString(c.label)).fileName();
        case ShapeColumn:
            return shapeText(c.imageShape);
        case SpacingColumn:
            if (c.imageShape.empty())
                return QString();
            return QString("%1 x %2 x %3")
                .arg(c.spacing[0], 0, 'g', 4)
                .arg(c.spacing[1], 0, 'g', 4)
                .arg(c.spacing[2], 0, 'g', 4);
        case StatusColumn:
            return QString::fromStdString(c.status);
        case SplitColumn:
            return c.validation ? tr("validation") : tr("train");
        case FoldColumn:
            return c.fold >= 0 ? QVariant(c.fold) : QVariant(QString("-"));
        default:
            return {};
        }
    }
    if (role == Qt::CheckStateRole && index.column() == SplitColumn)
        return c.validation ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::ToolTipRole) {
        if (index.column() == ImageColumn)
            return QString::fromStdString(c.image);
        if (index.column() == LabelColumn)
            return QString::fromStdString(c.label);
        if (index.column() == SplitColumn)
            return tr("Checked: validation set");
        if (!c.usable)
            return tr("left out of a hand-made split: %1").arg(QString::fromStdString(c.status));
    }
    if (role == Qt::BackgroundRole && flagged(c))
        return QBrush(c.usable ? QColor(255, 236, 179) : QColor(255, 205, 205));
    if (role == Qt::ForegroundRole && index.column() == StatusColumn && flagged(c))
        return QBrush(QColor(160, 0, 0));
    return {};
}

Qt::ItemFlags CaseTableModel::flags(const QModelIndex& index) const {
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == SplitColumn)
        f |= Qt::ItemIsUserCheckable;
    return f;
}

bool CaseTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!index.isValid() || role != Qt::CheckStateRole || index.column() != SplitColumn)
        return false;
    setValidation({index.row()}, value.toInt() == Qt::Checked);
    return true;
}

void CaseTableModel::setValidation(const QList<int>& rows, bool validation) {
    bool changed = false;
    for (int r : rows) {
        if (r < 0 || r >= rowCount() || cases_[size_t(r)].validation == validation)
            continue;
        cases_[size_t(r)].validation = validation;
        changed = true;
        Q_EMIT dataChanged(index(r, 0), index(r, ColumnCount - 1));
    }
    if (changed)
        Q_EMIT splitEdited();
}

void CaseTableModel::setAllValidation(const std::vector<bool>& validation) {
    if (validation.size() != cases_.size())
        return;
    for (size_t i = 0; i < cases_.size(); ++i)
        cases_[i].validation = validation[i];
    Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    Q_EMIT splitEdited();
}

void CaseTableModel::setAllFolds(const std::vector<int>& folds) {
    if (folds.size() != cases_.size())
        return;
    for (size_t i = 0; i < cases_.size(); ++i)
        cases_[i].fold = folds[i];
    Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    Q_EMIT splitEdited();
}

} // namespace medulla::ui
