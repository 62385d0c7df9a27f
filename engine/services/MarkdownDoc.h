#pragma once
/// A small Markdown document builder for generated reference pages: a
/// title, a table of contents built from the listed headings, and a body of
/// headings, paragraphs, tables and code blocks. Output depends only on what
/// was added (no dates, paths or terminal widths), so a generated page can
/// be compared byte for byte with a committed one. Qt-free, LibTorch-free.

#include <string>
#include <vector>

namespace medulla {

class MarkdownDoc {
public:
    /// A document whose first line is "# <title>", followed by `intro` (a
    /// paragraph, none when empty) and the contents.
    MarkdownDoc(std::string title, std::string intro);

    /// Appends a heading of `level` (2 to 6; others are clamped). Listed
    /// headings appear in the contents, indented by level. Returns the
    /// heading's anchor: GitHub's slug of `text`, with "-1", "-2", ... for
    /// repeats, as GitHub numbers them.
    std::string heading(int level, const std::string& text, bool listed = false);
    /// Appends a paragraph (newlines inside are kept; empty text: nothing).
    void paragraph(const std::string& text);
    /// Appends a table. Every cell goes through escapeCell(); rows shorter
    /// than the header are padded with empty cells.
    void table(const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows);
    /// Appends a fenced code block (``` with `language`).
    void code(const std::string& text, const std::string& language = "");

    /// The whole document: title, intro, "## Contents", body; ends with
    /// exactly one newline.
    std::string markdown() const;

    /// A table cell: '|' becomes "\|" (also inside code spans, as GitHub's
    /// tables need) and line breaks become spaces.
    static std::string escapeCell(const std::string& text);
    /// Prose: escapes the characters Markdown would read as markup or HTML
    /// ('<', '>', '*', '\\', '[', ']'), so help texts show as written. Not
    /// for text inside code spans.
    static std::string escapeText(const std::string& text);
    /// `text` as an inline code span (a longer backtick fence when `text`
    /// holds backticks).
    static std::string codeSpan(const std::string& text);
    /// GitHub's anchor of a heading: lower case, spaces to '-', everything
    /// but letters, digits, '-' and '_' dropped.
    static std::string slug(const std::string& text);

private:
    struct Entry {
        int level;
        std::string text, anchor;
    };
    std::string title_, intro_, body_;
    std::vector<Entry> contents_;
    std::vector<std::string> anchors_; ///< every anchor handed out, for uniqueness
};

} // namespace medulla
