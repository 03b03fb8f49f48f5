#include "progress.hpp"

#include <cstdio>

#include <unistd.h>

namespace deepbach::cli {

using Clock = std::chrono::steady_clock;

TerminalProgress::TerminalProgress(std::string label)
    : label_(std::move(label)), enabled_(::isatty(STDERR_FILENO) == 1), start_(Clock::now()), last_draw_() {}

TerminalProgress::~TerminalProgress() {
    finish();
}

ProgressFn TerminalProgress::callback() {
    return [this](std::size_t done, std::size_t total, std::string_view what) {
        update(done, total, what);
        return true;
    };
}

void TerminalProgress::update(std::size_t done, std::size_t total, std::string_view what) {
    if (!enabled_) return;
    const auto now = Clock::now();
    // Quiet for the first second, then at most ten redraws a second.
    if (now - start_ < std::chrono::seconds(1)) return;
    if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && done != total) return;
    last_draw_ = now;
    drawn_ = true;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    std::string line = label_;
    if (total > 0) {
        const double frac = static_cast<double>(done) / static_cast<double>(total);
        const int width = 24, filled = static_cast<int>(frac * width);
        line += " [" + std::string(static_cast<size_t>(filled), '#') +
                std::string(static_cast<size_t>(width - filled), '.') + "] ";
        line += std::to_string(done) + "/" + std::to_string(total);
        if (done > 0 && done < total) {
            const double eta = elapsed * (static_cast<double>(total) / static_cast<double>(done) - 1.0);
            char buf[32];
            std::snprintf(buf, sizeof buf, " ETA %.0fs", eta);
            line += buf;
        }
    } else {
        line += " " + std::to_string(done);
    }
    if (!what.empty()) line += "  " + std::string(what.substr(0, 40));
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
}

void TerminalProgress::finish() {
    if (drawn_) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        drawn_ = false;
    }
}

}  // namespace deepbach::cli
