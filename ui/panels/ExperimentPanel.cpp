#include "ui/panels/ExperimentPanel.h"

#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

#include "engine/training/Experiment.h"
#include "ui/bridge/Background.h"
#include "ui/model/ExperimentDocument.h"
#include "ui/panels/NetworkSection.h"
#include "ui/panels/TrainingSection.h"

namespace medulla::ui {

namespace {

QScrollArea* scrolled(QWidget* content, QWidget* parent) {
    auto* area = new QScrollArea(parent);
    area->setWidget(content);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    return area;
}

} // namespace

Json ExperimentPanel::newExperimentJson() {
    return Json::parse(R"({
      "name": "experiment",
      "output_dir": "medulla-runs/experiment",
      "data": {
        "dataset": "medulla-runs/demo-data/dataset.json", "datalist_key": "training",
        "val_fraction": 0.25,
        "synthetic": {"num_cases": 16, "seed": 0, "size": [64, 64, 64], "num_objs": 8,
                      "rad_max": 14, "rad_min": 5, "noise_max": 0.3, "num_seg_classes": 1}
      },
      "train_transforms": [
        {"name": "LoadImaged", "keys": ["image", "label"]},
        {"name": "EnsureChannelFirstd", "keys": ["image", "label"]},
        {"name": "ScaleIntensityd", "keys": ["image"]},
        {"name": "RandCropByPosNegLabeld", "keys": ["image", "label"], "label_key": "label",
         "spatial_size": [48, 48, 48], "pos": 1, "neg": 1, "num_samples": 2}
      ],
      "val_transforms": [
        {"name": "LoadImaged", "keys": ["image", "label"]},
        {"name": "EnsureChannelFirstd", "keys": ["image", "label"]},
        {"name": "ScaleIntensityd", "keys": ["image"]}
      ],
      "network": {"name": "UNet", "spatial_dims": 3, "in_channels": 1, "out_channels": 2,
                  "channels": [8, 16, 32, 64], "strides": [2, 2, 2], "num_res_units": 2,
                  "norm": "batch"},
      "loss": {"name": "DiceLoss", "to_onehot_y": true, "softmax": true},
      "optimizer": {"name": "Adam", "lr": 0.001},
      "trainer": {"max_epochs": 20, "batch_size": 2, "val_interval": 1, "seed": 0}
    })");
}

ExperimentPanel::ExperimentPanel(ExperimentDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
    name_ = new QLineEdit(this);
    name_->setObjectName("experimentName");
    outputDir_ = new QLineEdit(this);
    outputDir_->setObjectName("outputDir");
    outputDir_->setToolTip("Run folders (checkpoints, logs, predictions) go here.");
    browse_ = new QPushButton("Browse...", this);
    new_ = new QPushButton("New", this);
    open_ = new QPushButton("Open...", this);
    save_ = new QPushButton("Save", this);
    saveAs_ = new QPushButton("Save as...", this);
    file_ = new QLabel(this);
    file_->setObjectName("experimentFile");
    message_ = new QLabel(this);
    message_->setObjectName("fileMessage");
    message_->setWordWrap(true);
    validity_ = new QLabel(this);
    validity_->setObjectName("validity");
    validity_->setWordWrap(true);
    validity_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {new_, open_, save_, saveAs_})
        buttons->addWidget(b);
    buttons->addWidget(file_, 1);
    auto* outRow = new QHBoxLayout;
    outRow->addWidget(outputDir_, 1);
    outRow->addWidget(browse_);
    auto* header = new QFormLayout;
    header->addRow("Experiment", name_);
    header->addRow("Output folder", outRow);

    network_ = new NetworkSection(document, this);
    training_ = new TrainingSection(document, this);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(scrolled(network_, splitter));
    splitter->addWidget(scrolled(training_, splitter));
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addLayout(header);
    layout->addWidget(validity_);
    layout->addWidget(message_);
    layout->addWidget(splitter, 1);

    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(300);
    connect(debounce_, &QTimer::timeout, this, &ExperimentPanel::startValidation);

    connect(name_, &QLineEdit::textEdited, this,
            [this](const QString& t) { document_->setSection("name", t.toStdString()); });
    connect(outputDir_, &QLineEdit::textEdited, this,
            [this](const QString& t) { document_->setSection("output_dir", t.toStdString()); });
    connect(browse_, &QPushButton::clicked, this, [this] {
        if (!interactive_)
            return;
        const QString dir =
            QFileDialog::getExistingDirectory(this, "Output folder", outputDir_->text());
        if (!dir.isEmpty()) {
            outputDir_->setText(dir);
            document_->setSection("output_dir", dir.toStdString());
        }
    });
    connect(new_, &QPushButton::clicked, this, &ExperimentPanel::newExperiment);
    connect(open_, &QPushButton::clicked, this, [this] {
        if (!interactive_)
            return;
        const QString path = QFileDialog::getOpenFileName(this, "Open experiment", {},
                                                          "Experiments (*.json);;All files (*)");
        if (!path.isEmpty())
            openFile(path);
    });
    connect(save_, &QPushButton::clicked, this, &ExperimentPanel::saveFile);
    connect(saveAs_, &QPushButton::clicked, this, [this] {
        QString path = defaultSavePath_;
        if (interactive_)
            path = QFileDialog::getSaveFileName(this, "Save experiment", document_->path(),
                                                "Experiments (*.json)");
        if (path.isEmpty()) {
            if (!interactive_)
                showMessage("No file chosen to save to", true);
            return;
        }
        saveFileAs(path);
    });
    connect(document_, &ExperimentDocument::changed, this, [this](const QString& key) {
        if (key.isEmpty() || key == "name" || key == "output_dir")
            refreshHeader();
        requestValidation();
    });
    refreshHeader();
    requestValidation();
}

QString ExperimentPanel::validityText() const {
    return validity_->text();
}

QString ExperimentPanel::messageText() const {
    return message_->text();
}

void ExperimentPanel::refreshHeader() {
    const Json& j = document_->json();
    const QString name = QString::fromStdString(j.value("name", std::string()));
    const QString out = QString::fromStdString(j.value("output_dir", std::string()));
    if (name_->text() != name)
        name_->setText(name);
    if (outputDir_->text() != out)
        outputDir_->setText(out);
    file_->setText(document_->path().isEmpty() ? "(not saved)"
                                               : QFileInfo(document_->path()).fileName());
    file_->setToolTip(document_->path());
}

void ExperimentPanel::showMessage(const QString& text, bool error) {
    message_->setText(text);
    message_->setStyleSheet(error ? "color: #c0392b;" : "color: palette(mid);");
}

void ExperimentPanel::newExperiment() {
    document_->setJson(newExperimentJson());
    showMessage("New experiment (not saved yet)", false);
}

bool ExperimentPanel::openFile(const QString& path) {
    QString error;
    if (!document_->load(path, &error)) {
        showMessage(error, true);
        return false;
    }
    showMessage("Opened " + path, false);
    return true;
}

bool ExperimentPanel::saveFile() {
    if (document_->path().isEmpty()) {
        saveAs_->click();
        return !document_->path().isEmpty() && !document_->isDirty();
    }
    return saveFileAs(document_->path());
}

bool ExperimentPanel::saveFileAs(const QString& path) {
    QString error;
    if (!document_->save(path, &error)) {
        showMessage(error.contains(path) ? error : path + ": " + error, true);
        return false;
    }
    refreshHeader();
    showMessage("Saved " + path, false);
    Q_EMIT saved(path);
    return true;
}

void ExperimentPanel::requestValidation() {
    validating_ = true;
    ++generation_;
    validity_->setText("checking...");
    validity_->setStyleSheet("color: palette(mid);");
    debounce_->start();
}

void ExperimentPanel::startValidation() {
    const quint64 generation = ++generation_;
    const Json json = document_->json();
    const std::string source = document_->path().toStdString();
    QPointer<ExperimentPanel> self(this);
    runInBackground([self, generation, json, source] {
        QString message;
        try {
            ExperimentConfig::fromJson(json, source);
        } catch (const std::exception& e) {
            message = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, generation, message] {
                if (!self || self->generation_ != generation)
                    return;
                self->validating_ = false;
                self->validity_->setText(message.isEmpty() ? "\u2714 valid experiment"
                                                           : "\u2716 " + message);
                self->validity_->setStyleSheet(message.isEmpty() ? "color: #1e8449;"
                                                                 : "color: #c0392b;");
                Q_EMIT self->validated(message);
            },
            Qt::QueuedConnection);
    });
}

} // namespace medulla::ui
