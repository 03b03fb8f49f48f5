// libdeepbach: a piano roll of the four voices as SVG, readable in any browser.
#pragma once

#include <deepbach/chorale.hpp>

#include <filesystem>
#include <string>

namespace deepbach {

struct PianoRollOptions {
    int pixels_per_tick = 6;      ///< a 4/4 bar is 16 ticks
    int pixels_per_semitone = 6;  ///< height of a note
    /// Drawn above the roll; empty: the chorale's title.
    std::string title;
};

/// The piano roll of a chorale as an SVG document: time left to right with
/// bar lines and bar numbers, pitch bottom to top with the C's labelled,
/// one colour per voice, fermatas marked above the roll, and each note
/// carrying a tooltip (voice, pitch, bar and beat). With `fixed`, notes whose
/// first cell was fixed are drawn solid with a dark outline and the notes the
/// sampler drew lighter, and a legend says so. Throws Error when `fixed` does
/// not have num_ticks flags per voice.
std::string piano_roll_svg(const Chorale& chorale, const CellMask* fixed = nullptr,
                           const PianoRollOptions& options = {});

/// Writes piano_roll_svg() to `path` atomically (a temporary file renamed
/// into place). Throws Error naming the file when it cannot be written.
void write_piano_roll_svg(const Chorale& chorale, const std::filesystem::path& path,
                          const CellMask* fixed = nullptr, const PianoRollOptions& options = {});

}  // namespace deepbach
