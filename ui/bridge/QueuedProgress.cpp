#include "ui/bridge/QueuedProgress.h"

#include <QCoreApplication>
#include <QLabel>
#include <QProgressBar>

#include <chrono>

namespace medulla::ui {

QueuedProgress::QueuedProgress(QProgressBar* bar, QLabel* label) : bar_(bar), label_(label) {}

void QueuedProgress::progress(double fraction, const std::string& message) {
    const long long now = std::chrono::steady_clock::now().time_since_epoch().count();
    if (fraction < 1.0 && now - last_.load() < 50'000'000)
        return;
    last_ = now;
    QPointer<QProgressBar> bar = bar_;
    QPointer<QLabel> label = label_;
    const QString text = QString::fromStdString(message);
    const int value = int(fraction * 1000);
    QMetaObject::invokeMethod(
        QCoreApplication::instance(),
        [bar, label, value, text] {
            if (bar && bar->maximum() == 1000)
                bar->setValue(value);
            if (label)
                label->setText(text);
        },
        Qt::QueuedConnection);
}

} // namespace medulla::ui
