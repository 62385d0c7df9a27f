#include "ui/views/VolumeView.h"

#include "ui/bridge/Background.h"
#include "ui/views/VolumeGLWindow.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QMouseEvent>
#include <QPainter>
#include <QPointer>
#include <QSurfaceFormat>
#include <QTimer>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkColorTransferFunction.h>
#include <vtkCommand.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkFloatArray.h>
#include <vtkGPUVolumeRayCastMapper.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkImageData.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkPiecewiseFunction.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataNormals.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkVolume.h>
#include <vtkVolumeProperty.h>
#include <vtkWindowedSincPolyDataFilter.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

namespace medulla::ui {

namespace {
/// The frame rate the 3D view asks of VTK's volume mapper (see the constructor).
constexpr double kFramesPerSecond = 30.0;
} // namespace

void VolumeView::setDefaultSurfaceFormat() {
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 2);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setDepthBufferSize(24);
    format.setStencilBufferSize(8);
    QSurfaceFormat::setDefaultFormat(format);
}

VolumeView::VolumeView(QWidget* parent) : QWidget(parent), gl_(new VolumeGLWindow(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    QWidget* container = QWidget::createWindowContainer(gl_, this);
    container->setFocusPolicy(Qt::StrongFocus);
    layout->addWidget(container);
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
    // The ray caster adapts how many rays it casts (one per 1x1 to 4x4
    // pixels) to the frame rate the window asks for, starting coarse. With a
    // GPU every frame is fine at 1x1; with software OpenGL (Mesa llvmpipe:
    // remote desktops, CI) a full-resolution frame of a volume takes
    // hundreds of ms on the GUI thread, and the window must never freeze.
    mapper_->SetAutoAdjustSampleDistances(1);
    mapper_->SetMinimumImageSampleDistance(1.0f);
    mapper_->SetMaximumImageSampleDistance(4.0f);
    mapper_->SetImageSampleDistance(2.0f);
    setMinimumSize(200, 200);
}

VolumeView::~VolumeView() {
    if (gl_->isValid()) {
        gl_->makeCurrent();
        renderer_->RemoveAllViewProps();
        window_->Finalize();
        gl_->doneCurrent();
    }
}

void VolumeView::requestFrame() {
    gl_->update();
}

QImage VolumeView::grabFramebuffer() {
    if (!gl_->isExposed())
        return {};
    return gl_->grabFramebuffer();
}

QImage VolumeView::grabWithViews(QWidget* widget) {
    QImage img = widget->grab().toImage();
    QPainter painter(&img);
    for (VolumeView* view : widget->findChildren<VolumeView*>()) {
        if (!view->isVisibleTo(widget) || !view->isVisible())
            continue;
        const QImage frame = view->grabFramebuffer();
        if (frame.isNull())
            continue;
        const QPoint at = view->mapTo(widget, QPoint(0, 0));
        painter.drawImage(QRectF(at.x(), at.y(), view->width(), view->height()), frame);
    }
    return img;
}

void VolumeView::initializeGL() {
    window_->SetReadyForRendering(true);
    window_->SetMapped(1);
    window_->SetIsCurrent(true);
    window_->OpenGLInitContext();
    warmUpShaders();
}

void VolumeView::warmUpShaders() {
    // The same mapper, property settings and scene parts as a real study
    // (setVolume, showSurfaces), so the compiled programs are the ones used.
    vtkNew<vtkImageData> img;
    img->SetDimensions(8, 8, 8);
    img->AllocateScalars(VTK_FLOAT, 1);
    auto* values = static_cast<float*>(img->GetScalarPointer());
    for (int i = 0; i < 8 * 8 * 8; ++i)
        values[i] = float(i % 8 + (i / 64));
    mapper_->SetInputData(img);
    vtkNew<vtkColorTransferFunction> color;
    color->AddRGBPoint(0, 0, 0, 0);
    color->AddRGBPoint(15, 1, 1, 1);
    vtkNew<vtkPiecewiseFunction> opacity;
    opacity->AddPoint(0, 0);
    opacity->AddPoint(15, 0.25);
    auto* prop = volume_->GetProperty();
    prop->SetColor(color);
    prop->SetScalarOpacity(opacity);
    prop->SetInterpolationTypeToLinear();
    prop->ShadeOn();
    vtkNew<vtkDiscreteFlyingEdges3D> surface;
    surface->SetInputData(img);
    surface->SetValue(0, 12);
    surface->Update();
    vtkNew<vtkPolyDataMapper> surfaceMapper;
    surfaceMapper->SetInputConnection(surface->GetOutputPort());
    surfaceMapper->ScalarVisibilityOff();
    vtkNew<vtkActor> actor;
    actor->SetMapper(surfaceMapper);
    renderer_->AddVolume(volume_);
    window_->SetDesiredUpdateRate(kFramesPerSecond);
    window_->Render(); // the volume alone
    renderer_->AddActor(actor);
    window_->Render(); // and with an opaque surface
    actor->GetProperty()->SetOpacity(0.4);
    window_->Render(); // and a translucent one (predictions)
    renderer_->RemoveActor(actor);
    renderer_->RemoveVolume(volume_);
}

void VolumeView::resizeGL(int w, int h) {
    coarseNext_ = true;
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
    window_->SetDesiredUpdateRate(kFramesPerSecond);
    if (coarseNext_) {
        // progressive: one ray per 4x4 pixels now, the adapted rate next
        coarseNext_ = false;
        mapper_->SetAutoAdjustSampleDistances(0);
        mapper_->SetImageSampleDistance(4.0f);
        window_->Render();
        mapper_->SetImageSampleDistance(2.0f);
        mapper_->SetAutoAdjustSampleDistances(1);
        QTimer::singleShot(0, this, [this] { requestFrame(); });
        return;
    }
    window_->Render();
}

void VolumeView::exposed() {
    coarseNext_ = true;
}

vtkSmartPointer<vtkImageData> VolumeView::toImageData(const Volume& v) {
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
    // percentiles of a strided sample (at most ~200k voxels): this runs on
    // the GUI thread
    auto* arr = vtkFloatArray::SafeDownCast(img->GetPointData()->GetScalars());
    const float* data = arr->GetPointer(0);
    const size_t n = size_t(arr->GetNumberOfTuples());
    const size_t stride = std::max<size_t>(1, n / 200000);
    std::vector<float> sorted;
    sorted.reserve(n / stride + 1);
    for (size_t i = 0; i < n; i += stride)
        sorted.push_back(data[i]);
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
    coarseNext_ = true;
    // The 3D frame is drawn in a later pass of the event loop than the
    // slice views the same image goes to, so the two costs never add up to
    // one long pause.
    QTimer::singleShot(0, this, [this] { requestFrame(); });
}

std::vector<VolumeView::Surface> VolumeView::extractSurfaces(const Volume& label) {
    std::vector<Surface> out;
    if (!label.isValid())
        return out;
    auto img = toImageData(label);
    auto* arr = vtkFloatArray::SafeDownCast(img->GetPointData()->GetScalars());
    const float* p = arr->GetPointer(0);
    std::set<int> values;
    for (vtkIdType i = 0, n = arr->GetNumberOfTuples(); i < n; ++i)
        if (p[i] > 0.5f)
            values.insert(int(std::lround(p[i])));
    for (const int value : values) {
        if (out.size() >= 64)
            break; // more classes than anyone can tell apart
        vtkNew<vtkDiscreteFlyingEdges3D> edges;
        edges->SetInputData(img);
        edges->SetValue(0, value);
        edges->ComputeNormalsOff();
        edges->ComputeGradientsOff();
        edges->ComputeScalarsOff();
        vtkNew<vtkWindowedSincPolyDataFilter> smooth;
        smooth->SetInputConnection(edges->GetOutputPort());
        smooth->SetNumberOfIterations(15);
        smooth->SetPassBand(0.1);
        smooth->BoundarySmoothingOff();
        smooth->FeatureEdgeSmoothingOff();
        smooth->NonManifoldSmoothingOn();
        smooth->NormalizeCoordinatesOn();
        vtkNew<vtkPolyDataNormals> normals;
        normals->SetInputConnection(smooth->GetOutputPort());
        normals->SplittingOff();
        normals->Update();
        auto mesh = vtkSmartPointer<vtkPolyData>::New();
        mesh->ShallowCopy(normals->GetOutput());
        if (mesh->GetNumberOfPoints() > 0)
            out.push_back({value, mesh});
    }
    return out;
}

void VolumeView::setLabel(const Volume& label) {
    startSurfaces(label, false);
}

void VolumeView::setPrediction(const Volume& prediction) {
    startSurfaces(prediction, true);
}

void VolumeView::startSurfaces(const Volume& label, bool prediction) {
    const unsigned generation = ++(prediction ? predictionGeneration_ : labelGeneration_);
    if (!label.isValid()) {
        showSurfaces({}, prediction);
        return;
    }
    QPointer<VolumeView> self(this);
    runInBackground([self, label, prediction, generation] {
        std::vector<Surface> surfaces;
        try {
            surfaces = extractSurfaces(label);
        } catch (const std::exception&) {
            // an unreadable label shows no surface; the slice views still work
        }
        // The result is applied on the GUI thread, where `self` is checked.
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, surfaces, prediction, generation] {
                if (!self)
                    return;
                const unsigned current =
                    prediction ? self->predictionGeneration_ : self->labelGeneration_;
                if (current == generation) // a newer request supersedes this one
                    self->showSurfaces(surfaces, prediction);
            },
            Qt::QueuedConnection);
    });
}

void VolumeView::showSurfaces(std::vector<Surface> surfaces, bool prediction) {
    auto& actors = prediction ? predictionActors_ : labelActors_;
    for (auto& a : actors)
        renderer_->RemoveActor(a.second);
    actors.clear();
    for (const Surface& s : surfaces) {
        vtkNew<vtkPolyDataMapper> mapper;
        mapper->SetInputData(s.mesh);
        mapper->ScalarVisibilityOff();
        auto actor = vtkSmartPointer<vtkActor>::New();
        actor->SetMapper(mapper);
        renderer_->AddActor(actor);
        actors.emplace_back(s.label, actor);
    }
    applySurfaceStyle();
    // with surfaces inside, the head is rendered fainter so they show through
    volume_->GetProperty()->SetScalarOpacityUnitDistance(
        labelActors_.empty() && predictionActors_.empty() ? 1.0 : 6.0);
    if (!hasVolume_ && !actors.empty())
        resetCamera_ = true;
    requestFrame();
    Q_EMIT surfacesReady();
}

void VolumeView::applySurfaceStyle() {
    for (const bool prediction : {false, true}) {
        for (auto& [label, actor] : prediction ? predictionActors_ : labelActors_) {
            const QColor c = prediction ? colors_.outlineColor(label) : colors_.color(label);
            auto* prop = actor->GetProperty();
            prop->SetColor(c.redF(), c.greenF(), c.blueF());
            prop->SetOpacity(prediction ? 0.45 : 1.0);
            prop->SetSpecular(0.2);
            prop->SetSpecularPower(20);
            actor->SetVisibility(prediction ? showPrediction_ : showLabel_);
        }
    }
}

void VolumeView::setColorTable(const LabelColors& colors) {
    colors_ = colors;
    applySurfaceStyle();
    requestFrame();
}

void VolumeView::setLabelVisible(bool on) {
    showLabel_ = on;
    applySurfaceStyle();
    requestFrame();
}

void VolumeView::setPredictionVisible(bool on) {
    showPrediction_ = on;
    applySurfaceStyle();
    requestFrame();
}

void VolumeView::setVolumeVisible(bool on) {
    showVolume_ = on;
    volume_->SetVisibility(on);
    requestFrame();
}

void VolumeView::forwardMouse(QMouseEvent* e, unsigned long eventId) {
    const qreal r = devicePixelRatioF();
    const QPointF p = e->position();
    interactor_->SetEventInformationFlipY(int(p.x() * r), int(p.y() * r),
                                          (e->modifiers() & Qt::ControlModifier) ? 1 : 0,
                                          (e->modifiers() & Qt::ShiftModifier) ? 1 : 0);
    interactor_->InvokeEvent(eventId, e);
    requestFrame();
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
    requestFrame();
}

} // namespace medulla::ui
