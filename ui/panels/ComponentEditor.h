#pragma once
/// One component section of the experiment ("network", "loss", "optimizer",
/// "scheduler", "inferer"): a combo box of the catalog family's names (and
/// optionally a "none" entry that removes the section) above a ParamForm
/// generated from the chosen component's schema. Edits go into the shared
/// ExperimentDocument while the form is valid; an invalid field is shown
/// inline by the form and leaves the document at its last valid state. Follows the document when
/// the section changes elsewhere. GUI thread only.

#include <QString>
#include <QWidget>

#include "engine/core/Params.h"

class QComboBox;
class QLabel;

namespace medulla::ui {

class ExperimentDocument;
class ParamForm;

class ComponentEditor : public QWidget {
    Q_OBJECT
public:
    /// `family` is a catalog family ("network", "loss", ...); `noneLabel`
    /// non-empty adds a first entry meaning "no section" (e.g. "none").
    ComponentEditor(ExperimentDocument* document, const QString& section, const QString& family,
                    const QString& noneLabel = {}, QWidget* parent = nullptr);

    QComboBox* combo() const { return combo_; }
    ParamForm* form() const { return form_; }
    /// The form's invalid fields, one "<section>.<field>: message" a line
    /// (the form itself marks them red inline); empty when valid.
    QString errorText() const;
    /// True when the form has no invalid field.
    bool isValid() const;
    QString section() const { return section_; }

public Q_SLOTS:
    /// Rebuild combo selection and form from the document's section.
    void refresh();

Q_SIGNALS:
    /// The user changed the component or a parameter (valid or not).
    void edited();

private:
    void onComboChanged(int index);
    void onFormChanged();
    void showComponent(const std::string& name, const Json& values);
    /// Keys carried over when the component changes (channels, lr, ...).
    Json carriedValues(const Json& previous) const;

    ExperimentDocument* document_;
    QString section_;
    std::string family_;
    bool hasNone_ = false;
    std::vector<ComponentInfo> infos_;
    QComboBox* combo_;
    ParamForm* form_;
    bool updating_ = false;
};

/// `existing` (the section in the document) updated from a form's values():
/// the form's non-default values are set, keys the form shows at their
/// default keep being present (with the default), other keys are kept;
/// "name" is taken from the form unless `dropName`. When the component name
/// differs, the form's values alone.
Json mergeFormValues(const Json& existing, const Json& formValues, const ComponentInfo& info,
                     bool dropName = false);

} // namespace medulla::ui
