#include "ui/views/ViewerWidget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "ui/views/VolumeView.h"
#include "ui/views/WindowPresets.h"

namespace medulla::ui {
namespace {
const char* kCustom = "Custom";

bool sameGrid(const Volume& a, const Volume& b) {
    return a.isValid() && b.isValid() && a.spatialShape() == b.spatialShape();
}

/// Voxel value of channel 0 as text, "-" outside the volume.
QString valueText(const Volume& v, const Voxel& p) {
    if (!v.isValid())
        return QStringLiteral("-");
    const auto s = v.spatialShape();
    for (size_t a = 0; a < s.size() && a < 3; ++a)
        if (p[a] < 0 || p[a] >= s[a])
            return QStringLiteral("-");
    return QString::number(v.valueAt(0, p[0], p[1], s.size() > 2 ? p[2] : 0), 'g', 6);
}
} // namespace

ViewerWidget::ViewerWidget(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(3);

    // toolbar
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 0);
    presets_ = new QComboBox(this);
    for (const auto& p : windowPresets())
        presets_->addItem(p.name);
    presets_->addItem(kCustom);
    presets_->setToolTip(tr("Window/level preset (right-drag in a view to adjust)"));
    opacity_ = new QSlider(Qt::Horizontal, this);
    opacity_->setRange(0, 100);
    opacity_->setValue(45);
    opacity_->setMaximumWidth(120);
    opacity_->setToolTip(tr("Label overlay opacity"));
    colorTable_ = new QComboBox(this);
    colorTable_->addItems(LabelColors::tableNames());
    colorTable_->setToolTip(tr("Label colour table"));
    showLabel_ = new QCheckBox(tr("Label"), this);
    showLabel_->setChecked(true);
    showPrediction_ = new QCheckBox(tr("Prediction"), this);
    showPrediction_->setChecked(true);
    showVolume_ = new QCheckBox(tr("3D volume"), this);
    showVolume_->setChecked(true);
    showVolume_->setToolTip(tr("Volume rendering in the 3D view (surfaces stay)"));
    screenshot_ = new QPushButton(tr("Screenshot"), this);
    bar->addWidget(new QLabel(tr("W/L"), this));
    bar->addWidget(presets_);
    bar->addSpacing(8);
    bar->addWidget(new QLabel(tr("Opacity"), this));
    bar->addWidget(opacity_);
    bar->addWidget(colorTable_);
    bar->addWidget(showLabel_);
    bar->addWidget(showPrediction_);
    bar->addWidget(showVolume_);
    bar->addStretch(1);
    bar->addWidget(screenshot_);
    layout->addLayout(bar);

    // 2x2 views
    grid_ = new QWidget(this);
    auto* grid = new QGridLayout(grid_);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(3);
    slices_[Axial] = new SliceView(2, grid_);
    slices_[Coronal] = new SliceView(1, grid_);
    slices_[Sagittal] = new SliceView(0, grid_);
    volumeView_ = new VolumeView(grid_);
    grid->addWidget(slices_[Axial], 0, 0);
    grid->addWidget(volumeView_, 0, 1);
    grid->addWidget(slices_[Coronal], 1, 0);
    grid->addWidget(slices_[Sagittal], 1, 1);
    layout->addWidget(grid_, 1);

    readout_ = new QLabel(this);
    readout_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    readout_->setContentsMargins(6, 0, 6, 2);
    readout_->setText(tr("No image"));
    layout->addWidget(readout_);

    for (SliceView* s : slices_) {
        connect(s, &SliceView::voxelClicked, this,
                [this](int i, int j, int k) { setCursorVoxel(i, j, k); });
        connect(s, &SliceView::voxelHovered, this, [this](int i, int j, int k) {
            onHover({i, j, k});
        });
        connect(s, &SliceView::windowLevelEdited, this, &ViewerWidget::syncWindow);
    }
    connect(presets_, qOverload<int>(&QComboBox::activated), this, &ViewerWidget::onPresetChosen);
    connect(opacity_, &QSlider::valueChanged, this, [this](int v) {
        for (SliceView* s : slices_)
            s->setOverlayOpacity(v / 100.0);
    });
    connect(colorTable_, &QComboBox::currentTextChanged, this,
            [this](const QString& name) { setColorTable(name); });
    connect(showLabel_, &QCheckBox::toggled, this, &ViewerWidget::setLabelVisible);
    connect(showPrediction_, &QCheckBox::toggled, this, &ViewerWidget::setPredictionVisible);
    connect(showVolume_, &QCheckBox::toggled, volumeView_, &VolumeView::setVolumeVisible);
    connect(screenshot_, &QPushButton::clicked, this, [this] {
        if (!interactive_)
            return;
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save screenshot"), QStringLiteral("viewer.png"), tr("PNG images (*.png)"));
        if (!path.isEmpty())
            saveScreenshot(path);
    });
}

void ViewerWidget::setImage(const Volume& image, const QString& name) {
    image_ = image.isValid() ? image.toFloatCpu() : Volume();
    label_ = prediction_ = Volume();
    name_ = name;
    status_.clear();
    hover_ = {-1, -1, -1};
    // the view holding world z fixed is the axial one, and so on
    const auto world = SliceView::worldAxes(image_.isValid() ? image_.affine() : Affine());
    for (int a = 0; a < 3; ++a) {
        const int w = world[size_t(a)]; // 0 x -> sagittal, 1 y -> coronal, 2 z -> axial
        slices_[w == 2 ? Axial : w == 1 ? Coronal : Sagittal]->setAxis(a);
    }
    for (SliceView* s : slices_)
        s->setImage(image_);
    volumeView_->setLabel(Volume());
    volumeView_->setPrediction(Volume());
    if (image_.isValid())
        volumeView_->setVolume(image_);
    presets_->setCurrentIndex(0);
    onPresetChosen(0);
    cursor_ = slices_[Axial]->cursorVoxel();
    setCursorVoxel(cursor_[0], cursor_[1], cursor_[2]);
}

void ViewerWidget::setLabel(const Volume& label) {
    status_.clear();
    label_ = label;
    if (label.isValid() && !sameGrid(label, image_)) {
        status_ = tr("label size does not match the image; not shown");
        label_ = Volume();
    }
    for (SliceView* s : slices_)
        s->setLabel(label_);
    volumeView_->setLabel(label_);
    updateReadout();
}

void ViewerWidget::setPrediction(const Volume& prediction) {
    status_.clear();
    prediction_ = prediction;
    if (prediction.isValid() && !sameGrid(prediction, image_)) {
        status_ = tr("prediction size does not match the image; not shown");
        prediction_ = Volume();
    }
    for (SliceView* s : slices_)
        s->setPrediction(prediction_);
    volumeView_->setPrediction(prediction_);
    updateReadout();
}

void ViewerWidget::clearOverlays() {
    setLabel(Volume());
    setPrediction(Volume());
}

void ViewerWidget::setCursorVoxel(int i, int j, int k) {
    if (!image_.isValid())
        return;
    const auto s = image_.spatialShape();
    const Voxel v{std::clamp(i, 0, int(s[0]) - 1), std::clamp(j, 0, int(s[1]) - 1),
                  std::clamp(k, 0, s.size() > 2 ? int(s[2]) - 1 : 0)};
    cursor_ = v;
    hover_ = v;
    for (SliceView* sv : slices_)
        sv->setCursorVoxel(v);
    updateReadout();
    Q_EMIT cursorMoved(v[0], v[1], v[2]);
}

void ViewerWidget::setWindowLevel(double window, double level) {
    for (SliceView* s : slices_)
        s->setWindowLevel(window, level);
}

double ViewerWidget::window() const {
    return slices_[Axial]->window();
}

double ViewerWidget::level() const {
    return slices_[Axial]->level();
}

bool ViewerWidget::applyPreset(const QString& name) {
    const int index = presets_->findText(name);
    if (index < 0 || name == kCustom)
        return false;
    presets_->setCurrentIndex(index);
    onPresetChosen(index);
    return true;
}

void ViewerWidget::onPresetChosen(int index) {
    const WindowPreset* p = findWindowPreset(presets_->itemText(index));
    if (!p)
        return; // "Custom": keep what the mouse set
    if (p->automatic)
        setWindowLevel(slices_[Axial]->autoWindow(), slices_[Axial]->autoLevel());
    else
        setWindowLevel(p->window, p->level);
}

void ViewerWidget::syncWindow(double window, double level) {
    setWindowLevel(window, level);
    presets_->setCurrentIndex(presets_->findText(kCustom));
}

void ViewerWidget::setOverlayOpacity(double opacity) {
    opacity_->setValue(int(std::lround(std::clamp(opacity, 0.0, 1.0) * 100)));
}

double ViewerWidget::overlayOpacity() const {
    return opacity_->value() / 100.0;
}

void ViewerWidget::setColorTable(const QString& name) {
    const LabelColors colors(name);
    if (colorTable_->currentText() != colors.name())
        colorTable_->setCurrentText(colors.name()); // comes back here once
    for (SliceView* s : slices_)
        s->setColorTable(colors);
    volumeView_->setColorTable(colors);
}

void ViewerWidget::setLabelVisible(bool on) {
    showLabel_->setChecked(on);
    for (SliceView* s : slices_)
        s->setLabelVisible(on);
    volumeView_->setLabelVisible(on);
}

void ViewerWidget::setPredictionVisible(bool on) {
    showPrediction_->setChecked(on);
    for (SliceView* s : slices_)
        s->setPredictionVisible(on);
    volumeView_->setPredictionVisible(on);
}

void ViewerWidget::onHover(const Voxel& v) {
    hover_ = v;
    updateReadout();
}

QString ViewerWidget::readoutFor(const Voxel& v) const {
    if (!image_.isValid())
        return tr("No image");
    const Vec3 ras = image_.affine().voxelToWorld({double(v[0]), double(v[1]), double(v[2])});
    QString text = QString("RAS (%1, %2, %3) mm  voxel (%4, %5, %6)  value %7")
                       .arg(ras[0], 0, 'f', 2)
                       .arg(ras[1], 0, 'f', 2)
                       .arg(ras[2], 0, 'f', 2)
                       .arg(v[0])
                       .arg(v[1])
                       .arg(v[2])
                       .arg(valueText(image_, v));
    if (label_.isValid())
        text += QString("  label %1").arg(valueText(label_, v));
    if (prediction_.isValid())
        text += QString("  pred %1").arg(valueText(prediction_, v));
    return text;
}

QString ViewerWidget::readout() const {
    return readoutFor(hover_[0] >= 0 ? hover_ : cursor_);
}

void ViewerWidget::updateReadout() {
    QString text = readout();
    if (!name_.isEmpty())
        text = name_ + "  |  " + text;
    if (!status_.isEmpty())
        text += "  |  " + status_;
    readout_->setText(text);
    Q_EMIT readoutChanged(readout());
}

bool ViewerWidget::saveScreenshot(const QString& path) {
    const QImage img = VolumeView::grabWithViews(grid_); // with the 3D frame
    if (img.isNull() || !img.save(path, "PNG")) {
        status_ = tr("could not write screenshot %1").arg(path);
        updateReadout();
        return false;
    }
    return true;
}

} // namespace medulla::ui
