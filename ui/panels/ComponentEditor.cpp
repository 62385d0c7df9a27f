#include "ui/panels/ComponentEditor.h"

#include <QComboBox>
#include <QLabel>
#include <QVBoxLayout>

#include "engine/services/Catalog.h"
#include "ui/model/ExperimentDocument.h"
#include "ui/widgets/ParamForm.h"

namespace medulla::ui {

Json mergeFormValues(const Json& existing, const Json& formValues, const ComponentInfo& info,
                     bool dropName) {
    Json out;
    const bool sameComponent = existing.is_object() &&
                               (dropName || (existing.contains("name") &&
                                             existing["name"] == formValues.value("name", Json())));
    if (!sameComponent) {
        out = formValues;
    } else {
        out = existing;
        for (const ParamSpec& spec : info.params) {
            if (formValues.contains(spec.name))
                out[spec.name] = formValues[spec.name];
            else if (out.contains(spec.name) && !spec.defaultValue.is_null())
                out[spec.name] = spec.defaultValue;
        }
        if (formValues.contains("name"))
            out["name"] = formValues["name"];
    }
    if (dropName && out.is_object())
        out.erase("name");
    return out;
}

ComponentEditor::ComponentEditor(ExperimentDocument* document, const QString& section,
                                 const QString& family, const QString& noneLabel, QWidget* parent)
    : QWidget(parent), document_(document), section_(section), family_(family.toStdString()) {
    infos_ = catalog(family_);
    combo_ = new QComboBox(this);
    combo_->setObjectName(section + "Combo");
    if (!noneLabel.isEmpty()) {
        hasNone_ = true;
        combo_->addItem(noneLabel, QString());
    }
    for (const ComponentInfo& info : infos_) {
        const QString name = QString::fromStdString(info.name);
        combo_->addItem(name, name);
        combo_->setItemData(combo_->count() - 1, QString::fromStdString(info.help),
                            Qt::ToolTipRole);
    }
    form_ = new ParamForm(this);
    form_->setObjectName(section + "Form");

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(combo_);
    layout->addWidget(form_);

    connect(combo_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &ComponentEditor::onComboChanged);
    connect(form_, &ParamForm::changed, this, &ComponentEditor::onFormChanged);
    connect(document_, &ExperimentDocument::changed, this, [this](const QString& key) {
        if (!updating_ && (key.isEmpty() || key == section_))
            refresh();
    });
    refresh();
}

QString ComponentEditor::errorText() const {
    QStringList lines;
    for (const QString& message : form_->errors())
        lines << section_ + "." + message;
    return lines.join("\n");
}

bool ComponentEditor::isValid() const {
    return form_->isValid();
}

void ComponentEditor::refresh() {
    const Json value = document_->section(section_);
    std::string name;
    if (value.is_object() && value.contains("name") && value["name"].is_string())
        name = value["name"].get<std::string>();
    updating_ = true;
    int index = hasNone_ && name.empty() ? 0 : combo_->findData(QString::fromStdString(name));
    if (index < 0 && !name.empty()) {
        // Not in the catalog: show it so the user sees what the file says.
        combo_->addItem(QString::fromStdString(name) + " (unknown)", QString::fromStdString(name));
        index = combo_->count() - 1;
    }
    combo_->setCurrentIndex(std::max(0, index));
    updating_ = false;
    showComponent(name.empty() && !hasNone_ && !infos_.empty() ? infos_.front().name : name,
                  value.is_object() ? value : Json::object());
}

void ComponentEditor::showComponent(const std::string& name, const Json& values) {
    const ComponentInfo* info = nullptr;
    for (const ComponentInfo& i : infos_)
        if (i.name == name)
            info = &i;
    updating_ = true;
    if (info) {
        form_->setComponent(*info, values);
        form_->show();
    } else {
        form_->setComponent(ComponentInfo{}, Json::object());
        form_->hide();
    }
    updating_ = false;
}

Json ComponentEditor::carriedValues(const Json& previous) const {
    static const std::vector<std::string> network{"spatial_dims", "in_channels", "out_channels"};
    static const std::vector<std::string> optimizer{"lr", "weight_decay"};
    const std::vector<std::string>* keys = family_ == "network"     ? &network
                                           : family_ == "optimizer" ? &optimizer
                                                                    : nullptr;
    Json out = Json::object();
    if (keys && previous.is_object())
        for (const std::string& k : *keys)
            if (previous.contains(k))
                out[k] = previous[k];
    return out;
}

void ComponentEditor::onComboChanged(int index) {
    if (updating_ || index < 0)
        return;
    const std::string name = combo_->itemData(index).toString().toStdString();
    if (name.empty()) {
        showComponent({}, Json::object());
        updating_ = true;
        document_->setSection(section_, Json());
        updating_ = false;
        Q_EMIT edited();
        return;
    }
    Json values = carriedValues(document_->section(section_));
    values["name"] = name;
    showComponent(name, values);
    if (form_->isValid()) {
        Json v = form_->values();
        for (auto it = values.begin(); it != values.end(); ++it)
            if (!v.contains(it.key()))
                v[it.key()] = it.value(); // carried values stay explicit
        updating_ = true;
        document_->setSection(section_, v);
        updating_ = false;
    }
    Q_EMIT edited();
}

void ComponentEditor::onFormChanged() {
    if (updating_)
        return;
    if (form_->isValid() && !form_->component().name.empty()) {
        const Json merged =
            mergeFormValues(document_->section(section_), form_->values(), form_->component());
        updating_ = true;
        document_->setSection(section_, merged);
        updating_ = false;
    }
    Q_EMIT edited();
}

} // namespace medulla::ui
