#pragma once
/// The studio's welcome (first start, or Help > Demo workspace): what the
/// demo workspace holds (a synthetic dataset generated on the spot, the real
/// sample volumes installed on this machine, a three-step guide) and two
/// choices, "Open the demo workspace" and "Start empty". A plain widget
/// (GuideDock shows it in a dock, never as a modal dialog); it only emits
/// what was chosen. GUI thread only.

#include <QWidget>

#include <vector>

#include "engine/services/SampleVolumes.h"

class QCheckBox;
class QLabel;
class QPushButton;

namespace medulla::ui {

class WelcomePage : public QWidget {
    Q_OBJECT
public:
    explicit WelcomePage(QWidget* parent = nullptr);

    /// The samples offered (installed) and those that are not installed,
    /// and the workspace folder, as the page lists them.
    void setContents(const std::vector<SampleVolume>& installed,
                     const std::vector<SampleVolume>& missing, const QString& workspaceDir);

    QPushButton* openDemoButton() const { return openDemo_; }
    QPushButton* startEmptyButton() const { return startEmpty_; }
    /// "Show this page when the studio starts" (the first-run setting).
    QCheckBox* showAtStartBox() const { return showAtStart_; }
    QLabel* samplesLabel() const { return samples_; }

Q_SIGNALS:
    void openDemoRequested();
    void startEmptyRequested();

private:
    QLabel* samples_;
    QLabel* workspace_;
    QPushButton* openDemo_;
    QPushButton* startEmpty_;
    QCheckBox* showAtStart_;
};

} // namespace medulla::ui
