#pragma once
/// Reading a QSignalSpy on TrainingController::iterations (each signal
/// carries a batch of IterationEvents).

#include <QSignalSpy>
#include <QTest>
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

/// Waits until `spy` has received nothing new for 1.5 s: a run paused at
/// the click still finishes the iteration in flight, and its last batch of
/// events is flushed after that (later still on a loaded machine). False
/// when events kept coming for `maxMs` (the run did not pause).
inline bool waitUntilSettled(const QSignalSpy& spy, int maxMs = 30000) {
    int waited = 0;
    for (int quiet = 0, seen = int(spy.size()); quiet < 6; waited += 250) {
        if (waited >= maxMs)
            return false;
        QTest::qWait(250);
        quiet = int(spy.size()) == seen ? quiet + 1 : 0;
        seen = int(spy.size());
    }
    return true;
}

} // namespace medulla::ui::test
