#include "ui/model/PipelineModel.h"

#include <QIcon>
#include <QMimeData>

#include "engine/services/Catalog.h"
#include "ui/widgets/TransformPalette.h"

namespace medulla::ui {

PipelineModel::PipelineModel(QObject* parent) : QAbstractListModel(parent) {}

void PipelineModel::setSteps(const Json& steps) {
    beginResetModel();
    steps_ = steps.is_array() ? steps : Json::array();
    endResetModel();
}

Json PipelineModel::step(int row) const {
    return row >= 0 && row < rowCount() ? steps_[size_t(row)] : Json();
}

QString PipelineModel::stepName(int row) const {
    const Json s = step(row);
    return s.is_object() && s.contains("name") && s["name"].is_string()
               ? QString::fromStdString(s["name"].get<std::string>())
               : QString("?");
}

int PipelineModel::insertTransform(const QString& name, int row) {
    if (row < 0 || row > rowCount())
        row = rowCount();
    beginInsertRows({}, row, row);
    steps_.insert(steps_.begin() + row, Json{{"name", name.toStdString()}});
    endInsertRows();
    Q_EMIT edited();
    return row;
}

void PipelineModel::setStep(int row, const Json& step) {
    if (row < 0 || row >= rowCount() || steps_[size_t(row)] == step)
        return;
    steps_[size_t(row)] = step;
    Q_EMIT dataChanged(index(row), index(row));
    Q_EMIT edited();
}

void PipelineModel::removeStep(int row) {
    if (row < 0 || row >= rowCount())
        return;
    beginRemoveRows({}, row, row);
    steps_.erase(steps_.begin() + row);
    endRemoveRows();
    Q_EMIT edited();
}

void PipelineModel::moveStep(int from, int to) {
    const int n = rowCount();
    if (from < 0 || from >= n || to < 0 || to > n || to == from || to == from + 1)
        return;
    if (!beginMoveRows({}, from, from, {}, to))
        return;
    Json moving = steps_[size_t(from)];
    steps_.erase(steps_.begin() + from);
    steps_.insert(steps_.begin() + (to > from ? to - 1 : to), moving);
    endMoveRows();
    Q_EMIT edited();
}

int PipelineModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(steps_.size());
}

QVariant PipelineModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const QString name = stepName(index.row());
    const bool random = isRandomTransform(name.toStdString());
    switch (role) {
    case Qt::DisplayRole:
        return QString("%1. %2%3").arg(index.row() + 1).arg(name, random ? "  (random)" : "");
    case Qt::EditRole:
        return name;
    case Qt::DecorationRole:
        return random ? TransformPalette::randomIcon() : QVariant();
    case Qt::ToolTipRole:
        return QString::fromStdString(step(index.row()).dump());
    default:
        return {};
    }
}

Qt::ItemFlags PipelineModel::flags(const QModelIndex& index) const {
    if (!index.isValid())
        return Qt::ItemIsDropEnabled;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled;
}

Qt::DropActions PipelineModel::supportedDropActions() const {
    return Qt::MoveAction | Qt::CopyAction;
}

Qt::DropActions PipelineModel::supportedDragActions() const {
    return Qt::MoveAction;
}

QStringList PipelineModel::mimeTypes() const {
    return {kStepMimeType, kTransformMimeType};
}

QMimeData* PipelineModel::mimeData(const QModelIndexList& indexes) const {
    for (const QModelIndex& i : indexes) {
        if (!i.isValid())
            continue;
        auto* mime = new QMimeData;
        mime->setData(kStepMimeType, QByteArray::number(i.row()));
        return mime;
    }
    return nullptr;
}

bool PipelineModel::moveRows(const QModelIndex& sourceParent, int sourceRow, int count,
                             const QModelIndex& destinationParent, int destinationChild) {
    if (sourceParent.isValid() || destinationParent.isValid() || count != 1)
        return false;
    const int n = rowCount();
    if (sourceRow < 0 || sourceRow >= n || destinationChild < 0 || destinationChild > n)
        return false;
    moveStep(sourceRow, destinationChild);
    return true;
}

bool PipelineModel::canDropMimeData(const QMimeData* data, Qt::DropAction, int, int,
                                    const QModelIndex&) const {
    return data && (data->hasFormat(kStepMimeType) || data->hasFormat(kTransformMimeType));
}

bool PipelineModel::dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int,
                                 const QModelIndex& parent) {
    if (!data || action == Qt::IgnoreAction)
        return false;
    if (row < 0)
        row = parent.isValid() ? parent.row() : rowCount();
    if (data->hasFormat(kTransformMimeType)) {
        const QString name = QString::fromUtf8(data->data(kTransformMimeType));
        if (name.isEmpty())
            return false;
        Q_EMIT stepDropped(insertTransform(name, row));
        return true;
    }
    if (data->hasFormat(kStepMimeType)) {
        bool ok = false;
        const int from = data->data(kStepMimeType).toInt(&ok);
        if (!ok)
            return false;
        moveStep(from, row);
        Q_EMIT stepDropped(row > from ? row - 1 : row);
        return false; // see the header: the view must not remove a source row
    }
    return false;
}

} // namespace medulla::ui
