#include <deepbach/error.hpp>

namespace deepbach {

std::string format_location(const Location& where) {
    std::string out;
    auto add = [&out](const std::string& part) {
        if (part.empty()) return;
        if (!out.empty()) out += ", ";
        out += part;
    };
    add(where.file);
    if (!where.bar.empty()) add("bar " + where.bar);
    add(where.voice);
    return out.empty() ? out : out + ": ";
}

void fail(const Location& where, const std::string& message) {
    throw Error(format_location(where) + message);
}

}  // namespace deepbach
