#pragma once
/// Window/level presets for the viewer (radiology standard values, HU for
/// CT). "MR auto" has no fixed numbers: the viewer uses the 1st-99th
/// percentile range of the image.

#include <QString>

#include <vector>

namespace medulla::ui {

struct WindowPreset {
    QString name;
    double window = 0, level = 0;
    bool automatic = false; ///< percentile window computed from the image
};

/// In display order: MR auto, CT soft tissue (W400 L40), CT lung (W1500
/// L-600), CT bone (W2000 L300), CT brain (W80 L40).
const std::vector<WindowPreset>& windowPresets();

/// The preset called `name`, or nullptr.
const WindowPreset* findWindowPreset(const QString& name);

} // namespace medulla::ui
