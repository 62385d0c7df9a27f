#include "ui/panels/TrainPanel.h"

#include <QHBoxLayout>

#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>
#include <cmath>

#include <qcustomplot.h>

#include "ui/bridge/TrainingController.h"

namespace medulla::ui {

TrainPanel::TrainPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    experiment_ = new QLabel(tr("Experiment: (none)"), this);
    experiment_->setObjectName("experimentLabel");
    layout->addWidget(experiment_);
    auto* buttons = new QHBoxLayout;
    start_ = new QPushButton(tr("Train"), this);
    start_->setObjectName("trainButton");
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setObjectName("cancelButton");
    cancel_->setEnabled(false);
    buttons->addWidget(start_);
    buttons->addWidget(cancel_);
    layout->addLayout(buttons);
    progress_ = new QProgressBar(this);
    progress_->setObjectName("trainProgress");
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    progress_->setFormat("%p%");
    layout->addWidget(progress_);
    status_ = new QLabel(tr("Idle"), this);
    status_->setObjectName("trainStatus");
    status_->setWordWrap(true);
    layout->addWidget(status_);

    plot_ = new QCustomPlot(this);
    plot_->setObjectName("trainPlot");
    plot_->setMinimumHeight(220);
    plot_->addGraph(plot_->xAxis, plot_->yAxis); // iteration loss
    plot_->graph(0)->setName(tr("loss (iteration)"));
    plot_->graph(0)->setPen(QPen(QColor(120, 160, 230, 150), 1));
    plot_->addGraph(plot_->xAxis, plot_->yAxis); // epoch loss
    plot_->graph(1)->setName(tr("loss (epoch mean)"));
    plot_->graph(1)->setPen(QPen(QColor(30, 80, 200), 2));
    plot_->addGraph(plot_->xAxis, plot_->yAxis2); // validation Dice
    plot_->graph(2)->setName(tr("val mean Dice"));
    plot_->graph(2)->setPen(QPen(QColor(220, 90, 30), 2));
    plot_->graph(2)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    plot_->xAxis->setLabel(tr("epoch"));
    plot_->yAxis->setLabel(tr("Dice loss"));
    plot_->yAxis2->setVisible(true);
    plot_->yAxis2->setLabel(tr("validation Dice"));
    plot_->yAxis->setRange(0, 1);
    plot_->yAxis2->setRange(0, 1);
    plot_->xAxis->setRange(0, 1);
    plot_->legend->setVisible(true);
    plot_->legend->setFont(QFont(font().family(), 8));
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignRight | Qt::AlignVCenter);
    layout->addWidget(plot_, 1);

    connect(start_, &QPushButton::clicked, this, &TrainPanel::startRequested);
    connect(cancel_, &QPushButton::clicked, this, &TrainPanel::cancelRequested);
}

void TrainPanel::setExperimentName(const QString& name) {
    experiment_->setText(tr("Experiment: %1").arg(name));
}

int TrainPanel::lossPointCount() const {
    return plot_->graph(0)->dataCount();
}

int TrainPanel::dicePointCount() const {
    return plot_->graph(2)->dataCount();
}

void TrainPanel::clearCurves() {
    for (int i = 0; i < plot_->graphCount(); ++i)
        plot_->graph(i)->data()->clear();
    plot_->replot();
}

void TrainPanel::onStateChanged(JobState state) {
    const bool active = !isFinal(state) && state != JobState::Idle;
    start_->setEnabled(!active);
    cancel_->setEnabled(active && state != JobState::Cancelling);
    status_->setText(tr("State: %1").arg(toString(state)));
}

void TrainPanel::onPreparing(double fraction, const QString& what) {
    progress_->setValue(int(fraction * 1000));
    progress_->setFormat(tr("preparing: %1").arg(what));
}

void TrainPanel::onIterations(const QVector<IterationEvent>& events) {
    if (events.isEmpty())
        return;
    for (const auto& e : events) {
        const double x =
            (e.epoch - 1) + double(e.iteration) / double(std::max(1, e.iterationsPerEpoch));
        plot_->graph(0)->addData(x, e.loss);
    }
    const auto& last = events.back();
    progress_->setValue(
        last.totalSteps ? int(1000.0 * double(last.globalStep) / double(last.totalSteps)) : 0);
    progress_->setFormat(tr("epoch %1, iteration %2/%3, loss %4")
                             .arg(last.epoch)
                             .arg(last.iteration)
                             .arg(last.iterationsPerEpoch)
                             .arg(last.loss, 0, 'f', 4));
    plot_->xAxis->setRange(
        0, std::max(1.0, std::ceil((last.epoch - 1) +
                                   double(last.iteration) / std::max(1, last.iterationsPerEpoch))));
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void TrainPanel::onEpoch(const EpochEvent& e) {
    plot_->graph(1)->addData(e.epoch, e.meanLoss);
    if (e.valMeanDice >= 0)
        plot_->graph(2)->addData(e.epoch, e.valMeanDice);
    plot_->xAxis->setRange(0, std::max(1, e.epoch)); // the epochs so far fill the plot
    status_->setText(tr("Epoch %1/%2: loss %3, validation mean Dice %4 (best %5 at epoch %6), %7 s")
                         .arg(e.epoch)
                         .arg(e.maxEpochs)
                         .arg(e.meanLoss, 0, 'f', 4)
                         .arg(e.valMeanDice, 0, 'f', 4)
                         .arg(e.bestValMeanDice, 0, 'f', 4)
                         .arg(e.bestEpoch)
                         .arg(e.seconds, 0, 'f', 1));
    plot_->replot();
}

void TrainPanel::onFinished(JobState state, const QString& error) {
    onStateChanged(state);
    if (state == JobState::Completed) {
        progress_->setValue(1000);
        progress_->setFormat(tr("completed"));
    } else if (state == JobState::Cancelled) {
        progress_->setFormat(tr("cancelled"));
    } else {
        progress_->setFormat(tr("failed"));
        status_->setText(tr("Failed: %1").arg(error));
    }
}

void TrainPanel::onMessage(const QString& text) {
    status_->setText(text);
}

} // namespace medulla::ui
