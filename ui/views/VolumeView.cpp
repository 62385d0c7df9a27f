#include "ui/views/VolumeView.h"

#include <QMouseEvent>
#include <QSurfaceFormat>
#include <QWheelEvent>

#include <vtkCamera.h>
#include <vtkColorTransferFunction.h>
#include <vtkCommand.h>
#include <vtkFloatArray.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkImageData.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkPiecewiseFunction.h>
#include <vtkPointData.h>
#include <vtkRenderer.h>
#include <vtkSmartVolumeMapper.h>
#include <vtkVolume.h>
#include <vtkVolumeProperty.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace medulla::ui {

void VolumeView::setDefaultSurfaceFormat() {
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 2);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setDepthBufferSize(24);
    format.setStencilBufferSize(8);
    QSurfaceFormat::setDefaultFormat(format);
}

VolumeView::VolumeView(QWidget* parent) : QOpenGLWidget(parent) {
    window_->SetOwnContext(false);
    window_->AddRenderer(renderer_);
    window_->SetFrameBlitModeToBlitToCurrent();
    interactor_->SetRenderWindow(window_);
    interactor_->EnableRenderOff();
    vtkNew<vtkInteractorStyleTrackballCamera> style;
    interactor_->SetInteractorStyle(style);
    renderer_->SetBackground(0.08, 0.09, 0.11);
    renderer_->SetBackground2(0.2, 0.22, 0.27);
    renderer_->GradientBackgroundOn();
    volume_->SetMapper(mapper_);
    labelVolume_->SetMapper(labelMapper_);
    setMinimumSize(200, 200);
    setMouseTracking(false);
}

VolumeView::~VolumeView() {
    makeCurrent();
    renderer_->RemoveAllViewProps();
    window_->Finalize();
    doneCurrent();
}

void VolumeView::initializeGL() {
    window_->SetReadyForRendering(true);
    window_->SetMapped(1);
    window_->SetIsCurrent(true);
    window_->OpenGLInitContext();
}

void VolumeView::resizeGL(int w, int h) {
    const qreal r = devicePixelRatioF();
    window_->SetSize(int(w * r), int(h * r));
    interactor_->SetSize(int(w * r), int(h * r));
}

void VolumeView::paintGL() {
    if (resetCamera_) {
        renderer_->ResetCamera();
        renderer_->GetActiveCamera()->Elevation(-70);
        renderer_->GetActiveCamera()->Azimuth(30);
        renderer_->ResetCameraClippingRange();
        resetCamera_ = false;
    }
    window_->Render();
}

vtkSmartPointer<vtkImageData> VolumeView::toImageData(const Volume& v) const {
    const Volume f = v.toFloatCpu();
    const auto shape = f.spatialShape();
    const int nx = int(shape[0]), ny = int(shape[1]), nz = shape.size() > 2 ? int(shape[2]) : 1;
    auto img = vtkSmartPointer<vtkImageData>::New();
    img->SetDimensions(nx, ny, nz);
    const Vec3 sp = f.spacing();
    img->SetSpacing(sp[0], sp[1], sp[2]);
    img->SetOrigin(0, 0, 0);
    auto arr = vtkSmartPointer<vtkFloatArray>::New();
    arr->SetNumberOfValues(vtkIdType(nx) * ny * nz);
    // Volume is (x, y, z) C-order (z fastest); VTK wants x fastest.
    const float* src = f.floatData(); // non-finite voxels are drawn as 0
    for (int x = 0; x < nx; ++x)
        for (int y = 0; y < ny; ++y)
            for (int z = 0; z < nz; ++z)
                arr->SetValue((vtkIdType(z) * ny + y) * nx + x,
                              src[(vtkIdType(x) * ny + y) * nz + z]);
    img->GetPointData()->SetScalars(arr);
    return img;
}

void VolumeView::setVolume(const Volume& volume) {
    if (!volume.isValid())
        return;
    auto img = toImageData(volume);
    auto* arr = img->GetPointData()->GetScalars();
    std::vector<float> vals(size_t(arr->GetNumberOfTuples()));
    for (vtkIdType i = 0; i < arr->GetNumberOfTuples(); ++i)
        vals[size_t(i)] = float(arr->GetTuple1(i));
    std::vector<float> sorted = vals;
    auto pct = [&](double p) {
        const size_t k = size_t(p * double(sorted.size() - 1));
        std::nth_element(sorted.begin(), sorted.begin() + long(k), sorted.end());
        return double(sorted[k]);
    };
    const double lo = pct(0.6), hi = pct(0.999), mn = pct(0.0);
    mapper_->SetInputData(img);
    vtkNew<vtkColorTransferFunction> color;
    color->AddRGBPoint(mn, 0, 0, 0);
    color->AddRGBPoint(lo, 0.55, 0.45, 0.4);
    color->AddRGBPoint(hi, 1.0, 0.95, 0.9);
    vtkNew<vtkPiecewiseFunction> opacity;
    opacity->AddPoint(mn, 0.0);
    opacity->AddPoint(lo, 0.0);
    opacity->AddPoint(hi, 0.25);
    auto* prop = volume_->GetProperty();
    prop->SetColor(color);
    prop->SetScalarOpacity(opacity);
    prop->SetInterpolationTypeToLinear();
    prop->ShadeOn();
    if (!hasVolume_)
        renderer_->AddVolume(volume_);
    hasVolume_ = true;
    resetCamera_ = true;
    update();
}

void VolumeView::setLabel(const Volume& label) {
    if (!label.isValid()) {
        if (hasLabel_)
            renderer_->RemoveVolume(labelVolume_);
        hasLabel_ = false;
        update();
        return;
    }
    labelMapper_->SetInputData(toImageData(label));
    vtkNew<vtkColorTransferFunction> color;
    color->AddRGBPoint(0, 0, 0, 0);
    color->AddRGBPoint(1, 0.95, 0.3, 0.2);
    color->AddRGBPoint(2, 0.2, 0.8, 0.3);
    color->AddRGBPoint(3, 0.2, 0.4, 0.95);
    vtkNew<vtkPiecewiseFunction> opacity;
    opacity->AddPoint(0, 0.0);
    opacity->AddPoint(0.5, 0.0);
    opacity->AddPoint(0.6, 0.6);
    opacity->AddPoint(255, 0.6);
    auto* prop = labelVolume_->GetProperty();
    prop->SetColor(color);
    prop->SetScalarOpacity(opacity);
    prop->SetInterpolationTypeToNearest();
    prop->ShadeOn();
    if (!hasLabel_)
        renderer_->AddVolume(labelVolume_);
    hasLabel_ = true;
    update();
}

void VolumeView::forwardMouse(QMouseEvent* e, unsigned long eventId) {
    const qreal r = devicePixelRatioF();
    const QPointF p = e->position();
    interactor_->SetEventInformationFlipY(int(p.x() * r), int(p.y() * r),
                                          (e->modifiers() & Qt::ControlModifier) ? 1 : 0,
                                          (e->modifiers() & Qt::ShiftModifier) ? 1 : 0);
    interactor_->InvokeEvent(eventId, e);
    update();
}

void VolumeView::mousePressEvent(QMouseEvent* e) {
    switch (e->button()) {
    case Qt::LeftButton:
        forwardMouse(e, vtkCommand::LeftButtonPressEvent);
        break;
    case Qt::RightButton:
        forwardMouse(e, vtkCommand::RightButtonPressEvent);
        break;
    case Qt::MiddleButton:
        forwardMouse(e, vtkCommand::MiddleButtonPressEvent);
        break;
    default:
        break;
    }
}

void VolumeView::mouseReleaseEvent(QMouseEvent* e) {
    switch (e->button()) {
    case Qt::LeftButton:
        forwardMouse(e, vtkCommand::LeftButtonReleaseEvent);
        break;
    case Qt::RightButton:
        forwardMouse(e, vtkCommand::RightButtonReleaseEvent);
        break;
    case Qt::MiddleButton:
        forwardMouse(e, vtkCommand::MiddleButtonReleaseEvent);
        break;
    default:
        break;
    }
}

void VolumeView::mouseMoveEvent(QMouseEvent* e) {
    forwardMouse(e, vtkCommand::MouseMoveEvent);
}

void VolumeView::wheelEvent(QWheelEvent* e) {
    interactor_->InvokeEvent(e->angleDelta().y() > 0 ? vtkCommand::MouseWheelForwardEvent
                                                     : vtkCommand::MouseWheelBackwardEvent,
                             e);
    update();
}

} // namespace medulla::ui
