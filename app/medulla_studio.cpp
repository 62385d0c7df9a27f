/// medulla-studio: the desktop application.
///
///   medulla-studio [--demo] [--experiment FILE] [IMAGE [LABEL] | FOLDER | FILE.dcm]
///   medulla-studio --version | -v     (no display needed)
///
/// --demo loads the built-in demo experiment (synthetic spheres, small
/// UNet) and starts training at once. A folder, or a DICOM file's folder,
/// opens in the Studies browser (ui/LaunchTarget.h: what the desktop passes).

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>
#include <QTimer>

#include <cstdio>
#include <cstring>

#include "engine/core/Threads.h"
#include "engine/services/DemoWorkspace.h"
#include "engine/services/VersionReport.h"
#include "ui/MainWindow.h"
#include "ui/StudioVersion.h"
#include "ui/panels/GuideDock.h"
#include "ui/views/VolumeView.h"

#ifndef MEDULLA_DEMO_EXPERIMENT
#define MEDULLA_DEMO_EXPERIMENT "resources/demo_experiment.json"
#endif

int main(int argc, char** argv) {
    // --version before QApplication exists: it must work without a display.
    for (int i = 1; i < argc && std::strcmp(argv[i], "--") != 0; ++i)
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
            std::fputs(medulla::ui::studioVersionText().c_str(), stdout);
            return 0;
        }
    medulla::ui::VolumeView::setDefaultSurfaceFormat(); // before the application exists
    QApplication app(argc, argv);
    QApplication::setApplicationName("medulla-studio");
    // the installed desktop entry and icon (share/applications, share/icons/hicolor)
    QGuiApplication::setDesktopFileName("medulla-studio");
    QApplication::setWindowIcon(QIcon::fromTheme("medulla-studio"));
    QApplication::setApplicationVersion(QString::fromStdString(medulla::medullaVersion()));
    medulla::configureThreads();

    QCommandLineParser parser;
    parser.setApplicationDescription("Medulla Studio: medical-imaging deep learning");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption demo("demo", "Load the built-in demo experiment and start training.");
    QCommandLineOption experiment("experiment", "Experiment JSON for the Train button.", "file");
    parser.addOption(demo);
    parser.addOption(experiment);
    parser.addPositionalArgument(
        "image", "Image to open (.nii, .nii.gz), or a folder or DICOM file to browse.",
        "[image [label]]");
    parser.process(app);

    medulla::ui::MainWindow window;
    window.resize(1400, 860);
    window.show();

    // the installed demo, else the source tree's (a build tree); a missing one
    // is named by loadExperiment's error
    QString demoFile =
        QApplication::applicationDirPath() + "/../share/medulla/demo_experiment.json";
    try {
        demoFile = QString::fromStdString(medulla::DemoWorkspace::builtInExperiment(
            QFileInfo(QString::fromUtf8(MEDULLA_DEMO_EXPERIMENT)).absolutePath().toStdString()));
    } catch (const std::exception&) {
    }
    medulla::ui::GuideDock::setDemoExperimentFile(demoFile); // the demo workspace derives from it
    QString experimentFile = parser.value(experiment);
    if (experimentFile.isEmpty())
        experimentFile = demoFile;
    const bool experimentOk = window.loadExperiment(experimentFile);
    const QStringList files = parser.positionalArguments();
    if (!files.isEmpty()) {
        if (files.size() > 1) // an image and its label
            window.openImage(files.at(0), files.at(1));
        else
            window.openPath(files.at(0));
    }
    if (parser.isSet(demo) && experimentOk)
        QTimer::singleShot(300, &window, [&window] { window.startTraining(); });
    // a plain start: the welcome (demo workspace, guided tour) the first time only
    if (!parser.isSet(demo) && !parser.isSet(experiment) && files.isEmpty())
        medulla::ui::GuideDock::offerOnFirstStart(&window);
    return app.exec();
}
