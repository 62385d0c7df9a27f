#pragma once
/// Reading a QSignalSpy on TrainingController::iterations (each signal
/// carries a batch of IterationEvents).

#include <QSignalSpy>
#include <QVector>

#include "ui/bridge/TrainingController.h"

namespace medulla::ui::test {

/// Every event the spy received, in order.
inline QVector<IterationEvent> allEvents(const QSignalSpy& spy) {
    QVector<IterationEvent> all;
    for (const auto& args : spy)
        all += args.at(0).value<QVector<IterationEvent>>();
    return all;
}

inline int totalEvents(const QSignalSpy& spy) {
    return int(allEvents(spy).size());
}

/// The last event received (a default one when none).
inline IterationEvent lastEvent(const QSignalSpy& spy) {
    const QVector<IterationEvent> all = allEvents(spy);
    return all.isEmpty() ? IterationEvent{} : all.back();
}

} // namespace medulla::ui::test
