#pragma once
/// Small string helpers shared by the engine (ASCII only).

#include <string>

namespace medulla {

/// ASCII lower case.
std::string toLower(std::string s);

/// True if `s` ends with `suffix`, ignoring ASCII case.
bool endsWithNoCase(const std::string& s, const std::string& suffix);

} // namespace medulla
