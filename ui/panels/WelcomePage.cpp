#include "ui/panels/WelcomePage.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace medulla::ui {

WelcomePage::WelcomePage(QWidget* parent)
    : QWidget(parent), samples_(new QLabel(this)), workspace_(new QLabel(this)),
      openDemo_(new QPushButton(tr("Open the demo workspace"), this)),
      startEmpty_(new QPushButton(tr("Start empty"), this)),
      showAtStart_(new QCheckBox(tr("Show this page when the studio starts"), this)) {
    setObjectName("WelcomePage");
    auto* title = new QLabel(tr("<h2>Welcome to Medulla Studio</h2>"), this);
    auto* intro = new QLabel(
        tr("<p>Medulla trains and evaluates segmentation networks on medical images. "
           "The <b>demo workspace</b> is a place to try it:</p>"
           "<ul>"
           "<li>a <b>synthetic dataset</b> of 3D volumes with spheres to segment, generated "
           "now (a few seconds);</li>"
           "<li>the <b>real sample volumes</b> installed on this computer, in the Studies "
           "panel;</li>"
           "<li>the demo experiment (a small UNet) and a <b>three-step guide</b>: look at a "
           "case, train, look at the result.</li>"
           "</ul>"),
        this);
    intro->setWordWrap(true);
    intro->setTextFormat(Qt::RichText);
    samples_->setObjectName("welcomeSamples");
    samples_->setWordWrap(true);
    samples_->setTextFormat(Qt::RichText);
    workspace_->setWordWrap(true);
    workspace_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    workspace_->setStyleSheet("color: palette(mid);");
    openDemo_->setObjectName("welcomeOpenDemo");
    openDemo_->setDefault(true);
    openDemo_->setMinimumHeight(36);
    startEmpty_->setObjectName("welcomeStartEmpty");
    startEmpty_->setToolTip(tr("Close this page; the studio keeps the built-in demo "
                               "experiment and opens no workspace"));
    showAtStart_->setObjectName("welcomeShowAtStart");

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(openDemo_, 2);
    buttons->addWidget(startEmpty_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(intro);
    layout->addWidget(samples_);
    layout->addSpacing(8);
    layout->addLayout(buttons);
    layout->addWidget(workspace_);
    layout->addStretch(1);
    layout->addWidget(showAtStart_);

    connect(openDemo_, &QPushButton::clicked, this, &WelcomePage::openDemoRequested);
    connect(startEmpty_, &QPushButton::clicked, this, &WelcomePage::startEmptyRequested);
}

void WelcomePage::setContents(const std::vector<SampleVolume>& installed,
                              const std::vector<SampleVolume>& missing,
                              const QString& workspaceDir) {
    QString html = tr("<p><b>Sample volumes found on this computer:</b></p>");
    if (installed.empty()) {
        html += tr("<p>none</p>");
    } else {
        html += "<ul>";
        for (const auto& s : installed)
            html += QString("<li>%1 <i>(%2)</i></li>")
                        .arg(QString::fromStdString(s.title).toHtmlEscaped(),
                             QString::fromStdString(s.package));
        html += "</ul>";
    }
    QStringList packages;
    for (const auto& s : missing)
        if (!packages.contains(QString::fromStdString(s.package)))
            packages << QString::fromStdString(s.package);
    if (!packages.isEmpty())
        html += tr("<p>More with <tt>apt install %1</tt>.</p>").arg(packages.join(' '));
    samples_->setText(html);
    workspace_->setText(tr("Workspace folder: %1").arg(workspaceDir));
}

} // namespace medulla::ui
