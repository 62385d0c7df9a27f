#pragma once
/// The dataset panel's table: one row per case (CaseInfo from
/// engine/services/CaseInspection.h) with columns case, image, label, image
/// shape, spacing, label status, split (a "validation" check box) and fold.
/// Rows whose label is missing or mismatched are tinted. GUI thread only.

#include <QAbstractTableModel>

#include <vector>

#include "engine/services/CaseInspection.h"

namespace medulla::ui {

class CaseTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        ImageColumn,
        LabelColumn,
        ShapeColumn,
        SpacingColumn,
        StatusColumn,
        SplitColumn,
        FoldColumn,
        ColumnCount
    };

    explicit CaseTableModel(QObject* parent = nullptr);

    void setCases(std::vector<CaseInfo> cases);
    const std::vector<CaseInfo>& cases() const { return cases_; }
    const CaseInfo& caseAt(int row) const { return cases_.at(size_t(row)); }

    /// Put the rows in validation (true) or training; emits splitEdited()
    /// when something changed.
    void setValidation(const QList<int>& rows, bool validation);
    /// Replace every row's split / fold (sizes must match the row count);
    /// emit splitEdited().
    void setAllValidation(const std::vector<bool>& validation);
    void setAllFolds(const std::vector<int>& folds);

    int validationCount() const;
    /// Rows whose status is not "ok" / "no label".
    int flaggedCount() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;

Q_SIGNALS:
    /// The split or the folds were changed by the user (to be persisted).
    void splitEdited();

private:
    std::vector<CaseInfo> cases_;
};

} // namespace medulla::ui
