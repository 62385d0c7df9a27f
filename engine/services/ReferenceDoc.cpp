#include "engine/services/ReferenceDoc.h"

#include <cmath>
#include <cstdio>
#include <map>

#include "engine/distributed/DistributedOptions.h"
#include "engine/services/Catalog.h"
#include "engine/training/ExperimentSchema.h"
#include "engine/training/GanExperiment.h"
#include "engine/training/handlers/CheckpointSaver.h"

namespace medulla {

namespace {

/// A bound or a default number: integers without a fraction, others as the
/// shortest JSON number, infinities as "inf" / "-inf".
std::string numberText(double v) {
    if (std::isnan(v))
        return "nan";
    if (std::isinf(v))
        return v > 0 ? "inf" : "-inf";
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f", v);
        return buf;
    }
    return Json(v).dump();
}

/// JSON text of a value; non-finite numbers (which JSON cannot hold) by name.
std::string jsonText(const Json& v) {
    if (v.is_number_float() && !std::isfinite(v.get<double>()))
        return numberText(v.get<double>());
    return v.dump();
}

std::vector<std::vector<std::string>> keyRows(const std::vector<ExperimentKey>& keys) {
    std::vector<std::vector<std::string>> rows;
    for (const ExperimentKey& k : keys)
        rows.push_back({MarkdownDoc::codeSpan(k.name), k.type,
                        k.required ? std::string("required")
                        : k.defaultValue.is_null()
                            ? std::string("none")
                            : MarkdownDoc::codeSpan(jsonText(k.defaultValue)),
                        MarkdownDoc::escapeText(k.help)});
    return rows;
}

const std::vector<std::string>& keyHeader() {
    static const std::vector<std::string> h{"Key", "Type", "Default", "Description"};
    return h;
}

struct FamilyText {
    std::string title, intro;
};

const std::map<std::string, FamilyText>& familyTexts() {
    static const std::map<std::string, FamilyText> texts = {
        {"transform",
         {"Transforms",
          "The entries of `train_transforms` and `val_transforms`, e.g. `{\"name\": "
          "\"LoadImaged\", \"keys\": [\"image\", \"label\"]}`, grouped as in the studio's "
          "palette. Names and parameters are MONAI's dictionary transforms."}},
        {"network",
         {"Networks", "The `network` section (a GAN's `generator` and `discriminator`), e.g. "
                      "`{\"name\": \"UNet\", \"spatial_dims\": 3, ...}`. Parameter names follow "
                      "MONAI, so MONAI weights load (`medulla weights import`)."}},
        {"loss",
         {"Losses", "The `loss` section, e.g. `{\"name\": \"DiceLoss\", "
                    "\"to_onehot_y\": true, \"softmax\": true}`."}},
        {"metric",
         {"Metrics", "Metric components with MONAI's names and parameters. Validation's key "
                     "metric is Dice without the background; `medulla evaluate --metrics` and "
                     "`medulla score` add others."}},
        {"optimizer",
         {"Optimizers", "The `optimizer` section (a GAN's `g_optimizer` and `d_optimizer`), "
                        "e.g. `{\"name\": \"Adam\", \"lr\": 0.001}`."}},
        {"scheduler",
         {"Schedulers", "The optional `scheduler` section: the learning-rate schedule, e.g. "
                        "`{\"name\": \"PolynomialLR\", \"total_iters\": 20, \"power\": 0.9}`."}},
        {"inferer",
         {"Inferers", "The optional `inferer` section: how validation, `medulla "
                      "evaluate` and `medulla infer` predict a case."}},
        {"dataset",
         {"Datasets", "The `data.cache` section: the training dataset kind and its "
                      "caching, e.g. `{\"name\": \"CacheDataset\", \"cache_rate\": "
                      "1.0}`."}},
        {"trainer",
         {"Trainer", "The `trainer` section of a supervised experiment (a GAN experiment's "
                     "is under GAN experiments)."}},
        {"handler",
         {"Handlers", "The sections of the `handlers` object, each optional: `{\"early_stop\": "
                      "{...}, \"tensorboard\": {...}, \"validation\": {...}, \"stats\": "
                      "{...}}`. Without an `early_stop` section the run does not stop "
                      "early."}}};
    return texts;
}

} // namespace

const std::vector<std::string>& ReferenceDoc::paramHeader() {
    static const std::vector<std::string> h{"Parameter", "Type", "Default", "Range / choices",
                                            "Description"};
    return h;
}

std::string ReferenceDoc::typeName(ParamType type) {
    switch (type) {
    case ParamType::Bool:
        return "bool";
    case ParamType::Int:
        return "int";
    case ParamType::Float:
        return "float";
    case ParamType::String:
        return "string";
    case ParamType::IntList:
        return "int list";
    case ParamType::FloatList:
        return "float list";
    case ParamType::StringList:
        return "string list";
    case ParamType::Object:
        return "object";
    }
    return "?";
}

std::string ReferenceDoc::formatDefault(const Json& value) {
    return value.is_null() ? std::string("required") : MarkdownDoc::codeSpan(jsonText(value));
}

std::string ReferenceDoc::rangeText(const ParamSpec& spec) {
    if (!spec.choices.empty()) {
        std::string out = "one of: ";
        for (size_t i = 0; i < spec.choices.size(); ++i)
            out += (i ? ", " : "") + MarkdownDoc::codeSpan(spec.choices[i].empty()
                                                               ? std::string("\"\"")
                                                               : spec.choices[i]);
        return out;
    }
    const bool numeric = spec.type == ParamType::Int || spec.type == ParamType::Float ||
                         spec.type == ParamType::IntList || spec.type == ParamType::FloatList;
    if (!numeric || (std::isinf(spec.minValue) && std::isinf(spec.maxValue)))
        return {};
    return "[" + numberText(spec.minValue) + ", " + numberText(spec.maxValue) + "]";
}

std::vector<std::string> ReferenceDoc::paramRow(const ParamSpec& spec) {
    return {MarkdownDoc::codeSpan(spec.name), typeName(spec.type), formatDefault(spec.defaultValue),
            rangeText(spec), MarkdownDoc::escapeText(spec.help)};
}

std::string ReferenceDoc::familyTitle(const std::string& family) {
    const auto it = familyTexts().find(family);
    return it != familyTexts().end() ? it->second.title : family;
}

void ReferenceDoc::appendParams(MarkdownDoc& doc, const std::vector<ParamSpec>& params) {
    if (params.empty()) {
        doc.paragraph("No parameters.");
        return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const ParamSpec& p : params)
        rows.push_back(paramRow(p));
    doc.table(paramHeader(), rows);
}

void ReferenceDoc::appendExperimentFiles(MarkdownDoc& doc) {
    doc.heading(2, "Experiment files", true);
    doc.paragraph(
        "An experiment is one JSON file that `medulla train` and the studio both run. Every "
        "component is an object `{\"name\": ..., parameters}` whose parameters are listed in "
        "the sections below, with MONAI's names and defaults. In the tables, *required* "
        "parameters must be given; the others take their default when absent. A list "
        "parameter also takes a single value. Unknown keys and parameters are errors that "
        "name the field (`network.channels[2]`); so are values out of range.");
    doc.heading(3, "Top-level keys", true);
    doc.table(keyHeader(), keyRows(experimentKeys()));
    doc.heading(3, "data", true);
    doc.paragraph("The cases of the run. Relative paths resolve against the current "
                  "directory.");
    doc.table(keyHeader(), keyRows(experimentDataKeys()));
    doc.heading(3, "data.synthetic", true);
    doc.paragraph("The seeded synthetic dataset: 3D volumes of random spheres and their "
                  "label maps (MONAI's create_test_image_3d).");
    appendParams(doc, experimentSyntheticParams());
    doc.heading(3, "checkpoint", true);
    doc.paragraph("What the run's CheckpointSaver writes in `output_dir` (MONAI's "
                  "CheckpointSaver names). `medulla train --resume` continues from "
                  "`latest_filename`.");
    appendParams(doc, checkpointSaverParams());
    doc.heading(3, "distributed", true);
    doc.paragraph("How a multi-process run communicates (`medulla launch`, the studio's "
                  "local workers). A single process ignores everything but `nproc_per_node`.");
    appendParams(doc, DistributedOptions::params());
}

void ReferenceDoc::appendGanExperimentFiles(MarkdownDoc& doc) {
    doc.heading(3, "GAN experiments", true);
    doc.paragraph("An experiment with `\"workflow\": \"gan\"` trains a generator against a "
                  "discriminator (MONAI's GanTrainer and its GAN tutorial) on the images of "
                  "its datalist, without validation. Its top-level keys:");
    doc.table(keyHeader(), keyRows(ganExperimentKeys()));
    doc.heading(4, "GAN data");
    doc.table(keyHeader(), keyRows(ganExperimentDataKeys()));
    doc.heading(4, "GAN data.synthetic");
    doc.paragraph("A `size` of 2 values writes 8-bit PNG pictures of discs, 3 values NIfTI "
                  "volumes of spheres.");
    appendParams(doc, ganSyntheticParams());
    doc.heading(4, "gan");
    appendParams(doc, GanSettings::params());
    doc.heading(4, "GAN trainer");
    appendParams(doc, GanTrainerSettings::params());
}

void ReferenceDoc::appendComponent(MarkdownDoc& doc, int level, const ComponentInfo& info) {
    doc.heading(level, info.name);
    std::string help = MarkdownDoc::escapeText(info.help);
    if (info.category == "transform" && isRandomTransform(info.name))
        help += std::string(help.empty() ? "" : " ") + "A random transform.";
    doc.paragraph(help);
    appendParams(doc, info.params);
}

void ReferenceDoc::appendFamily(MarkdownDoc& doc, const std::string& family) {
    const auto it = familyTexts().find(family);
    doc.heading(2, familyTitle(family), true);
    doc.paragraph(it != familyTexts().end() ? it->second.intro
                                            : "Components of the family \"" + family + "\".");
    const std::vector<ComponentInfo> infos = catalog(family);
    if (family != "transform") {
        for (const ComponentInfo& info : infos)
            appendComponent(doc, 3, info);
        return;
    }
    for (const std::string& group : transformGroups()) {
        std::vector<const ComponentInfo*> members;
        for (const ComponentInfo& info : infos)
            if (transformGroup(info.name) == group)
                members.push_back(&info);
        if (members.empty())
            continue;
        doc.heading(3, group, true);
        for (const ComponentInfo* info : members)
            appendComponent(doc, 4, *info);
    }
}

void ReferenceDoc::appendExperimentReference(MarkdownDoc& doc) {
    appendExperimentFiles(doc);
    appendGanExperimentFiles(doc);
    for (const std::string& family : catalogFamilies())
        appendFamily(doc, family);
}

std::string ReferenceDoc::experimentReference() {
    MarkdownDoc doc("Medulla experiment reference",
                    "Generated from the code's registries; every parameter with its default.");
    appendExperimentReference(doc);
    return doc.markdown();
}

} // namespace medulla
