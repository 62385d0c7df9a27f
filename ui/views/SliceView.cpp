#include "ui/views/SliceView.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <vector>

namespace medulla::ui {
namespace {

/// Channel 0 as float32 (1, X, Y, Z): 2D images get a Z axis of 1 and
/// non-finite voxels (NaN outside a statistics mask) become 0.
/// Channel 0 as float32, contiguous, NaN/inf as 0. Runs on the GUI thread,
/// so it copies only when it must and scans with a plain loop (an ATen
/// kernel here would start a parallel region that waits for threads a busy
/// machine may not schedule at once).
Volume displayable(const Volume& v) {
    if (!v.isValid())
        return {};
    at::Tensor t = v.toFloatCpu().data().narrow(0, 0, 1);
    if (t.dim() == 3)
        t = t.unsqueeze(-1);
    if (!t.is_contiguous())
        t = t.contiguous();
    const float* p = t.data_ptr<float>();
    const int64_t n = t.numel();
    int64_t bad = 0;
    while (bad < n && std::isfinite(p[bad]))
        ++bad;
    if (bad < n) {
        t = t.clone();
        float* q = t.data_ptr<float>();
        for (int64_t i = bad; i < n; ++i)
            if (!std::isfinite(q[i]))
                q[i] = 0.0f;
    }
    return Volume(t, v.affine());
}

int labelAt(const float* l, int64_t off) {
    return l ? int(std::lround(l[off])) : 0;
}

} // namespace

SliceView::SliceView(int axis, QWidget* parent) : QWidget(parent), axis_(std::clamp(axis, 0, 2)) {
    setMinimumSize(160, 160);
    setFocusPolicy(Qt::WheelFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(true);
    updateOrientation();
}

std::array<int, 3> SliceView::worldAxes(const Affine& affine, std::array<int, 3>* signs) {
    const Mat3 d = affine.direction(); // d[world][voxel]
    std::array<int, 3> perm{0, 1, 2}, best = perm;
    double bestScore = -1;
    do {
        double s = 0;
        for (int a = 0; a < 3; ++a)
            s += std::abs(d[size_t(perm[size_t(a)])][size_t(a)]);
        if (s > bestScore + 1e-9) {
            bestScore = s;
            best = perm;
        }
    } while (std::next_permutation(perm.begin(), perm.end()));
    if (signs)
        for (size_t a = 0; a < 3; ++a)
            (*signs)[a] = d[size_t(best[a])][a] < 0 ? -1 : 1;
    return best;
}

void SliceView::updateOrientation() {
    std::array<int, 3> signs{1, 1, 1};
    const std::array<int, 3> world =
        worldAxes(image_.isValid() ? image_.affine() : Affine(), &signs);
    int a = (axis_ + 1) % 3, b = (axis_ + 2) % 3;
    // Horizontal: the in-plane axis along world x (axial, coronal), or along
    // world y in a sagittal view (no in-plane x there).
    const int want = world[size_t(axis_)] == 0 ? 1 : 0;
    if (world[size_t(b)] == want)
        std::swap(a, b);
    ha_ = a;
    va_ = b;
    // Screen right is world -x (patient left) or -y (posterior): the index
    // grows to the right when its axis points along the negative world axis.
    hRight_ = signs[size_t(ha_)] < 0;
    // Screen up is world +y (axial) or +z.
    vUp_ = signs[size_t(va_)] > 0;
    invalidate();
}

QString SliceView::viewName() const {
    static const char* names[3] = {"Sagittal", "Coronal", "Axial"};
    const auto world = worldAxes(image_.isValid() ? image_.affine() : Affine());
    return QString::fromLatin1(names[world[size_t(axis_)]]);
}

void SliceView::setAxis(int axis) {
    axis_ = std::clamp(axis, 0, 2);
    updateOrientation();
    slice_ = -1;
    setSlice(image_.isValid() ? cursor_[size_t(axis_)] : 0);
    resetView();
}

int SliceView::sliceCount() const {
    if (!image_.isValid())
        return 0;
    const auto s = image_.spatialShape();
    return int(s[size_t(axis_)]);
}

QSize SliceView::planeSize() const {
    if (!image_.isValid())
        return {};
    const auto s = image_.spatialShape();
    return {int(s[size_t(ha_)]), int(s[size_t(va_)])};
}

int SliceView::colToIndex(int col) const {
    return hRight_ ? col : planeSize().width() - 1 - col;
}

int SliceView::rowToIndex(int row) const {
    return vUp_ ? planeSize().height() - 1 - row : row;
}

void SliceView::invalidate() {
    dirty_ = true;
    update();
}

void SliceView::setImage(const Volume& image) {
    image_ = displayable(image);
    label_ = prediction_ = Volume();
    updateOrientation();
    if (image_.isValid()) {
        const auto s = image_.spatialShape();
        cursor_ = {int(s[0] / 2), int(s[1] / 2), int(s[2] / 2)};
    }
    slice_ = sliceCount() / 2;
    zoom_ = 1;
    pan_ = {};
    resetWindow();
    invalidate();
    Q_EMIT sliceChanged(slice_);
}

void SliceView::setLabel(const Volume& label) {
    label_ = displayable(label);
    if (label_.isValid() && image_.isValid() && label_.spatialShape() != image_.spatialShape())
        label_ = Volume(); // a mismatching overlay is not drawn
    invalidate();
}

void SliceView::setPrediction(const Volume& prediction) {
    prediction_ = displayable(prediction);
    if (prediction_.isValid() && image_.isValid() &&
        prediction_.spatialShape() != image_.spatialShape())
        prediction_ = Volume();
    invalidate();
}

void SliceView::setOverlayOpacity(double opacity) {
    opacity_ = std::clamp(opacity, 0.0, 1.0);
    invalidate();
}

void SliceView::setLabelVisible(bool on) {
    showLabel_ = on;
    invalidate();
}

void SliceView::setPredictionVisible(bool on) {
    showPrediction_ = on;
    invalidate();
}

void SliceView::setColorTable(const LabelColors& colors) {
    colors_ = colors;
    invalidate();
}

void SliceView::setSlice(int index) {
    const int n = sliceCount();
    if (n == 0)
        return;
    index = std::clamp(index, 0, n - 1);
    if (index == slice_)
        return;
    slice_ = index;
    cursor_[size_t(axis_)] = index;
    invalidate();
    Q_EMIT sliceChanged(slice_);
}

void SliceView::setWindowLevel(double window, double level) {
    window_ = std::max(window, 1e-6);
    level_ = level;
    invalidate();
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
    // two selections instead of a sort: the window is set on the GUI thread
    const auto at = [&sample](double q) {
        auto k = sample.begin() + std::ptrdiff_t(q * double(sample.size() - 1));
        std::nth_element(sample.begin(), k, sample.end());
        return double(*k);
    };
    const double lo = at(0.01);
    double hi = at(0.99);
    if (hi <= lo)
        hi = sample.back() > lo ? double(sample.back()) : lo + 1.0;
    autoWindow_ = hi - lo;
    autoLevel_ = (hi + lo) / 2;
    setWindowLevel(autoWindow_, autoLevel_);
}

void SliceView::setCursorVoxel(const Voxel& v) {
    if (!image_.isValid())
        return;
    const auto s = image_.spatialShape();
    for (size_t a = 0; a < 3; ++a)
        cursor_[a] = std::clamp(v[a], 0, int(s[a]) - 1);
    showCrosshair_ = true;
    const int before = slice_;
    slice_ = cursor_[size_t(axis_)];
    invalidate();
    if (slice_ != before)
        Q_EMIT sliceChanged(slice_);
}

void SliceView::setCrosshairVisible(bool on) {
    showCrosshair_ = on;
    update();
}

QRectF SliceView::imageRect() const {
    const QSize ps = planeSize();
    if (ps.isEmpty())
        return {};
    const Vec3 sp = image_.spacing();
    const double physW = ps.width() * sp[size_t(ha_)], physH = ps.height() * sp[size_t(va_)];
    const double scale = std::min(width() / physW, height() / physH) * zoom_;
    const QSizeF size(physW * scale, physH * scale);
    const QPointF centre = QPointF(width() / 2.0, height() / 2.0) + pan_;
    return {centre - QPointF(size.width() / 2, size.height() / 2), size};
}

bool SliceView::voxelAt(QPointF pos, Voxel* voxel) const {
    const QRectF r = imageRect();
    if (r.isEmpty() || !r.contains(pos))
        return false;
    const QSize ps = planeSize();
    const int col =
        std::clamp(int((pos.x() - r.left()) / r.width() * ps.width()), 0, ps.width() - 1);
    const int row =
        std::clamp(int((pos.y() - r.top()) / r.height() * ps.height()), 0, ps.height() - 1);
    Voxel v = cursor_;
    v[size_t(axis_)] = slice_;
    v[size_t(ha_)] = colToIndex(col);
    v[size_t(va_)] = rowToIndex(row);
    if (voxel)
        *voxel = v;
    return true;
}

QPointF SliceView::widgetPos(const Voxel& v) const {
    const QRectF r = imageRect();
    const QSize ps = planeSize();
    if (r.isEmpty())
        return {};
    const int col = colToIndex(v[size_t(ha_)]); // the mapping is its own inverse
    const int row = rowToIndex(v[size_t(va_)]);
    return {r.left() + (col + 0.5) * r.width() / ps.width(),
            r.top() + (row + 0.5) * r.height() / ps.height()};
}

void SliceView::zoomBy(double factor, QPointF anchor) {
    const QRectF r = imageRect();
    if (r.isEmpty())
        return;
    const double z = std::clamp(zoom_ * factor, 0.25, 32.0);
    const double f = z / zoom_;
    // keep the image point under `anchor` where it is
    const QPointF topLeft = anchor - (anchor - r.topLeft()) * f;
    const QSizeF size = r.size() * f;
    zoom_ = z;
    pan_ = topLeft + QPointF(size.width() / 2, size.height() / 2) -
           QPointF(width() / 2.0, height() / 2.0);
    update();
    Q_EMIT viewChanged();
}

void SliceView::resetView() {
    zoom_ = 1;
    pan_ = {};
    update();
    Q_EMIT viewChanged();
}

QImage SliceView::renderSlice() const {
    if (!image_.isValid())
        return {};
    if (!dirty_ && !cache_.isNull())
        return cache_;
    const auto shape = image_.spatialShape();
    const int64_t ny = shape[1], nz = shape[2];
    const QSize ps = planeSize();
    const int w = ps.width(), h = ps.height();
    QImage img(w, h, QImage::Format_RGB32);
    const float* p = image_.floatData();
    const float* l = label_.isValid() && showLabel_ ? label_.floatData() : nullptr;
    const float* pr = prediction_.isValid() && showPrediction_ ? prediction_.floatData() : nullptr;
    const double lo = level_ - window_ / 2;
    auto offset = [&](int col, int row) {
        int64_t idx[3];
        idx[axis_] = slice_;
        idx[ha_] = colToIndex(col);
        idx[va_] = rowToIndex(row);
        return (idx[0] * ny + idx[1]) * nz + idx[2];
    };
    const int alpha = int(std::lround(opacity_ * 256));
    for (int row = 0; row < h; ++row) {
        QRgb* line = reinterpret_cast<QRgb*>(img.scanLine(row));
        for (int col = 0; col < w; ++col) {
            const int64_t off = offset(col, row);
            const int g = int(std::clamp((double(p[off]) - lo) / window_, 0.0, 1.0) * 255.0);
            int r = g, gr = g, b = g;
            if (const int lab = labelAt(l, off); lab > 0 && alpha > 0) {
                const QColor c = colors_.color(lab);
                r = (g * (256 - alpha) + c.red() * alpha) >> 8;
                gr = (g * (256 - alpha) + c.green() * alpha) >> 8;
                b = (g * (256 - alpha) + c.blue() * alpha) >> 8;
            }
            if (const int pv = labelAt(pr, off); pv > 0) {
                // outline: a prediction voxel with an in-plane neighbour of
                // another value (or the image border)
                const bool edge = col == 0 || row == 0 || col == w - 1 || row == h - 1 ||
                                  labelAt(pr, offset(col - 1, row)) != pv ||
                                  labelAt(pr, offset(col + 1, row)) != pv ||
                                  labelAt(pr, offset(col, row - 1)) != pv ||
                                  labelAt(pr, offset(col, row + 1)) != pv;
                if (edge) {
                    const QColor c = colors_.outlineColor(pv);
                    r = c.red();
                    gr = c.green();
                    b = c.blue();
                }
            }
            line[col] = qRgb(r, gr, b);
        }
    }
    cache_ = img;
    dirty_ = false;
    return img;
}

void SliceView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), QColor(12, 12, 16));
    if (!image_.isValid()) {
        painter.setPen(QColor(140, 140, 150));
        painter.drawText(rect(), Qt::AlignCenter, QString("%1\n(open a volume)").arg(viewName()));
        return;
    }
    const QRectF target = imageRect();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(target, renderSlice());
    if (showCrosshair_) {
        const QPointF c = widgetPos(cursor_);
        QPen pen(QColor(80, 220, 255, 200));
        pen.setWidthF(1.0);
        painter.setPen(pen);
        const double gap = 6;
        painter.drawLine(QPointF(target.left(), c.y()), QPointF(c.x() - gap, c.y()));
        painter.drawLine(QPointF(c.x() + gap, c.y()), QPointF(target.right(), c.y()));
        painter.drawLine(QPointF(c.x(), target.top()), QPointF(c.x(), c.y() - gap));
        painter.drawLine(QPointF(c.x(), c.y() + gap), QPointF(c.x(), target.bottom()));
    }
    painter.setPen(QColor(230, 230, 120));
    painter.drawText(QRect(6, 4, width() - 12, 20), Qt::AlignLeft,
                     QString("%1  %2/%3").arg(viewName()).arg(slice_ + 1).arg(sliceCount()));
    painter.drawText(QRect(6, height() - 22, width() - 12, 20), Qt::AlignLeft,
                     QString("W %1  L %2").arg(window_, 0, 'g', 4).arg(level_, 0, 'g', 4));
    if (zoom_ != 1.0)
        painter.drawText(QRect(6, height() - 22, width() - 12, 20), Qt::AlignRight,
                         QString("%1x").arg(zoom_, 0, 'g', 3));
}

void SliceView::wheelEvent(QWheelEvent* e) {
    const int dy = e->angleDelta().y();
    if (dy == 0)
        return;
    if (e->modifiers() & Qt::ControlModifier) {
        zoomBy(std::pow(1.25, dy / 120.0), e->position());
        return;
    }
    const int steps = dy / 120;
    setSlice(slice_ + (steps == 0 ? (dy > 0 ? 1 : -1) : steps));
}

void SliceView::mousePressEvent(QMouseEvent* e) {
    dragStart_ = e->pos();
    dragWindow_ = window_;
    dragLevel_ = level_;
    dragPan_ = pan_;
    drag_ = Drag::None;
    if (e->button() == Qt::MiddleButton ||
        (e->button() == Qt::LeftButton && (e->modifiers() & Qt::ShiftModifier))) {
        drag_ = Drag::Pan;
    } else if (e->button() == Qt::RightButton) {
        drag_ = Drag::Window;
    } else if (e->button() == Qt::LeftButton) {
        drag_ = Drag::Cursor;
        Voxel v;
        if (voxelAt(e->position(), &v)) {
            setCursorVoxel(v);
            Q_EMIT voxelClicked(v[0], v[1], v[2]);
        }
    }
}

void SliceView::mouseMoveEvent(QMouseEvent* e) {
    Voxel v;
    const bool inside = voxelAt(e->position(), &v);
    if (e->buttons() == Qt::NoButton) {
        drag_ = Drag::None;
        if (inside)
            Q_EMIT voxelHovered(v[0], v[1], v[2]);
        return;
    }
    const QPoint d = e->pos() - dragStart_;
    switch (drag_) {
    case Drag::Window: {
        const double unit = autoWindow_ / 200.0;
        setWindowLevel(dragWindow_ + d.x() * unit, dragLevel_ - d.y() * unit);
        Q_EMIT windowLevelEdited(window_, level_);
        break;
    }
    case Drag::Pan:
        pan_ = dragPan_ + QPointF(d);
        update();
        Q_EMIT viewChanged();
        break;
    case Drag::Cursor:
        if (inside && v != cursor_) {
            setCursorVoxel(v);
            Q_EMIT voxelClicked(v[0], v[1], v[2]);
        }
        break;
    case Drag::None:
        break;
    }
}

void SliceView::mouseDoubleClickEvent(QMouseEvent*) {
    resetView();
    setWindowLevel(autoWindow_, autoLevel_);
    Q_EMIT windowLevelEdited(window_, level_);
}

void SliceView::keyPressEvent(QKeyEvent* e) {
    if (e->key() == Qt::Key_R) {
        resetView();
        return;
    }
    if (e->key() == Qt::Key_Up || e->key() == Qt::Key_PageUp) {
        setSlice(slice_ + 1);
        return;
    }
    if (e->key() == Qt::Key_Down || e->key() == Qt::Key_PageDown) {
        setSlice(slice_ - 1);
        return;
    }
    QWidget::keyPressEvent(e);
}

} // namespace medulla::ui
