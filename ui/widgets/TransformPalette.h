#pragma once
/// The pipeline editor's palette: every registered transform in a tree
/// grouped by transformGroups() ("I/O", "Intensity", "Spatial", ...), its
/// help text as tooltip, random transforms marked, a filter line and an
/// "Add" button. A transform is added by double-click, by the button, or by
/// dragging it (MIME type kTransformMimeType, the name as UTF-8) onto a
/// drop target such as the pipeline's step list. GUI thread only.

#include <QIcon>
#include <QWidget>

class QLineEdit;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace medulla::ui {

/// MIME type of a transform dragged out of the palette; data = its name.
inline constexpr const char* kTransformMimeType = "application/x-medulla-transform";

class TransformPalette : public QWidget {
    Q_OBJECT
public:
    explicit TransformPalette(QWidget* parent = nullptr);

    /// The tree (groups at the top level, transforms below; tests drive it).
    QTreeWidget* tree() const { return tree_; }
    QLineEdit* filterEdit() const { return filter_; }
    QPushButton* addButton() const { return add_; }
    /// The transform item named `name`, or nullptr.
    QTreeWidgetItem* item(const QString& name) const;
    /// The selected transform's name ("" for none or a group).
    QString selectedTransform() const;

    /// Show only transforms whose name or help contains `text` (case
    /// insensitive); groups without a match are hidden.
    void setFilter(const QString& text);

    /// The small dice icon that marks random transforms (palette and steps).
    static QIcon randomIcon();

Q_SIGNALS:
    /// The user asked to add `name` (double-click or the Add button).
    void transformActivated(const QString& name);

private:
    void populate();

    QLineEdit* filter_ = nullptr;
    QTreeWidget* tree_ = nullptr;
    QPushButton* add_ = nullptr;
};

} // namespace medulla::ui
