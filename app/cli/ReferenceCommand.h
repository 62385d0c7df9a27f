#pragma once
/// `medulla reference [--output FILE]`: the reference page of the command
/// line and of experiment files, generated from the code: every subcommand
/// of this CLI11 app with its usage and options, then every key of an
/// experiment file and every registered component with its parameters and
/// defaults (engine/services/ReferenceDoc.h). docs/reference.md is this
/// output; the ctest docs_reference_current fails when it is stale:
///
///   ./build/app/medulla reference --output docs/reference.md
///
/// The text depends only on the code (no paths, dates or terminal width).

#include <string>

namespace CLI {
class App;
}

namespace medulla {
class MarkdownDoc;
}

namespace medulla::cli {

struct ReferenceArgs {
    std::string output; ///< "": standard output
};

/// Registers the "reference" subcommand, filling `args`.
CLI::App* addReferenceCommand(CLI::App& app, ReferenceArgs& args);

/// Appends "## Command line" to `doc`: the usage and global options of
/// `app` (shown as `medulla`, whatever argv[0] was), then one section per
/// subcommand, sorted by name: its description, usage and a table of its
/// positionals and options (the help flag left out).
void appendCommandLineReference(MarkdownDoc& doc, const CLI::App& app);

/// The whole page: the command line of `app`, then the experiment reference.
std::string referenceMarkdown(const CLI::App& app);

/// Writes referenceMarkdown(app) to args.output atomically (a temporary file
/// renamed over it), or prints it when args.output is empty. Returns the
/// exit code; throws IoError naming the file when it cannot be written.
int runReference(const CLI::App& app, const ReferenceArgs& args);

} // namespace medulla::cli
