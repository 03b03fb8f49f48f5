// The piano roll of a chorale as hand-written SVG (no dependency).
#include <deepbach/error.hpp>
#include <deepbach/piano_roll.hpp>

#include "util/atomic_file.hpp"
#include "util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace deepbach {

namespace {

// One colour per voice (soprano, alto, tenor, bass), readable on white and
// told apart by most colour-blind readers (the Okabe-Ito palette).
constexpr const char* kVoiceColour[kNumVoices] = {"#D55E00", "#009E73", "#0072B2", "#CC79A7"};
constexpr const char* kPitchClassName[12] = {"C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"};

struct RollNote {
    int voice = 0;
    int start = 0;
    int end = 0;  // exclusive
    int midi = 0;
    std::string name;
    bool fixed = true;
};

std::vector<RollNote> notes_of(const Chorale& c, const CellMask* fixed) {
    std::vector<RollNote> notes;
    for (int v = 0; v < kNumVoices; ++v) {
        for (int t = 0; t < c.num_ticks; ++t) {
            const Token tok = c.at(v, t);
            if (!token::is_pitch(tok)) continue;
            RollNote n;
            n.voice = v;
            n.start = t;
            n.end = t + 1;
            while (n.end < c.num_ticks && c.at(v, n.end) == token::kHold) ++n.end;
            const Pitch p = token::to_pitch(tok);
            n.midi = p.midi();
            n.name = token::name(tok);
            if (fixed) n.fixed = (*fixed)[static_cast<size_t>(v)][static_cast<size_t>(t)] != 0;
            notes.push_back(std::move(n));
        }
    }
    return notes;
}

}  // namespace

std::string piano_roll_svg(const Chorale& chorale, const CellMask* fixed, const PianoRollOptions& options) {
    if (fixed)
        for (const auto& row : *fixed)
            if (row.size() != static_cast<size_t>(chorale.num_ticks))
                throw Error("piano roll: the fixed-cell mask has " + std::to_string(row.size()) +
                            " ticks per voice, the chorale " + std::to_string(chorale.num_ticks));
    if (options.pixels_per_tick < 1 || options.pixels_per_tick > 100 || options.pixels_per_semitone < 2 ||
        options.pixels_per_semitone > 100)
        throw Error("piano roll: pixels per tick must be 1..100 and per semitone 2..100");
    const std::vector<RollNote> notes = notes_of(chorale, fixed);
    bool any_generated = false;
    int low = 60, high = 72;  // an empty piece still gets an octave
    if (!notes.empty()) {
        low = high = notes.front().midi;
        for (const RollNote& n : notes) {
            low = std::min(low, n.midi);
            high = std::max(high, n.midi);
            any_generated = any_generated || !n.fixed;
        }
    }
    low -= 2;
    high += 2;

    const int px = options.pixels_per_tick, py = options.pixels_per_semitone;
    const int left = 44, right = 16, top = 44, bottom = 56;
    const int roll_w = std::max(1, chorale.num_ticks) * px, roll_h = (high - low + 1) * py;
    const int width = left + roll_w + right, height = top + roll_h + bottom;
    auto x_of = [&](int tick) { return left + tick * px; };
    auto y_of = [&](int midi) { return top + (high - midi) * py; };  // top edge of the note's row

    const std::string title = options.title.empty() ? chorale.title : options.title;
    std::string s;
    s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    s += fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
        "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n",
        width, height);
    s += fmt::format("<title>{}</title>\n", text::xml_escape(title.empty() ? "Piano roll" : title));
    s += fmt::format("<rect width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", width, height);
    if (!title.empty())
        s += fmt::format("<text x=\"{}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{}</text>\n", left,
                         text::xml_escape(title));

    // Pitch rows: black keys shaded, a line and a label at every C.
    s += "<g id=\"rows\">\n";
    for (int m = low; m <= high; ++m) {
        const int pc = ((m % 12) + 12) % 12;
        const bool black = pc == 1 || pc == 3 || pc == 6 || pc == 8 || pc == 10;
        if (black)
            s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#f1f1f4\"/>\n", left,
                             y_of(m), roll_w, py);
        if (pc == 0) {
            s += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"#c8c8d0\"/>\n", left,
                             left + roll_w, y_of(m) + py);
            s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#555\">{}{}</text>\n",
                             left - 6, y_of(m) + py, kPitchClassName[pc], m / 12 - 1);
        }
    }
    s += "</g>\n";

    // Bar lines and numbers.
    s += "<g id=\"bars\" fill=\"#555\">\n";
    for (size_t i = 0; i < chorale.measure_ticks.size(); ++i) {
        const int x = x_of(chorale.measure_ticks[i]);
        s += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#9a9aa6\"/>\n", x, top,
                         top + roll_h);
        const std::string number = i < chorale.measure_numbers.size() ? chorale.measure_numbers[i] : "";
        if (!number.empty())
            s += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", x + 2, top + roll_h + 14,
                             text::xml_escape(number));
    }
    s += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#9a9aa6\"/>\n",
                     x_of(chorale.num_ticks), top, top + roll_h);
    s += "</g>\n";

    // Fermatas: an arc with a dot above the roll, over each fermata span.
    s += "<g id=\"fermatas\" fill=\"none\" stroke=\"#333\" stroke-width=\"1.5\">\n";
    for (int t = 0; t < chorale.num_ticks; ++t) {
        if (!chorale.fermata[static_cast<size_t>(t)] ||
            (t > 0 && chorale.fermata[static_cast<size_t>(t) - 1]))
            continue;
        int end = t;
        while (end < chorale.num_ticks && chorale.fermata[static_cast<size_t>(end)]) ++end;
        const int cx = (x_of(t) + x_of(end)) / 2, cy = top - 8;
        s += fmt::format("<path d=\"M {} {} A 7 7 0 0 1 {} {}\"><title>fermata, {}</title></path>\n", cx - 7,
                         cy, cx + 7, cy, chorale.position_at(t));
        s += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"1.5\" fill=\"#333\" stroke=\"none\"/>\n", cx,
                         cy - 2);
    }
    s += "</g>\n";

    // Notes, bass first so the soprano is drawn on top.
    for (int v = kNumVoices - 1; v >= 0; --v) {
        s += fmt::format("<g id=\"{}\" fill=\"{}\">\n", text::lower(voice_name(v)), kVoiceColour[v]);
        for (const RollNote& n : notes) {
            if (n.voice != v) continue;
            const std::string tip =
                fmt::format("{} {}, {}{}", voice_name(v), n.name, chorale.position_at(n.start),
                            fixed ? (n.fixed ? ", fixed" : ", generated") : "");
            const int w = std::max(1, (n.end - n.start) * px - 1);
            if (n.fixed)
                s += fmt::format(
                    "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"1.5\" "
                    "stroke=\"#222\" "
                    "stroke-width=\"1\"><title>{}</title></rect>\n",
                    fixed ? "fixed" : "note", x_of(n.start), y_of(n.midi), w, py, text::xml_escape(tip));
            else
                s += fmt::format(
                    "<rect class=\"generated\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"1.5\" "
                    "fill-opacity=\"0.55\"><title>{}</title></rect>\n",
                    x_of(n.start), y_of(n.midi), w, py, text::xml_escape(tip));
        }
        s += "</g>\n";
    }

    // Legend: the voices, and what solid and light notes mean.
    s += "<g id=\"legend\">\n";
    int x = left;
    const int y = top + roll_h + 36;
    for (int v = 0; v < kNumVoices; ++v) {
        s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"8\" fill=\"{}\"/>\n", x, y - 8,
                         kVoiceColour[v]);
        s += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", x + 18, y, voice_name(v));
        x += 80;
    }
    if (fixed) {
        s += fmt::format(
            "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"8\" fill=\"#888\" stroke=\"#222\"/>\n<text "
            "x=\"{}\" "
            "y=\"{}\">fixed</text>\n",
            x, y - 8, x + 18, y);
        x += 60;
        if (any_generated)
            s += fmt::format(
                "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"8\" fill=\"#888\" "
                "fill-opacity=\"0.55\"/>\n<text "
                "x=\"{}\" y=\"{}\">generated</text>\n",
                x, y - 8, x + 18, y);
    }
    s += "</g>\n</svg>\n";
    return s;
}

void write_piano_roll_svg(const Chorale& chorale, const std::filesystem::path& path, const CellMask* fixed,
                          const PianoRollOptions& options) {
    detail::write_file_atomically(path, piano_roll_svg(chorale, fixed, options));
}

}  // namespace deepbach
