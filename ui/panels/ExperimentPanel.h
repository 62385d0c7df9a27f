#pragma once
/// The experiment editor (issue 9, area 5): experiment name and output
/// folder, New / Open... / Save / Save as..., a live validity line (the
/// engine's ExperimentConfig::fromJson message naming the field, computed
/// off the GUI thread), the network (NetworkSection: form, parameter count,
/// output shape, memory estimate) and the training setup (TrainingSection:
/// loss, optimizer, schedule, inferer, trainer, DDP processes, early stop).
/// It edits the shared ExperimentDocument: the same JSON the CLI runs.
/// File errors are shown inline naming the file. GUI thread only.

#include <QPointer>
#include <QString>
#include <QWidget>

#include "engine/core/Params.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QTimer;

namespace medulla::ui {

class ExperimentDocument;
class NetworkSection;
class TrainingSection;

class ExperimentPanel : public QWidget {
    Q_OBJECT
public:
    explicit ExperimentPanel(ExperimentDocument* document, QWidget* parent = nullptr);

    ExperimentDocument* document() const { return document_; }
    NetworkSection* networkSection() const { return network_; }
    TrainingSection* trainingSection() const { return training_; }
    QLineEdit* nameEdit() const { return name_; }
    QLineEdit* outputDirEdit() const { return outputDir_; }
    QPushButton* newButton() const { return new_; }
    QPushButton* openButton() const { return open_; }
    QPushButton* saveButton() const { return save_; }
    QPushButton* saveAsButton() const { return saveAs_; }
    /// The validity line: "valid" or the engine's message naming the field.
    QString validityText() const;
    /// True while a validation is pending or running.
    bool isValidating() const { return validating_; }
    /// The last file message ("Saved ...", or an error naming the file).
    QString messageText() const;

    /// false: Open.../Save as.../Browse use no dialogs (tests); Save as...
    /// then writes to `defaultSavePath` if set.
    void setInteractive(bool interactive) { interactive_ = interactive; }
    void setDefaultSavePath(const QString& path) { defaultSavePath_ = path; }

    /// A new experiment to start from (the built-in demo's sections).
    static Json newExperimentJson();

public Q_SLOTS:
    /// Replace the document with newExperimentJson().
    void newExperiment();
    /// Load `path` into the document; false with the error shown inline.
    bool openFile(const QString& path);
    /// Save to the document's file (Save as... when it has none).
    bool saveFile();
    /// Save to `path`; false with the error shown inline.
    bool saveFileAs(const QString& path);

Q_SIGNALS:
    /// A validation finished; `message` is empty when the experiment is valid.
    void validated(const QString& message);
    void saved(const QString& path);

private:
    void refreshHeader();
    void requestValidation();
    void startValidation();
    void showMessage(const QString& text, bool error);

    ExperimentDocument* document_;
    NetworkSection* network_;
    TrainingSection* training_;
    QLineEdit* name_;
    QLineEdit* outputDir_;
    QPushButton* browse_;
    QPushButton* new_;
    QPushButton* open_;
    QPushButton* save_;
    QPushButton* saveAs_;
    QLabel* file_;
    QLabel* message_;
    QLabel* validity_;
    QTimer* debounce_;
    quint64 generation_ = 0;
    bool validating_ = false;
    bool interactive_ = true;
    QString defaultSavePath_;
};

} // namespace medulla::ui
