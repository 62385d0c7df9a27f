#include "engine/core/Error.h"

namespace medulla {
namespace {
std::string compose(const std::string& message, const std::string& file, const std::string& field) {
    std::string out;
    if (!file.empty())
        out += file + ": ";
    if (!field.empty())
        out += field + ": ";
    return out + message;
}
} // namespace

Error::Error(const std::string& message, std::string file, std::string field)
    : std::runtime_error(compose(message, file, field)), message_(message), file_(std::move(file)),
      field_(std::move(field)) {}

} // namespace medulla
