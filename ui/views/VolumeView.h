#pragma once
/// 3D volume rendering of a Volume with VTK inside a Qt 6 QOpenGLWidget
/// (VTK renders into the widget's framebuffer; Debian's VTK Qt module is
/// Qt 5 only, so this is our own bridge). Mouse: left rotate, right/wheel
/// zoom, middle pan. GUI thread only.

#include <QOpenGLWidget>

#include <vtkNew.h>
#include <vtkSmartPointer.h>

#include "engine/core/Volume.h"

class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class vtkRenderer;
class vtkVolume;
class vtkImageData;
class vtkSmartVolumeMapper;

namespace medulla::ui {

class VolumeView : public QOpenGLWidget {
    Q_OBJECT
public:
    explicit VolumeView(QWidget* parent = nullptr);
    ~VolumeView() override;

    /// Make OpenGL 3.2 core (what VTK needs) the default for every GL
    /// widget. Call before the QApplication is created.
    static void setDefaultSurfaceFormat();

    /// Show channel 0 of `volume` (any dtype); intensities map through a
    /// grey ramp with opacity rising above the 60th percentile.
    void setVolume(const Volume& volume);
    /// Overlay a label map as a coloured iso-opacity volume (empty clears).
    void setLabel(const Volume& label);

protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;

private:
    vtkSmartPointer<vtkImageData> toImageData(const Volume& v) const;
    void forwardMouse(QMouseEvent* e, unsigned long eventId);

    vtkNew<vtkGenericOpenGLRenderWindow> window_;
    vtkNew<vtkGenericRenderWindowInteractor> interactor_;
    vtkNew<vtkRenderer> renderer_;
    vtkNew<vtkVolume> volume_;
    vtkNew<vtkSmartVolumeMapper> mapper_;
    vtkNew<vtkVolume> labelVolume_;
    vtkNew<vtkSmartVolumeMapper> labelMapper_;
    bool hasVolume_ = false;
    bool hasLabel_ = false;
    bool resetCamera_ = false;
};

} // namespace medulla::ui
