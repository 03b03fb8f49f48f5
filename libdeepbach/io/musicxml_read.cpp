// Reading partwise MusicXML (plain or compressed .mxl) into a Score.
//
// Files are untrusted: every number is parsed with explicit bounds, every
// position is kept inside limits that make Rational arithmetic safe, and all
// work is linear in the size of the file.
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include "io/zip.hpp"
#include "util/atomic_file.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deepbach {

namespace {

// ---------------------------------------------------------------------------
// Numbers and text

// Onsets and durations are kept at most 2^20 quarters long with denominators
// of at most 2^20, so that a sum of two of them (a product of at most 2^60)
// can never overflow 64 bits. That is a million quarter notes, and a grid
// finer than any divisions value seen in practice.
constexpr std::int64_t kMaxTimeValue = std::int64_t{1} << 20;
constexpr std::int64_t kMaxTimeDenominator = std::int64_t{1} << 20;

// Far more than any real score has; it keeps a file of empty <part/>s from
// costing memory out of all proportion to its size.
constexpr std::size_t kMaxParts = 1000;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

std::string_view text_of(const pugi::xml_node& node) {
    return trim(node.child_value());
}
std::string_view child_text(const pugi::xml_node& node, const char* name) {
    return text_of(node.child(name));
}
bool named(const pugi::xml_node& node, const char* name) {
    return std::strcmp(node.name(), name) == 0;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
    text = trim(text);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

// An exact decimal number num / den with den a power of ten. MusicXML writes
// durations, divisions and alterations as xs:decimal ("1", "-1", "1.0", "0.5").
struct Decimal {
    std::int64_t num = 0;
    std::int64_t den = 1;
};

// Accepts up to 9 integer digits and 4 fractional digits (leading and trailing
// zeros do not count), so num < 10^13 and den <= 10^4: every product of two
// of them stays below 2^57.
std::optional<Decimal> parse_decimal(std::string_view text) {
    text = trim(text);
    bool negative = false;
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    const std::size_t dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    if (whole.empty() && fraction.empty()) return std::nullopt;  // "", "-", "."
    while (!whole.empty() && whole.front() == '0') whole.remove_prefix(1);
    while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
    if (whole.size() > 9 || fraction.size() > 4) return std::nullopt;
    Decimal out;
    for (char c : whole) {
        if (c < '0' || c > '9') return std::nullopt;
        out.num = out.num * 10 + (c - '0');
    }
    for (char c : fraction) {
        if (c < '0' || c > '9') return std::nullopt;
        out.num = out.num * 10 + (c - '0');
        out.den *= 10;
    }
    if (negative) out.num = -out.num;
    return out;
}

// Names taken from the file, made fit for a one-line message.
std::string one_line(std::string_view text) {
    constexpr std::size_t kShown = 40;
    std::string out(text.substr(0, kShown));
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return text.size() > kShown ? out + "..." : out;
}

// A value from the file, quoted, for a message.
std::string shown_text(std::string_view text) {
    return "'" + one_line(text) + "'";
}

bool time_in_range(const Rational& t) {
    return t.den() <= kMaxTimeDenominator && t.num() <= kMaxTimeValue * t.den() &&
           t.num() >= -kMaxTimeValue * t.den();
}

Rational max(const Rational& a, const Rational& b) {
    return a < b ? b : a;
}

// ---------------------------------------------------------------------------
// What one part says, before measures are aligned across parts

// A measure as one part fills it: positions are local to the measure.
struct MeasureFill {
    std::string number;
    bool implicit = false;
    Rational filled;  ///< furthest position reached by any voice
};

struct LocalKey {
    int measure = 0;
    Rational position;
    KeySignature key;
};

struct LocalTime {
    int measure = 0;
    Rational position;
    TimeSignature time;
};

struct ReadPart {
    Part part;                              ///< note onsets local to their measure for now
    std::vector<bool> lasts_whole_measure;  ///< per note: <rest measure="yes"/>
    std::vector<MeasureFill> measures;
    std::vector<LocalKey> keys;  ///< collected only for the first part
    std::vector<LocalTime> times;
};

struct ReadContext {
    const std::string& source;
    const ReadOptions& options;
    std::size_t notes_so_far = 0;
};

// Reads one <part>, measure by measure, tracking divisions, the position in
// the measure and where the last note (for <chord/>) started.
class PartReader {
public:
    PartReader(ReadContext& context, ReadPart& out, bool collect_signatures)
        : context_(context), out_(out), collect_signatures_(collect_signatures) {}

    void read(const pugi::xml_node& part_node) {
        for (pugi::xml_node measure : part_node.children("measure")) read_measure(measure);
    }

private:
    [[noreturn]] void fail_here(const std::string& message) const {
        fail(Location{context_.source, one_line(bar_), one_line(part_label())}, message);
    }

    std::string part_label() const {
        if (!out_.part.name.empty()) return out_.part.name;
        return out_.part.id.empty() ? std::string() : "part " + out_.part.id;
    }

    void read_measure(const pugi::xml_node& measure) {
        const int index = static_cast<int>(out_.measures.size());
        MeasureFill fill;
        fill.number = measure.attribute("number").value();
        if (fill.number.empty()) fill.number = std::to_string(index + 1);
        fill.implicit = std::strcmp(measure.attribute("implicit").value(), "yes") == 0;
        bar_ = fill.number;
        measure_index_ = index;
        position_ = Rational();
        filled_ = Rational();
        has_last_onset_ = false;
        for (pugi::xml_node child : measure.children()) {
            if (named(child, "note"))
                read_note(child);
            else if (named(child, "backup"))
                move_back(child);
            else if (named(child, "forward"))
                move_forward(child);
            else if (named(child, "attributes"))
                read_attributes(child);
        }
        fill.filled = filled_;
        out_.measures.push_back(std::move(fill));
    }

    // ---- time keeping

    Rational quarters(const pugi::xml_node& duration_node) const {
        const std::optional<Decimal> value = parse_decimal(text_of(duration_node));
        if (!value || value->num < 0) fail_here("bad <duration> " + shown_text(text_of(duration_node)));
        // duration / divisions, both exact decimals; the factors stay below 2^57.
        const Rational result(value->num * divisions_.den, value->den * divisions_.num);
        if (!time_in_range(result))
            fail_here("<duration> " + shown_text(text_of(duration_node)) + " is out of range");
        return result;
    }

    void move_to(const Rational& at) {
        if (!time_in_range(at)) fail_here("the measure is too long or its timing too fine");
        position_ = at;
    }

    void fill_to(const Rational& end) {
        if (!time_in_range(end)) fail_here("the measure is too long or its timing too fine");
        filled_ = max(filled_, end);
    }

    void move_back(const pugi::xml_node& backup) {
        const pugi::xml_node duration = backup.child("duration");
        if (!duration) fail_here("<backup> without <duration>");
        // Some writers back up past the barline; the measure start is as far as it can go.
        position_ = max(Rational(), position_ - quarters(duration));
        has_last_onset_ = false;
    }

    void move_forward(const pugi::xml_node& forward) {
        const pugi::xml_node duration = forward.child("duration");
        if (!duration) fail_here("<forward> without <duration>");
        move_to(position_ + quarters(duration));
        fill_to(position_);
        has_last_onset_ = false;
    }

    // ---- attributes

    void read_attributes(const pugi::xml_node& attributes) {
        if (const pugi::xml_node divisions = attributes.child("divisions")) {
            const std::optional<Decimal> value = parse_decimal(text_of(divisions));
            if (!value || value->num <= 0) fail_here("bad <divisions> " + shown_text(text_of(divisions)));
            divisions_ = *value;
        }
        if (!collect_signatures_) return;
        if (const pugi::xml_node key = attributes.child("key")) read_key(key);
        if (const pugi::xml_node time = attributes.child("time")) read_time(time);
    }

    void read_key(const pugi::xml_node& key) {
        const pugi::xml_node fifths_node = key.child("fifths");
        if (!fifths_node) return;  // a non-traditional key (key-step/key-alter): not modelled
        const std::optional<std::int64_t> fifths = parse_int(text_of(fifths_node));
        if (!fifths || *fifths < -7 || *fifths > 7)
            fail_here("bad key <fifths> " + shown_text(text_of(fifths_node)));
        LocalKey local{measure_index_, position_, {}};
        local.key.fifths = static_cast<int>(*fifths);
        local.key.mode = std::string(child_text(key, "mode"));
        out_.keys.push_back(std::move(local));
    }

    // "3+2" beats are summed; only the first beats/beat-type pair is read.
    void read_time(const pugi::xml_node& time) {
        if (time.child("senza-misura")) return;
        const std::string_view beats_text = child_text(time, "beats");
        const std::string_view beat_type_text = child_text(time, "beat-type");
        std::int64_t beats = 0;
        std::string_view rest = beats_text;
        while (true) {
            const std::size_t plus = rest.find('+');
            const std::optional<std::int64_t> term = parse_int(rest.substr(0, plus));
            if (!term || *term <= 0 || *term > 1000)
                fail_here("bad time signature <beats> " + shown_text(beats_text));
            beats += *term;
            if (plus == std::string_view::npos) break;
            rest.remove_prefix(plus + 1);
        }
        const std::optional<std::int64_t> beat_type =
            parse_int(beat_type_text.substr(0, beat_type_text.find('+')));
        if (!beat_type || *beat_type <= 0 || *beat_type > 1024 || beats > 10000)
            fail_here("bad time signature " +
                      shown_text(std::string(beats_text) + "/" + std::string(beat_type_text)));
        LocalTime local{measure_index_, position_, {}};
        local.time.beats = static_cast<int>(beats);
        local.time.beat_type = static_cast<int>(*beat_type);
        out_.times.push_back(std::move(local));
    }

    // ---- notes

    void read_note(const pugi::xml_node& note_node) {
        if (note_node.child("grace")) return;  // ornaments take no time of their own
        const pugi::xml_node rest = note_node.child("rest");
        const bool whole_measure_rest = rest && std::strcmp(rest.attribute("measure").value(), "yes") == 0;
        const pugi::xml_node duration_node = note_node.child("duration");
        if (!duration_node && !whole_measure_rest) fail_here("<duration> missing");
        const Rational duration = duration_node ? quarters(duration_node) : Rational();

        const bool chord = note_node.child("chord") && has_last_onset_;
        const Rational onset = chord ? last_onset_ : position_;
        if (!chord) {
            last_onset_ = position_;
            has_last_onset_ = true;
            move_to(position_ + duration);
        }
        // A measure rest lasts whatever the measure turns out to be, so its
        // written duration (often the full bar, even in a pickup) fills nothing.
        if (!whole_measure_rest) fill_to(onset + duration);

        // Cue notes and unpitched (percussion) notes take time but are not part of the music read here.
        if (note_node.child("cue") || note_node.child("unpitched")) return;
        if (duration == Rational() && !whole_measure_rest) return;  // a zero-length note holds no sound
        if (!rest && !note_node.child("pitch")) fail_here("<note> with neither <pitch> nor <rest>");
        add_note(note_node, onset, duration, whole_measure_rest);
    }

    void add_note(const pugi::xml_node& note_node, const Rational& onset, const Rational& duration,
                  bool whole_measure_rest) {
        if (++context_.notes_so_far > context_.options.max_notes)
            fail_here("more than " + std::to_string(context_.options.max_notes) + " notes");
        Note note;
        note.onset = onset;
        note.duration = duration;
        note.measure = measure_index_;
        note.voice = voice_of(note_node);
        if (const pugi::xml_node pitch = note_node.child("pitch")) note.pitch = read_pitch(pitch);
        read_ties_and_fermata(note_node, note);
        out_.part.notes.push_back(std::move(note));
        out_.lasts_whole_measure.push_back(whole_measure_rest);
    }

    // MusicXML voices are strings; anything but a small number counts as voice 1.
    static int voice_of(const pugi::xml_node& note_node) {
        const std::optional<std::int64_t> voice = parse_int(child_text(note_node, "voice"));
        return voice && *voice >= 1 && *voice <= 1000 ? static_cast<int>(*voice) : 1;
    }

    Pitch read_pitch(const pugi::xml_node& pitch_node) const {
        static constexpr char kSteps[] = "CDEFGAB";
        const std::string_view step = child_text(pitch_node, "step");
        const char* found = step.size() == 1 ? std::strchr(kSteps, step[0]) : nullptr;
        if (!found || step[0] == '\0') fail_here("bad pitch <step> " + shown_text(step));

        Pitch pitch;
        pitch.step = static_cast<std::int8_t>(found - kSteps);
        if (const pugi::xml_node alter_node = pitch_node.child("alter")) pitch.alter = read_alter(alter_node);
        const std::string_view octave_text = child_text(pitch_node, "octave");
        const std::optional<std::int64_t> octave = parse_int(octave_text);
        if (!octave || *octave < 0 || *octave > 9) fail_here("bad pitch <octave> " + shown_text(octave_text));
        pitch.octave = static_cast<std::int8_t>(*octave);
        return pitch;
    }

    std::int8_t read_alter(const pugi::xml_node& alter_node) const {
        const std::string_view text = text_of(alter_node);
        if (text.empty()) return 0;
        const std::optional<Decimal> alter = parse_decimal(text);
        if (!alter) fail_here("bad pitch <alter> " + shown_text(text));
        if (alter->num % alter->den != 0)
            fail_here("microtonal <alter> " + shown_text(text) + " is not supported");
        const std::int64_t semitones = alter->num / alter->den;
        if (semitones < -2 || semitones > 2)
            fail_here("<alter> " + shown_text(text) + " is beyond a double sharp or flat");
        return static_cast<std::int8_t>(semitones);
    }

    static void read_ties_and_fermata(const pugi::xml_node& note_node, Note& note) {
        for (pugi::xml_node tie : note_node.children("tie")) mark_tie(tie.attribute("type").value(), note);
        for (pugi::xml_node notations : note_node.children("notations")) {
            for (pugi::xml_node tied : notations.children("tied"))
                mark_tie(tied.attribute("type").value(), note);
            if (notations.child("fermata")) note.fermata = true;
        }
    }

    static void mark_tie(const char* type, Note& note) {
        if (std::strcmp(type, "start") == 0) note.tie_start = true;
        if (std::strcmp(type, "stop") == 0) note.tie_stop = true;
        if (std::strcmp(type, "continue") == 0) note.tie_start = note.tie_stop = true;
    }

    ReadContext& context_;
    ReadPart& out_;
    const bool collect_signatures_;
    Decimal divisions_{1, 1};  ///< per quarter note; 1 until a file says otherwise
    std::string bar_;
    int measure_index_ = 0;
    Rational position_;
    Rational filled_;
    Rational last_onset_;
    bool has_last_onset_ = false;
};

// ---------------------------------------------------------------------------
// Aligning parts into one score

struct PartListEntry {
    std::string id;
    std::string name;
    std::string abbreviation;
};

std::vector<PartListEntry> read_part_list(const pugi::xml_node& root) {
    std::vector<PartListEntry> entries;
    for (pugi::xml_node score_part : root.child("part-list").children("score-part")) {
        entries.push_back({score_part.attribute("id").value(),
                           std::string(child_text(score_part, "part-name")),
                           std::string(child_text(score_part, "part-abbreviation"))});
    }
    return entries;
}

// Part ids in the order of the part list, for lookups in O(log n).
std::vector<const PartListEntry*> index_by_id(const std::vector<PartListEntry>& entries) {
    std::vector<const PartListEntry*> index;
    index.reserve(entries.size());
    for (const PartListEntry& entry : entries) index.push_back(&entry);
    std::stable_sort(index.begin(), index.end(),
                     [](const PartListEntry* a, const PartListEntry* b) { return a->id < b->id; });
    return index;
}

const PartListEntry* find_entry(const std::vector<const PartListEntry*>& index, std::string_view id) {
    const auto found =
        std::lower_bound(index.begin(), index.end(), id,
                         [](const PartListEntry* entry, std::string_view key) { return entry->id < key; });
    return found != index.end() && (*found)->id == id ? *found : nullptr;
}

// The time signature in force at the start of each measure, from the first part.
std::vector<TimeSignature> times_per_measure(const std::vector<LocalTime>& times, std::size_t measure_count) {
    std::vector<TimeSignature> per_measure(measure_count);
    TimeSignature current;  // 4/4 until the score says otherwise
    std::size_t next = 0;
    for (std::size_t m = 0; m < measure_count; ++m) {
        while (next < times.size() && static_cast<std::size_t>(times[next].measure) <= m)
            current = times[next++].time;
        per_measure[m] = current;
    }
    return per_measure;
}

// A measure lasts as long as the furthest any part fills it (so a pickup is
// short and parts stay aligned when one overfills); a measure nobody fills
// lasts its time signature. Number and implicit come from the first part
// that has the measure. Linear in the number of measures read.
std::vector<Measure> align_measures(const std::vector<ReadPart>& parts, const std::string& source) {
    std::size_t count = 0;
    for (const ReadPart& part : parts) count = std::max(count, part.measures.size());
    std::vector<Measure> measures(count);
    std::vector<bool> described(count, false);
    for (const ReadPart& part : parts) {
        for (std::size_t m = 0; m < part.measures.size(); ++m) {
            const MeasureFill& fill = part.measures[m];
            if (!described[m]) {
                measures[m].number = fill.number;
                measures[m].implicit = fill.implicit;
                described[m] = true;
            }
            measures[m].duration = max(measures[m].duration, fill.filled);
        }
    }
    const std::vector<TimeSignature> times = times_per_measure(parts.front().times, count);
    Rational onset;
    for (std::size_t m = 0; m < count; ++m) {
        Measure& measure = measures[m];
        if (measure.duration == Rational()) measure.duration = times[m].measure_length();
        measure.onset = onset;
        onset = onset + measure.duration;
        if (!time_in_range(onset)) fail(Location{source, measure.number, ""}, "the score is too long");
    }
    return measures;
}

void place_notes(ReadPart& read, const std::vector<Measure>& measures) {
    std::vector<Note>& notes = read.part.notes;
    for (std::size_t i = 0; i < notes.size(); ++i) {
        Note& note = notes[i];
        const Measure& measure = measures[static_cast<std::size_t>(note.measure)];
        if (read.lasts_whole_measure[i] && note.onset < measure.duration)
            note.duration = measure.duration - note.onset;
        note.onset = measure.onset + note.onset;
    }
    // A measure rest that starts where its measure already ends holds nothing.
    notes.erase(std::remove_if(notes.begin(), notes.end(),
                               [](const Note& note) { return note.duration <= Rational(); }),
                notes.end());
    std::stable_sort(notes.begin(), notes.end(), [](const Note& a, const Note& b) {
        return a.onset < b.onset || (a.onset == b.onset && a.voice < b.voice);
    });
}

// Signatures are kept only where they change; two at one onset keep the last.
template <typename Signature, typename Same>
void push_change(std::vector<Signature>& list, Signature signature, Same same) {
    if (!list.empty() && list.back().onset == signature.onset) list.pop_back();
    if (!list.empty() && same(list.back(), signature)) return;
    list.push_back(std::move(signature));
}

void place_signatures(const ReadPart& first, const std::vector<Measure>& measures, Score& score) {
    for (const LocalKey& local : first.keys) {
        KeySignature key = local.key;
        key.onset = measures[static_cast<std::size_t>(local.measure)].onset + local.position;
        push_change(score.keys, std::move(key), [](const KeySignature& a, const KeySignature& b) {
            return a.fifths == b.fifths && a.mode == b.mode;
        });
    }
    for (const LocalTime& local : first.times) {
        TimeSignature time = local.time;
        time.onset = measures[static_cast<std::size_t>(local.measure)].onset + local.position;
        push_change(score.times, time, [](const TimeSignature& a, const TimeSignature& b) {
            return a.beats == b.beats && a.beat_type == b.beat_type;
        });
    }
}

// ---------------------------------------------------------------------------
// Documents and archives

pugi::xml_node score_root(const pugi::xml_document& doc, const std::string& source) {
    const pugi::xml_node root = doc.document_element();
    if (named(root, "score-partwise")) return root;
    if (named(root, "score-timewise"))
        fail(Location{source, "", ""},
             "timewise MusicXML (<score-timewise>) is not supported; convert it to partwise");
    fail(Location{source, "", ""},
         "not a MusicXML score (the root element is <" + std::string(root.name()) + ">)");
}

void read_header(const pugi::xml_node& root, Score& score) {
    std::string_view title = child_text(root.child("work"), "work-title");
    if (title.empty()) title = child_text(root, "movement-title");
    score.title = std::string(title);
    for (pugi::xml_node creator : root.child("identification").children("creator")) {
        if (std::strcmp(creator.attribute("type").value(), "composer") == 0) {
            score.composer = std::string(text_of(creator));
            break;
        }
    }
}

void load_xml(pugi::xml_document& doc, std::string_view xml, const std::string& source) {
    const pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default);
    if (!parsed)
        fail(Location{source, "", ""},
             "not well-formed XML at offset " + std::to_string(parsed.offset) + ": " + parsed.description());
}

bool starts_like_xml(std::string_view bytes) {
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);  // UTF-8 byte order mark
    bytes = trim(bytes.substr(0, 4096));
    return !bytes.empty() && bytes.front() == '<';
}

bool has_mxl_extension(const std::filesystem::path& path) {
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension == ".mxl";
}

constexpr const char* kContainerPath = "META-INF/container.xml";

// Resolves "./" and rejects anything that could name a file outside the
// archive (an absolute path, a drive letter, a ".." step).
std::string checked_entry_path(std::string path, const std::string& source) {
    const std::string written = path;
    std::replace(path.begin(), path.end(), '\\', '/');
    const bool absolute = !path.empty() && path.front() == '/';
    const bool drive = path.size() >= 2 && path[1] == ':';
    std::string clean;
    std::size_t start = 0;
    bool escapes = absolute || drive;
    while (start <= path.size() && !escapes) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string::npos) slash = path.size();
        const std::string_view step = std::string_view(path).substr(start, slash - start);
        if (step == "..") escapes = true;
        if (!step.empty() && step != "." && step != "..") {
            if (!clean.empty()) clean += '/';
            clean += step;
        }
        start = slash + 1;
    }
    if (escapes)
        fail(Location{source, "", ""}, "container path " + shown_text(written) + " leaves the archive");
    if (clean.empty())
        fail(Location{source, "", ""}, "container path " + shown_text(written) + " names no file");
    return clean;
}

std::string rootfile_from_container(const std::string& container_xml, const std::string& source) {
    pugi::xml_document doc;
    const pugi::xml_parse_result parsed =
        doc.load_buffer(container_xml.data(), container_xml.size(), pugi::parse_default);
    if (!parsed)
        fail(Location{source, "", ""},
             std::string(kContainerPath) + " is not well-formed XML: " + parsed.description());
    const pugi::xml_node rootfile = doc.child("container").child("rootfiles").child("rootfile");
    const pugi::xml_attribute full_path = rootfile.attribute("full-path");
    if (!full_path)
        fail(Location{source, "", ""}, std::string(kContainerPath) + " names no <rootfile full-path>");
    return checked_entry_path(full_path.value(), source);
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string first_musicxml_entry(const std::vector<std::string>& names, const std::string& source) {
    for (const std::string& name : names) {
        const bool in_meta = name.compare(0, 9, "META-INF/") == 0;
        if (!in_meta && (ends_with(name, ".xml") || ends_with(name, ".musicxml"))) return name;
    }
    fail(Location{source, "", ""},
         "the archive holds no MusicXML file (and no " + std::string(kContainerPath) + ")");
}

std::string read_mxl_root(std::string_view zip_bytes, const std::string& source, const ReadOptions& options) {
    const detail::ZipLimits limits{options.max_uncompressed_bytes, options.max_compression_ratio};
    const std::vector<std::string> names = detail::zip_entry_names(zip_bytes, source);
    const bool has_container = std::find(names.begin(), names.end(), kContainerPath) != names.end();
    std::string root_path;
    if (has_container) {
        root_path = rootfile_from_container(detail::zip_read_entry(zip_bytes, kContainerPath, limits, source),
                                            source);
        if (std::find(names.begin(), names.end(), root_path) == names.end())
            fail(Location{source, "", ""},
                 "container names " + shown_text(root_path) + ", which the archive does not hold");
    } else {
        root_path = first_musicxml_entry(names, source);
    }
    return detail::zip_read_entry(zip_bytes, root_path, limits, source);
}

}  // namespace

Score parse_musicxml(std::string_view xml, const std::string& source, const ReadOptions& options) {
    pugi::xml_document doc;
    load_xml(doc, xml, source);
    const pugi::xml_node root = score_root(doc, source);

    Score score;
    score.source = source;
    read_header(root, score);
    const std::vector<PartListEntry> part_list = read_part_list(root);
    const std::vector<const PartListEntry*> part_index = index_by_id(part_list);

    ReadContext context{source, options};
    std::vector<ReadPart> parts;
    for (pugi::xml_node part_node : root.children("part")) {
        if (parts.size() == kMaxParts)
            fail(Location{source, "", ""}, "more than " + std::to_string(kMaxParts) + " parts");
        ReadPart& read = parts.emplace_back();
        read.part.id = part_node.attribute("id").value();
        if (const PartListEntry* entry = find_entry(part_index, read.part.id)) {
            read.part.name = entry->name;
            read.part.abbreviation = entry->abbreviation;
        }
        PartReader(context, read, parts.size() == 1).read(part_node);
    }
    if (parts.empty()) fail(Location{source, "", ""}, "the score has no parts");

    score.measures = align_measures(parts, source);
    place_signatures(parts.front(), score.measures, score);
    score.parts.reserve(parts.size());
    for (ReadPart& read : parts) {
        place_notes(read, score.measures);
        score.parts.push_back(std::move(read.part));
    }
    return score;
}

Score read_score(const std::filesystem::path& path, const ReadOptions& options) {
    const std::string source = path.string();
    const std::string bytes = detail::read_file(path, options.max_file_bytes);
    if (detail::looks_like_zip(bytes))
        return parse_musicxml(read_mxl_root(bytes, source, options), source, options);
    // A .mxl that holds plain MusicXML is only misnamed; anything else claiming to be one is broken.
    if (has_mxl_extension(path) && !starts_like_xml(bytes))
        fail(Location{source, "", ""}, "not a zip archive (a .mxl file must start with \"PK\")");
    return parse_musicxml(bytes, source, options);
}

}  // namespace deepbach
