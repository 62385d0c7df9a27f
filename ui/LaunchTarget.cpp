#include "ui/LaunchTarget.h"

#include <QDir>
#include <QFileInfo>

namespace medulla::ui {

LaunchTarget LaunchTarget::fromArgument(const QString& argument) {
    const QFileInfo info(argument);
    const QString path = QDir::cleanPath(info.absoluteFilePath());
    if (info.isDir())
        return {Kind::Browse, path};
    const QString name = info.fileName();
    if (name.endsWith(".dcm", Qt::CaseInsensitive) ||
        name.compare("DICOMDIR", Qt::CaseInsensitive) == 0)
        return {Kind::Browse, QDir::cleanPath(info.absolutePath())};
    return {Kind::Image, path};
}

} // namespace medulla::ui
