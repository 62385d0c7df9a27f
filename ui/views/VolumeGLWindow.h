#pragma once
/// The native OpenGL window VolumeView draws its VTK scene into. It sits in
/// the widget tree through QWidget::createWindowContainer, so the rest of
/// the main window keeps Qt's raster backing store: a QOpenGLWidget would
/// make Qt compose the WHOLE top-level window through OpenGL on every
/// repaint, which with software OpenGL (Mesa llvmpipe on a remote desktop,
/// Xvfb in CI) costs 60-300 ms per repaint on the GUI thread. GUI thread
/// only; owned by VolumeView's container.

#include <QOpenGLWindow>

namespace medulla::ui {

class VolumeView;

class VolumeGLWindow : public QOpenGLWindow {
    Q_OBJECT
public:
    explicit VolumeGLWindow(VolumeView* owner);

protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;
    void exposeEvent(QExposeEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;

private:
    VolumeView* owner_; ///< not owned; outlives this window
    bool wasExposed_ = false;
};

} // namespace medulla::ui
