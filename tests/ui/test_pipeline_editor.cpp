/// The pipeline editor driven like a person would, on the built-in demo
/// experiment (resources/demo_experiment.json) with its synthetic spheres
/// generated into a temporary folder: add a transform by double-click in
/// the palette, reorder by a drop on the step list, edit parameters in the
/// form, and check the experiment JSON and the live preview (shape and
/// spacing after each step, re-roll, errors naming the step or field).

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include <cmath>

#include "tests/ui/UiTestSupport.h"
#include "ui/model/ExperimentDocument.h"
#include "ui/model/PipelineModel.h"
#include "ui/panels/PipelineEditor.h"
#include "ui/views/SliceView.h"
#include "ui/widgets/ParamForm.h"
#include "ui/widgets/TransformPalette.h"

using namespace medulla;
using namespace medulla::ui;
using medulla::ui::test::retype;

namespace {

QStringList names(const Json& list) {
    QStringList out;
    for (const auto& t : list)
        out << QString::fromStdString(t.value("name", std::string("?")));
    return out;
}

/// Drop `mime` on the upper edge of row `row` of `view` (or below the last
/// row when row == rowCount), as a drag and drop ends.
void dropAt(QListView* view, QMimeData* mime, int row) {
    QAbstractItemModel* model = view->model();
    QPoint pos;
    if (row < model->rowCount()) {
        const QRect r = view->visualRect(model->index(row, 0));
        pos = QPoint(r.center().x(), r.top() + 1);
    } else {
        const QRect r = view->visualRect(model->index(model->rowCount() - 1, 0));
        pos = QPoint(r.center().x(), r.bottom() - 1);
    }
    const Qt::DropActions actions = Qt::MoveAction | Qt::CopyAction;
    QDragEnterEvent enter(pos, actions, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &enter);
    QDragMoveEvent move(pos, actions, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &move);
    QDropEvent drop(pos, actions, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &drop);
}

/// Sum of the voxels of a float volume (as an image fingerprint).
double checksum(const Volume& v) {
    const Volume f = v.toFloatCpu();
    const float* p = f.floatData();
    int64_t n = f.channels();
    for (int64_t s : f.spatialShape())
        n *= s;
    double sum = 0;
    for (int64_t i = 0; i < n; ++i)
        sum += p[i] * double(i % 977 + 1);
    return sum;
}

} // namespace

/// Wait until the preview of the current list is shown.
#define WAIT_PREVIEW() QTRY_VERIFY_WITH_TIMEOUT(!editor_->isPreviewPending(), 60000)

class TestPipelineEditor : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;
    ExperimentDocument doc_;
    PipelineEditor* editor_ = nullptr;

    Json steps() const { return doc_.section("train_transforms"); }
    void selectStep(int row) {
        QListView* list = editor_->stepList();
        const QRect r = list->visualRect(editor_->model()->index(row));
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, r.center());
        QCOMPARE(list->currentIndex().row(), row);
    }

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void showsDemoPipeline();
    void addByDoubleClick();
    void reorderByDrop();
    void editSpacingUpdatesPreview();
    void cropSizeAndReroll();
    void invalidParameterKeepsJson();
    void paletteDropAndDelete();
    void validationTab();
};

void TestPipelineEditor::initTestCase() {
    QVERIFY(tmp_.isValid());
    QString error;
    QVERIFY2(doc_.load(MEDULLA_SOURCE_DIR "/resources/demo_experiment.json", &error),
             qPrintable(error));
    Json data = doc_.section("data");
    data["dataset"] = (tmp_.path() + "/demo-data/dataset.json").toStdString();
    data["synthetic"]["num_cases"] = 3;
    doc_.setSection("data", data);

    editor_ = new PipelineEditor(&doc_);
    editor_->resize(1500, 900);
    editor_->show();
    QVERIFY(QTest::qWaitForWindowExposed(editor_));
    QTRY_COMPARE_WITH_TIMEOUT(editor_->caseCombo()->count(), 3, 60000);
    WAIT_PREVIEW();
}

void TestPipelineEditor::cleanupTestCase() {
    delete editor_;
}

void TestPipelineEditor::showsDemoPipeline() {
    QCOMPARE(editor_->model()->rowCount(), 4);
    QCOMPARE(editor_->caseCombo()->currentText(), QString("case_000"));
    const PreviewResult& p = editor_->lastPreview();
    QVERIFY2(p.error.empty(), p.error.c_str());
    QCOMPARE(int(p.steps.size()), 4);
    QCOMPARE(p.steps[1].shape, (std::vector<int64_t>{1, 64, 64, 64}));
    QCOMPARE(p.steps[3].shape, (std::vector<int64_t>{1, 48, 48, 48}));
    QCOMPARE(p.steps[3].samples, 2); // num_samples 2: the first is shown
    QVERIFY(p.steps[3].random && !p.steps[2].random);
    QCOMPARE(p.beforeImage.spatialShape(), (std::vector<int64_t>{64, 64, 64}));
    QCOMPARE(p.afterImage.spatialShape(), (std::vector<int64_t>{48, 48, 48}));
    QCOMPARE(p.afterLabel.spatialShape(), (std::vector<int64_t>{48, 48, 48}));
    QTableWidget* table = editor_->previewTable();
    QCOMPARE(table->rowCount(), 4);
    QCOMPARE(table->item(3, 0)->text(), QString("RandCropByPosNegLabeld"));
    QCOMPARE(table->item(3, 1)->text(), QString("1 \u00d7 48 \u00d7 48 \u00d7 48"));
    QCOMPARE(table->item(3, 2)->text(), QString("1, 1, 1"));
    QVERIFY(editor_->model()
                ->data(editor_->model()->index(3), Qt::DisplayRole)
                .toString()
                .contains("(random)"));
    QVERIFY(test::litFraction(editor_->beforeView()->renderSlice()) > 0.02);
}

void TestPipelineEditor::addByDoubleClick() {
    QTreeWidgetItem* item = editor_->palette()->item("Spacingd");
    QVERIFY(item);
    QVERIFY(!item->toolTip(0).isEmpty());
    QTreeWidget* tree = editor_->palette()->tree();
    tree->scrollToItem(item);
    const QRect r = tree->visualItemRect(item);
    // A double click as the window system sends it: press, release, double click.
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, r.center());
    QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {}, r.center());
    QCOMPARE(names(steps()), QStringList({"LoadImaged", "EnsureChannelFirstd", "ScaleIntensityd",
                                          "RandCropByPosNegLabeld", "Spacingd"}));
    QCOMPARE(steps()[4], Json({{"name", "Spacingd"}}));
    // The new step is selected and its form shown.
    QCOMPARE(editor_->stepList()->currentIndex().row(), 4);
    QCOMPARE(QString::fromStdString(editor_->paramForm()->component().name), QString("Spacingd"));
}

void TestPipelineEditor::reorderByDrop() {
    PipelineModel* model = editor_->model();
    // Drag step 4 (Spacingd) onto the top edge of step 2.
    QMimeData* mime = model->mimeData({model->index(4)});
    QVERIFY(mime && mime->hasFormat(kStepMimeType));
    dropAt(editor_->stepList(), mime, 2);
    delete mime;
    QCOMPARE(names(steps()), QStringList({"LoadImaged", "EnsureChannelFirstd", "Spacingd",
                                          "ScaleIntensityd", "RandCropByPosNegLabeld"}));
    QCOMPARE(editor_->stepList()->currentIndex().row(), 2);
    WAIT_PREVIEW();
    // Spacing 1 mm -> 1 mm: the shape stays.
    QCOMPARE(editor_->lastPreview().steps[2].shape, (std::vector<int64_t>{1, 64, 64, 64}));
}

void TestPipelineEditor::editSpacingUpdatesPreview() {
    selectStep(2);
    ParamForm* form = editor_->paramForm();
    QCOMPARE(QString::fromStdString(form->component().name), QString("Spacingd"));
    retype(form->editor("pixdim"), "2, 2, 2");
    QVERIFY(form->isValid());
    QCOMPARE(steps()[2]["pixdim"], Json({2.0, 2.0, 2.0}));
    WAIT_PREVIEW();

    // MONAI's Spacing: the corner voxel centres keep their world position,
    // so n voxels at 1 mm become round((n - 1) * 1 / 2 + 1) at 2 mm.
    const int64_t n = int64_t(std::nearbyint((64 - 1) * 1.0 / 2.0 + 1));
    const PreviewResult& p = editor_->lastPreview();
    QCOMPARE(p.steps.size(), size_t(5));
    QCOMPARE(p.steps[2].shape, (std::vector<int64_t>{1, n, n, n}));
    for (double s : p.steps[2].spacing)
        QCOMPARE(s, 2.0);
    QTableWidget* table = editor_->previewTable();
    QCOMPARE(table->item(2, 1)->text(), QString("1 \u00d7 %1 \u00d7 %1 \u00d7 %1").arg(n));
    QCOMPARE(table->item(2, 2)->text(), QString("2, 2, 2"));
    // The 48^3 crop no longer fits: the error names the step.
    QVERIFY2(QString::fromStdString(p.error).startsWith(
                 "train_transforms[4] (RandCropByPosNegLabeld): "),
             p.error.c_str());
    QVERIFY(QString::fromStdString(p.error).contains("exceeds the image size"));
    QVERIFY(editor_->previewError().contains("train_transforms[4]"));
    QVERIFY(table->item(4, 1)->text().contains("exceeds the image size"));
}

void TestPipelineEditor::cropSizeAndReroll() {
    selectStep(4);
    ParamForm* form = editor_->paramForm();
    QCOMPARE(QString::fromStdString(form->component().name), QString("RandCropByPosNegLabeld"));
    retype(form->editor("spatial_size"), "24, 24, 16");
    QCOMPARE(steps()[4]["spatial_size"], Json({24, 24, 16}));
    WAIT_PREVIEW();
    const PreviewResult first = editor_->lastPreview();
    QVERIFY2(first.error.empty(), first.error.c_str());
    QCOMPARE(first.steps[4].shape, (std::vector<int64_t>{1, 24, 24, 16}));
    QCOMPARE(first.steps[4].spacing, (std::array<double, 3>{2, 2, 2}));
    QCOMPARE(first.afterLabel.spatialShape(), (std::vector<int64_t>{24, 24, 16}));
    QCOMPARE(editor_->previewTable()->item(4, 1)->text(),
             QString("1 \u00d7 24 \u00d7 24 \u00d7 16"));

    // The same seed gives the same crop again (the list did not change).
    const uint64_t seed = editor_->seed();
    editor_->setSeed(seed);
    WAIT_PREVIEW();
    QCOMPARE(checksum(editor_->lastPreview().afterImage), checksum(first.afterImage));

    const QImage beforeSlice = editor_->beforeView()->renderSlice();
    QTest::mouseClick(editor_->rerollButton(), Qt::LeftButton);
    QVERIFY(editor_->seed() != seed);
    WAIT_PREVIEW();
    const PreviewResult second = editor_->lastPreview();
    QCOMPARE(second.seed, editor_->seed());
    QCOMPARE(second.steps[4].shape, first.steps[4].shape);
    QVERIFY(checksum(second.afterImage) != checksum(first.afterImage));
    QCOMPARE(editor_->beforeView()->renderSlice(), beforeSlice); // before is not random
    bool seedShown = false;
    for (QLabel* l : editor_->findChildren<QLabel*>())
        seedShown = seedShown || l->text() == QString("seed %1").arg(editor_->seed());
    QVERIFY(seedShown);
    test::saveScreenshot(editor_, "pipeline-editor.png");
}

void TestPipelineEditor::invalidParameterKeepsJson() {
    selectStep(4);
    const Json before = doc_.json();
    QCOMPARE(steps()[4]["spatial_size"], Json({24, 24, 16}));
    ParamForm* form = editor_->paramForm();
    // Every valid state of a field is written as it is typed; one stray key
    // makes it invalid: the error names the field and nothing is written.
    auto* size = qobject_cast<QLineEdit*>(form->editor("spatial_size"));
    size->setFocus();
    QTest::keyClick(size, Qt::Key_End);
    QTest::keyClicks(size, "x");
    QCOMPARE(size->text(), QString("24, 24, 16x"));
    QVERIFY(!form->isValid());
    QCOMPARE(form->errors().value("spatial_size"),
             QString("spatial_size: expected integers, got '16x'"));
    QVERIFY(form->errorText().contains("spatial_size: expected integers, got '16x'"));
    QVERIFY(size->property("invalid").toBool());
    QCOMPARE(doc_.json(), before);
    auto* pos = qobject_cast<QLineEdit*>(form->editor("pos"));
    pos->setFocus();
    QTest::keyClick(pos, Qt::Key_Home);
    QTest::keyClicks(pos, "-");
    QCOMPARE(pos->text(), QString("-1"));
    QCOMPARE(form->errors().value("pos"), QString("pos: must be \u2265 0"));
    QCOMPARE(form->errors().size(), 2);
    QCOMPARE(doc_.json(), before);
    test::saveScreenshot(editor_, "pipeline-editor-invalid.png");
    // Fixing the field writes again.
    retype(form->editor("spatial_size"), "24, 24, 24");
    retype(form->editor("pos"), "2");
    QVERIFY(form->isValid());
    QCOMPARE(steps()[4]["spatial_size"], Json({24, 24, 24}));
    QCOMPARE(steps()[4]["pos"], Json(2.0));
    WAIT_PREVIEW();
    QCOMPARE(editor_->lastPreview().steps[4].shape, (std::vector<int64_t>{1, 24, 24, 24}));
}

void TestPipelineEditor::paletteDropAndDelete() {
    // A transform dragged from the palette lands where it is dropped.
    auto* mime = new QMimeData;
    mime->setData(kTransformMimeType, "RandFlipd");
    dropAt(editor_->stepList(), mime, 3);
    delete mime;
    QCOMPARE(names(steps()),
             QStringList({"LoadImaged", "EnsureChannelFirstd", "Spacingd", "RandFlipd",
                          "ScaleIntensityd", "RandCropByPosNegLabeld"}));
    QCOMPARE(editor_->stepList()->currentIndex().row(), 3);
    QVERIFY(editor_->model()
                ->data(editor_->model()->index(3), Qt::DisplayRole)
                .toString()
                .contains("(random)"));
    // The Delete key removes the selected step.
    editor_->stepList()->setFocus();
    QTest::keyClick(editor_->stepList(), Qt::Key_Delete);
    QCOMPARE(names(steps()), QStringList({"LoadImaged", "EnsureChannelFirstd", "Spacingd",
                                          "ScaleIntensityd", "RandCropByPosNegLabeld"}));
    // The filter hides what does not match.
    editor_->palette()->filterEdit()->setFocus();
    QTest::keyClicks(editor_->palette()->filterEdit(), "spacing");
    QVERIFY(!editor_->palette()->item("Spacingd")->isHidden());
    QVERIFY(editor_->palette()->item("RandFlipd")->isHidden());
    editor_->palette()->filterEdit()->clear();
    QVERIFY(!editor_->palette()->item("RandFlipd")->isHidden());
}

void TestPipelineEditor::validationTab() {
    const Json train = steps();
    editor_->sectionTabs()->setCurrentIndex(1);
    QCOMPARE(editor_->section(), QString("val_transforms"));
    QCOMPARE(editor_->model()->rowCount(), 3);
    WAIT_PREVIEW();
    QCOMPARE(editor_->lastPreview().steps.back().shape, (std::vector<int64_t>{1, 64, 64, 64}));
    editor_->addTransform("CenterSpatialCropd");
    QCOMPARE(names(doc_.section("val_transforms")),
             QStringList(
                 {"LoadImaged", "EnsureChannelFirstd", "ScaleIntensityd", "CenterSpatialCropd"}));
    QCOMPARE(steps(), train); // the training list is untouched
}

QTEST_MAIN(TestPipelineEditor)
#include "test_pipeline_editor.moc"
