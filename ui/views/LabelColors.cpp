#include "ui/views/LabelColors.h"

#include <algorithm>

namespace medulla::ui {

QStringList LabelColors::tableNames() {
    return {QStringLiteral("Default"), QStringLiteral("Rainbow"), QStringLiteral("Binary red")};
}

LabelColors::LabelColors(const QString& table)
    : name_(tableNames().contains(table) ? table : QStringLiteral("Default")) {}

QColor LabelColors::color(int label) const {
    if (label <= 0)
        return QColor(0, 0, 0, 0);
    if (name_ == QLatin1String("Binary red"))
        return QColor(240, 40, 40);
    if (name_ == QLatin1String("Rainbow"))
        return QColor::fromHsv(((label - 1) * 45) % 360, 230, 245);
    static const QColor colors[] = {
        {240, 70, 50},  {60, 200, 80},  {60, 110, 240},  {240, 200, 40},  {200, 80, 220},
        {40, 210, 210}, {250, 140, 30}, {150, 230, 120}, {230, 120, 160}, {130, 130, 250}};
    return colors[(label - 1) % 10];
}

QColor LabelColors::outlineColor(int label) const {
    if (label <= 0)
        return QColor(0, 0, 0, 0);
    const QColor c = color(label).toHsv();
    return QColor::fromHsv((std::max(c.hue(), 0) + 60) % 360, 255, 255);
}

} // namespace medulla::ui
