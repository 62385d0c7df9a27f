/// The experiment editor (issue 9, area 5) driven with real key presses and
/// combo choices: the demo experiment's network shown with its channels, the
/// parameter count of a tiny UNet equal to a hand count, the output shape
/// for the pipeline's patch, trainer/optimizer edits landing in the JSON, an
/// invalid field named inline while the document keeps its last valid state,
/// and Save producing a file the engine loads and that round-trips.

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/training/Experiment.h"
#include "tests/ui/UiTestSupport.h"
#include "ui/model/ExperimentDocument.h"
#include "ui/panels/ComponentEditor.h"
#include "ui/panels/ExperimentPanel.h"
#include "ui/panels/NetworkSection.h"
#include "ui/panels/TrainingSection.h"
#include "ui/widgets/ParamForm.h"

using namespace medulla;
using namespace medulla::ui;

namespace {

/// Replace a line edit's text by typing, as a person would.
void typeInto(QWidget* editor, const QString& text) {
    QVERIFY(editor);
    editor->setFocus();
    if (auto* line = qobject_cast<QLineEdit*>(editor))
        line->selectAll();
    else if (auto* spin = qobject_cast<QAbstractSpinBox*>(editor))
        spin->selectAll();
    QTest::keyClicks(editor, text);
}

} // namespace

class TestExperimentPanel : public QObject {
    Q_OBJECT
private:
    ExperimentDocument doc_;
    ExperimentPanel* panel_ = nullptr;
    QTemporaryDir tmp_;

    NetworkSection* net() const { return panel_->networkSection(); }
    TrainingSection* training() const { return panel_->trainingSection(); }
    ParamForm* networkForm() const { return net()->editor()->form(); }
    void waitIdle() {
        QTRY_VERIFY_WITH_TIMEOUT(!net()->isBusy(), 90000);
        QTRY_VERIFY_WITH_TIMEOUT(!panel_->isValidating(), 90000);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        panel_ = new ExperimentPanel(&doc_);
        panel_->setInteractive(false);
        panel_->resize(1500, 950);
        panel_->show();
        QVERIFY(QTest::qWaitForWindowExposed(panel_));
        QVERIFY(panel_->openFile(QString(MEDULLA_SOURCE_DIR) + "/resources/demo_experiment.json"));
        waitIdle();
    }

    void cleanupTestCase() { delete panel_; }

    void showsDemoNetwork() {
        QCOMPARE(net()->editor()->combo()->currentText(), QString("UNet"));
        auto* channels = qobject_cast<QLineEdit*>(networkForm()->editor("channels"));
        QVERIFY(channels);
        QCOMPARE(channels->text(), QString("8, 16, 32, 64"));
        QCOMPARE(panel_->nameEdit()->text(), QString("demo-spheres"));
        // The patch comes from the last crop of train_transforms (48^3).
        QCOMPARE(net()->patchEdit()->text(), QString("48, 48, 48"));
        const NetworkSummary& s = net()->summary();
        QVERIFY2(s.ok, s.error.c_str());
        // (batch_size 2, out_channels 2, patch)
        QCOMPARE(s.outputShape, (std::vector<int64_t>{2, 2, 48, 48, 48}));
        QVERIFY(s.parameterCount > 0);
        QVERIFY(s.estimatedTrainingBytes > s.parameterCount * 4);
        QVERIFY2(panel_->validityText().contains("valid experiment"),
                 qPrintable(panel_->validityText()));
        const QImage img = test::saveScreenshot(panel_, "experiment-setup.png");
        QVERIFY(test::colourCount(img) > 8);
    }

    void tinyUNetParameterCountIsTheHandCount() {
        typeInto(networkForm()->editor("channels"), "4, 8");
        typeInto(networkForm()->editor("strides"), "2");
        typeInto(networkForm()->editor("num_res_units"), "0");
        QCOMPARE(doc_.section("network")["channels"], Json({4, 8}));
        QCOMPARE(doc_.section("network")["strides"], Json({2}));
        QCOMPARE(doc_.section("network")["num_res_units"], Json(0));
        QCOMPARE(doc_.section("network")["norm"], Json("batch"));
        waitIdle();
        // Hand count, 3D, in 1, out 2, kernels 3, bias, batch norm, PReLU (1):
        //   down   conv 1->4: 4*1*27 + 4 = 112, BN(4) 8, PReLU 1      = 121
        //   bottom conv 4->8: 8*4*27 + 8 = 872, BN(8) 16, PReLU 1     = 889
        //   up     transposed conv (4+8)->2: 12*2*27 + 2, conv only  = 650
        const int64_t expected = 121 + 889 + 650;
        const NetworkSummary s = net()->summary();
        QVERIFY2(s.ok, s.error.c_str());
        QCOMPARE(s.parameterCount, expected);
        QVERIFY2(net()->summaryText().contains("1,660"), qPrintable(net()->summaryText()));
        QCOMPARE(s.outputShape, (std::vector<int64_t>{2, 2, 48, 48, 48}));
        // Memory: at least the state (4 x parameters) plus the output
        // activations of the batch (2 x 2 x 48^3 floats).
        QVERIFY(s.estimatedTrainingBytes > 4 * s.parameterBytes + 2 * 2 * 48 * 48 * 48 * 4);
        QVERIFY(s.estimatedTrainingBytes > s.parameterBytes);

        // A patch typed by hand.
        typeInto(net()->patchEdit(), "32, 32, 16");
        waitIdle();
        QCOMPARE(net()->summary().outputShape, (std::vector<int64_t>{2, 2, 32, 32, 16}));
        QVERIFY(net()->summary().estimatedTrainingBytes < s.estimatedTrainingBytes);
    }

    void engineErrorShownLiveNamingTheField() {
        typeInto(networkForm()->editor("strides"), "2, 2");
        waitIdle();
        QVERIFY2(panel_->validityText().contains("network"), qPrintable(panel_->validityText()));
        QVERIFY(!doc_.validate().isEmpty());
        typeInto(networkForm()->editor("strides"), "2");
        waitIdle();
        QVERIFY2(panel_->validityText().contains("valid experiment"),
                 qPrintable(panel_->validityText()));
    }

    void invalidFieldKeepsLastValidDocument() {
        const Json before = doc_.section("network");
        typeInto(networkForm()->editor("channels"), "a");
        QVERIFY(!net()->editor()->isValid());
        QVERIFY2(net()->editor()->errorText().contains("network.channels"),
                 qPrintable(net()->editor()->errorText()));
        QCOMPARE(doc_.section("network"), before);
        QVERIFY(doc_.validate().isEmpty());
        waitIdle();
        QVERIFY2(net()->summaryText().contains("channels"), qPrintable(net()->summaryText()));
        typeInto(networkForm()->editor("channels"), "4, 8");
        QVERIFY(net()->editor()->isValid());
        waitIdle();
        QVERIFY(net()->summary().ok);
    }

    void maxEpochsByKeyPresses() {
        auto* spin = qobject_cast<QSpinBox*>(training()->trainerForm()->editor("max_epochs"));
        QVERIFY(spin);
        QCOMPARE(spin->value(), 20);
        typeInto(spin, "7");
        QCOMPARE(doc_.section("trainer")["max_epochs"], Json(7));
        QCOMPARE(doc_.section("trainer")["batch_size"], Json(2)); // kept
    }

    void novogradWithTypedLearningRate() {
        QComboBox* combo = training()->optimizerEditor()->combo();
        combo->setFocus();
        combo->setCurrentIndex(combo->findText("Novograd"));
        QCOMPARE(doc_.section("optimizer")["name"], Json("Novograd"));
        typeInto(training()->optimizerEditor()->form()->editor("lr"), "1e-3");
        QCOMPARE(doc_.section("optimizer")["name"], Json("Novograd"));
        QCOMPARE(doc_.section("optimizer")["lr"].get<double>(), 1e-3);
        QVERIFY(doc_.validate().isEmpty());
    }

    void deviceAmpProcessesEarlyStop() {
        QComboBox* device = training()->deviceCombo();
        QVERIFY(device);
        QVERIFY(device->findText("auto") >= 0);
        QVERIFY(device->findText("cpu") >= 0);
        device->setCurrentIndex(device->findText("cpu"));
        QCOMPARE(doc_.section("trainer")["device"], Json("cpu"));
        waitIdle();
        const int64_t fullPrecision = net()->summary().estimatedTrainingBytes;
        QCheckBox* amp = training()->ampCheck();
        QVERIFY(amp);
        QTest::mouseClick(amp, Qt::LeftButton, {}, QPoint(6, amp->height() / 2));
        QCOMPARE(doc_.section("trainer")["amp"], Json(true));
        waitIdle(); // the summary follows trainer.amp and trainer.batch_size
        QVERIFY(net()->summary().estimatedTrainingBytes < fullPrecision);
        typeInto(training()->trainerForm()->editor("batch_size"), "4");
        QCOMPARE(doc_.section("trainer")["batch_size"], Json(4));
        waitIdle();
        QCOMPARE(net()->summary().outputShape[0], int64_t(4));

        QSpinBox* processes = training()->processesSpin();
        QVERIFY(processes->maximum() >= 1);
        processes->setMaximum(std::max(2, processes->maximum()));
        typeInto(processes, "2");
        QCOMPARE(doc_.section("distributed"), Json({{"nproc_per_node", 2}}));
        QVERIFY(doc_.validate().isEmpty()); // the engine accepts the key

        QCheckBox* early = training()->earlyStopCheck();
        QVERIFY(early->isChecked());
        QCOMPARE(doc_.section("handlers")["early_stop"]["patience"], Json(10));
        typeInto(training()->earlyStopForm()->editor("patience"), "4");
        QCOMPARE(doc_.section("handlers")["early_stop"]["patience"], Json(4));
        QTest::mouseClick(early, Qt::LeftButton, {}, QPoint(6, early->height() / 2));
        QVERIFY(!doc_.section("handlers").contains("early_stop"));
        QVERIFY(doc_.section("handlers").contains("tensorboard"));
        QTest::mouseClick(early, Qt::LeftButton, {}, QPoint(6, early->height() / 2));
        QVERIFY(doc_.section("handlers").contains("early_stop"));
        QVERIFY(doc_.validate().isEmpty());
    }

    void switchingTheNetworkRewritesTheSection() {
        QComboBox* combo = net()->editor()->combo();
        combo->setCurrentIndex(combo->findText("SegResNet"));
        const Json n = doc_.section("network");
        QCOMPARE(n["name"], Json("SegResNet"));
        QCOMPARE(n["out_channels"], Json(2)); // carried over
        QVERIFY(!n.contains("channels"));     // UNet's own parameters are gone
        QVERIFY(networkForm()->editor("init_filters") != nullptr);
        typeInto(net()->patchEdit(), "16, 16, 16");
        waitIdle();
        QVERIFY2(net()->summary().ok, net()->summary().error.c_str());
        QCOMPARE(net()->summary().outputShape, (std::vector<int64_t>{4, 2, 16, 16, 16}));
        QVERIFY(doc_.validate().isEmpty());
    }

    void saveRoundTrips() {
        const QString path = tmp_.filePath("edited.json");
        panel_->setDefaultSavePath(path);
        QTest::mouseClick(panel_->saveAsButton(), Qt::LeftButton);
        QVERIFY2(panel_->messageText().startsWith("Saved"), qPrintable(panel_->messageText()));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const Json saved = Json::parse(f.readAll().toStdString());
        QCOMPARE(saved, doc_.json());
        QCOMPARE(saved["trainer"]["max_epochs"], Json(7));
        QCOMPARE(saved["distributed"]["nproc_per_node"], Json(2));
        const ExperimentConfig config = ExperimentConfig::load(path.toStdString());
        QCOMPARE(config.trainer.max_epochs, int64_t(7));
        QCOMPARE(config.optimizer["name"], Json("Novograd"));
        ExperimentDocument again;
        QVERIFY(again.load(path));
        QCOMPARE(again.json(), doc_.json());

        // An unwritable target is named inline, not a crash or a dialog.
        QFile blocker(tmp_.filePath("blocker"));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        const QString bad = tmp_.filePath("blocker/x.json"); // a file, not a folder
        QVERIFY(!panel_->saveFileAs(bad));
        QVERIFY2(panel_->messageText().contains("x.json"), qPrintable(panel_->messageText()));
        QVERIFY(!panel_->openFile(tmp_.filePath("missing.json")));
        QVERIFY2(panel_->messageText().contains("missing.json"), qPrintable(panel_->messageText()));
    }

    void newExperimentIsValid() {
        QTest::mouseClick(panel_->newButton(), Qt::LeftButton);
        waitIdle();
        QCOMPARE(net()->editor()->combo()->currentText(), QString("UNet"));
        QVERIFY2(panel_->validityText().contains("valid experiment"),
                 qPrintable(panel_->validityText()));
        QVERIFY(!doc_.section("distributed").is_object());
        QCOMPARE(training()->processesSpin()->value(), 1);
    }
};

QTEST_MAIN(TestExperimentPanel)
#include "test_experiment_panel.moc"
