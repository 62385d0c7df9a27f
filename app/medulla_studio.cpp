/// medulla-studio: the desktop application.
///
///   medulla-studio [--demo] [--experiment FILE] [IMAGE [LABEL]]
///
/// --demo loads the built-in demo experiment (synthetic spheres, small
/// UNet) and starts training at once.

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QTimer>

#include "engine/core/Threads.h"
#include "ui/MainWindow.h"
#include "ui/views/VolumeView.h"

#ifndef MEDULLA_DEMO_EXPERIMENT
#define MEDULLA_DEMO_EXPERIMENT "resources/demo_experiment.json"
#endif

int main(int argc, char** argv) {
    medulla::ui::VolumeView::setDefaultSurfaceFormat(); // before the application exists
    QApplication app(argc, argv);
    QApplication::setApplicationName("medulla-studio");
    QApplication::setApplicationVersion("0.1.0");
    medulla::configureThreads();

    QCommandLineParser parser;
    parser.setApplicationDescription("Medulla Studio: medical-imaging deep learning");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption demo("demo", "Load the built-in demo experiment and start training.");
    QCommandLineOption experiment("experiment", "Experiment JSON for the Train button.", "file");
    parser.addOption(demo);
    parser.addOption(experiment);
    parser.addPositionalArgument("image", "Image to open (.nii, .nii.gz).", "[image [label]]");
    parser.process(app);

    medulla::ui::MainWindow window;
    window.resize(1400, 860);
    window.show();

    QString experimentFile = parser.value(experiment);
    if (experimentFile.isEmpty()) {
        experimentFile = QString::fromUtf8(MEDULLA_DEMO_EXPERIMENT);
        if (!QFileInfo::exists(experimentFile))
            experimentFile =
                QApplication::applicationDirPath() + "/../share/medulla/demo_experiment.json";
    }
    const bool experimentOk = window.loadExperiment(experimentFile);
    const QStringList files = parser.positionalArguments();
    if (!files.isEmpty())
        window.openImage(files.at(0), files.size() > 1 ? files.at(1) : QString());
    if (parser.isSet(demo) && experimentOk)
        QTimer::singleShot(300, &window, [&window] { window.startTraining(); });
    return app.exec();
}
