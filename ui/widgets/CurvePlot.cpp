#include "ui/widgets/CurvePlot.h"

#include <QFile>
#include <QSaveFile>
#include <QTextStream>

#include <algorithm>

namespace medulla::ui {
namespace {

QColor runColour(int i) {
    static const QColor colours[] = {
        QColor(46, 160, 44),   QColor(148, 103, 189), QColor(140, 86, 75),  QColor(227, 119, 194),
        QColor(127, 127, 127), QColor(188, 189, 34),  QColor(23, 190, 207), QColor(214, 39, 40)};
    return colours[i % 8];
}

QString num(double v) {
    return std::isfinite(v) ? QString::number(v, 'g', 17) : QString();
}

} // namespace

CurvePlot::CurvePlot(QWidget* parent) : QCustomPlot(parent) {
    setObjectName("curvePlot");
    setMinimumHeight(220);
    iterLoss_ = addGraph(xAxis, yAxis);
    iterLoss_->setName(tr("loss (iteration)"));
    iterLoss_->setPen(QPen(QColor(120, 160, 230, 160), 1));
    epochLoss_ = addGraph(xAxis, yAxis);
    epochLoss_->setName(tr("loss (epoch mean)"));
    epochLoss_->setPen(QPen(QColor(30, 80, 200), 2));
    epochLoss_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    valMetric_ = addGraph(xAxis, yAxis2);
    valMetric_->setName(tr("val mean Dice"));
    valMetric_->setPen(QPen(QColor(220, 90, 30), 2));
    valMetric_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    xAxis->setLabel(tr("epoch"));
    yAxis->setLabel(tr("loss"));
    yAxis2->setVisible(true);
    yAxis2->setLabel(tr("validation metric"));
    xAxis->setRange(0, 1);
    yAxis->setRange(0, 1);
    yAxis2->setRange(0, 1);
    // the legend in a row below the axes, where it never hides a curve
    legend->setVisible(true);
    legend->setFont(QFont(font().family(), 8));
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(3);
    legend->setBorderPen(Qt::NoPen);
    axisRect()->insetLayout()->take(legend);
    plotLayout()->addElement(1, 0, legend);
    plotLayout()->setRowStretchFactor(1, 0.001);
    plotLayout()->setRowSpacing(0);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    axisRect()->setRangeDragAxes({xAxis, yAxis, yAxis2});
    axisRect()->setRangeZoomAxes({xAxis, yAxis, yAxis2});
    // the user took over the view: stop following new data
    connect(this, &QCustomPlot::mouseWheel, this, [this] { follow_ = false; });
    connect(this, &QCustomPlot::mousePress, this, [this] { follow_ = false; });
    connect(this, &QCustomPlot::mouseDoubleClick, this, [this] { fitAll(); });
}

void CurvePlot::clearLive() {
    iterLoss_->data()->clear();
    epochLoss_->data()->clear();
    valMetric_->data()->clear();
    rows_.clear();
    follow_ = true;
    followData();
    replot();
}

void CurvePlot::addIterations(const QVector<IterationEvent>& events) {
    if (events.isEmpty())
        return;
    for (const auto& e : events) {
        const double x =
            (e.epoch - 1) + double(e.iteration) / double(std::max(1, e.iterationsPerEpoch));
        iterLoss_->addData(x, e.loss);
        Row r;
        r.step = e.globalStep;
        r.epoch = e.epoch;
        r.loss = e.loss;
        rows_.push_back(r);
    }
    followData();
    replot(QCustomPlot::rpQueuedReplot);
}

void CurvePlot::addEpoch(const EpochEvent& e) {
    epochLoss_->addData(e.epoch, e.meanLoss);
    if (e.valMeanDice >= 0)
        valMetric_->addData(e.epoch, e.valMeanDice);
    for (auto it = rows_.rbegin(); it != rows_.rend(); ++it)
        if (it->epoch == e.epoch) {
            it->meanLoss = e.meanLoss;
            it->val = e.valMeanDice >= 0 ? e.valMeanDice : NAN;
            break;
        }
    followData();
    replot(QCustomPlot::rpQueuedReplot);
}

int CurvePlot::lossPointCount() const {
    return iterLoss_->dataCount();
}
int CurvePlot::epochPointCount() const {
    return epochLoss_->dataCount();
}
int CurvePlot::valPointCount() const {
    return valMetric_->dataCount();
}

void CurvePlot::setOverlays(const std::vector<RunSummary>& runs) {
    for (QCPGraph* g : overlays_)
        removeGraph(g);
    overlays_.clear();
    int i = 0;
    for (const auto& run : runs) {
        const QColor c = runColour(i++);
        const QString name = QString::fromStdString(run.name);
        QCPGraph* loss = addGraph(xAxis, yAxis);
        loss->setName(tr("%1 loss").arg(name));
        loss->setPen(QPen(c, 1.5, Qt::DashLine));
        loss->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
        for (size_t k = 0; k < run.lossEpochs.size(); ++k)
            loss->addData(run.lossEpochs[k], run.epochLoss[k]);
        QCPGraph* metric = addGraph(xAxis, yAxis2);
        // "val_mean_dice" reads as "Dice" in the legend
        const QString metricName = QString::fromStdString(run.metricName);
        metric->setName(tr("%1 %2").arg(name, metricName.isEmpty() ? tr("metric")
                                              : metricName.contains("dice", Qt::CaseInsensitive)
                                                  ? tr("Dice")
                                                  : metricName));
        metric->setPen(QPen(c, 1.5, Qt::DotLine));
        metric->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangle, 6));
        for (size_t k = 0; k < run.metricEpochs.size(); ++k)
            if (std::isfinite(run.metric[k]))
                metric->addData(run.metricEpochs[k], run.metric[k]);
        overlays_.push_back(loss);
        overlays_.push_back(metric);
    }
    follow_ = true;
    followData();
    replot();
}

void CurvePlot::setLogScale(bool on) {
    if (on) {
        yAxis->setScaleType(QCPAxis::stLogarithmic);
        yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    } else {
        yAxis->setScaleType(QCPAxis::stLinear);
        yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
    followData();
    if (!follow_) { // keep a valid range for the new scale
        bool found = false;
        const QCPRange r = iterLoss_->getValueRange(found, QCP::sdBoth);
        if (found)
            yAxis->setRange(r);
    }
    replot();
}

bool CurvePlot::logScale() const {
    return yAxis->scaleType() == QCPAxis::stLogarithmic;
}

void CurvePlot::fitAll() {
    follow_ = true;
    followData();
    replot();
}

void CurvePlot::followData() {
    if (!follow_)
        return;
    bool any = false;
    for (int i = 0; i < graphCount(); ++i)
        any = any || graph(i)->dataCount() > 0;
    if (!any) {
        xAxis->setRange(0, 1);
        yAxis->setRange(logScale() ? QCPRange(0.01, 1) : QCPRange(0, 1));
        yAxis2->setRange(0, 1);
        return;
    }
    rescaleAxes();
    // epochs from 0; the metric axis 0..1 (Dice); a little headroom on loss
    xAxis->setRange(0, std::max(1.0, std::ceil(xAxis->range().upper)));
    const QCPRange y = yAxis->range();
    if (logScale())
        yAxis->setRange(y.lower / 1.2, y.upper * 1.2);
    else
        yAxis->setRange(std::min(0.0, y.lower), y.upper * 1.05 + 1e-9);
    yAxis2->setRange(0, std::max(1.0, yAxis2->range().upper));
}

bool CurvePlot::exportPng(const QString& path, int width, int height) {
    return savePng(path, width, height);
}

bool CurvePlot::exportCsv(const QString& path, QString* error) const {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error)
            *error = tr("%1: %2").arg(path, f.errorString());
        return false;
    }
    QTextStream out(&f);
    out << "iteration,epoch,loss,mean_loss,val_metric\n";
    for (const auto& r : rows_)
        out << r.step << ',' << r.epoch << ',' << num(r.loss) << ',' << num(r.meanLoss) << ','
            << num(r.val) << '\n';
    out.flush();
    if (!f.commit()) {
        if (error)
            *error = tr("%1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

} // namespace medulla::ui
