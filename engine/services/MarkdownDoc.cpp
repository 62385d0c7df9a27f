#include "engine/services/MarkdownDoc.h"

#include <algorithm>
#include <cctype>

namespace medulla {

MarkdownDoc::MarkdownDoc(std::string title, std::string intro)
    : title_(std::move(title)), intro_(std::move(intro)) {}

std::string MarkdownDoc::heading(int level, const std::string& text, bool listed) {
    level = std::clamp(level, 2, 6);
    const std::string base = slug(text);
    std::string anchor = base;
    for (int n = 1; std::find(anchors_.begin(), anchors_.end(), anchor) != anchors_.end(); ++n)
        anchor = base + "-" + std::to_string(n);
    anchors_.push_back(anchor);
    body_ += std::string(size_t(level), '#') + " " + text + "\n\n";
    if (listed)
        contents_.push_back(Entry{level, text, anchor});
    return anchor;
}

void MarkdownDoc::paragraph(const std::string& text) {
    if (!text.empty())
        body_ += text + "\n\n";
}

void MarkdownDoc::table(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
    const auto line = [&](const std::vector<std::string>& cells) {
        std::string out = "|";
        for (size_t i = 0; i < header.size(); ++i)
            out += " " + escapeCell(i < cells.size() ? cells[i] : std::string()) + " |";
        return out + "\n";
    };
    body_ += line(header);
    std::string rule = "|";
    for (size_t i = 0; i < header.size(); ++i)
        rule += " --- |";
    body_ += rule + "\n";
    for (const auto& row : rows)
        body_ += line(row);
    body_ += "\n";
}

void MarkdownDoc::code(const std::string& text, const std::string& language) {
    std::string block = text;
    while (!block.empty() && block.back() == '\n')
        block.pop_back();
    body_ += "```" + language + "\n" + block + "\n```\n\n";
}

std::string MarkdownDoc::markdown() const {
    std::string out = "# " + title_ + "\n\n";
    if (!intro_.empty())
        out += intro_ + "\n\n";
    if (!contents_.empty()) {
        out += "## Contents\n\n";
        for (const Entry& e : contents_)
            out += std::string(size_t(2 * (e.level - 2)), ' ') + "- [" + e.text + "](#" + e.anchor +
                   ")\n";
        out += "\n";
    }
    out += body_;
    while (out.size() > 1 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n')
        out.pop_back();
    return out;
}

std::string MarkdownDoc::escapeCell(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '|')
            out += "\\|";
        else if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
            out += ' ';
        } else
            out += c;
    }
    return out;
}

std::string MarkdownDoc::escapeText(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '<' || c == '>' || c == '*' || c == '\\' || c == '[' || c == ']')
            out += '\\';
        out += c;
    }
    return out;
}

std::string MarkdownDoc::codeSpan(const std::string& text) {
    size_t longest = 0, run = 0;
    for (char c : text) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    const std::string fence(longest + 1, '`');
    const bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
    return fence + (pad ? " " : "") + text + (pad ? " " : "") + fence;
}

std::string MarkdownDoc::slug(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_')
            out += char(std::tolower(c));
        else if (c == ' ')
            out += '-';
        else if (c >= 0x80)
            out += char(c); // GitHub keeps non-ASCII letters
    }
    return out;
}

} // namespace medulla
