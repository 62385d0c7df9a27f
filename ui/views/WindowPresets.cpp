#include "ui/views/WindowPresets.h"

namespace medulla::ui {

const std::vector<WindowPreset>& windowPresets() {
    static const std::vector<WindowPreset> presets = {
        {QStringLiteral("MR auto (1-99 %)"), 0, 0, true},
        {QStringLiteral("CT soft tissue"), 400, 40, false},
        {QStringLiteral("CT lung"), 1500, -600, false},
        {QStringLiteral("CT bone"), 2000, 300, false},
        {QStringLiteral("CT brain"), 80, 40, false},
    };
    return presets;
}

const WindowPreset* findWindowPreset(const QString& name) {
    for (const auto& p : windowPresets())
        if (p.name == name)
            return &p;
    return nullptr;
}

} // namespace medulla::ui
