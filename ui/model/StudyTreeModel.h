#pragma once
/// The study browser's tree: Patient -> Study -> Series from the DICOM
/// index, then a "NIfTI images" group (one item per file) and a "Datasets"
/// group (one item per dataset.json folder). Columns: name, modality,
/// description, dimensions ("columns x rows x images" for a series, the
/// header's shape for NIfTI), spacing (mm); series thumbnails are the name
/// column's decoration. GUI thread only.

#include <QStandardItemModel>

#include "engine/services/StudyBrowsing.h"

namespace medulla::ui {

class StudyTreeModel : public QStandardItemModel {
    Q_OBJECT
public:
    enum Column { NameColumn, ModalityColumn, DescriptionColumn, DimensionsColumn, SpacingColumn };
    enum Role {
        KindRole = Qt::UserRole + 1, ///< "patient", "study", "series", "nifti", "dataset", "group"
        PathRole,                    ///< series: its folder; nifti: the file; dataset: dataset.json
        SeriesLabelRole              ///< series: SeriesRecord::label (DicomReader's series_uid)
    };

    explicit StudyTreeModel(QObject* parent = nullptr);

    /// Replace the tree with what `contents` holds.
    void setContents(const FolderContents& contents);
    void clearContents();

    int seriesCount() const { return series_; }
    int niftiCount() const { return nifti_; }
    int datasetCount() const { return datasets_; }

    /// "256 x 256 x 20", "181 x 217 x 181": how the dimensions column reads.
    static QString dimensionsText(const std::vector<int64_t>& dims);
    /// "0.8594 x 0.8594 x 7.001" (4 significant digits; "?" for unknown).
    static QString spacingText(double a, double b, double c);
    /// A thumbnail as an image (empty when none).
    static QImage toImage(const Thumbnail& t);

private:
    int series_ = 0, nifti_ = 0, datasets_ = 0;
};

} // namespace medulla::ui
