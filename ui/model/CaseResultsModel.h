#pragma once
/// The per-case table of the Results panel: one row per evaluated case
/// (CaseResult), columns Case, Dice, HD95 (mm), MSD (mm). DisplayRole is
/// the formatted text ("—" for NaN/inf), SortRole the number (so a
/// QSortFilterProxyModel with setSortRole(SortRole) sorts numerically; NaN
/// and inf sort after every finite value ascending), PathRoles the files.

#include <QAbstractTableModel>
#include <QString>

#include <vector>

#include "engine/services/EvaluationService.h"

namespace medulla::ui {

class CaseResultsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { CaseColumn = 0, DiceColumn, Hd95Column, MsdColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, ///< double (metrics) or QString (case)
        ImageRole,                   ///< QString: the case's image file
        LabelRole,                   ///< QString: its label ("" when unlabelled)
        PredictionRole               ///< QString: the prediction NIfTI
    };

    explicit CaseResultsModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void append(const CaseResult& result);
    void clear();
    const std::vector<CaseResult>& results() const { return results_; }
    const CaseResult& result(int row) const { return results_.at(size_t(row)); }

    /// Value of `column` (a metric column) for `r`.
    static double metric(const CaseResult& r, int column);
    /// Mean and sample standard deviation of `column` over the scored cases
    /// with a finite value; count = how many. NaN mean when count is 0.
    struct Stats {
        double mean;
        double sd;
        int count;
    };
    Stats stats(int column) const;
    /// "4 cases · Dice 0.8123 ± 0.0500 · HD95 3.21 ± 1.02 mm · MSD ..."
    QString summary() const;

private:
    std::vector<CaseResult> results_;
};

} // namespace medulla::ui
