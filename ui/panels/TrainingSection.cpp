#include "ui/panels/TrainingSection.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <thread>

#include "engine/services/Catalog.h"
#include "engine/services/NetworkSummary.h"
#include "ui/model/ExperimentDocument.h"
#include "ui/panels/ComponentEditor.h"
#include "ui/widgets/ParamForm.h"

namespace medulla::ui {

namespace {

QGroupBox* group(const QString& title, QWidget* content, QWidget* parent) {
    auto* box = new QGroupBox(title, parent);
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(content);
    return box;
}

/// The trainer schema with trainer.device offered as the available devices
/// (plus `current` when it is none of them, e.g. "cuda" or a missing GPU).
ComponentInfo trainerInfo(const std::string& current) {
    ComponentInfo info = catalog("trainer").front();
    for (ParamSpec& spec : info.params)
        if (spec.name == "device") {
            spec.choices.clear();
            for (const DeviceInfo& d : availableDevices())
                spec.choices.push_back(d.id);
            if (!current.empty() &&
                std::find(spec.choices.begin(), spec.choices.end(), current) == spec.choices.end())
                spec.choices.push_back(current);
        }
    return info;
}

} // namespace

TrainingSection::TrainingSection(ExperimentDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
    loss_ = new ComponentEditor(document, "loss", "loss", {}, this);
    optimizer_ = new ComponentEditor(document, "optimizer", "optimizer", {}, this);
    scheduler_ = new ComponentEditor(document, "scheduler", "scheduler", "none", this);
    inferer_ = new ComponentEditor(document, "inferer", "inferer",
                                   "none (SimpleInferer: the whole image)", this);

    trainer_ = new ParamForm(this);
    trainer_->setObjectName("trainerForm");
    processes_ = new QSpinBox(this);
    processes_->setObjectName("processesSpin");
    const int gpus = cudaDeviceCount();
    const int cpus = int(std::max(1u, std::thread::hardware_concurrency()));
    processes_->setRange(1, gpus > 0 ? gpus : cpus);
    processes_->setMaximumWidth(120);
    processes_->setToolTip(
        "Processes (DDP): data-parallel worker processes, one per GPU (or CPU processes "
        "without GPUs). Stored in the experiment as \"distributed\": {\"nproc_per_node\": N}. "
        "Multi-process launch from the studio comes with issue 10; today runs use one process.");
    auto* trainerBox = new QWidget(this);
    auto* trainerLayout = new QVBoxLayout(trainerBox);
    trainerLayout->setContentsMargins(0, 0, 0, 0);
    trainerLayout->addWidget(trainer_);
    auto* ddpRow = new QFormLayout;
    ddpRow->addRow("Processes (DDP)", processes_);
    trainerLayout->addLayout(ddpRow);

    earlyStopInfo_ = catalogEntry("handler", "early_stop");
    earlyStop_ = new QCheckBox("Early stopping", this);
    earlyStop_->setObjectName("earlyStopCheck");
    earlyStop_->setToolTip("Stop when the monitored score has not improved for `patience` checks "
                           "(handlers.early_stop).");
    earlyStopForm_ = new ParamForm(this);
    earlyStopForm_->setObjectName("earlyStopForm");
    auto* handlersBox = new QWidget(this);
    auto* handlersLayout = new QVBoxLayout(handlersBox);
    handlersLayout->setContentsMargins(0, 0, 0, 0);
    handlersLayout->addWidget(earlyStop_);
    handlersLayout->addWidget(earlyStopForm_);

    auto* grid = new QGridLayout(this);
    grid->addWidget(group("Loss", loss_, this), 0, 0);
    grid->addWidget(group("Optimizer", optimizer_, this), 0, 1);
    grid->addWidget(group("Learning-rate schedule", scheduler_, this), 1, 0);
    grid->addWidget(group("Validation inferer", inferer_, this), 1, 1);
    grid->addWidget(group("Trainer", trainerBox, this), 2, 0);
    grid->addWidget(group("Handlers", handlersBox, this), 2, 1);
    grid->setRowStretch(3, 1);

    connect(trainer_, &ParamForm::changed, this, &TrainingSection::writeTrainer);
    connect(processes_, &QSpinBox::valueChanged, this, &TrainingSection::writeProcesses);
    connect(earlyStop_, &QCheckBox::toggled, this, &TrainingSection::writeEarlyStop);
    connect(earlyStopForm_, &ParamForm::changed, this, &TrainingSection::writeEarlyStop);
    connect(document_, &ExperimentDocument::changed, this, [this](const QString& key) {
        if (!updating_ &&
            (key.isEmpty() || key == "trainer" || key == "distributed" || key == "handlers"))
            refresh();
    });
    refresh();
}

QComboBox* TrainingSection::deviceCombo() const {
    return qobject_cast<QComboBox*>(trainer_->editor("device"));
}

QCheckBox* TrainingSection::ampCheck() const {
    return qobject_cast<QCheckBox*>(trainer_->editor("amp"));
}

void TrainingSection::refresh() {
    updating_ = true;
    const Json trainer = document_->section("trainer");
    const Json values = trainer.is_object() ? trainer : Json::object();
    std::string device;
    if (values.contains("device") && values["device"].is_string())
        device = values["device"].get<std::string>();
    trainer_->setComponent(trainerInfo(device), values);
    if (QCheckBox* amp = ampCheck()) {
        amp->setText("AMP (mixed precision)");
    }

    const Json distributed = document_->section("distributed");
    int n = 1;
    if (distributed.is_object() && distributed.contains("nproc_per_node") &&
        distributed["nproc_per_node"].is_number_integer())
        n = std::max(1, distributed["nproc_per_node"].get<int>());
    if (n > processes_->maximum())
        processes_->setMaximum(n); // keep what the file says
    processes_->setValue(n);

    const Json handlers = document_->section("handlers");
    const bool enabled = handlers.is_object() && handlers.contains("early_stop") &&
                         !handlers["early_stop"].is_null();
    earlyStop_->setChecked(enabled);
    earlyStopForm_->setComponent(earlyStopInfo_, enabled && handlers["early_stop"].is_object()
                                                     ? handlers["early_stop"]
                                                     : Json::object());
    earlyStopForm_->setEnabled(enabled);
    updating_ = false;
}

void TrainingSection::writeTrainer() {
    if (updating_ || !trainer_->isValid())
        return;
    updating_ = true;
    document_->setSection("trainer",
                          mergeFormValues(document_->section("trainer"), trainer_->values(),
                                          trainer_->component(), true));
    updating_ = false;
}

void TrainingSection::writeProcesses() {
    if (updating_)
        return;
    Json distributed = document_->section("distributed");
    if (!distributed.is_object())
        distributed = Json::object();
    distributed["nproc_per_node"] = processes_->value();
    if (processes_->value() == 1 && distributed.size() == 1)
        distributed = Json(); // one process: the section says nothing
    updating_ = true;
    document_->setSection("distributed", distributed);
    updating_ = false;
}

void TrainingSection::writeEarlyStop() {
    if (updating_)
        return;
    earlyStopForm_->setEnabled(earlyStop_->isChecked());
    Json handlers = document_->section("handlers");
    if (!handlers.is_object())
        handlers = Json::object();
    if (earlyStop_->isChecked()) {
        if (!earlyStopForm_->isValid())
            return;
        handlers["early_stop"] = mergeFormValues(handlers.value("early_stop", Json()),
                                                 earlyStopForm_->values(), earlyStopInfo_, true);
        if (handlers["early_stop"].is_null())
            handlers["early_stop"] = Json::object();
    } else {
        handlers.erase("early_stop");
    }
    updating_ = true;
    document_->setSection("handlers", handlers.empty() ? Json() : handlers);
    updating_ = false;
}

} // namespace medulla::ui
