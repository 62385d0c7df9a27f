#pragma once
/// Error types of the engine. Every error that can reach a user names what it
/// concerns: the file and/or the configuration field, so that a message reads
/// "ch2.nii.gz: ..." or "trainer.max_epochs: must be >= 1".

#include <stdexcept>
#include <string>

namespace medulla {

/// Base error: a message plus optional file and field context.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message, std::string file = {}, std::string field = {});

    /// The plain message without context.
    const std::string& message() const noexcept { return message_; }
    /// The file the error concerns, empty if none.
    const std::string& file() const noexcept { return file_; }
    /// The configuration field the error concerns (dotted path), empty if none.
    const std::string& field() const noexcept { return field_; }

private:
    std::string message_;
    std::string file_;
    std::string field_;
};

/// A file could not be read or written (missing, corrupt, truncated, disk full).
class IoError : public Error {
public:
    using Error::Error;
};

/// A configuration value is missing, of the wrong type or out of range.
class ConfigError : public Error {
public:
    using Error::Error;
};

/// Data does not have the shape or type an operation requires.
class ShapeError : public Error {
public:
    using Error::Error;
};

/// A long operation stopped because its cancel token was triggered.
class CancelledError : public Error {
public:
    CancelledError() : Error("cancelled") {}
};

} // namespace medulla
