#include "ui/model/StudyTreeModel.h"

#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QImage>
#include <QPixmap>

#include <filesystem>

namespace medulla::ui {
namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

QList<QStandardItem*> row(const QString& name, const QString& kind, const QString& modality = {},
                          const QString& description = {}, const QString& dims = {},
                          const QString& spacing = {}) {
    QList<QStandardItem*> items;
    for (const QString& t : {name, modality, description, dims, spacing}) {
        auto* it = new QStandardItem(t);
        it->setEditable(false);
        it->setData(kind, StudyTreeModel::KindRole);
        items << it;
    }
    return items;
}

/// The folder holding a series' files (their common parent).
QString seriesFolder(const SeriesRecord& s, const std::string& root) {
    namespace fs = std::filesystem;
    if (s.files.empty())
        return q(root);
    fs::path common = fs::path(s.files.front()).parent_path();
    for (const auto& f : s.files) {
        const fs::path p = fs::path(f).parent_path();
        while (!common.empty() && p.string().rfind(common.string(), 0) != 0)
            common = common.parent_path();
    }
    return common.empty() ? q(root) : q(common.string());
}

} // namespace

StudyTreeModel::StudyTreeModel(QObject* parent) : QStandardItemModel(parent) {
    setHorizontalHeaderLabels(
        {tr("Name"), tr("Modality"), tr("Description"), tr("Dimensions"), tr("Spacing (mm)")});
}

QString StudyTreeModel::dimensionsText(const std::vector<int64_t>& dims) {
    QStringList parts;
    for (auto d : dims)
        parts << QString::number(d);
    return parts.join(" x ");
}

QString StudyTreeModel::spacingText(double a, double b, double c) {
    auto f = [](double v) { return v > 0 ? QString::number(v, 'g', 4) : QStringLiteral("?"); };
    return f(a) + " x " + f(b) + " x " + f(c);
}

QImage StudyTreeModel::toImage(const Thumbnail& t) {
    if (t.empty())
        return {};
    const auto fmt = t.channels == 3 ? QImage::Format_RGB888 : QImage::Format_Grayscale8;
    QImage img(reinterpret_cast<const uchar*>(t.pixels.data()), t.width, t.height,
               t.width * t.channels, fmt);
    return img.copy(); // own the pixels
}

void StudyTreeModel::clearContents() {
    removeRows(0, rowCount());
    series_ = nifti_ = datasets_ = 0;
}

void StudyTreeModel::setContents(const FolderContents& c) {
    clearContents();
    for (const auto& p : c.studies.patients) {
        QString pname = q(p.patientName).trimmed();
        if (pname.isEmpty())
            pname = tr("(no name)");
        if (!p.patientId.empty())
            pname += " [" + q(p.patientId) + "]";
        auto prow = row(pname, "patient");
        for (const auto& st : p.studies) {
            QString sname =
                q(st.studyDate).isEmpty() ? tr("Study") : tr("Study %1").arg(q(st.studyDate));
            auto srow = row(sname, "study", {}, q(st.studyDescription));
            srow[0]->setToolTip(q(st.studyUid));
            for (const auto& s : st.series) {
                QString name =
                    tr("Series %1")
                        .arg(q(s.seriesNumber).isEmpty() ? QStringLiteral("?") : q(s.seriesNumber));
                if (s.part > 0)
                    name += tr(" part %1").arg(s.part);
                const int slices = s.imageCount;
                auto r = row(name, "series", q(s.modality), q(s.description),
                             dimensionsText({s.columns, s.rows, slices}),
                             spacingText(s.columnSpacing, s.rowSpacing, s.sliceSpacing));
                r[0]->setData(seriesFolder(s, c.root), PathRole);
                r[0]->setData(q(s.label), SeriesLabelRole);
                r[0]->setToolTip(q(s.label));
                const QImage thumb = toImage(seriesThumbnail(s));
                if (!thumb.isNull())
                    r[0]->setIcon(QIcon(QPixmap::fromImage(thumb)));
                srow[0]->appendRow(r);
                ++series_;
            }
            prow[0]->appendRow(srow);
        }
        appendRow(prow);
    }
    if (!c.niftiFiles.empty()) {
        auto group = row(tr("NIfTI images"), "group");
        for (const auto& n : c.niftiFiles) {
            const QFileInfo fi(q(n.path));
            QString rel = QDir(q(c.root)).relativeFilePath(q(n.path));
            if (rel.startsWith(".."))
                rel = fi.fileName();
            auto r = n.error.empty()
                         ? row(rel, "nifti", "NIfTI", q(n.datatype), dimensionsText(n.shape),
                               spacingText(n.spacing[0], n.spacing[1], n.spacing[2]))
                         : row(rel, "nifti", "NIfTI", tr("unreadable: %1").arg(q(n.error)));
            r[0]->setData(q(n.path), PathRole);
            r[0]->setToolTip(q(n.path));
            group[0]->appendRow(r);
            ++nifti_;
        }
        appendRow(group);
    }
    if (!c.datasets.empty()) {
        auto group = row(tr("Datasets"), "group");
        for (const auto& d : c.datasets) {
            QString desc = d.error.empty() ? tr("%1 training cases").arg(d.numTraining)
                                           : tr("unreadable: %1").arg(q(d.error));
            if (d.error.empty() && d.numTest > 0)
                desc += tr(", %1 test").arg(d.numTest);
            if (!d.description.empty())
                desc += " - " + q(d.description);
            auto r = row(q(d.name), "dataset", q(d.modality), desc);
            r[0]->setData(q(d.datasetJson), PathRole);
            r[0]->setToolTip(q(d.datasetJson));
            group[0]->appendRow(r);
            ++datasets_;
        }
        appendRow(group);
    }
}

} // namespace medulla::ui
