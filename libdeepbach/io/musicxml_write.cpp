// Writing a Score as MusicXML 4.0 (partwise), plain or compressed (.mxl).
//
// The Score keeps notes as they sound (an onset and a duration in quarters);
// notation needs them cut into measures and into written values (a type and
// dots), tied back together. That cutting is most of this file.
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include "io/zip.hpp"
#include "util/atomic_file.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace deepbach {

namespace {

// ---------------------------------------------------------------------------
// Written values.

struct NoteType {
    const char* name;
    int log2_quarters;  ///< value = 2^log2_quarters quarters
};

// From the longest to the shortest, as MusicXML names them.
constexpr NoteType kNoteTypes[] = {
    {"maxima", 5}, {"long", 4},  {"breve", 3}, {"whole", 2},  {"half", 1},   {"quarter", 0}, {"eighth", -1},
    {"16th", -2},  {"32nd", -3}, {"64th", -4}, {"128th", -5}, {"256th", -6}, {"512th", -7},  {"1024th", -8},
};
constexpr int kMaxDots = 2;

Rational power_of_two(int e) {
    return e >= 0 ? Rational(std::int64_t{1} << e) : Rational(1, std::int64_t{1} << -e);
}

/// How one note head is written: its type, dots and, for tuplets, the ratio.
struct WrittenValue {
    const char* type = nullptr;  ///< nullptr: no type fits (the <type> element is optional)
    int dots = 0;
    int actual_notes = 0;  ///< > 0 for a tuplet: actual_notes in the time of normal_notes
    int normal_notes = 0;
};

std::optional<WrittenValue> plain_value(const Rational& quarters) {
    for (const NoteType& t : kNoteTypes) {
        const Rational base = power_of_two(t.log2_quarters);
        Rational value = base;
        Rational add = base;
        for (int dots = 0; dots <= kMaxDots; ++dots) {
            if (value == quarters) return WrittenValue{t.name, dots, 0, 0};
            add = add / Rational(2);
            value += add;
        }
    }
    return std::nullopt;
}

/// A single note head for `quarters`, when there is one. Durations whose
/// denominator has an odd factor k are tuplets: k notes in the time of the
/// largest power of two below k (3:2, 5:4, 7:4, ...).
std::optional<WrittenValue> written_value(const Rational& quarters) {
    if (auto v = plain_value(quarters)) return v;
    std::int64_t odd = quarters.den();
    while (odd % 2 == 0) odd /= 2;
    if (odd == 1 || odd > 1023) return std::nullopt;
    std::int64_t normal = 1;
    while (normal * 2 < odd) normal *= 2;
    auto v = plain_value(quarters * Rational(odd, normal));
    if (!v) return std::nullopt;
    v->actual_notes = static_cast<int>(odd);
    v->normal_notes = static_cast<int>(normal);
    return v;
}

// ---------------------------------------------------------------------------
// Meter: where the strong points of a measure are, to cut notes there.

struct Meter {
    Rational beat;     ///< in quarters; a dotted value in compound meters
    Rational subbeat;  ///< first level below the beat
};

Meter meter_of(const TimeSignature& ts) {
    const Rational unit(4, std::max(1, ts.beat_type));
    // 6/8, 9/8, 12/16 ...: the beat is three units.
    if (ts.beats > 3 && ts.beats % 3 == 0 && ts.beat_type >= 8) return {unit * Rational(3), unit};
    return {unit, unit / Rational(2)};
}

int trailing_zeros(std::int64_t k) {
    int n = 0;
    while (k > 0 && k % 2 == 0) {
        k /= 2;
        ++n;
    }
    return n;
}

std::int64_t floor_div(const Rational& a, const Rational& b) {
    return (a / b).floor();
}

/// The metrically strongest point strictly inside (s, e), positions measured
/// from the start of a full measure: a beat (the one with the most factors of
/// two, so the middle of a 4/4 bar wins over beat 2), else the coarsest
/// subdivision. nullopt when none lies on a dyadic grid (tuplets).
std::optional<Rational> strongest_point(const Rational& s, const Rational& e, const Meter& m) {
    std::optional<Rational> best;
    int best_rank = -1;
    for (std::int64_t k = floor_div(s, m.beat) + 1; Rational(k) * m.beat < e; ++k) {
        const int rank = trailing_zeros(k);
        if (rank > best_rank) {
            best_rank = rank;
            best = Rational(k) * m.beat;
        }
        if (k > floor_div(s, m.beat) + 4096) break;  // a pathological measure; any beat will do
    }
    if (best) return best;
    for (Rational g = m.subbeat; g >= Rational(1, 256); g = g / Rational(2)) {
        const Rational p = Rational(floor_div(s, g) + 1) * g;
        if (p < e) return p;
    }
    return std::nullopt;
}

/// Cuts [s, e) into written values: one head when one fits, else cut at the
/// strongest point inside, else (no grid point: odd tuplets) greedily from
/// the largest value that fits.
void split_into_values(const Rational& s, const Rational& e, const Meter& m,
                       std::vector<std::pair<Rational, Rational>>& out) {
    const Rational d = e - s;
    if (written_value(d)) {
        out.emplace_back(s, e);
        return;
    }
    if (auto p = strongest_point(s, e, m)) {
        split_into_values(s, *p, m, out);
        split_into_values(*p, e, m, out);
        return;
    }
    for (const NoteType& t : kNoteTypes) {
        const Rational base = power_of_two(t.log2_quarters);
        if (base < d) {
            out.emplace_back(s, s + base);
            split_into_values(s + base, e, m, out);
            return;
        }
    }
    out.emplace_back(s, e);  // shorter than a 1024th: written without a type
}

// ---------------------------------------------------------------------------
// Helpers for the XML.

/// Drops characters XML 1.0 cannot hold, so a title never breaks the file.
std::string xml_text(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;
        out += c;
    }
    return out;
}

void add_text(pugi::xml_node parent, const char* name, const std::string& text) {
    parent.append_child(name).text().set(xml_text(text).c_str());
}

void add_int(pugi::xml_node parent, const char* name, std::int64_t value) {
    parent.append_child(name).text().set(std::to_string(value).c_str());
}

bool is_ncname(const std::string& id) {
    if (id.empty()) return false;
    const auto first = static_cast<unsigned char>(id[0]);
    if (!(std::isalpha(first) || id[0] == '_')) return false;
    for (char c : id) {
        const auto u = static_cast<unsigned char>(c);
        if (!(std::isalnum(u) || c == '_' || c == '-' || c == '.')) return false;
    }
    return true;
}

std::int64_t lcm_of(std::int64_t a, std::int64_t b, const std::string& source) {
    const std::int64_t g = std::gcd(a, b);
    const std::int64_t q = b / g;
    if (a > (std::int64_t{1} << 40) / q)
        throw Error(format_location({source, "", ""}) +
                    "cannot write MusicXML: the durations need too fine a <divisions>");
    return a * q;
}

// The alteration a key signature gives each step (C=0 .. B=6).
std::array<int, 7> key_alters(int fifths) {
    static constexpr int kSharpOrder[] = {3, 0, 4, 1, 5, 2, 6};  // F C G D A E B
    std::array<int, 7> alters{};
    for (int i = 0; i < std::min(7, std::abs(fifths)); ++i)
        alters[kSharpOrder[fifths > 0 ? i : 6 - i]] = fifths > 0 ? 1 : -1;
    return alters;
}

const char* accidental_name(int alter) {
    switch (alter) {
        case -2:
            return "flat-flat";
        case -1:
            return "flat";
        case 1:
            return "sharp";
        case 2:
            return "double-sharp";
        default:
            return "natural";
    }
}

// ---------------------------------------------------------------------------
// The layout of the score: measures, voices, layers.

/// The measures to write: the score's own, completed when notes run past
/// them, or derived from the time signatures when it has none.
std::vector<Measure> measures_to_write(const Score& score) {
    Rational notes_end;
    for (const Part& p : score.parts)
        for (const Note& n : p.notes) notes_end = std::max(notes_end, n.end());

    std::vector<Measure> out = score.measures;
    for (size_t i = 0; i < out.size(); ++i) {
        const Rational expected = i == 0 ? Rational(0) : out[i - 1].onset + out[i - 1].duration;
        if (out[i].onset != expected || out[i].duration <= Rational(0))
            throw Error(format_location({score.source, out[i].number, ""}) +
                        "cannot write MusicXML: measures must follow each other without gaps, from time 0");
    }
    Rational t = out.empty() ? Rational(0) : out.back().onset + out.back().duration;
    long long next_number = static_cast<long long>(out.size()) + 1;
    if (!out.empty()) {
        // Continue the written numbering when the last number is an integer
        // (checked: "2147483647" was std::stoi'd and incremented, a signed
        // overflow; one past the range of long long falls back to the count).
        const std::string& number = out.back().number;
        long long last = 0;
        const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), last);
        if (ec == std::errc() && ptr == number.data() + number.size() && !number.empty() &&
            last < std::numeric_limits<long long>::max() / 2)
            next_number = last + 1;
    }
    while (t < notes_end || out.empty()) {
        Rational len = score.time_at(t).measure_length();
        // A time signature that starts inside the new measure cuts it short.
        for (const TimeSignature& ts : score.times)
            if (ts.onset > t && ts.onset < t + len) len = std::min(len, ts.onset - t);
        Measure m;
        m.onset = t;
        m.duration = len;
        m.number = std::to_string(next_number++);
        out.push_back(m);
        t += len;
    }
    for (size_t i = 0; i < out.size(); ++i)
        if (out[i].number.empty()) out[i].number = std::to_string(i + 1);
    return out;
}

/// Notes of one voice sounding together with the same onset and duration.
struct Chord {
    Rational onset;
    Rational end;
    std::vector<const Note*> notes;  ///< empty for a rest filling a gap
};

/// One sequential stream of chords. A voice whose notes overlap (which
/// MusicXML writes with <backup>) takes several layers.
struct Layer {
    int voice = 1;
    bool primary = false;  ///< the part's first voice: gaps become rests
    std::vector<Chord> chords;
};

std::vector<Layer> layers_of(const Part& part) {
    std::map<int, std::vector<Chord>> by_voice;
    for (const Note& n : part.notes) {
        auto& chords = by_voice[n.voice];
        bool joined = false;
        // Chords share onset and duration; look back over the current onset.
        for (auto it = chords.rbegin(); it != chords.rend() && it->onset == n.onset; ++it) {
            if (it->end == n.end() && !n.is_rest() && !it->notes.front()->is_rest()) {
                it->notes.push_back(&n);
                joined = true;
                break;
            }
        }
        if (!joined) chords.push_back(Chord{n.onset, n.end(), {&n}});
    }
    std::vector<Layer> layers;
    if (by_voice.empty()) {
        layers.push_back(Layer{1, true, {}});
        return layers;
    }
    bool first_voice = true;
    for (auto& [voice, chords] : by_voice) {
        std::stable_sort(chords.begin(), chords.end(),
                         [](const Chord& a, const Chord& b) { return a.onset < b.onset; });
        const size_t first_layer = layers.size();
        std::vector<Rational> cursor;
        for (Chord& c : chords) {
            size_t k = 0;
            while (k < cursor.size() && cursor[k] > c.onset) ++k;
            if (k == cursor.size()) {
                cursor.push_back(Rational(0));
                layers.push_back(Layer{voice, first_voice && k == 0, {}});
            }
            layers[first_layer + k].chords.push_back(std::move(c));
            cursor[k] = layers[first_layer + k].chords.back().end;
        }
        first_voice = false;
    }
    return layers;
}

/// A stretch of one layer inside one measure: part of a chord or a rest.
struct Piece {
    Rational start;
    Rational end;
    const Chord* chord = nullptr;  ///< nullptr for a rest filling a gap
};

int clef_choice(const Score& score, size_t part_index) {
    // 0 = G, 1 = G 8vb, 2 = F
    if (score.parts.size() == 4) return part_index < 2 ? 0 : static_cast<int>(part_index) - 1;
    long sum = 0, count = 0;
    int low = 127;
    for (const Note& n : score.parts[part_index].notes) {
        if (n.is_rest()) continue;
        const int midi = n.pitch->midi();
        sum += midi;
        ++count;
        low = std::min(low, midi);
    }
    if (count == 0) return 0;
    const double mean = static_cast<double>(sum) / static_cast<double>(count);
    if (mean >= 60.0) return 0;
    if (mean >= 52.0 && low >= 45) return 1;
    return 2;
}

void add_clef(pugi::xml_node attributes, int choice) {
    pugi::xml_node clef = attributes.append_child("clef");
    add_text(clef, "sign", choice == 2 ? "F" : "G");
    add_int(clef, "line", choice == 2 ? 4 : 2);
    if (choice == 1) add_int(clef, "clef-octave-change", -1);
}

void add_key(pugi::xml_node attributes, const KeySignature& key) {
    pugi::xml_node k = attributes.append_child("key");
    add_int(k, "fifths", key.fifths);
    if (!key.mode.empty()) add_text(k, "mode", key.mode);
}

void add_time(pugi::xml_node attributes, const TimeSignature& ts) {
    pugi::xml_node t = attributes.append_child("time");
    add_int(t, "beats", ts.beats);
    add_int(t, "beat-type", ts.beat_type);
}

/// Writes the score: holds what every part shares.
class Writer {
public:
    Writer(const Score& score, const MusicXmlOptions& options) : score_(score), options_(options) {}

    std::string run() {
        if (score_.parts.empty())
            throw Error(format_location({score_.source, "", ""}) +
                        "cannot write MusicXML: the score has no parts");
        measures_ = measures_to_write(score_);
        divisions_ = choose_divisions();

        pugi::xml_document doc;
        pugi::xml_node decl = doc.append_child(pugi::node_declaration);
        decl.append_attribute("version") = "1.0";
        decl.append_attribute("encoding") = "UTF-8";
        decl.append_attribute("standalone") = "no";
        doc.append_child(pugi::node_doctype)
            .set_value(
                "score-partwise PUBLIC \"-//Recordare//DTD MusicXML 4.0 Partwise//EN\" "
                "\"http://www.musicxml.org/dtds/partwise.dtd\"");
        pugi::xml_node root = doc.append_child("score-partwise");
        root.append_attribute("version") = "4.0";
        write_header(root);
        part_ids_ = choose_part_ids();
        write_part_list(root);
        for (size_t i = 0; i < score_.parts.size(); ++i) write_part(root, i);

        std::ostringstream out;
        doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
        return out.str();
    }

private:
    std::int64_t choose_divisions() const {
        std::int64_t d = 1;
        auto take = [&](const Rational& r) { d = lcm_of(d, r.den(), score_.source); };
        for (const Part& p : score_.parts)
            for (const Note& n : p.notes) {
                if (n.duration <= Rational(0) || n.onset < Rational(0))
                    throw Error(format_location({score_.source, score_.bar_at(n.onset), p.name}) +
                                "cannot write MusicXML: a note at " + n.onset.to_string() + " lasting " +
                                n.duration.to_string() + " quarters");
                take(n.onset);
                take(n.duration);
            }
        for (const Measure& m : measures_) {
            take(m.onset);
            take(m.duration);
        }
        for (const KeySignature& k : score_.keys) take(k.onset);
        for (const TimeSignature& t : score_.times) take(t.onset);
        return d;
    }

    std::int64_t divs(const Rational& quarters) const { return (quarters * Rational(divisions_)).num(); }

    std::vector<std::string> choose_part_ids() const {
        std::vector<std::string> ids;
        for (size_t i = 0; i < score_.parts.size(); ++i) {
            std::string id = score_.parts[i].id;
            if (!is_ncname(id) || std::find(ids.begin(), ids.end(), id) != ids.end())
                id = "P" + std::to_string(i + 1);
            while (std::find(ids.begin(), ids.end(), id) != ids.end()) id += "_";
            ids.push_back(id);
        }
        return ids;
    }

    void write_header(pugi::xml_node root) const {
        if (!score_.title.empty()) add_text(root.append_child("work"), "work-title", score_.title);
        pugi::xml_node ident = root.append_child("identification");
        if (!score_.composer.empty()) {
            pugi::xml_node creator = ident.append_child("creator");
            creator.append_attribute("type") = "composer";
            creator.text().set(xml_text(score_.composer).c_str());
        }
        pugi::xml_node enc = ident.append_child("encoding");
        if (!options_.software.empty()) add_text(enc, "software", options_.software);
        if (!options_.encoding_date.empty()) add_text(enc, "encoding-date", options_.encoding_date);
    }

    void write_part_list(pugi::xml_node root) const {
        pugi::xml_node list = root.append_child("part-list");
        for (size_t i = 0; i < score_.parts.size(); ++i) {
            const Part& p = score_.parts[i];
            pugi::xml_node sp = list.append_child("score-part");
            sp.append_attribute("id") = part_ids_[i].c_str();
            add_text(sp, "part-name", p.name);
            if (!p.abbreviation.empty()) add_text(sp, "part-abbreviation", p.abbreviation);
        }
    }

    /// Where a measure starts in a full bar of its meter: a pickup is the end of one.
    Rational position_offset(size_t mi) const {
        const Measure& m = measures_[mi];
        const Rational full = score_.time_at(m.onset).measure_length();
        return (mi == 0 && m.duration < full) ? full - m.duration : Rational(0);
    }

    void write_part(pugi::xml_node root, size_t pi) {
        const Part& part = score_.parts[pi];
        const std::vector<Layer> layers = layers_of(part);
        std::vector<size_t> next(layers.size(), 0);  // first chord of each layer not yet finished
        pugi::xml_node part_node = root.append_child("part");
        part_node.append_attribute("id") = part_ids_[pi].c_str();

        for (size_t mi = 0; mi < measures_.size(); ++mi) {
            const Measure& m = measures_[mi];
            const Rational ms = m.onset, me = m.onset + m.duration;
            pugi::xml_node mnode = part_node.append_child("measure");
            mnode.append_attribute("number") = xml_text(m.number).c_str();
            if (m.implicit || (mi == 0 && position_offset(0) > Rational(0)))
                mnode.append_attribute("implicit") = "yes";

            // Key and time signatures that take effect in this measure.
            std::vector<Rational> change_points;
            std::map<Rational, std::pair<std::vector<const KeySignature*>, std::vector<const TimeSignature*>>,
                     std::less<>>
                changes;
            for (const KeySignature& k : score_.keys)
                if ((k.onset >= ms || mi == 0) && k.onset < me)
                    changes[std::max(k.onset, ms)].first.push_back(&k);
            for (const TimeSignature& t : score_.times)
                if ((t.onset >= ms || mi == 0) && t.onset < me)
                    changes[std::max(t.onset, ms)].second.push_back(&t);
            for (const auto& [at, what] : changes)
                if (at > ms) change_points.push_back(at);

            auto write_attributes = [&](const Rational& at, bool first) {
                auto it = changes.find(at);
                if (!first && it == changes.end()) return;
                pugi::xml_node attr = mnode.append_child("attributes");
                if (first) add_int(attr, "divisions", divisions_);
                if (it != changes.end())
                    for (const KeySignature* k : it->second.first) add_key(attr, *k);
                if (it != changes.end() && !it->second.second.empty()) {
                    for (const TimeSignature* t : it->second.second) add_time(attr, *t);
                } else if (first) {
                    add_time(attr, score_.time_at(at));
                }
                if (first) add_clef(attr, clef_choice(score_, pi));
            };
            if (mi == 0)
                write_attributes(ms, true);
            else
                write_attributes(ms, false);

            accidental_state_.clear();
            Rational cursor = ms;
            for (size_t li = 0; li < layers.size(); ++li) {
                const Layer& layer = layers[li];
                std::vector<Piece> pieces = pieces_in_measure(layer, next[li], ms, me);
                if (!layer.primary && pieces.empty()) continue;
                if (cursor > ms) {
                    add_int(mnode.append_child("backup"), "duration", divs(cursor - ms));
                    cursor = ms;
                }
                if (layer.primary) pieces = split_at(pieces, change_points);
                for (const Piece& piece : pieces) {
                    if (piece.start > cursor) {  // only in secondary layers: invisible space
                        pugi::xml_node fwd = mnode.append_child("forward");
                        add_int(fwd, "duration", divs(piece.start - cursor));
                        add_int(fwd, "voice", layer.voice);
                    }
                    if (layer.primary && piece.start > ms) write_attributes(piece.start, false);
                    write_piece(mnode, piece, layer, mi);
                    cursor = piece.end;
                }
            }
        }
    }

    /// The chords (or parts of them) of a layer that sound in [ms, me), and
    /// for the primary layer rests in the gaps.
    std::vector<Piece> pieces_in_measure(const Layer& layer, size_t& next, const Rational& ms,
                                         const Rational& me) const {
        std::vector<Piece> out;
        Rational t = ms;
        size_t i = next;
        while (i < layer.chords.size() && layer.chords[i].end <= ms) ++i;
        next = i;
        for (; i < layer.chords.size() && layer.chords[i].onset < me; ++i) {
            const Chord& c = layer.chords[i];
            const Rational s = std::max(c.onset, ms), e = std::min(c.end, me);
            if (layer.primary && s > t) out.push_back(Piece{t, s, nullptr});
            out.push_back(Piece{s, e, &c});
            t = e;
        }
        if (layer.primary && t < me) out.push_back(Piece{t, me, nullptr});
        return out;
    }

    static std::vector<Piece> split_at(const std::vector<Piece>& pieces,
                                       const std::vector<Rational>& points) {
        std::vector<Piece> out;
        for (Piece p : pieces) {
            for (const Rational& at : points) {
                if (at > p.start && at < p.end) {
                    out.push_back(Piece{p.start, at, p.chord});
                    p.start = at;
                }
            }
            out.push_back(p);
        }
        return out;
    }

    void write_piece(pugi::xml_node mnode, const Piece& piece, const Layer& layer, size_t mi) {
        const Measure& m = measures_[mi];
        const Meter meter = meter_of(score_.time_at(piece.start));
        const Rational offset = position_offset(mi) - m.onset;
        const bool rest = piece.chord == nullptr || piece.chord->notes.front()->is_rest();
        // measure="yes" only on bars of full length: readers (ours included)
        // may give such a rest the length of the time signature, not <duration>.
        const bool whole_measure = rest && piece.start == m.onset && piece.end == m.onset + m.duration &&
                                   m.duration == score_.time_at(m.onset).measure_length();
        std::vector<std::pair<Rational, Rational>> values;
        if (whole_measure)
            values.emplace_back(piece.start + offset, piece.end + offset);
        else
            split_into_values(piece.start + offset, piece.end + offset, meter, values);

        for (const auto& [vs_rel, ve_rel] : values) {
            const Rational vs = vs_rel - offset, ve = ve_rel - offset;
            WrittenValue wv;  // no type: a whole-measure rest, or a value too short to name
            if (!whole_measure)
                if (auto w = written_value(ve - vs)) wv = *w;
            const size_t heads = piece.chord ? piece.chord->notes.size() : 1;
            for (size_t h = 0; h < heads; ++h) {
                // `written` is the score's note (a rest too); `note` only a pitched one.
                const Note* written = piece.chord ? piece.chord->notes[h] : nullptr;
                const Note* note = written && !written->is_rest() ? written : nullptr;
                pugi::xml_node n = mnode.append_child("note");
                if (h > 0) n.append_child("chord");
                const bool tie_stop = note && (vs > note->onset || note->tie_stop);
                const bool tie_start = note && (ve < note->end() || note->tie_start);
                if (note) {
                    pugi::xml_node pitch = n.append_child("pitch");
                    add_text(pitch, "step", std::string(1, note->pitch->step_letter()));
                    if (note->pitch->alter != 0) add_int(pitch, "alter", note->pitch->alter);
                    add_int(pitch, "octave", note->pitch->octave);
                } else {
                    pugi::xml_node rest = n.append_child("rest");
                    if (whole_measure) rest.append_attribute("measure") = "yes";
                }
                add_int(n, "duration", divs(ve - vs));
                if (tie_stop) n.append_child("tie").append_attribute("type") = "stop";
                if (tie_start) n.append_child("tie").append_attribute("type") = "start";
                add_int(n, "voice", layer.voice);
                if (wv.type) {
                    add_text(n, "type", wv.type);
                    for (int d = 0; d < wv.dots; ++d) n.append_child("dot");
                }
                if (note && !tie_stop) {
                    if (const char* acc = accidental_for(*note->pitch, vs)) add_text(n, "accidental", acc);
                }
                if (wv.actual_notes > 0) {
                    pugi::xml_node tm = n.append_child("time-modification");
                    add_int(tm, "actual-notes", wv.actual_notes);
                    add_int(tm, "normal-notes", wv.normal_notes);
                }
                // A note tied over bar lines carries its fermata on its last
                // segment, where engravers (and Bach's editors) put it.
                const bool fermata = written && written->fermata && ve == written->end();
                if (tie_stop || tie_start || fermata) {
                    pugi::xml_node notations = n.append_child("notations");
                    if (tie_stop) notations.append_child("tied").append_attribute("type") = "stop";
                    if (tie_start) notations.append_child("tied").append_attribute("type") = "start";
                    if (fermata) notations.append_child("fermata").append_attribute("type") = "upright";
                }
            }
        }
    }

    /// The accidental to print, or nullptr when the key signature and the
    /// earlier notes of the measure already say it.
    const char* accidental_for(const Pitch& p, const Rational& at) {
        const auto key = std::make_pair(static_cast<int>(p.step), static_cast<int>(p.octave));
        auto it = accidental_state_.find(key);
        const int current =
            it != accidental_state_.end() ? it->second : key_alters(score_.key_at(at).fifths)[p.step];
        accidental_state_[key] = p.alter;
        return p.alter == current ? nullptr : accidental_name(p.alter);
    }

    const Score& score_;
    const MusicXmlOptions& options_;
    std::vector<Measure> measures_;
    std::vector<std::string> part_ids_;
    std::int64_t divisions_ = 1;
    std::map<std::pair<int, int>, int> accidental_state_;  // (step, octave) -> alter, within a measure
};

std::string lower_extension(const std::filesystem::path& path) {
    std::string ext = path.extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

}  // namespace

std::string to_musicxml(const Score& score, const MusicXmlOptions& options) {
    return Writer(score, options).run();
}

void write_musicxml(const Score& score, const std::filesystem::path& path, const MusicXmlOptions& options) {
    std::string xml = to_musicxml(score, options);
    if (lower_extension(path) != ".mxl") {
        detail::write_file_atomically(path, xml);
        return;
    }
    // A .mxl is a zip: "mimetype" first and stored, so that tools can sniff
    // the type at a fixed offset; the container names the score entry.
    static constexpr const char* kContainer =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<container>\n"
        "  <rootfiles>\n"
        "    <rootfile full-path=\"score.musicxml\" media-type=\"application/vnd.recordare.musicxml+xml\"/>\n"
        "  </rootfiles>\n"
        "</container>\n";
    std::vector<detail::ZipEntry> entries;
    entries.push_back({"mimetype", "application/vnd.recordare.musicxml", false});
    entries.push_back({"META-INF/container.xml", kContainer, true});
    entries.push_back({"score.musicxml", std::move(xml), true});
    detail::write_file_atomically(path, detail::zip_create(entries));
}

}  // namespace deepbach
