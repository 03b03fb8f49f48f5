// libdeepbach: progress reporting for long work.
#pragma once

#include <deepbach/error.hpp>

#include <cstddef>
#include <functional>
#include <string_view>

namespace deepbach {

/// Called from long operations with the work done so far and the total
/// (total 0 when unknown). Return false to cancel: the operation then throws
/// deepbach::Cancelled. May be empty.
using ProgressFn = std::function<bool(std::size_t done, std::size_t total, std::string_view what)>;

/// Thrown when a ProgressFn returns false.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

}  // namespace deepbach
