#pragma once
/// The studio's first run: a "Guide" dock on the right of the main window
/// that shows the welcome (WelcomePage) and, once the demo workspace is
/// open, the guided path (GuidePanel). Nothing here is modal: the dock is
/// a normal part of the window, so the event loop (and a test driving it)
/// never waits on it.
///
/// The welcome appears by itself once: offerOnFirstStart() (called by
/// medulla-studio's main() when it was started without --demo,
/// --experiment or files) shows it when QSettings has no true
/// "studio/firstRunDone", and sets that key; its "Show this page when the
/// studio starts" box clears the key again. Help > Demo workspace shows it
/// at any time. A MainWindow made elsewhere (tests) never shows it unless
/// asked.
///
/// "Open the demo workspace" writes the workspace (DemoWorkspace: the
/// built-in demo experiment with absolute paths in the workspace folder,
/// links to the installed sample volumes), loads its experiment, generates
/// its synthetic dataset through the Data tab (on a worker, with its
/// progress bar) when it is not there yet, then lists the workspace's
/// studies (the dataset and the samples) in the Studies browser.

#include <QDockWidget>
#include <QString>

class QLabel;
class QStackedWidget;

namespace medulla::ui {

class GuidePanel;
class MainWindow;
class WelcomePage;

class GuideDock : public QDockWidget {
    Q_OBJECT
public:
    /// The window's guide dock, made (hidden, docked right) on first use.
    static GuideDock* of(MainWindow* window);
    /// Show the welcome when this is the studio's first start (see above);
    /// returns whether it was shown.
    static bool offerOnFirstStart(MainWindow* window);
    /// The QSettings key: true once the welcome was offered at a start.
    static QString firstRunKey() { return QStringLiteral("studio/firstRunDone"); }

    /// The built-in demo experiment the workspace derives from. main() sets
    /// it; default <binary's folder>/../share/medulla/demo_experiment.json.
    static void setDemoExperimentFile(const QString& path);
    static QString demoExperimentFile();
    /// The workspace folder: $MEDULLA_WORKSPACE_DIR when set (the folder
    /// itself), else <AppLocalDataLocation>/demo-workspace.
    static QString workspaceDir();

    WelcomePage* welcomePage() const { return welcome_; }
    GuidePanel* guidePanel() const { return guide_; }
    /// The dock is shown (not hidden) with the welcome (not the guide).
    bool isShowingWelcome() const;
    /// The last error (workspace not writable, dataset not generated); "" if none.
    QString errorText() const;
    /// The sample volumes' paths in the workspace the last open listed
    /// (DemoWorkspace::linkSamples).
    QStringList samplePaths() const { return samplePaths_; }

public Q_SLOTS:
    void showWelcome();
    void showGuide();
    /// See above. False (errorText() says why, naming the file) when the
    /// workspace cannot be written or its experiment not loaded.
    bool openDemoWorkspace();
    /// Close the welcome; the studio stays as it was started.
    void startEmpty();

private:
    explicit GuideDock(MainWindow* window);
    void setError(const QString& text);
    void onDataReady(bool ok, const QString& message);

    MainWindow* window_;
    QLabel* error_;
    QStackedWidget* stack_;
    WelcomePage* welcome_;
    GuidePanel* guide_;
    QString studiesFolder_;
    QStringList samplePaths_;
    bool awaitingData_ = false;
    int sampleCount_ = 0;
};

} // namespace medulla::ui
