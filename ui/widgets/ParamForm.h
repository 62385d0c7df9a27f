#pragma once
/// A form generated from a component's parameter schema (ParamSpec list from
/// the registries): one row per parameter with an editor for its type
/// (check box, spin boxes, a combo box for choices, a line edit for lists
/// "1, 2, 3" and objects as JSON), its help text as tooltip, and inline
/// validation (type, range, choices) that marks a bad field red and names it.
/// GUI thread only.

#include <QMap>
#include <QWidget>

#include "engine/core/Params.h"

class QFormLayout;
class QLabel;
class QVBoxLayout;

namespace medulla::ui {

class ParamForm : public QWidget {
    Q_OBJECT
public:
    explicit ParamForm(QWidget* parent = nullptr);

    /// Build editors for `info.params`, filled from `values` (a JSON object
    /// such as {"name": "UNet", "channels": [16, 32]}; absent keys show the
    /// default). Replaces any previous form.
    void setComponent(const ComponentInfo& info, const Json& values = Json::object());
    const ComponentInfo& component() const { return info_; }

    /// {"name": info.name, ...} with every parameter that is required or
    /// differs from its default (what the experiment JSON stores). Invalid
    /// fields are left out (see errors()).
    Json values() const;
    /// Field key -> message for every invalid field; empty when valid.
    QMap<QString, QString> errors() const;
    bool isValid() const { return errors().isEmpty(); }
    /// The editor widget of parameter `key` (tests drive it), or nullptr.
    QWidget* editor(const QString& key) const;
    /// The text of the inline error label ("" when valid): one line per
    /// invalid field, each starting with the field name.
    QString errorText() const;

Q_SIGNALS:
    /// Any edit, valid or not (check isValid()).
    void changed();

private:
    struct Field {
        ParamSpec spec;
        QWidget* editor = nullptr;
    };
    QWidget* makeEditor(const ParamSpec& spec, const Json& value);
    /// The editor's current value, or an error message in `error`.
    Json read(const Field& field, QString* error) const;
    void refreshValidity();
    void clearForm();

    bool building_ = false;

    ComponentInfo info_;
    QVector<Field> fields_;
    QFormLayout* layout_ = nullptr;
    QLabel* errorLabel_ = nullptr;
    QLabel* title_ = nullptr;
    QVBoxLayout* outer_ = nullptr;
};

} // namespace medulla::ui
