// A progress line on the terminal for long work; silent when stderr is not a terminal.
#pragma once

#include <deepbach/progress.hpp>

#include <chrono>
#include <string>

namespace deepbach::cli {

class TerminalProgress {
public:
    /// `label` starts the line ("reading corpus"). Shows nothing unless
    /// stderr is a terminal, and nothing for work that ends within a second.
    explicit TerminalProgress(std::string label);
    ~TerminalProgress();
    TerminalProgress(const TerminalProgress&) = delete;
    TerminalProgress& operator=(const TerminalProgress&) = delete;

    /// A callback for the library that updates this line.
    ProgressFn callback();
    /// Clears the line (called by the destructor too).
    void finish();

private:
    void update(std::size_t done, std::size_t total, std::string_view what);

    std::string label_;
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace deepbach::cli
