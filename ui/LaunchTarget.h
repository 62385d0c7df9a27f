#pragma once
/// What the studio does with the file or folder it is started with: the
/// desktop passes one (the .desktop entry's `Exec=medulla-studio %f`) when a
/// user opens a NIfTI file, a DICOM file or a DICOM folder with Medulla.
///
///   a folder                      -> its studies in the Studies browser
///   a DICOM file (*.dcm, DICOMDIR) -> its folder in the Studies browser
///                                    (a series is a folder of files)
///   anything else (*.nii, *.nii.gz, *.nrrd, ...) -> the viewer
///
/// Decided from the path alone (a missing file gives the viewer's error).

#include <QString>

#include <utility>

namespace medulla::ui {

class LaunchTarget {
public:
    enum class Kind {
        Image,  ///< open `path` in the viewer (MainWindow::openImage)
        Browse, ///< index the folder `path` (StudyBrowser::openPath)
    };

    /// The target for a command-line argument (relative paths against the
    /// current directory).
    static LaunchTarget fromArgument(const QString& argument);

    Kind kind() const { return kind_; }
    /// Absolute path of the image or folder.
    const QString& path() const { return path_; }

private:
    LaunchTarget(Kind kind, QString path) : kind_(kind), path_(std::move(path)) {}
    Kind kind_;
    QString path_;
};

} // namespace medulla::ui
