#include "ui/widgets/TransformPalette.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QMimeData>
#include <QPainter>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <map>

#include "engine/services/Catalog.h"

namespace medulla::ui {
namespace {

constexpr int kNameRole = Qt::UserRole + 1;

/// A tree whose transform items drag out as kTransformMimeType.
class PaletteTree : public QTreeWidget {
public:
    using QTreeWidget::QTreeWidget;

protected:
    QStringList mimeTypes() const override { return {kTransformMimeType}; }
    QMimeData* mimeData(const QList<QTreeWidgetItem*>& items) const override {
        for (auto* item : items) {
            const QString name = item->data(0, kNameRole).toString();
            if (name.isEmpty())
                continue;
            auto* mime = new QMimeData;
            mime->setData(kTransformMimeType, name.toUtf8());
            mime->setText(name);
            return mime;
        }
        return nullptr;
    }
};

} // namespace

QIcon TransformPalette::randomIcon() {
    static const QIcon icon = [] {
        QPixmap pm(16, 16);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(QColor(90, 40, 120), 1.2));
        p.setBrush(QColor(235, 220, 250));
        p.drawRoundedRect(QRectF(1.5, 1.5, 13, 13), 3, 3);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(90, 40, 120));
        for (const QPointF& c : {QPointF(5, 5), QPointF(8, 8), QPointF(11, 11)})
            p.drawEllipse(c, 1.4, 1.4);
        return QIcon(pm);
    }();
    return icon;
}

TransformPalette::TransformPalette(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    filter_ = new QLineEdit(this);
    filter_->setPlaceholderText("Filter transforms");
    filter_->setClearButtonEnabled(true);
    filter_->setObjectName("transformFilter");
    tree_ = new PaletteTree(this);
    tree_->setObjectName("transformTree");
    tree_->setHeaderHidden(true);
    tree_->setDragEnabled(true);
    tree_->setDragDropMode(QAbstractItemView::DragOnly);
    tree_->setSelectionMode(QAbstractItemView::SingleSelection);
    add_ = new QPushButton("Add", this);
    add_->setObjectName("addTransform");
    add_->setToolTip("Append the selected transform to the pipeline");
    layout->addWidget(filter_);
    layout->addWidget(tree_, 1);
    layout->addWidget(add_);
    populate();

    connect(filter_, &QLineEdit::textChanged, this, &TransformPalette::setFilter);
    connect(tree_, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item, int) {
        const QString name = item ? item->data(0, kNameRole).toString() : QString();
        if (!name.isEmpty())
            Q_EMIT transformActivated(name);
    });
    connect(add_, &QPushButton::clicked, this, [this] {
        const QString name = selectedTransform();
        if (!name.isEmpty())
            Q_EMIT transformActivated(name);
    });
    connect(tree_, &QTreeWidget::itemSelectionChanged, this,
            [this] { add_->setEnabled(!selectedTransform().isEmpty()); });
    add_->setEnabled(false);
}

void TransformPalette::populate() {
    tree_->clear();
    std::map<std::string, QTreeWidgetItem*> groups;
    for (const auto& g : transformGroups()) {
        auto* group = new QTreeWidgetItem(tree_, {QString::fromStdString(g)});
        group->setFlags(Qt::ItemIsEnabled);
        QFont f = group->font(0);
        f.setBold(true);
        group->setFont(0, f);
        groups[g] = group;
    }
    for (const ComponentInfo& info : catalog("transform")) {
        const std::string g = transformGroup(info.name);
        QTreeWidgetItem* parent = groups.count(g) ? groups[g] : nullptr;
        if (!parent) {
            parent = new QTreeWidgetItem(tree_, {QString::fromStdString(g)});
            parent->setFlags(Qt::ItemIsEnabled);
            groups[g] = parent;
        }
        const QString name = QString::fromStdString(info.name);
        auto* item = new QTreeWidgetItem(parent, {name});
        item->setData(0, kNameRole, name);
        item->setToolTip(0, QString::fromStdString(info.help));
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
        if (isRandomTransform(info.name))
            item->setIcon(0, randomIcon());
    }
    tree_->expandAll();
}

QTreeWidgetItem* TransformPalette::item(const QString& name) const {
    for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
        QTreeWidgetItem* group = tree_->topLevelItem(g);
        for (int i = 0; i < group->childCount(); ++i)
            if (group->child(i)->data(0, kNameRole).toString() == name)
                return group->child(i);
    }
    return nullptr;
}

QString TransformPalette::selectedTransform() const {
    const auto items = tree_->selectedItems();
    return items.isEmpty() ? QString() : items.front()->data(0, kNameRole).toString();
}

void TransformPalette::setFilter(const QString& text) {
    const QString needle = text.trimmed();
    for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
        QTreeWidgetItem* group = tree_->topLevelItem(g);
        int shown = 0;
        for (int i = 0; i < group->childCount(); ++i) {
            QTreeWidgetItem* item = group->child(i);
            const bool match = needle.isEmpty() ||
                               item->text(0).contains(needle, Qt::CaseInsensitive) ||
                               item->toolTip(0).contains(needle, Qt::CaseInsensitive);
            item->setHidden(!match);
            shown += match ? 1 : 0;
        }
        group->setHidden(shown == 0);
    }
    if (filter_->text() != text)
        filter_->setText(text);
}

} // namespace medulla::ui
