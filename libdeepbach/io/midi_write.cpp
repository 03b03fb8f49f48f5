// Writing a Score as a Standard MIDI File, type 1, by hand (the format is
// small and a library would add a dependency for forty lines).
//
// Layout: track 0 holds the title, the tempo, time and key signatures; then
// one track per part, each on its own channel (skipping 9, General MIDI's
// drums), with its name, a program change and the notes. Tied notes become
// one long note. With fermata_holds, a time map stretches every moment
// under a fermata, the same map for every track so they stay together.
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include "io/sounding_notes.hpp"
#include "util/atomic_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace deepbach {

namespace {

constexpr std::uint32_t kMaxTick = 0x0FFFFFFF;  // largest delta a variable-length quantity holds

/// Score time (quarters) to MIDI ticks. Time inside a fermata runs
/// `factor` times slower; the intervals are merged so that overlapping
/// fermatas in several parts stretch the moment once.
class TimeMap {
public:
    TimeMap(const Score& score, const MidiOptions& options) : tpq_(options.ticks_per_quarter) {
        if (!options.fermata_holds) return;
        factor_ = options.fermata_factor;
        std::vector<std::pair<double, double>> spans;
        for (const Part& p : score.parts)
            for (const Note& n : p.notes)
                if (n.fermata) spans.emplace_back(n.onset.to_double(), n.end().to_double());
        std::sort(spans.begin(), spans.end());
        for (const auto& s : spans) {
            if (!spans_.empty() && s.first <= spans_.back().second)
                spans_.back().second = std::max(spans_.back().second, s.second);
            else
                spans_.push_back(s);
        }
    }

    std::int64_t operator()(const Rational& t) const {
        const double q = t.to_double();
        double stretched = q;
        for (const auto& [a, b] : spans_) {
            if (a >= q) break;
            stretched += (factor_ - 1.0) * (std::min(b, q) - a);
        }
        return std::llround(stretched * tpq_);
    }

private:
    int tpq_;
    double factor_ = 1.0;
    std::vector<std::pair<double, double>> spans_;  // sorted, disjoint
};

/// One event of a track before it is encoded; `order` puts events of the
/// same tick in a safe sequence (names and programs first, note-offs before
/// note-ons so a repeated note is not cut short).
struct Event {
    std::int64_t tick = 0;
    int order = 0;
    std::string bytes;  ///< status byte and data, or FF type length data for a meta event
};

enum Order { kMeta = 0, kProgram = 1, kNoteOff = 2, kNoteOn = 3 };

void put_u16(std::string& out, unsigned v) {
    out += static_cast<char>((v >> 8) & 0xFF);
    out += static_cast<char>(v & 0xFF);
}

void put_u32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

void put_vlq(std::string& out, std::uint32_t v) {
    char buf[5];
    int n = 0;
    buf[n++] = static_cast<char>(v & 0x7F);
    while ((v >>= 7) != 0) buf[n++] = static_cast<char>(0x80 | (v & 0x7F));
    while (n > 0) out += buf[--n];
}

std::string meta(int type, const std::string& data) {
    std::string b;
    b += static_cast<char>(0xFF);
    b += static_cast<char>(type);
    put_vlq(b, static_cast<std::uint32_t>(data.size()));
    return b + data;
}

std::string channel_message(int status, int channel, int a, int b = -1) {
    std::string m;
    m += static_cast<char>(status | channel);
    m += static_cast<char>(a & 0x7F);
    if (b >= 0) m += static_cast<char>(b & 0x7F);
    return m;
}

/// Encodes events (sorted here) as an MTrk chunk ending at `end_tick` or later.
std::string track_chunk(std::vector<Event> events, std::int64_t end_tick, const std::string& source) {
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
        return a.tick != b.tick ? a.tick < b.tick : a.order < b.order;
    });
    std::string body;
    std::int64_t last = 0;
    for (const Event& e : events) {
        put_vlq(body, static_cast<std::uint32_t>(e.tick - last));
        body += e.bytes;
        last = e.tick;
    }
    if (end_tick > kMaxTick)
        throw Error(format_location({source, "", ""}) + "cannot write MIDI: the piece is too long");
    put_vlq(body, static_cast<std::uint32_t>(std::max<std::int64_t>(0, end_tick - last)));
    body += meta(0x2F, "");
    std::string chunk = "MTrk";
    put_u32(chunk, static_cast<std::uint32_t>(body.size()));
    return chunk + body;
}

int log2_exact(int v) {
    int n = 0;
    while ((1 << n) < v) ++n;
    return (1 << n) == v ? n : -1;
}

void check_options(const MidiOptions& o, const std::string& source) {
    const std::string where = format_location({source, "", ""}) + "cannot write MIDI: ";
    if (o.ticks_per_quarter < 1 || o.ticks_per_quarter > 0x7FFF)
        throw Error(where + "ticks_per_quarter must be 1..32767, not " + std::to_string(o.ticks_per_quarter));
    if (!(o.tempo_bpm > 0.0) || !std::isfinite(o.tempo_bpm) || 60e6 / o.tempo_bpm > 0xFFFFFF)
        throw Error(where + "tempo_bpm must be above 3.6, not " + std::to_string(o.tempo_bpm));
    if (o.velocity < 1 || o.velocity > 127)
        throw Error(where + "velocity must be 1..127, not " + std::to_string(o.velocity));
    if (o.fermata_holds && (!(o.fermata_factor > 0.0) || !std::isfinite(o.fermata_factor)))
        throw Error(where + "fermata_factor must be positive, not " + std::to_string(o.fermata_factor));
}

}  // namespace

std::string to_midi(const Score& score, const MidiOptions& options) {
    check_options(options, score.source);
    const TimeMap ticks(score, options);

    Rational end = score.length();
    for (const Part& p : score.parts)
        for (const Note& n : p.notes) end = std::max(end, n.end());
    const std::int64_t end_tick = ticks(end);

    // Track 0: what is shared by all parts.
    std::vector<Event> conductor;
    if (!score.title.empty()) conductor.push_back({0, kMeta, meta(0x03, score.title)});
    {
        const auto usec = static_cast<std::uint32_t>(std::llround(60e6 / options.tempo_bpm));
        std::string d;
        d += static_cast<char>((usec >> 16) & 0xFF);
        d += static_cast<char>((usec >> 8) & 0xFF);
        d += static_cast<char>(usec & 0xFF);
        conductor.push_back({0, kMeta, meta(0x51, d)});
    }
    for (const TimeSignature& ts : score.times) {
        const int dd = log2_exact(ts.beat_type);
        if (dd < 0 || ts.beats < 1 || ts.beats > 255)
            continue;  // not expressible in MIDI; notes are unaffected
        // MIDI clocks per metronome click: a dotted quarter in compound meters, else the beat unit.
        const bool compound = ts.beats > 3 && ts.beats % 3 == 0 && ts.beat_type >= 8;
        const int clocks = std::clamp(96 * (compound ? 3 : 1) / ts.beat_type, 1, 255);
        std::string d;
        d += static_cast<char>(ts.beats);
        d += static_cast<char>(dd);
        d += static_cast<char>(clocks);
        d += static_cast<char>(8);
        conductor.push_back({ticks(ts.onset), kMeta, meta(0x58, d)});
    }
    for (const KeySignature& k : score.keys) {
        if (k.fifths < -7 || k.fifths > 7) continue;
        std::string d;
        d += static_cast<char>(static_cast<std::int8_t>(k.fifths));
        d += static_cast<char>(k.mode == "minor" ? 1 : 0);
        conductor.push_back({ticks(k.onset), kMeta, meta(0x59, d)});
    }

    std::string file = "MThd";
    put_u32(file, 6);
    put_u16(file, 1);
    const size_t tracks = score.parts.size() + 1;
    if (tracks > 0xFFFF)
        throw Error(format_location({score.source, "", ""}) + "cannot write MIDI: too many parts");
    put_u16(file, static_cast<unsigned>(tracks));
    put_u16(file, static_cast<unsigned>(options.ticks_per_quarter));
    file += track_chunk(std::move(conductor), end_tick, score.source);

    for (size_t pi = 0; pi < score.parts.size(); ++pi) {
        const Part& part = score.parts[pi];
        const int channel = detail::midi_channel(pi);
        std::vector<Event> events;
        if (!part.name.empty()) events.push_back({0, kMeta, meta(0x03, part.name)});
        events.push_back({0, kProgram, channel_message(0xC0, channel, detail::kChoirAahs)});
        for (const detail::Sounding& s : detail::merge_ties(score, part)) {
            const std::int64_t on = ticks(s.onset), off = ticks(s.end);
            if (off <= on) continue;  // shorter than a tick: nothing to hear
            events.push_back({on, kNoteOn, channel_message(0x90, channel, s.key, options.velocity)});
            events.push_back({off, kNoteOff, channel_message(0x80, channel, s.key, 0)});
        }
        file += track_chunk(std::move(events), end_tick, score.source);
    }
    return file;
}

void write_midi(const Score& score, const std::filesystem::path& path, const MidiOptions& options) {
    detail::write_file_atomically(path, to_midi(score, options));
}

}  // namespace deepbach
