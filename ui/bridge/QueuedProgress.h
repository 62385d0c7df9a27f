#pragma once
/// An engine ProgressSink that shows a worker's progress in a progress bar
/// (range 0..1000) and a label: called on any thread, it queues the update
/// to the GUI thread, at most ~20 times a second (the final 1.0 always
/// passes). The widgets may be destroyed meanwhile; updates to them are
/// then dropped.

#include <QPointer>

#include <atomic>

#include "engine/core/Progress.h"

class QLabel;
class QProgressBar;

namespace medulla::ui {

class QueuedProgress final : public ProgressSink {
public:
    QueuedProgress(QProgressBar* bar, QLabel* label);
    void progress(double fraction, const std::string& message) override;

private:
    QPointer<QProgressBar> bar_;
    QPointer<QLabel> label_;
    std::atomic<long long> last_{0};
};

} // namespace medulla::ui
