#include "engine/core/Strings.h"

#include <algorithm>
#include <cctype>

namespace medulla {

std::string toLower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

bool endsWithNoCase(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           toLower(s.substr(s.size() - suffix.size())) == toLower(suffix);
}

} // namespace medulla
