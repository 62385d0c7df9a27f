#pragma once
/// The experiment being edited in the studio: the same JSON object the CLI
/// runs (`medulla train FILE`), shared by every panel. Panels change one
/// top-level section at a time ("data", "train_transforms", "network",
/// "trainer", ...) and listen to changed() for the sections they show.
/// GUI thread only.

#include <QObject>
#include <QString>

#include "engine/core/Params.h"

namespace medulla::ui {

class ExperimentDocument : public QObject {
    Q_OBJECT
public:
    explicit ExperimentDocument(QObject* parent = nullptr);

    /// Read a file; on failure returns false and sets `error` (naming the
    /// file and, for invalid JSON, the position). Emits loaded() and
    /// changed("") on success.
    bool load(const QString& path, QString* error = nullptr);
    /// Write atomically (temp file + rename) as indented JSON; false with
    /// `error` naming the file when it cannot be written. Clears dirty.
    bool save(const QString& path, QString* error = nullptr);
    /// Replace the whole document (e.g. a built-in default).
    void setJson(const Json& json, const QString& path = {});

    const Json& json() const { return json_; }
    /// A top-level section; null when absent.
    Json section(const QString& key) const;
    /// Set (or, for null, remove) a top-level section; emits changed(key)
    /// when the value differs.
    void setSection(const QString& key, const Json& value);

    /// The file it was loaded from or saved to last (empty: never saved).
    QString path() const { return path_; }
    bool isDirty() const { return dirty_; }
    /// Parse with ExperimentConfig::fromJson; empty when valid, else the
    /// message naming the field (e.g. "network.channels: ...").
    QString validate() const;

Q_SIGNALS:
    /// `section` is the key that changed, or empty when everything did.
    void changed(const QString& section);
    void loaded(const QString& path);

private:
    Json json_ = Json::object();
    QString path_;
    bool dirty_ = false;
};

} // namespace medulla::ui
