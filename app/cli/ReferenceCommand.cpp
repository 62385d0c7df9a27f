#include "app/cli/ReferenceCommand.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>

#include "engine/core/AtomicFile.h"
#include "engine/services/MarkdownDoc.h"
#include "engine/services/ReferenceDoc.h"

namespace medulla::cli {

namespace {

std::string trim(const std::string& s) {
    const size_t begin = s.find_first_not_of(" \n");
    if (begin == std::string::npos)
        return {};
    return s.substr(begin, s.find_last_not_of(" \n") - begin + 1);
}

/// "medulla train [OPTIONS] experiment", from CLI11's own formatter (which
/// does not depend on the terminal width) with our program name.
std::string usageOf(const CLI::App& app, const std::string& name) {
    const CLI::Formatter formatter; // default labels, whatever the app's formatter
    std::string usage = trim(formatter.make_usage(&app, name));
    const std::string label = "Usage: ";
    if (usage.compare(0, label.size(), label) == 0)
        usage.erase(0, label.size());
    return usage;
}

/// The options shown: positionals first (in order), then the others in
/// declaration order; hidden ones (empty group) and the help flag left out.
std::vector<std::vector<std::string>> optionRows(const CLI::App& app) {
    const CLI::Formatter formatter;
    std::vector<std::vector<std::string>> rows;
    for (const bool positional : {true, false}) {
        const auto options = app.get_options([&](const CLI::Option* opt) {
            return opt->get_positional() == positional && !opt->get_group().empty() &&
                   opt != app.get_help_ptr() && opt != app.get_help_all_ptr();
        });
        for (const CLI::Option* opt : options)
            rows.push_back({MarkdownDoc::codeSpan(formatter.make_option_name(opt, positional)),
                            trim(formatter.make_option_opts(opt)),
                            MarkdownDoc::escapeText(opt->get_description())});
    }
    return rows;
}

std::vector<const CLI::App*> sortedSubcommands(const CLI::App& app) {
    auto subs = app.get_subcommands(
        [](const CLI::App* sub) { return !sub->get_disabled() && !sub->get_name().empty(); });
    std::sort(subs.begin(), subs.end(),
              [](const CLI::App* a, const CLI::App* b) { return a->get_name() < b->get_name(); });
    return subs;
}

void appendSubcommand(MarkdownDoc& doc, const CLI::App& sub, const std::string& name) {
    doc.heading(3, name, true);
    doc.paragraph(MarkdownDoc::escapeText(sub.get_description()));
    doc.code(usageOf(sub, name));
    const auto rows = optionRows(sub);
    if (rows.empty())
        doc.paragraph("No options.");
    else
        doc.table({"Argument", "Value", "Description"}, rows);
    for (const CLI::App* nested : sortedSubcommands(sub))
        appendSubcommand(doc, *nested, name + " " + nested->get_name());
}

} // namespace

CLI::App* addReferenceCommand(CLI::App& app, ReferenceArgs& args) {
    auto* cmd = app.add_subcommand(
        "reference", "Write the reference of the command line and of experiment files "
                     "(every transform, network, loss, metric and parameter with its default) "
                     "as Markdown, generated from the code");
    cmd->add_option("-o,--output", args.output,
                    "file to write atomically, e.g. docs/reference.md (default: standard "
                    "output)");
    return cmd;
}

void appendCommandLineReference(MarkdownDoc& doc, const CLI::App& app) {
    const std::string program = "medulla";
    doc.heading(2, "Command line", true);
    doc.paragraph(MarkdownDoc::escapeText(app.get_description()) +
                  ". `medulla SUBCOMMAND --help` prints the same options.");
    doc.code(usageOf(app, program));
    const auto rows = optionRows(app);
    if (!rows.empty())
        doc.table({"Argument", "Value", "Description"}, rows);
    for (const CLI::App* sub : sortedSubcommands(app))
        appendSubcommand(doc, *sub, program + " " + sub->get_name());
}

std::string referenceMarkdown(const CLI::App& app) {
    MarkdownDoc doc("Medulla reference",
                    "Generated from the code by `medulla reference`; do not edit by hand. "
                    "After changing an option, a component or a parameter, regenerate it "
                    "with\n\n```\n./build/app/medulla reference --output docs/reference.md\n```\n\n"
                    "(the test `docs_reference_current` fails while it is stale).");
    appendCommandLineReference(doc, app);
    ReferenceDoc::appendExperimentReference(doc);
    return doc.markdown();
}

int runReference(const CLI::App& app, const ReferenceArgs& args) {
    const std::string text = referenceMarkdown(app);
    if (args.output.empty()) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return 0;
    }
    writeTextAtomically(args.output, text);
    std::printf("wrote %s\n", args.output.c_str());
    return 0;
}

} // namespace medulla::cli
