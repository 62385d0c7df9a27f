#pragma once
/// The training part of the experiment editor: loss, optimizer, lr schedule
/// (or none) and inferer (or none) as catalog combos with generated forms;
/// the trainer's parameters (device as a combo of the available devices,
/// AMP as a check box); the number of DDP processes; early stopping.
/// Everything edits the shared ExperimentDocument (sections "loss",
/// "optimizer", "scheduler", "inferer", "trainer", "distributed",
/// "handlers") and follows it. GUI thread only.

#include <QWidget>

#include "engine/core/Params.h"

class QCheckBox;
class QComboBox;
class QSpinBox;

namespace medulla::ui {

class ComponentEditor;
class ExperimentDocument;
class ParamForm;

class TrainingSection : public QWidget {
    Q_OBJECT
public:
    explicit TrainingSection(ExperimentDocument* document, QWidget* parent = nullptr);

    ComponentEditor* lossEditor() const { return loss_; }
    ComponentEditor* optimizerEditor() const { return optimizer_; }
    ComponentEditor* schedulerEditor() const { return scheduler_; }
    ComponentEditor* infererEditor() const { return inferer_; }
    /// The trainer form (max_epochs, batch_size, ..., device, amp).
    ParamForm* trainerForm() const { return trainer_; }
    /// The trainer form's device combo ("auto", "cpu", "cuda:N"...).
    QComboBox* deviceCombo() const;
    /// The trainer form's AMP check box.
    QCheckBox* ampCheck() const;
    /// Processes for DDP ("distributed": {"nproc_per_node": N}).
    QSpinBox* processesSpin() const { return processes_; }
    QCheckBox* earlyStopCheck() const { return earlyStop_; }
    ParamForm* earlyStopForm() const { return earlyStopForm_; }

public Q_SLOTS:
    /// Refill the trainer, DDP and early-stop editors from the document.
    void refresh();

private:
    void writeTrainer();
    void writeProcesses();
    void writeEarlyStop();

    ExperimentDocument* document_;
    ComponentEditor* loss_;
    ComponentEditor* optimizer_;
    ComponentEditor* scheduler_;
    ComponentEditor* inferer_;
    ParamForm* trainer_;
    QSpinBox* processes_;
    QCheckBox* earlyStop_;
    ParamForm* earlyStopForm_;
    ComponentInfo earlyStopInfo_;
    bool updating_ = false;
};

} // namespace medulla::ui
