#include "ui/model/ExperimentDocument.h"

#include <QFile>

#include "engine/core/AtomicFile.h"
#include "engine/training/Experiment.h"

namespace medulla::ui {

ExperimentDocument::ExperimentDocument(QObject* parent) : QObject(parent) {}

bool ExperimentDocument::load(const QString& path, QString* error) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = path + ": cannot be read (" + f.errorString() + ")";
        return false;
    }
    Json parsed;
    try {
        parsed = Json::parse(f.readAll().toStdString());
    } catch (const std::exception& e) {
        if (error)
            *error = path + ": not valid JSON: " + QString::fromStdString(e.what());
        return false;
    }
    if (!parsed.is_object()) {
        if (error)
            *error = path + ": expected a JSON object";
        return false;
    }
    setJson(parsed, path);
    Q_EMIT loaded(path);
    return true;
}

bool ExperimentDocument::save(const QString& path, QString* error) {
    try {
        writeTextAtomically(path.toStdString(), json_.dump(2) + "\n");
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    path_ = path;
    dirty_ = false;
    return true;
}

void ExperimentDocument::setJson(const Json& json, const QString& path) {
    json_ = json.is_object() ? json : Json::object();
    path_ = path;
    dirty_ = false;
    Q_EMIT changed(QString());
}

Json ExperimentDocument::section(const QString& key) const {
    const std::string k = key.toStdString();
    return json_.contains(k) ? json_[k] : Json();
}

void ExperimentDocument::setSection(const QString& key, const Json& value) {
    const std::string k = key.toStdString();
    if (value.is_null()) {
        if (!json_.contains(k))
            return;
        json_.erase(k);
    } else {
        if (json_.contains(k) && json_[k] == value)
            return;
        json_[k] = value;
    }
    dirty_ = true;
    Q_EMIT changed(key);
}

QString ExperimentDocument::validate() const {
    try {
        ExperimentConfig::fromJson(json_, path_.toStdString());
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return QString();
}

} // namespace medulla::ui
