#pragma once
/// The steps of one transform list ("train_transforms" or "val_transforms")
/// as a list model: one row per {"name": ..., params} object, random
/// transforms marked with a dice icon and "(random)". Rows are reordered by
/// drag and drop inside a view (MIME kStepMimeType: the source row) and
/// transforms dropped from the palette (kTransformMimeType) are inserted
/// where they land. Every change made through the model (insert, remove,
/// move, setStep) emits edited() once, so that its owner writes the list
/// back in one go; setSteps() (from outside) does not. GUI thread only.

#include <QAbstractListModel>

#include "engine/core/Params.h"

namespace medulla::ui {

/// MIME type of a step dragged inside the step list; data = its row.
inline constexpr const char* kStepMimeType = "application/x-medulla-pipeline-step";

class PipelineModel : public QAbstractListModel {
    Q_OBJECT
public:
    explicit PipelineModel(QObject* parent = nullptr);

    /// Replace the list (a JSON array; anything else counts as empty).
    /// Resets the model; does not emit edited().
    void setSteps(const Json& steps);
    const Json& steps() const { return steps_; }
    Json step(int row) const;
    QString stepName(int row) const;

    /// Insert {"name": name} (defaults for every parameter) at `row`
    /// (-1 or past the end: append). Returns the row.
    int insertTransform(const QString& name, int row = -1);
    /// Replace the parameters of `row` (a {"name": ...} object).
    void setStep(int row, const Json& step);
    void removeStep(int row);
    /// Move the step at `from` so that it lands before the step that was at
    /// `to` (to == rowCount(): to the end). No-op when nothing moves.
    void moveStep(int from, int to);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    Qt::DropActions supportedDropActions() const override;
    Qt::DropActions supportedDragActions() const override;
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    /// One row at a time (QListView's own internal drag uses this).
    bool moveRows(const QModelIndex& sourceParent, int sourceRow, int count,
                  const QModelIndex& destinationParent, int destinationChild) override;
    bool canDropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                         const QModelIndex& parent) const override;
    /// Palette transforms are inserted at the drop row; a step is moved
    /// there. A move returns false on purpose: the model has already moved
    /// the row, so the view must not remove the "source" afterwards.
    bool dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                      const QModelIndex& parent) override;

Q_SIGNALS:
    /// The list was changed through the model (not by setSteps()).
    void edited();
    /// A drop inserted or moved a step to `row` (views select it).
    void stepDropped(int row);

private:
    Json steps_ = Json::array();
};

} // namespace medulla::ui
