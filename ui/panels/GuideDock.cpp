#include "ui/panels/GuideDock.h"

#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QVBoxLayout>

#include "engine/services/DemoWorkspace.h"
#include "engine/services/SampleVolumes.h"
#include "ui/MainWindow.h"
#include "ui/model/CaseTableModel.h"
#include "ui/panels/DatasetPanel.h"
#include "ui/panels/GuidePanel.h"
#include "ui/panels/StudyBrowser.h"
#include "ui/panels/WelcomePage.h"

namespace medulla::ui {
namespace {

QString& demoFileSetting() {
    static QString file;
    return file;
}

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

} // namespace

GuideDock* GuideDock::of(MainWindow* window) {
    if (auto* dock = window->findChild<GuideDock*>(QString(), Qt::FindDirectChildrenOnly))
        return dock;
    auto* dock = new GuideDock(window);
    window->addDockWidget(Qt::RightDockWidgetArea, dock);
    dock->hide();
    return dock;
}

bool GuideDock::offerOnFirstStart(MainWindow* window) {
    QSettings settings;
    if (settings.value(firstRunKey(), false).toBool())
        return false;
    settings.setValue(firstRunKey(), true);
    of(window)->showWelcome();
    return true;
}

void GuideDock::setDemoExperimentFile(const QString& path) {
    demoFileSetting() = path;
}

QString GuideDock::demoExperimentFile() {
    if (!demoFileSetting().isEmpty())
        return demoFileSetting();
    try { // installed next to the program (main() sets the build tree's)
        return QString::fromStdString(DemoWorkspace::builtInExperiment(""));
    } catch (const std::exception&) { // opening it names the missing file
        return QDir::cleanPath(QApplication::applicationDirPath() +
                               "/../share/medulla/demo_experiment.json");
    }
}

QString GuideDock::workspaceDir() {
    const QString env = qEnvironmentVariable("MEDULLA_WORKSPACE_DIR");
    if (!env.isEmpty())
        return env;
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
           "/demo-workspace";
}

GuideDock::GuideDock(MainWindow* window)
    : QDockWidget(tr("Guide"), window), window_(window), error_(new QLabel(this)),
      stack_(new QStackedWidget(this)), welcome_(new WelcomePage(this)),
      guide_(new GuidePanel(window, this)) {
    setObjectName("guideDock");
    setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable |
                QDockWidget::DockWidgetFloatable);
    auto* body = new QWidget(this);
    body->setMinimumWidth(400);
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(6, 6, 6, 6);
    error_->setObjectName("guideError");
    error_->setWordWrap(true);
    error_->setStyleSheet("color: #c0392b;");
    error_->setVisible(false);
    layout->addWidget(error_);
    stack_->addWidget(welcome_);
    stack_->addWidget(guide_);
    layout->addWidget(stack_, 1);
    setWidget(body);

    connect(welcome_, &WelcomePage::openDemoRequested, this, &GuideDock::openDemoWorkspace);
    connect(welcome_, &WelcomePage::startEmptyRequested, this, &GuideDock::startEmpty);
    connect(welcome_->showAtStartBox(), &QCheckBox::toggled, this,
            [](bool on) { QSettings().setValue(firstRunKey(), !on); });
    DatasetPanel* data = window_->datasetPanel();
    connect(data, &DatasetPanel::casesLoaded, this, [this](bool ok, const QString& message) {
        if (awaitingData_)
            onDataReady(ok, message);
    });
    connect(data, &DatasetPanel::generated, this, [this](bool ok, const QString& message) {
        if (awaitingData_ && !ok)
            onDataReady(false, message);
    });
}

bool GuideDock::isShowingWelcome() const {
    return !isHidden() && stack_->currentWidget() == welcome_;
}

QString GuideDock::errorText() const {
    return error_->isHidden() ? QString() : error_->text();
}

void GuideDock::setError(const QString& text) {
    error_->setText(text);
    error_->setVisible(!text.isEmpty());
}

void GuideDock::showWelcome() {
    const auto installed = installedSampleVolumes();
    std::vector<SampleVolume> missing;
    for (const auto& s : knownSampleVolumes()) {
        bool found = false;
        for (const auto& i : installed)
            found = found || i.id == s.id;
        if (!found)
            missing.push_back(s);
    }
    welcome_->setContents(installed, missing, workspaceDir());
    {
        const QSignalBlocker block(welcome_->showAtStartBox());
        welcome_->showAtStartBox()->setChecked(!QSettings().value(firstRunKey(), false).toBool());
    }
    setWindowTitle(tr("Welcome"));
    stack_->setCurrentWidget(welcome_);
    show();
    raise();
    window_->resizeDocks({this}, {440}, Qt::Horizontal);
    welcome_->openDemoButton()->setFocus();
}

void GuideDock::showGuide() {
    setWindowTitle(tr("Guide"));
    stack_->setCurrentWidget(guide_);
    show();
    raise();
}

void GuideDock::startEmpty() {
    setError({});
    hide();
}

bool GuideDock::openDemoWorkspace() {
    setError({});
    const DemoWorkspace workspace(workspaceDir().toStdString());
    std::vector<SampleVolume> samples;
    try {
        workspace.prepare(demoExperimentFile().toStdString());
        samples = installedSampleVolumes();
        samplePaths_.clear();
        for (const auto& p : workspace.linkSamples(samples))
            samplePaths_ << q(p);
    } catch (const std::exception& e) {
        setError(tr("Cannot open the demo workspace: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    sampleCount_ = int(samples.size());
    studiesFolder_ = q(workspace.studiesFolder());
    const QString experiment = q(workspace.experimentFile());
    if (!window_->loadExperiment(experiment)) {
        setError(tr("Cannot load the demo workspace's experiment %1").arg(experiment));
        return false;
    }
    guide_->reset();
    showGuide();
    awaitingData_ = true;
    if (!workspace.hasDataset()) {
        guide_->setHeader(tr("Generating the synthetic dataset in %1 (progress in the Data tab) "
                             "...")
                              .arg(q(workspace.folder())));
        window_->datasetPanel()->generate(); // on a worker; a reload follows
        window_->showTab(MainWindow::DataTab);
    } else {
        guide_->setHeader(tr("Reading the dataset of %1 ...").arg(q(workspace.folder())));
    }
    return true;
}

void GuideDock::onDataReady(bool ok, const QString& message) {
    awaitingData_ = false;
    const QString samples = sampleCount_ == 1 ? tr("1 real sample volume")
                                              : tr("%1 real sample volumes").arg(sampleCount_);
    if (ok) {
        guide_->setHeader(
            tr("Demo workspace: %1. Its %2 synthetic cases are in the Data tab; the Studies "
               "panel lists them and %3 found on this computer.")
                .arg(QDir(studiesFolder_ + "/..").absolutePath())
                .arg(window_->datasetPanel()->model()->rowCount())
                .arg(samples));
    } else {
        setError(tr("The demo dataset is not ready: %1").arg(message));
    }
    guide_->updateButtons();
    window_->studyBrowser()->openPath(studiesFolder_);
}

} // namespace medulla::ui
