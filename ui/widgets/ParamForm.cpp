#include "ui/widgets/ParamForm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

#include <climits>
#include <cmath>

namespace medulla::ui {
namespace {

const char* kInvalidStyle = "background-color: #ffd2d2;";

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QString formatNumber(double v) {
    return QString::number(v, 'g', 12);
}

/// Text of one scalar JSON value as a person types it.
QString scalarText(const Json& v) {
    if (v.is_string())
        return qs(v.get<std::string>());
    if (v.is_number_integer())
        return QString::number(v.get<long long>());
    if (v.is_number())
        return formatNumber(v.get<double>());
    if (v.is_boolean())
        return v.get<bool>() ? "true" : "false";
    if (v.is_null())
        return {};
    return qs(v.dump());
}

/// "96, 96, 96" for a list (or a scalar standing for one).
QString listText(const Json& v) {
    if (!v.is_array())
        return scalarText(v);
    QStringList parts;
    for (const auto& e : v)
        parts << scalarText(e);
    return parts.join(", ");
}

/// Text for an Object parameter: a bare word for a string, else compact JSON.
QString objectText(const Json& v) {
    if (v.is_string())
        return qs(v.get<std::string>());
    if (v.is_null())
        return {};
    return qs(v.dump());
}

/// The range message for `v` against `spec`, or "" when inside.
QString rangeError(const ParamSpec& spec, double v) {
    if (v < spec.minValue)
        return QString("must be \u2265 %1").arg(formatNumber(spec.minValue));
    if (v > spec.maxValue)
        return QString("must be \u2264 %1").arg(formatNumber(spec.maxValue));
    return {};
}

/// Split "96, 96 96" or "[1, 2]" into its items (commas and/or spaces).
QStringList splitNumbers(QString text) {
    text = text.trimmed();
    if (text.startsWith('[') && text.endsWith(']'))
        text = text.mid(1, text.size() - 2);
    return text.split(QRegularExpression("[,\\s]+"), Qt::SkipEmptyParts);
}

/// Split "image, label" (commas; quotes and brackets optional).
QStringList splitStrings(QString text) {
    text = text.trimmed();
    if (text.startsWith('[') && text.endsWith(']'))
        text = text.mid(1, text.size() - 2);
    QStringList out;
    for (QString part : text.split(',', Qt::SkipEmptyParts)) {
        part = part.trimmed();
        if (part.size() >= 2 && (part.startsWith('"') || part.startsWith('\'')) &&
            part.endsWith(part.front()))
            part = part.mid(1, part.size() - 2);
        if (!part.isEmpty())
            out << part;
    }
    return out;
}

QString choiceList(const std::vector<std::string>& choices) {
    QStringList all;
    for (const auto& c : choices)
        all << qs(c);
    return all.join(", ");
}

bool inChoices(const std::vector<std::string>& choices, const QString& s) {
    for (const auto& c : choices)
        if (qs(c) == s)
            return true;
    return false;
}

/// True when `v` says the same as the default (a one-element list equals
/// the scalar it repeats, 1 equals 1.0).
bool sameAsDefault(const Json& v, const Json& def) {
    if (v == def)
        return true;
    if (v.is_array() && v.size() == 1 && !def.is_array() && v[0] == def)
        return true;
    return false;
}

bool fitsInt(const Json& v) {
    return v.is_number_integer() && v.get<long long>() >= INT_MIN && v.get<long long>() <= INT_MAX;
}

} // namespace

ParamForm::ParamForm(QWidget* parent) : QWidget(parent) {
    outer_ = new QVBoxLayout(this);
    outer_->setContentsMargins(4, 4, 4, 4);
    title_ = new QLabel(this);
    title_->setWordWrap(true);
    title_->setObjectName("paramFormTitle");
    layout_ = new QFormLayout;
    layout_->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    errorLabel_ = new QLabel(this);
    errorLabel_->setObjectName("paramFormErrors");
    errorLabel_->setWordWrap(true);
    errorLabel_->setStyleSheet("color: #c00000;");
    errorLabel_->hide();
    outer_->addWidget(title_);
    outer_->addLayout(layout_);
    outer_->addWidget(errorLabel_);
    outer_->addStretch(1);
}

void ParamForm::clearForm() {
    while (layout_->rowCount() > 0)
        layout_->removeRow(0);
    fields_.clear();
}

void ParamForm::setComponent(const ComponentInfo& info, const Json& values) {
    building_ = true;
    clearForm();
    info_ = info;
    title_->setText(
        QString("<b>%1</b>%2")
            .arg(qs(info.name).toHtmlEscaped(),
                 info.help.empty() ? QString() : " \u2014 " + qs(info.help).toHtmlEscaped()));
    title_->setVisible(!info.name.empty());
    const Json given = values.is_object() ? values : Json::object();
    for (const auto& spec : info.params) {
        const Json value = given.contains(spec.name) ? given.at(spec.name) : spec.defaultValue;
        Field field{spec, makeEditor(spec, value)};
        field.editor->setObjectName(qs(spec.name));
        field.editor->setToolTip(qs(spec.help));
        auto* label = new QLabel(qs(spec.name) + (spec.defaultValue.is_null() ? " *" : ""));
        label->setToolTip(qs(spec.help));
        layout_->addRow(label, field.editor);
        fields_.push_back(field);
    }
    building_ = false;
    refreshValidity();
}

QWidget* ParamForm::makeEditor(const ParamSpec& spec, const Json& value) {
    auto onEdit = [this] {
        if (building_)
            return;
        refreshValidity();
        Q_EMIT changed();
    };
    switch (spec.type) {
    case ParamType::Bool: {
        auto* box = new QCheckBox;
        box->setChecked(value.is_boolean() && value.get<bool>());
        connect(box, &QCheckBox::toggled, this, onEdit);
        return box;
    }
    case ParamType::Int:
        if (fitsInt(spec.defaultValue) && (value.is_null() || fitsInt(value))) {
            auto* spin = new QSpinBox;
            const double lo = std::max(spec.minValue, double(INT_MIN));
            const double hi = std::min(spec.maxValue, double(INT_MAX));
            spin->setRange(int(lo), int(hi));
            spin->setValue(value.is_number() ? int(value.get<long long>()) : 0);
            connect(spin, &QSpinBox::valueChanged, this, onEdit);
            return spin;
        }
        break;
    case ParamType::String:
        if (!spec.choices.empty()) {
            auto* combo = new QComboBox;
            for (const auto& c : spec.choices)
                combo->addItem(qs(c));
            const QString current = scalarText(value);
            if (combo->findText(current) < 0)
                combo->addItem(current); // shown (and flagged) rather than lost
            combo->setCurrentText(current);
            connect(combo, &QComboBox::currentTextChanged, this, onEdit);
            return combo;
        }
        break;
    default:
        break;
    }
    auto* edit = new QLineEdit;
    switch (spec.type) {
    case ParamType::IntList:
    case ParamType::FloatList:
    case ParamType::StringList:
        edit->setText(listText(value));
        break;
    case ParamType::Object:
        edit->setText(objectText(value));
        break;
    default:
        edit->setText(scalarText(value));
        break;
    }
    if (spec.defaultValue.is_null())
        edit->setPlaceholderText("required");
    connect(edit, &QLineEdit::textChanged, this, onEdit);
    return edit;
}

Json ParamForm::read(const Field& field, QString* error) const {
    const ParamSpec& spec = field.spec;
    const bool required = spec.defaultValue.is_null();
    auto fail = [&](const QString& msg) {
        *error = msg;
        return Json();
    };
    if (auto* box = qobject_cast<QCheckBox*>(field.editor))
        return box->isChecked();
    if (auto* spin = qobject_cast<QSpinBox*>(field.editor))
        return spin->value();
    if (auto* combo = qobject_cast<QComboBox*>(field.editor)) {
        const QString s = combo->currentText();
        if (!inChoices(spec.choices, s))
            return fail(QString("'%1' is not one of: %2").arg(s, choiceList(spec.choices)));
        return s.toStdString();
    }
    auto* edit = qobject_cast<QLineEdit*>(field.editor);
    if (!edit)
        return fail("no editor");
    const QString text = edit->text().trimmed();
    if (text.isEmpty() && required)
        return fail("required");

    switch (spec.type) {
    case ParamType::Int: {
        bool ok = false;
        const long long v = text.toLongLong(&ok);
        if (!ok)
            return fail(QString("expected an integer, got '%1'").arg(text));
        const QString range = rangeError(spec, double(v));
        return range.isEmpty() ? Json(v) : fail(range);
    }
    case ParamType::Float: {
        bool ok = false;
        const double v = text.toDouble(&ok); // C locale: "1e-4" reads
        if (!ok || !std::isfinite(v))
            return fail(QString("expected a number, got '%1'").arg(text));
        const QString range = rangeError(spec, v);
        return range.isEmpty() ? Json(v) : fail(range);
    }
    case ParamType::String:
        return text.toStdString();
    case ParamType::IntList:
    case ParamType::FloatList: {
        const bool ints = spec.type == ParamType::IntList;
        Json out = Json::array();
        for (const QString& part : splitNumbers(text)) {
            bool ok = false;
            double v = 0;
            if (ints)
                v = double(part.toLongLong(&ok));
            else
                v = part.toDouble(&ok);
            if (!ok || !std::isfinite(v))
                return fail(
                    QString("expected %1, got '%2'").arg(ints ? "integers" : "numbers", part));
            const QString range = rangeError(spec, v);
            if (!range.isEmpty())
                return fail(range);
            if (ints)
                out.push_back(part.toLongLong());
            else
                out.push_back(v);
        }
        return out;
    }
    case ParamType::StringList: {
        Json out = Json::array();
        for (const QString& part : splitStrings(text)) {
            if (!spec.choices.empty() && !inChoices(spec.choices, part))
                return fail(QString("'%1' is not one of: %2").arg(part, choiceList(spec.choices)));
            out.push_back(part.toStdString());
        }
        return out;
    }
    case ParamType::Object: {
        if (text.isEmpty())
            return Json();
        const Json parsed = Json::parse(text.toStdString(), nullptr, false);
        if (!parsed.is_discarded())
            return parsed;
        static const QRegularExpression bareWord("^[A-Za-z_][A-Za-z0-9_.\\-]*$");
        if (bareWord.match(text).hasMatch())
            return text.toStdString();
        return fail(QString("invalid JSON: '%1'").arg(text));
    }
    default:
        return fail("unsupported parameter type");
    }
}

Json ParamForm::values() const {
    Json out = Json::object();
    out["name"] = info_.name;
    for (const auto& field : fields_) {
        QString error;
        const Json v = read(field, &error);
        if (!error.isEmpty())
            continue;
        if (field.spec.defaultValue.is_null() || !sameAsDefault(v, field.spec.defaultValue))
            out[field.spec.name] = v;
    }
    return out;
}

QMap<QString, QString> ParamForm::errors() const {
    QMap<QString, QString> out;
    for (const auto& field : fields_) {
        QString error;
        read(field, &error);
        if (!error.isEmpty())
            out.insert(qs(field.spec.name), qs(field.spec.name) + ": " + error);
    }
    return out;
}

QWidget* ParamForm::editor(const QString& key) const {
    for (const auto& field : fields_)
        if (qs(field.spec.name) == key)
            return field.editor;
    return nullptr;
}

QString ParamForm::errorText() const {
    return errorLabel_->text();
}

void ParamForm::refreshValidity() {
    QStringList messages;
    for (const auto& field : fields_) {
        QString error;
        read(field, &error);
        const bool bad = !error.isEmpty();
        if (field.editor->property("invalid").toBool() != bad) {
            field.editor->setProperty("invalid", bad);
            field.editor->setStyleSheet(bad ? kInvalidStyle : "");
        }
        if (bad)
            messages << qs(field.spec.name) + ": " + error;
    }
    errorLabel_->setText(messages.join("\n"));
    errorLabel_->setVisible(!messages.isEmpty());
}

} // namespace medulla::ui
