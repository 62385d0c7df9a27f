#pragma once
/// Colour tables for label maps (label 0 is background and has no colour).

#include <QColor>
#include <QString>
#include <QStringList>

namespace medulla::ui {

class LabelColors {
public:
    /// "Default" (distinct colours, cycling after 10), "Rainbow" (hue
    /// steps of 45 degrees) and "Binary red" (every label red).
    static QStringList tableNames();

    /// An unknown name gives the "Default" table.
    explicit LabelColors(const QString& table = QStringLiteral("Default"));

    QString name() const { return name_; }
    /// Colour of `label` (>= 1); label <= 0 gives transparent black.
    QColor color(int label) const;
    /// Colour of a prediction outline for `label`: the table colour with its
    /// hue turned by 60 degrees at full saturation and value (red -> yellow),
    /// so an outline stays visible over a filled label of the same class.
    QColor outlineColor(int label) const;

    bool operator==(const LabelColors& o) const { return name_ == o.name_; }

private:
    QString name_;
};

} // namespace medulla::ui
