/// ParamForm driven by key presses and clicks on forms generated from real
/// registry entries (UNet, RandCropByPosNegLabeld, SpatialPadd): the JSON it
/// produces, inline validation naming the field, choice combos.

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

#include "engine/services/Catalog.h"
#include "tests/ui/UiTestSupport.h"
#include "ui/widgets/ParamForm.h"

using namespace medulla;
using namespace medulla::ui;
using medulla::ui::test::retype;

namespace {

ComponentInfo find(const std::string& family, const std::string& name) {
    for (const auto& info : catalog(family))
        if (info.name == name)
            return info;
    qFatal("%s %s not in the catalog", family.c_str(), name.c_str());
    return {};
}

QString dump(const Json& j) {
    return QString::fromStdString(j.dump());
}

} // namespace

class TestParamForm : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void unetForm();
    void cropForm();
    void choicesCombo();
};

void TestParamForm::unetForm() {
    ParamForm form;
    form.resize(460, 560);
    form.show();
    QVERIFY(QTest::qWaitForWindowExposed(&form));
    const ComponentInfo unet = find("network", "UNet");
    form.setComponent(unet, Json{{"name", "UNet"}, {"channels", {8, 16}}, {"strides", {2}}});

    // Editors per type, tooltips from the help text.
    QVERIFY(qobject_cast<QSpinBox*>(form.editor("spatial_dims")));
    QVERIFY(qobject_cast<QCheckBox*>(form.editor("bias")));
    auto* channels = qobject_cast<QLineEdit*>(form.editor("channels"));
    QVERIFY(channels);
    QCOMPARE(channels->text(), QString("8, 16"));
    QCOMPARE(channels->toolTip(), QString("features per level"));
    QCOMPARE(qobject_cast<QLineEdit*>(form.editor("act"))->text(), QString("prelu"));
    QVERIFY(form.isValid());
    QCOMPARE(dump(form.values()), QString(R"({"channels":[8,16],"name":"UNet","strides":[2]})"));

    QSignalSpy changed(&form, &ParamForm::changed);
    retype(channels, "4, 8, 16");
    retype(form.editor("strides"), "2 2");
    QTest::mouseClick(form.editor("bias"), Qt::LeftButton, {},
                      QPoint(8, form.editor("bias")->height() / 2));
    auto* res = qobject_cast<QSpinBox*>(form.editor("num_res_units"));
    res->setFocus();
    res->selectAll();
    QTest::keyClicks(res, "2");
    retype(form.editor("act"), R"(["leakyrelu", {"negative_slope": 0.2}])");
    QVERIFY(changed.count() >= 5);
    QVERIFY2(form.isValid(), qPrintable(form.errorText()));
    QCOMPARE(dump(form.values()),
             QString(R"({"act":["leakyrelu",{"negative_slope":0.2}],"bias":false,)"
                     R"("channels":[4,8,16],"name":"UNet","num_res_units":2,"strides":[2,2]})"));

    // Back to a default value: the key disappears.
    retype(form.editor("act"), "prelu");
    QVERIFY(!form.values().contains("act"));

    // Out of range (channels >= 1) and not a number: the field is named,
    // marked, and left out of values().
    retype(channels, "4, 0");
    QVERIFY(!form.isValid());
    QCOMPARE(form.errors().value("channels"), QString("channels: must be \u2265 1"));
    QVERIFY(form.errorText().contains("channels: must be \u2265 1"));
    QVERIFY(channels->property("invalid").toBool());
    QVERIFY(!form.values().contains("channels"));
    retype(channels, "4, a");
    QCOMPARE(form.errors().value("channels"), QString("channels: expected integers, got 'a'"));
    auto* errorLabel = form.findChild<QLabel*>("paramFormErrors");
    QVERIFY(errorLabel && errorLabel->isVisible());
    test::saveScreenshot(&form, "param-form.png");

    retype(channels, "4, 8, 16");
    QVERIFY(form.isValid());
    QVERIFY(!channels->property("invalid").toBool());
    QVERIFY(!errorLabel->isVisible());
    QCOMPARE(form.values()["channels"], Json({4, 8, 16}));
}

void TestParamForm::cropForm() {
    ParamForm form;
    form.show();
    const ComponentInfo crop = find("transform", "RandCropByPosNegLabeld");
    form.setComponent(crop, Json{{"name", "RandCropByPosNegLabeld"}});
    QCOMPARE(qobject_cast<QLineEdit*>(form.editor("spatial_size"))->text(), QString("96, 96, 96"));
    QCOMPARE(qobject_cast<QLineEdit*>(form.editor("keys"))->text(), QString("image, label"));
    QCOMPARE(dump(form.values()), QString(R"({"name":"RandCropByPosNegLabeld"})"));

    retype(form.editor("spatial_size"), "64, 64, 32");
    retype(form.editor("pos"), "1e-4");
    retype(form.editor("keys"), "image");
    auto* samples = qobject_cast<QSpinBox*>(form.editor("num_samples"));
    QVERIFY(samples);
    QCOMPARE(samples->minimum(), 1);
    QCOMPARE(samples->maximum(), 1024);
    samples->setFocus();
    samples->selectAll();
    QTest::keyClicks(samples, "4");
    QVERIFY2(form.isValid(), qPrintable(form.errorText()));
    const Json v = form.values();
    QCOMPARE(v["spatial_size"], Json({64, 64, 32}));
    QCOMPARE(v["pos"].get<double>(), 1e-4);
    QCOMPARE(v["keys"], Json({"image"}));
    QCOMPARE(v["num_samples"], Json(4));
    QCOMPARE(v.size(), size_t(5));

    retype(form.editor("pos"), "-1");
    QCOMPARE(form.errors().value("pos"), QString("pos: must be \u2265 0"));
    QVERIFY(!form.values().contains("pos"));
    retype(form.editor("neg"), "x");
    QCOMPARE(form.errors().size(), 2);
    QCOMPARE(form.errors().value("neg"), QString("neg: expected a number, got 'x'"));
}

void TestParamForm::choicesCombo() {
    ParamForm form;
    form.show();
    const ComponentInfo pad = find("transform", "SpatialPadd");
    const ParamSpec* mode = nullptr;
    for (const auto& p : pad.params)
        if (p.name == "mode")
            mode = &p;
    QVERIFY(mode && mode->choices.size() >= 2);
    form.setComponent(pad, Json{{"name", "SpatialPadd"}, {"spatial_size", {8, 8, 8}}});
    auto* combo = qobject_cast<QComboBox*>(form.editor("mode"));
    QVERIFY(combo);
    QStringList items, expected;
    for (int i = 0; i < combo->count(); ++i)
        items << combo->itemText(i);
    for (const auto& c : mode->choices)
        expected << QString::fromStdString(c);
    QCOMPARE(items, expected);
    QCOMPARE(combo->currentText(), QString::fromStdString(mode->defaultValue.get<std::string>()));

    // Pick the last choice with the keyboard.
    combo->setFocus();
    QTest::keyClick(combo, Qt::Key_End);
    QCOMPARE(form.values()["mode"], Json(mode->choices.back()));
    QCOMPARE(form.values()["spatial_size"], Json({8, 8, 8}));
}

QTEST_MAIN(TestParamForm)
#include "test_param_form.moc"
