/// The generated reference of experiment files (ReferenceDoc, MarkdownDoc):
/// every catalog component has a heading, parameter rows show the types and
/// defaults the registries hold, required parameters say so, '|' is escaped
/// so that every table row keeps its columns, the contents link to real
/// headings, and the output is the same on every call. Also that the
/// readers reject the keys the reference does not list.

#include <QtTest>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/services/Catalog.h"
#include "engine/services/MarkdownDoc.h"
#include "engine/services/ReferenceDoc.h"
#include "engine/training/Experiment.h"
#include "engine/training/ExperimentSchema.h"
#include "engine/training/GanExperiment.h"

using namespace medulla;

namespace {

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

/// The cells of a Markdown table row, split at '|' not escaped as "\|",
/// trimmed; the escapes stay in the cells.
std::vector<std::string> cells(const std::string& row) {
    std::vector<std::string> out;
    std::string cell;
    for (size_t i = 1; i < row.size(); ++i) { // row[0] is the leading '|'
        if (row[i] == '|' && row[i - 1] != '\\') {
            const size_t b = cell.find_first_not_of(' ');
            const size_t e = cell.find_last_not_of(' ');
            out.push_back(b == std::string::npos ? std::string() : cell.substr(b, e - b + 1));
            cell.clear();
        } else {
            cell += row[i];
        }
    }
    return out;
}

/// The text between the heading "<#...> name" (at `level`) and the next
/// heading of the same or a higher level; empty when there is no such heading.
std::string section(const std::string& doc, int level, const std::string& name) {
    const std::string marks(size_t(level), '#');
    const std::string head = "\n" + marks + " " + name + "\n";
    const size_t begin = doc.find(head);
    if (begin == std::string::npos)
        return {};
    size_t end = begin + head.size();
    while ((end = doc.find('\n', end)) != std::string::npos) {
        size_t hashes = 0;
        while (end + 1 + hashes < doc.size() && doc[end + 1 + hashes] == '#')
            ++hashes;
        if (hashes > 0 && hashes <= size_t(level) && doc[end + 1 + hashes] == ' ')
            break;
        ++end;
    }
    return doc.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

/// The row of parameter `name` in `text`: cells, or none.
std::vector<std::string> paramRowIn(const std::string& text, const std::string& name) {
    for (const std::string& line : lines(text))
        if (line.rfind("| `" + name + "` |", 0) == 0)
            return cells(line);
    return {};
}

std::string escapedPipes(std::string s) {
    for (size_t at = 0; (at = s.find('|', at)) != std::string::npos; at += 2)
        s.insert(at, 1, '\\');
    return s;
}

/// How the reference must show a default: "required" for null, else the
/// JSON in backticks, '|' escaped.
std::string expectedDefault(const Json& value) {
    return value.is_null() ? "required" : "`" + escapedPipes(value.dump()) + "`";
}

const char* expectedType(ParamType t) {
    switch (t) {
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

Json tinyExperiment() {
    std::ifstream f(std::string(MEDULLA_SOURCE_DIR) + "/tests/data/tiny_experiment.json");
    return Json::parse(f);
}

/// The shipped GAN experiment (keys of a GAN experiment only).
Json ganExperiment() {
    std::ifstream f(std::string(MEDULLA_SOURCE_DIR) + "/resources/gan_experiment.json");
    return Json::parse(f);
}

} // namespace

class TestReferenceDoc : public QObject {
    Q_OBJECT
    std::string doc_;

private Q_SLOTS:
    void initTestCase() { doc_ = ReferenceDoc::experimentReference(); }

    void sameTextOnEveryCall() {
        QVERIFY(doc_.size() > 10000);
        QCOMPARE(ReferenceDoc::experimentReference(), doc_);
    }

    void everyComponentHasAHeading() {
        size_t components = 0;
        for (const std::string& family : catalogFamilies()) {
            const std::string title = "\n## " + ReferenceDoc::familyTitle(family) + "\n";
            QVERIFY2(doc_.find(title) != std::string::npos, family.c_str());
            for (const ComponentInfo& info : catalog(family)) {
                // transforms sit under their palette group, one level deeper
                const int level = family == "transform" ? 4 : 3;
                const std::string body = section(doc_, level, info.name);
                QVERIFY2(!body.empty(), (family + " " + info.name).c_str());
                // each parameter has its row inside the component's section
                for (const ParamSpec& p : info.params)
                    QVERIFY2(!paramRowIn(body, p.name).empty(), (info.name + "." + p.name).c_str());
                ++components;
            }
        }
        QVERIFY(components > 100); // transforms, networks, losses, ... all there
        // a transform sits under the group the palette shows it in
        const std::string group = section(doc_, 3, transformGroup("RandCropByPosNegLabeld"));
        QVERIFY(group.find("\n#### RandCropByPosNegLabeld\n") != std::string::npos);
    }

    void rowsShowTheRegistryDefaults_data() {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("level");
        QTest::newRow("UNet") << "network"
                              << "UNet" << 3;
        QTest::newRow("DiceLoss") << "loss"
                                  << "DiceLoss" << 3;
        QTest::newRow("RandCropByPosNegLabeld") << "transform"
                                                << "RandCropByPosNegLabeld" << 4;
        QTest::newRow("Adam") << "optimizer"
                              << "Adam" << 3;
        QTest::newRow("CacheDataset") << "dataset"
                                      << "CacheDataset" << 3;
        QTest::newRow("trainer") << "trainer"
                                 << "trainer" << 3;
    }
    void rowsShowTheRegistryDefaults() {
        QFETCH(QString, family);
        QFETCH(QString, name);
        QFETCH(int, level);
        const ComponentInfo info = catalogEntry(family.toStdString(), name.toStdString());
        QVERIFY(!info.params.empty());
        const std::string body = section(doc_, level, info.name);
        QVERIFY(!body.empty());
        if (!info.help.empty()) // the help is the first paragraph (prose escapes aside)
            QVERIFY2(body.find(info.help.substr(0, 12)) != std::string::npos, info.help.c_str());
        for (const ParamSpec& p : info.params) {
            const auto row = paramRowIn(body, p.name);
            QCOMPARE(row.size(), size_t(5));
            QCOMPARE(row[1], std::string(expectedType(p.type)));
            QCOMPARE(row[2], expectedDefault(p.defaultValue));
            if (!p.choices.empty())
                for (const std::string& choice : p.choices)
                    QVERIFY2(row[3].find("`" + choice + "`") != std::string::npos,
                             (p.name + ": " + choice).c_str());
            QVERIFY2(row[4].find(escapedPipes(p.help.substr(0, 8))) != std::string::npos ||
                         p.help.find_first_of("<>*[]\\") != std::string::npos,
                     (p.name + ": " + row[4]).c_str());
        }
    }

    void specificValues() {
        // spot checks written out by hand, independent of the formatting code
        const std::string unet = section(doc_, 3, "UNet");
        QCOMPARE(paramRowIn(unet, "spatial_dims").at(2), std::string("`3`"));
        QCOMPARE(paramRowIn(unet, "channels").at(2), std::string("`[16,32,64,128,256]`"));
        QCOMPARE(paramRowIn(unet, "channels").at(1), std::string("int list"));
        const std::string scale = section(doc_, 4, "RandScaleIntensityd");
        QCOMPARE(paramRowIn(scale, "factors").at(2), std::string("required"));
        QCOMPARE(paramRowIn(scale, "prob").at(3), std::string("[0, 1]"));
        const std::string load = section(doc_, 4, "LoadImaged");
        QVERIFY(paramRowIn(load, "reader").at(3).rfind("one of: `\"\"`, `NiftiReader`", 0) == 0);
        const std::string trainer = section(doc_, 3, "trainer");
        QCOMPARE(paramRowIn(trainer, "max_epochs").at(2), std::string("`20`"));
        QCOMPARE(paramRowIn(trainer, "device").at(2), std::string("`\"auto\"`"));
        QCOMPARE(paramRowIn(trainer, "nan_policy").at(3), std::string("one of: `stop`, `skip`"));
        QCOMPARE(paramRowIn(trainer, "batch_size").at(3), std::string("[1, 4096]"));
    }

    void requiredParametersSayRequired() {
        size_t required = 0;
        for (const std::string& family : catalogFamilies())
            for (const ComponentInfo& info : catalog(family))
                for (const ParamSpec& p : info.params)
                    if (p.defaultValue.is_null()) {
                        const auto row = paramRowIn(
                            section(doc_, family == "transform" ? 4 : 3, info.name), p.name);
                        QVERIFY2(row.size() == 5 && row[2] == "required",
                                 (info.name + "." + p.name).c_str());
                        ++required;
                    }
        QVERIFY(required > 10); // e.g. every dictionary transform's "keys"
        // required experiment keys too
        const auto outputDir = paramRowIn(section(doc_, 3, "Top-level keys"), "output_dir");
        QCOMPARE(outputDir.at(2), std::string("required"));
        const auto scheduler = paramRowIn(section(doc_, 3, "Top-level keys"), "scheduler");
        QCOMPARE(scheduler.at(2), std::string("none"));
    }

    void pipesAreEscaped() {
        ParamSpec spec{"mode", ParamType::String, "a|b", 0, 0, {}, "either x | y, or <z>"};
        const auto row = ReferenceDoc::paramRow(spec);
        MarkdownDoc doc("t", "");
        doc.table(ReferenceDoc::paramHeader(), {row});
        const std::string md = doc.markdown();
        QVERIFY2(md.find("| `mode` | string | `\"a\\|b\"` |  | either x \\| y, or \\<z\\> |") !=
                     std::string::npos,
                 md.c_str());
        QCOMPARE(MarkdownDoc::escapeCell("a|b\nc"), std::string("a\\|b c"));
        // every row of every table in the reference has its header's column count
        size_t tables = 0, columns = 0;
        for (const std::string& line : lines(doc_)) {
            if (line.rfind("|", 0) != 0) {
                columns = 0;
                continue;
            }
            const size_t n = cells(line).size();
            if (columns == 0) {
                columns = n;
                ++tables;
            }
            QVERIFY2(n == columns, line.c_str());
        }
        QVERIFY(tables > 50);
    }

    void contentsLinkToHeadings() {
        std::set<std::string> anchors;
        std::vector<std::string> links;
        for (const std::string& line : lines(doc_)) {
            if (line.rfind("#", 0) == 0 && line.find(' ') != std::string::npos)
                anchors.insert(MarkdownDoc::slug(line.substr(line.find(' ') + 1)));
            const size_t at = line.find("](#");
            if (line.find("- [") != std::string::npos && at != std::string::npos)
                links.push_back(line.substr(at + 3, line.size() - at - 4));
        }
        QVERIFY(links.size() > 10);
        for (const std::string& link : links)
            QVERIFY2(anchors.count(link), link.c_str());
        QCOMPARE(MarkdownDoc::slug("Crop & Pad"), std::string("crop--pad"));
        QCOMPARE(MarkdownDoc::slug("data.synthetic"), std::string("datasynthetic"));
    }

    void experimentSectionsListEveryKey() {
        const std::string top = section(doc_, 3, "Top-level keys");
        for (const ExperimentKey& k : experimentKeys())
            QVERIFY2(!paramRowIn(top, k.name).empty(), k.name.c_str());
        const std::string data = section(doc_, 3, "data");
        for (const ExperimentKey& k : experimentDataKeys())
            QVERIFY2(!paramRowIn(data, k.name).empty(), k.name.c_str());
        QCOMPARE(paramRowIn(data, "val_fraction").at(2), std::string("`0.2`"));
        const std::string gan = section(doc_, 3, "GAN experiments");
        for (const ExperimentKey& k : ganExperimentKeys())
            QVERIFY2(!paramRowIn(gan, k.name).empty(), k.name.c_str());
        for (const ParamSpec& p : GanSettings::params())
            QCOMPARE(paramRowIn(section(gan, 4, "gan"), p.name).at(2),
                     expectedDefault(p.defaultValue));
    }

    /// What the reference does not list, the readers reject.
    void readersRejectUnlistedKeys_data() {
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("field");
        QTest::newRow("top level") << "/metrics"
                                   << "metrics";
        QTest::newRow("typo") << "/schedular"
                              << "schedular";
        QTest::newRow("data") << "/data/cache_rate"
                              << "data.cache_rate";
        QTest::newRow("gan top level") << "gan:/val_transforms"
                                       << "val_transforms";
        QTest::newRow("gan data") << "gan:/data/cache_rate"
                                  << "data.cache_rate";
    }
    void readersRejectUnlistedKeys() {
        QFETCH(QString, pointer);
        QFETCH(QString, field);
        const bool gan = pointer.startsWith("gan:");
        Json j = gan ? ganExperiment() : tinyExperiment();
        if (gan) // valid as they are
            (void)GanExperimentConfig::fromJson(j);
        else
            (void)ExperimentConfig::fromJson(j);
        j[Json::json_pointer(pointer.mid(gan ? 4 : 0).toStdString())] = 1;
        try {
            if (gan)
                (void)GanExperimentConfig::fromJson(j, "gan.json");
            else
                (void)ExperimentConfig::fromJson(j, "exp.json");
            QFAIL("accepted an unknown key");
        } catch (const ConfigError& e) {
            QCOMPARE(QString::fromStdString(e.field()), field);
            QVERIFY2(std::string(e.what()).find("unknown key") != std::string::npos, e.what());
        }
    }

    void wrongTypesNameTheField_data() {
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("field");
        QTest::newRow("name") << "/name"
                              << "name";
        QTest::newRow("datalist_key") << "/data/datalist_key"
                                      << "data.datalist_key";
    }
    void wrongTypesNameTheField() {
        QFETCH(QString, pointer);
        QFETCH(QString, field);
        Json j = tinyExperiment();
        j[Json::json_pointer(pointer.toStdString())] = 5;
        try {
            (void)ExperimentConfig::fromJson(j, "exp.json");
            QFAIL("accepted a number for a string");
        } catch (const ConfigError& e) {
            QCOMPARE(QString::fromStdString(e.field()), field);
        }
    }
};

QTEST_GUILESS_MAIN(TestReferenceDoc)
#include "test_reference_doc.moc"
