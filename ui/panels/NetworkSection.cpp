#include "ui/panels/NetworkSection.h"

#include <QApplication>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QRegularExpression>
#include <QTimer>
#include <QVBoxLayout>

#include "ui/bridge/Background.h"
#include "ui/model/ExperimentDocument.h"
#include "ui/panels/ComponentEditor.h"
#include "ui/widgets/ParamForm.h"

namespace medulla::ui {

namespace {

QString bytesText(int64_t bytes) {
    const double b = double(bytes);
    if (b >= 1024.0 * 1024 * 1024)
        return QString::number(b / (1024.0 * 1024 * 1024), 'f', 2) + " GiB";
    if (b >= 1024.0 * 1024)
        return QString::number(b / (1024.0 * 1024), 'f', 1) + " MiB";
    return QString::number(b / 1024.0, 'f', 1) + " KiB";
}

QString shapeText(const std::vector<int64_t>& shape) {
    QStringList parts;
    for (int64_t s : shape)
        parts << QString::number(s);
    return "(" + parts.join(", ") + ")";
}

} // namespace

std::vector<int64_t> NetworkSection::patchFromTransforms(const Json& transforms) {
    std::vector<int64_t> out;
    if (!transforms.is_array())
        return out;
    for (const Json& t : transforms) {
        if (!t.is_object() || !t.contains("name") || !t["name"].is_string())
            continue;
        if (t["name"].get<std::string>().find("Crop") == std::string::npos)
            continue;
        for (const char* key : {"spatial_size", "roi_size"}) {
            if (!t.contains(key))
                continue;
            const Json& v = t[key];
            std::vector<int64_t> sizes;
            if (v.is_number_integer())
                sizes.assign(3, v.get<int64_t>());
            else if (v.is_array())
                for (const Json& e : v)
                    if (e.is_number_integer())
                        sizes.push_back(e.get<int64_t>());
            if (!sizes.empty())
                out = sizes;
            break;
        }
    }
    return out;
}

NetworkSection::NetworkSection(ExperimentDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
    editor_ = new ComponentEditor(document, "network", "network", {}, this);

    patch_ = new QLineEdit("96, 96, 96", this);
    patch_->setObjectName("patchEdit");
    patch_->setToolTip("Spatial size of one training patch: taken from the last crop transform "
                       "of the training pipeline when there is one, else edit it here.");
    patchSource_ = new QLabel(this);
    patchSource_->setStyleSheet("color: palette(mid);");

    auto* box = new QGroupBox("Summary", this);
    params_ = new QLabel("-", box);
    params_->setObjectName("parameterCount");
    output_ = new QLabel("-", box);
    output_->setObjectName("outputShape");
    memory_ = new QLabel("-", box);
    memory_->setObjectName("memoryEstimate");
    memory_->setToolTip("Weights, gradients and Adam's two moments (4 x parameters x 4 bytes) "
                        "plus activations measured by one training step on a small patch and "
                        "scaled to batch x patch (halved with AMP). An estimate.");
    status_ = new QLabel(box);
    status_->setObjectName("summaryStatus");
    status_->setWordWrap(true);
    auto* boxLayout = new QFormLayout(box);
    boxLayout->addRow("Parameters", params_);
    boxLayout->addRow("Output shape", output_);
    boxLayout->addRow("Training memory", memory_);
    boxLayout->addRow(status_);

    auto* patchRow = new QFormLayout;
    patchRow->addRow("Patch", patch_);
    patchRow->addRow(patchSource_);

    auto* networkBox = new QGroupBox("Network", this);
    auto* networkLayout = new QVBoxLayout(networkBox);
    networkLayout->addWidget(editor_);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(networkBox);
    layout->addLayout(patchRow);
    layout->addWidget(box);
    layout->addStretch(1);

    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(250);
    connect(debounce_, &QTimer::timeout, this, &NetworkSection::startSummary);
    connect(patch_, &QLineEdit::textChanged, this, &NetworkSection::requestSummary);
    connect(editor_, &ComponentEditor::edited, this, &NetworkSection::requestSummary);
    connect(document_, &ExperimentDocument::changed, this, [this](const QString& key) {
        if (key.isEmpty() || key == "train_transforms")
            followTransforms();
        if (key.isEmpty() || key == "network" ||
            (key == "trainer" && trainerInputs() != lastTrainerInputs_))
            requestSummary();
    });
    followTransforms();
    requestSummary();
}

NetworkSection::~NetworkSection() {
    if (cancel_)
        cancel_->cancel();
}

void NetworkSection::followTransforms() {
    const std::vector<int64_t> p = patchFromTransforms(document_->section("train_transforms"));
    if (p.empty()) {
        patchSource_->setText("(not set by the pipeline)");
        return;
    }
    QStringList parts;
    for (int64_t s : p)
        parts << QString::number(s);
    patchSource_->setText("from the last crop of train_transforms");
    if (patch_->text() != parts.join(", "))
        patch_->setText(parts.join(", "));
}

std::vector<int64_t> NetworkSection::patchSize() const {
    std::vector<int64_t> out;
    for (const QString& part :
         patch_->text().split(QRegularExpression("[,x ]+"), Qt::SkipEmptyParts)) {
        bool ok = false;
        const qlonglong v = part.toLongLong(&ok);
        if (!ok || v < 1)
            return {};
        out.push_back(v);
    }
    return out;
}

std::pair<int64_t, bool> NetworkSection::trainerInputs() const {
    const Json trainer = document_->section("trainer");
    int64_t batch = 2;
    bool amp = false;
    if (trainer.is_object()) {
        if (trainer.contains("batch_size") && trainer["batch_size"].is_number_integer())
            batch = trainer["batch_size"].get<int64_t>();
        if (trainer.contains("amp") && trainer["amp"].is_boolean())
            amp = trainer["amp"].get<bool>();
    }
    return {batch, amp};
}

QString NetworkSection::summaryText() const {
    return "Parameters: " + params_->text() + "\nOutput shape: " + output_->text() +
           "\nTraining memory: " + memory_->text() + "\n" + status_->text();
}

void NetworkSection::requestSummary() {
    busy_ = true;
    ++generation_;
    if (cancel_)
        cancel_->cancel();
    status_->setText("computing...");
    debounce_->start();
}

void NetworkSection::startSummary() {
    const quint64 generation = ++generation_;
    const std::vector<int64_t> patch = patchSize();
    if (!editor_->isValid() || patch.empty()) {
        NetworkSummary s;
        s.error = patch.empty() ? "patch: expected sizes like \"96, 96, 96\""
                                : editor_->errorText().toStdString();
        showSummary(s);
        return;
    }
    lastTrainerInputs_ = trainerInputs();
    const int64_t batch = lastTrainerInputs_.first;
    const bool amp = lastTrainerInputs_.second;
    const Json network = document_->section("network");
    auto cancel = std::make_shared<CancelToken>();
    cancel_ = cancel;
    QPointer<NetworkSection> self(this);
    runInBackground([self, generation, network, patch, batch, amp, cancel] {
        NetworkSummary s = summarizeNetwork(network, patch, batch, amp, cancel.get());
        QMetaObject::invokeMethod(
            qApp,
            [self, generation, s] {
                if (self && self->generation_ == generation)
                    self->showSummary(s);
            },
            Qt::QueuedConnection);
    });
}

void NetworkSection::showSummary(const NetworkSummary& s) {
    summary_ = s;
    busy_ = false;
    if (s.ok) {
        params_->setText(QLocale(QLocale::English).toString(qlonglong(s.parameterCount)) + "  (" +
                         bytesText(s.parameterBytes) + ")");
        output_->setText(shapeText(s.outputShape));
        memory_->setText("~ " + bytesText(s.estimatedTrainingBytes));
        status_->setText(QString("input (batch, %1, patch); activations measured on %2")
                             .arg(s.inChannels)
                             .arg(shapeText(s.probePatch)));
        status_->setStyleSheet("color: palette(mid);");
    } else {
        params_->setText("-");
        output_->setText("-");
        memory_->setText("-");
        status_->setText(QString::fromStdString(s.error));
        status_->setStyleSheet("color: #c0392b;");
    }
    Q_EMIT summaryUpdated();
}

} // namespace medulla::ui
