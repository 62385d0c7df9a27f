#pragma once
/// The network part of the experiment editor: the network combo and its
/// generated parameter form (a ComponentEditor on the "network" section), the
/// training patch size, and a summary box (parameter count, output shape for
/// (batch, in_channels, patch), estimated training memory) computed off the
/// GUI thread by summarizeNetwork (engine/services/NetworkSummary.h),
/// debounced, the latest request winning (older ones are cancelled and their
/// results dropped). GUI thread only.

#include <QPointer>
#include <QString>
#include <QWidget>

#include <memory>
#include <utility>

#include "engine/core/CancelToken.h"
#include "engine/services/NetworkSummary.h"

class QLabel;
class QLineEdit;
class QTimer;

namespace medulla::ui {

class ComponentEditor;
class ExperimentDocument;

class NetworkSection : public QWidget {
    Q_OBJECT
public:
    explicit NetworkSection(ExperimentDocument* document, QWidget* parent = nullptr);
    ~NetworkSection() override;

    ComponentEditor* editor() const { return editor_; }
    /// The "Patch" line edit ("96, 96, 96"); filled from the last crop
    /// transform of train_transforms when there is one.
    QLineEdit* patchEdit() const { return patch_; }
    /// The patch the summary uses; empty when the line edit is invalid.
    std::vector<int64_t> patchSize() const;
    /// The last finished summary (ok false before the first one).
    const NetworkSummary& summary() const { return summary_; }
    /// True while a summary is pending or being computed.
    bool isBusy() const { return busy_; }
    /// The summary box's text (parameters, output shape, memory or error).
    QString summaryText() const;

    /// The patch of the last crop transform in a train_transforms list
    /// (its spatial_size or roi_size); empty when there is none.
    static std::vector<int64_t> patchFromTransforms(const Json& transforms);

public Q_SLOTS:
    /// Schedule a new summary (debounced).
    void requestSummary();

Q_SIGNALS:
    /// A summary finished (successfully or with an error).
    void summaryUpdated();

private:
    void startSummary();
    void showSummary(const NetworkSummary& s);
    void followTransforms();
    /// trainer.batch_size and trainer.amp (the summary's other inputs).
    std::pair<int64_t, bool> trainerInputs() const;

    ExperimentDocument* document_;
    ComponentEditor* editor_;
    QLineEdit* patch_;
    QLabel* patchSource_;
    QLabel* params_;
    QLabel* output_;
    QLabel* memory_;
    QLabel* status_;
    QTimer* debounce_;
    NetworkSummary summary_;
    std::shared_ptr<CancelToken> cancel_;
    std::pair<int64_t, bool> lastTrainerInputs_{-1, false};
    quint64 generation_ = 0;
    bool busy_ = false;
};

} // namespace medulla::ui
