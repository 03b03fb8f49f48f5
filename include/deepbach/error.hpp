// libdeepbach: the one exception type of the library.
#pragma once

#include <stdexcept>
#include <string>

namespace deepbach {

/// Every error the library reports is a deepbach::Error. Its message is one
/// line that says what is wrong and, where known, where: the file, the bar
/// (measure number as written) and the voice.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// Where in a piece something happened, for error messages.
/// Empty fields are left out of the text.
struct Location {
    std::string file;   ///< path or name of the source
    std::string bar;    ///< measure number as written in the score
    std::string voice;  ///< "Soprano", "Alto", ... or a part name
};

/// "file.musicxml, bar 5, Alto: " (only the fields that are set).
std::string format_location(const Location& where);

/// Throws Error(format_location(where) + message).
[[noreturn]] void fail(const Location& where, const std::string& message);

}  // namespace deepbach
