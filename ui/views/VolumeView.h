#pragma once
/// 3D volume rendering of a Volume with VTK in a native OpenGL child window
/// (VolumeGLWindow in a window container: VTK renders into its
/// framebuffer; Debian's VTK Qt module is Qt 5 only, so this is our own
/// bridge). Mouse: left rotate, right/wheel zoom, middle pan. GUI thread
/// only. QWidget::grab() does not see native child windows: grab a widget
/// that holds one with grabWithViews().
///
/// Label maps are shown as surfaces: for each label value a discrete
/// flying-edges iso-surface, windowed-sinc smoothed, coloured by the colour
/// table (ground truth opaque; prediction translucent in the outline colour,
/// LabelColors::outlineColor). Surfaces are
/// extracted on a worker thread; surfacesReady() says when they are shown.
/// World placement: voxel (i, j, k) sits at (i, j, k) * spacing (the
/// direction cosines are not applied; volume and surfaces share it).

#include <QImage>
#include <QWidget>

#include <vtkNew.h>
#include <vtkSmartPointer.h>

#include <vector>

#include "engine/core/Volume.h"
#include "ui/views/LabelColors.h"

class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class vtkRenderer;
class vtkVolume;
class vtkImageData;
class vtkGPUVolumeRayCastMapper;
class vtkActor;
class vtkPolyData;

namespace medulla::ui {

class VolumeGLWindow;

class VolumeView : public QWidget {
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
    /// Ground-truth label surfaces, one per label value (empty clears).
    void setLabel(const Volume& label);
    /// Prediction label surfaces, translucent (empty clears).
    void setPrediction(const Volume& prediction);
    void setColorTable(const LabelColors& colors);
    void setLabelVisible(bool on);
    void setPredictionVisible(bool on);
    void setVolumeVisible(bool on);
    /// Number of surface actors currently shown (tests).
    int labelSurfaceCount() const { return int(labelActors_.size()); }
    int predictionSurfaceCount() const { return int(predictionActors_.size()); }

    /// One extracted surface: label value + smoothed polydata.
    struct Surface {
        int label = 0;
        vtkSmartPointer<vtkPolyData> mesh;
    };
    /// Extract smoothed surfaces, one per label value present (worker-safe,
    /// no rendering). Exposed for tests.
    static std::vector<Surface> extractSurfaces(const Volume& label);

    /// The current frame, rendered now (width() x height() device pixels).
    QImage grabFramebuffer();
    /// `widget`->grab() with the frames of the VolumeViews inside it painted
    /// in their places (what the screen shows).
    static QImage grabWithViews(QWidget* widget);

Q_SIGNALS:
    /// Surfaces of the last setLabel/setPrediction are in the scene.
    void surfacesReady();

private:
    friend class VolumeGLWindow; // forwards its GL calls and input here
    void initializeGL();
    void resizeGL(int w, int h);
    void paintGL();
    void exposed();
    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    /// Schedule a frame of the GL window.
    void requestFrame();

    /// Render a tiny volume and surface once, so that software OpenGL
    /// compiles the ray caster's and the surfaces' shaders at start-up, not
    /// on the GUI thread when the first study opens.
    void warmUpShaders();
    static vtkSmartPointer<vtkImageData> toImageData(const Volume& v);
    void startSurfaces(const Volume& label, bool prediction);
    void showSurfaces(std::vector<Surface> surfaces, bool prediction);
    void applySurfaceStyle();
    void forwardMouse(QMouseEvent* e, unsigned long eventId);

    VolumeGLWindow* gl_; ///< owned by its container widget (a child of this)
    vtkNew<vtkGenericOpenGLRenderWindow> window_;
    vtkNew<vtkGenericRenderWindowInteractor> interactor_;
    vtkNew<vtkRenderer> renderer_;
    vtkNew<vtkVolume> volume_;
    vtkNew<vtkGPUVolumeRayCastMapper> mapper_;
    std::vector<std::pair<int, vtkSmartPointer<vtkActor>>> labelActors_, predictionActors_;
    unsigned labelGeneration_ = 0, predictionGeneration_ = 0;
    LabelColors colors_;
    bool showLabel_ = true, showPrediction_ = true, showVolume_ = true;
    bool hasVolume_ = false;
    bool resetCamera_ = false;
    /// The next frame is a quick coarse one (new data, shown again,
    /// resized), refined by a follow-up frame right after.
    bool coarseNext_ = true;
};

} // namespace medulla::ui
