#pragma once
/// The reference of experiment files, generated from the code: the keys of
/// an experiment (engine/training/ExperimentSchema.h), the parameter lists
/// of its sections, and every component of every catalog family
/// (engine/services/Catalog.h) with its help and a table of its parameters
/// (name, type, default as JSON or "required", range or choices, help).
/// Deterministic: families in catalogFamilies() order, transforms grouped by
/// transformGroups(), components sorted by name. Qt-free, LibTorch-free.

#include <string>
#include <vector>

#include "engine/core/Params.h"
#include "engine/services/MarkdownDoc.h"

namespace medulla {

class ReferenceDoc {
public:
    /// Appends "## Experiment files" (keys and sections) and one level-2
    /// section per catalog family to `doc`.
    static void appendExperimentReference(MarkdownDoc& doc);

    /// A document of the experiment reference alone.
    static std::string experimentReference();

    /// The title of a family's section ("transform" -> "Transforms").
    static std::string familyTitle(const std::string& family);

    /// The cells of one parameter's table row, unescaped: name (code span),
    /// type, default, range or choices, help (escapeText).
    static std::vector<std::string> paramRow(const ParamSpec& spec);
    /// The header of the parameter tables.
    static const std::vector<std::string>& paramHeader();
    /// A default as shown: "required" for null, else its JSON as a code span.
    static std::string formatDefault(const Json& value);
    /// The type's name: "bool", "int", "float", "string", "int list",
    /// "float list", "string list", "object".
    static std::string typeName(ParamType type);
    /// "[min, max]" for numeric types with a finite bound, "one of: a, b"
    /// for choices (each a code span; the empty choice as ""), else "".
    static std::string rangeText(const ParamSpec& spec);

private:
    static void appendParams(MarkdownDoc& doc, const std::vector<ParamSpec>& params);
    static void appendExperimentFiles(MarkdownDoc& doc);
    static void appendGanExperimentFiles(MarkdownDoc& doc);
    static void appendFamily(MarkdownDoc& doc, const std::string& family);
    static void appendComponent(MarkdownDoc& doc, int level, const ComponentInfo& info);
};

} // namespace medulla
