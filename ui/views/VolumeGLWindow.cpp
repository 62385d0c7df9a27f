#include "ui/views/VolumeGLWindow.h"

#include "ui/views/VolumeView.h"

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
    owner_->exposed();
    QOpenGLWindow::exposeEvent(e);
}

void VolumeGLWindow::mousePressEvent(QMouseEvent* e) {
    owner_->mousePressEvent(e);
}

void VolumeGLWindow::mouseReleaseEvent(QMouseEvent* e) {
    owner_->mouseReleaseEvent(e);
}

void VolumeGLWindow::mouseMoveEvent(QMouseEvent* e) {
    owner_->mouseMoveEvent(e);
}

void VolumeGLWindow::wheelEvent(QWheelEvent* e) {
    owner_->wheelEvent(e);
}

} // namespace medulla::ui
