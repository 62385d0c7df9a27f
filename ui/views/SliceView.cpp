#include "ui/views/SliceView.h"

#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <vector>

namespace medulla::ui {
namespace {
const char* kAxisNames[3] = {"Sagittal", "Coronal", "Axial"};

QRgb labelColor(int label) {
    static const QRgb colors[] = {qRgb(240, 70, 50),  qRgb(60, 200, 80),  qRgb(60, 110, 240),
                                  qRgb(240, 200, 40), qRgb(200, 80, 220), qRgb(40, 210, 210)};
    return colors[(label - 1) % 6];
}
} // namespace

SliceView::SliceView(int axis, QWidget* parent) : QWidget(parent), axis_(axis) {
    setMinimumSize(160, 160);
    setFocusPolicy(Qt::WheelFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

std::pair<int, int> SliceView::planeAxes() const {
    switch (axis_) {
    case 0:
        return {1, 2};
    case 1:
        return {0, 2};
    default:
        return {0, 1};
    }
}

int SliceView::sliceCount() const {
    if (!image_.isValid())
        return 0;
    const auto s = image_.spatialShape();
    return axis_ < int(s.size()) ? int(s[size_t(axis_)]) : 1;
}

namespace {
/// Channel 0 as float32 (1, X, Y, Z): 2D images get a Z axis of 1 and
/// non-finite voxels (NaN outside a statistics mask) become 0.
Volume displayable(const Volume& v) {
    if (!v.isValid())
        return {};
    at::Tensor t = v.toFloatCpu().data().narrow(0, 0, 1);
    if (t.dim() == 3)
        t = t.unsqueeze(-1);
    return Volume(t.nan_to_num(0.0, 0.0, 0.0).contiguous(), v.affine());
}
} // namespace

void SliceView::setImage(const Volume& image) {
    image_ = displayable(image);
    label_ = Volume();
    slice_ = sliceCount() / 2;
    resetWindow();
    update();
    Q_EMIT sliceChanged(slice_);
}

void SliceView::setLabel(const Volume& label) {
    label_ = displayable(label);
    if (label_.isValid() && image_.isValid() && label_.spatialShape() != image_.spatialShape())
        label_ = Volume(); // a mismatching overlay is not drawn
    update();
}

void SliceView::setSlice(int index) {
    const int n = sliceCount();
    if (n == 0)
        return;
    index = std::clamp(index, 0, n - 1);
    if (index == slice_)
        return;
    slice_ = index;
    update();
    Q_EMIT sliceChanged(slice_);
}

void SliceView::setWindowLevel(double window, double level) {
    window_ = std::max(window, 1e-6);
    level_ = level;
    update();
}

void SliceView::resetWindow() {
    if (!image_.isValid())
        return;
    const float* p = image_.floatData();
    const size_t n = size_t(image_.data().numel());
    const size_t stride = std::max<size_t>(1, n / 200000);
    std::vector<float> sample;
    for (size_t i = 0; i < n; i += stride)
        sample.push_back(p[i]);
    std::sort(sample.begin(), sample.end());
    const double lo = sample[size_t(0.01 * double(sample.size() - 1))];
    double hi = sample[size_t(0.99 * double(sample.size() - 1))];
    if (hi <= lo)
        hi = sample.back() > lo ? double(sample.back()) : lo + 1.0;
    autoWindow_ = hi - lo;
    autoLevel_ = (hi + lo) / 2;
    setWindowLevel(autoWindow_, autoLevel_);
}

QImage SliceView::renderSlice() const {
    if (!image_.isValid())
        return {};
    const auto shape = image_.spatialShape();
    const int64_t nx = shape[0], ny = shape[1], nz = shape.size() > 2 ? shape[2] : 1;
    const auto [ha, va] = planeAxes();
    const int w = int(shape[size_t(ha)]), h = int(ha == va ? 1 : shape[size_t(va)]);
    QImage img(w, h, QImage::Format_RGB32);
    const float* p = image_.floatData();
    const float* l = label_.isValid() ? label_.floatData() : nullptr;
    const double lo = level_ - window_ / 2;
    for (int row = 0; row < h; ++row) {
        QRgb* line = reinterpret_cast<QRgb*>(img.scanLine(row));
        const int v = h - 1 - row; // vertical axis increases upwards
        for (int u = 0; u < w; ++u) {
            int64_t idx[3] = {0, 0, 0};
            idx[axis_] = slice_;
            idx[ha] = u;
            idx[va] = v;
            const int64_t off = (idx[0] * ny + idx[1]) * nz + idx[2];
            const int g = int(std::clamp((double(p[off]) - lo) / window_, 0.0, 1.0) * 255.0);
            QRgb c = qRgb(g, g, g);
            if (l && l[off] > 0.5f) {
                const QRgb lc = labelColor(int(std::lround(l[off])));
                c = qRgb((g * 55 + qRed(lc) * 45) / 100, (g * 55 + qGreen(lc) * 45) / 100,
                         (g * 55 + qBlue(lc) * 45) / 100);
            }
            line[u] = c;
        }
    }
    (void)nx;
    return img;
}

void SliceView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), QColor(12, 12, 16));
    if (!image_.isValid()) {
        painter.setPen(QColor(140, 140, 150));
        painter.drawText(rect(), Qt::AlignCenter,
                         QString("%1\n(open a volume)").arg(kAxisNames[axis_]));
        return;
    }
    const QImage img = renderSlice();
    const auto [ha, va] = planeAxes();
    const Vec3 sp = image_.spacing();
    const double physW = img.width() * sp[size_t(ha)], physH = img.height() * sp[size_t(va)];
    const double scale = std::min(width() / physW, height() / physH);
    const QSizeF size(physW * scale, physH * scale);
    const QRectF target(QPointF((width() - size.width()) / 2, (height() - size.height()) / 2),
                        size);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(target, img);
    painter.setPen(QColor(230, 230, 120));
    painter.drawText(QRect(6, 4, width() - 12, 20), Qt::AlignLeft,
                     QString("%1  %2/%3").arg(kAxisNames[axis_]).arg(slice_ + 1).arg(sliceCount()));
    painter.drawText(QRect(6, height() - 22, width() - 12, 20), Qt::AlignLeft,
                     QString("W %1  L %2").arg(window_, 0, 'g', 4).arg(level_, 0, 'g', 4));
}

void SliceView::wheelEvent(QWheelEvent* e) {
    const int steps = e->angleDelta().y() / 120;
    setSlice(slice_ + (steps == 0 ? (e->angleDelta().y() > 0 ? 1 : -1) : steps));
}

void SliceView::mousePressEvent(QMouseEvent* e) {
    dragStart_ = e->pos();
    dragWindow_ = window_;
    dragLevel_ = level_;
}

void SliceView::mouseMoveEvent(QMouseEvent* e) {
    if (!(e->buttons() & Qt::RightButton))
        return;
    const QPoint d = e->pos() - dragStart_;
    const double unit = autoWindow_ / 200.0;
    setWindowLevel(dragWindow_ + d.x() * unit, dragLevel_ - d.y() * unit);
}

void SliceView::mouseDoubleClickEvent(QMouseEvent*) {
    setWindowLevel(autoWindow_, autoLevel_);
}

} // namespace medulla::ui
