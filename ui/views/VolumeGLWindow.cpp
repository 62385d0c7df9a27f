#include "ui/views/VolumeGLWindow.h"

#include "ui/views/VolumeView.h"

#include <QMouseEvent>

namespace medulla::ui {

VolumeGLWindow::VolumeGLWindow(VolumeView* owner) : owner_(owner) {}

void VolumeGLWindow::initializeGL() {
    owner_->initializeGL();
}

void VolumeGLWindow::resizeGL(int w, int h) {
    owner_->resizeGL(w, h);
}

void VolumeGLWindow::paintGL() {
    owner_->paintGL();
}

void VolumeGLWindow::exposeEvent(QExposeEvent* e) {
    if (isExposed() && !wasExposed_) // shown again (not a menu closing over it)
        owner_->exposed();
    wasExposed_ = isExposed();
    QOpenGLWindow::exposeEvent(e);
}

void VolumeGLWindow::mousePressEvent(QMouseEvent* e) {
    owner_->mousePressEvent(e);
}

void VolumeGLWindow::mouseReleaseEvent(QMouseEvent* e) {
    owner_->mouseReleaseEvent(e);
}

void VolumeGLWindow::mouseMoveEvent(QMouseEvent* e) {
    if (e->buttons() != Qt::NoButton) // a window gets every move; only drags turn the camera
        owner_->mouseMoveEvent(e);
}

void VolumeGLWindow::wheelEvent(QWheelEvent* e) {
    owner_->wheelEvent(e);
}

} // namespace medulla::ui
