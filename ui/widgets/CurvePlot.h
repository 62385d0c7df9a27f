#pragma once
/// The training curves of the studio's monitor: a QCustomPlot with the live
/// run's iteration loss (thin), epoch mean loss and validation metric (on
/// the right y axis), plus overlaid epoch curves of earlier runs (one colour
/// per run, its name in the legend). The x axis is epochs (an iteration i of
/// n in epoch e sits at e - 1 + i/n). Wheel zoom and drag pan; the axes
/// follow new data until the user zooms or drags (fitAll() brings it back).
/// GUI thread only.

#include <QVector>

#include <cmath>
#include <vector>

#include <qcustomplot.h>

#include "engine/services/RunFolders.h"
#include "engine/training/TrainingEvents.h"

namespace medulla::ui {

class CurvePlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit CurvePlot(QWidget* parent = nullptr);

    /// Remove the live curves (overlays stay).
    void clearLive();
    /// Append iteration losses (oldest first) and replot (queued).
    void addIterations(const QVector<medulla::IterationEvent>& events);
    /// Append the epoch mean loss and, when validated, the metric.
    void addEpoch(const medulla::EpochEvent& event);

    /// Points of the live curves.
    int lossPointCount() const;
    int epochPointCount() const;
    int valPointCount() const;

    /// Overlay the epoch loss and metric curves of `runs` (replacing earlier
    /// overlays): two graphs per run, named "<run> loss" / "<run> Dice" (or the metric column
    /// name).
    void setOverlays(const std::vector<medulla::RunSummary>& runs);
    int overlayGraphCount() const { return int(overlays_.size()); }

    /// Logarithmic (QCPAxisTickerLog) or linear loss axis.
    void setLogScale(bool on);
    bool logScale() const;

    /// Rescale the axes to all data and follow new data again.
    void fitAll();

    /// Write the plot as PNG (width x height in pixels; 0: widget size).
    /// False when the file cannot be written.
    bool exportPng(const QString& path, int width = 0, int height = 0);
    /// Write the live curves as CSV, one row per iteration point:
    /// "iteration,epoch,loss,mean_loss,val_metric" (iteration = global step;
    /// mean_loss and val_metric on the last iteration row of their epoch,
    /// else empty; 17 significant digits). False with `error` naming the
    /// file when it cannot be written.
    bool exportCsv(const QString& path, QString* error = nullptr) const;

private:
    struct Row {
        long long step = 0;
        int epoch = 0;
        double loss = 0;
        double meanLoss = NAN;
        double val = NAN;
    };
    void followData();

    QCPGraph* iterLoss_;
    QCPGraph* epochLoss_;
    QCPGraph* valMetric_;
    std::vector<QCPGraph*> overlays_;
    std::vector<Row> rows_;
    bool follow_ = true; ///< axes follow new data (until the user zooms/drags)
};

} // namespace medulla::ui
