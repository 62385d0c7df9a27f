#include "ui/bridge/Background.h"

#include <QThread>
#include <QThreadPool>

#include "engine/core/Threads.h"

namespace medulla::ui {

namespace {

/// Lowers a pool thread's priority once, the first time it runs a task.
thread_local bool lowered = false;

} // namespace

QThreadPool* backgroundPool() {
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool; // leaked on purpose: tasks may outlive main's objects
        p->setMaxThreadCount(std::max(4, QThread::idealThreadCount()));
        p->setObjectName("medulla-background");
        return p;
    }();
    return pool;
}

void enterBackgroundPriority() {
    if (!lowered) {
        lowerThreadPriority();
        lowered = true;
    }
}

void runInBackground(std::function<void()> task) {
    backgroundPool()->start([task = std::move(task)] {
        enterBackgroundPriority();
        task();
    });
}

} // namespace medulla::ui
