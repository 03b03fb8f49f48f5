// Compiles the user's constraints against a base grid and a model: which
// cells are fixed to which token, and what the sampler may draw everywhere
// else. Every contradiction is found here, before any sampling.
#include "sample/problem.hpp"

#include "sample/cadence.hpp"

#include <deepbach/error.hpp>

#include <algorithm>
#include <functional>
#include <numeric>
#include <optional>
#include <string>

namespace deepbach::sample {

std::size_t Problem::free_cells() const {
    return std::accumulate(free_ticks.begin(), free_ticks.end(), std::size_t{0},
                           [](std::size_t n, const std::vector<int>& ticks) { return n + ticks.size(); });
}

namespace {

constexpr Token kNone = -1;  // a cell no constraint fixes

// "C#4": sharps for the black keys except Eb and Bb.
std::string midi_name(int midi) {
    return Pitch::from_midi(midi).name();
}

std::string range_text(const VoiceRange& r) {
    return r.empty() ? std::string("(empty)") : midi_name(r.lowest) + ".." + midi_name(r.highest);
}

// "bar 3 beat 2" (beats are quarters from the bar's start; "+1/16" etc. off the beat).
std::string position_text(const Chorale& grid, int tick, bool sixteenths = true) {
    if (grid.num_ticks == 0 || tick < 0 || tick >= grid.num_ticks) return "tick " + std::to_string(tick);
    const int m = grid.measure_index_at(tick);
    const int start = grid.measure_ticks.empty() ? 0 : grid.measure_ticks[static_cast<size_t>(m)];
    const int beat = (tick - start) / kTicksPerQuarter + 1, off = (tick - start) % kTicksPerQuarter;
    std::string text = "bar " + grid.bar_at(tick) + " beat " + std::to_string(beat);
    if (off && sixteenths) text += " +" + std::to_string(off) + "/16";
    return text;
}

// "bar 2 beat 1 through bar 3 beat 4" (the beat of the last tick included), or
// ticks when outside the piece.
std::string ticks_text(const Chorale& grid, const TickRange& r) {
    if (r.empty() || r.begin < 0 || r.end > grid.num_ticks)
        return "ticks [" + std::to_string(r.begin) + ", " + std::to_string(r.end) + ")";
    const std::string a = position_text(grid, r.begin), b = position_text(grid, r.end - 1, false);
    return a == b ? a : a + " through " + b;
}

// User text in a message, kept to one line.
std::string printable(std::string text) {
    for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    return text;
}

bool valid_voice(int voice) {
    return voice >= 0 && voice < kNumVoices;
}

class Compiler {
public:
    Compiler(const Chorale& base, const Constraints& constraints, const Model& model)
        : base_(base), constraints_(constraints), model_(model) {}

    Problem run() {
        base_.validate();
        p_.grid = base_;
        T_ = base_.num_ticks;
        for (int v = 0; v < kNumVoices; ++v) {
            fixed_[idx(v)].assign(static_cast<size_t>(T_), kNone);
            fixed_by_[idx(v)].assign(static_cast<size_t>(T_), -1);
            onset_by_[idx(v)].assign(static_cast<size_t>(T_), -1);
            ends_here_[idx(v)].assign(static_cast<size_t>(T_), -1);
        }
        check_model();
        choose_ranges();
        apply_fermatas();
        apply_keys();
        apply_fixed_notes();
        apply_regions();
        apply_rhythm();
        check_fixed_cells();
        for (int v = 0; v < kNumVoices; ++v)
            for (int t = 0; t < T_; ++t)
                if (fixed(v, t) != kNone) p_.grid.at(v, t) = fixed(v, t);
        build_masks();
        apply_cadences();
        finish();
        p_.grid.validate();
        return std::move(p_);
    }

private:
    static size_t idx(int i) { return static_cast<size_t>(i); }
    Token& fixed(int v, int t) { return fixed_[idx(v)][idx(t)]; }
    std::uint8_t* row(int v, int t) {
        return p_.allowed[idx(v)].data() + idx(t) * idx(p_.vocabulary_size[idx(v)]);
    }
    const Vocabulary& vocabulary(int v) const { return model_.vocabularies[idx(v)]; }

    // The bar of `tick` (clamped into the piece; none for a negative tick) and the voice.
    Location where(int tick, int voice) const {
        Location at{base_.source, "", valid_voice(voice) ? voice_name(voice) : ""};
        if (tick >= 0) at.bar = base_.bar_at(std::clamp(tick, 0, T_ - 1));
        return at;
    }

    void check_voice(int voice, const std::string& what) const {
        if (!valid_voice(voice))
            fail(where(-1, -1), what + " names voice " + std::to_string(voice) +
                                    ", which does not exist (0..3: Soprano, Alto, Tenor, Bass)");
    }

    void check_ticks(const TickRange& r, int voice, const std::string& what) const {
        const int first = std::max(r.begin, 0);  // a bar to name, even for a range before the piece
        if (r.empty()) fail(where(first, voice), what + " covers no tick (" + ticks_text(base_, r) + ")");
        if (r.begin < 0 || r.end > T_)
            fail(where(first, voice), what + " over " + ticks_text(base_, r) +
                                          " lies outside the piece (ticks 0.." + std::to_string(T_) + ")");
    }

    void check_model() const {
        for (int v = 0; v < kNumVoices; ++v)
            if (!vocabulary(v).contains(token::kHold) || !vocabulary(v).contains(token::kRest))
                fail(where(-1, v), "the model's vocabulary lacks the hold and rest tokens");
    }

    // The range of each voice: the user's, which must lie inside the model's.
    // A model that records no range (one made for tests) is bounded by the
    // pitches its vocabulary holds.
    void choose_ranges() {
        for (int v = 0; v < kNumVoices; ++v) {
            VoiceRange model_range = model_.ranges[idx(v)];
            if (model_range.empty()) {
                for (Token t : vocabulary(v).tokens()) {
                    if (!token::is_pitch(t)) continue;
                    const int m = token::to_pitch(t).midi();
                    if (model_range.empty()) model_range = VoiceRange{m, m};
                    model_range.lowest = std::min(model_range.lowest, m);
                    model_range.highest = std::max(model_range.highest, m);
                }
            }
            ranges_[idx(v)] = model_range;
            const auto& wanted = constraints_.ranges[idx(v)];
            if (!wanted) continue;
            if (wanted->empty())
                fail(where(-1, v), "the voice range " + std::to_string(wanted->lowest) + ".." +
                                       std::to_string(wanted->highest) + " is empty");
            if (wanted->lowest < model_range.lowest || wanted->highest > model_range.highest)
                fail(where(-1, v), "the voice range " + range_text(*wanted) + " is wider than the model's " +
                                       range_text(model_range));
            ranges_[idx(v)] = *wanted;
        }
    }

    void apply_fermatas() {
        for (const TickRange& r : constraints_.fermatas) {
            check_ticks(r, -1, "a fermata");
            std::fill(p_.grid.fermata.begin() + r.begin, p_.grid.fermata.begin() + r.end, 1);
        }
    }

    // Key changes join grid.keys (one per tick, sorted) and set key_fifths up
    // to the next change.
    void apply_keys() {
        std::vector<KeyChange> changes = constraints_.keys;
        std::stable_sort(changes.begin(), changes.end(),
                         [](const KeyChange& a, const KeyChange& b) { return a.tick < b.tick; });
        auto& keys = p_.grid.keys;
        for (const KeyChange& k : changes) {
            if (k.tick < 0 || k.tick >= T_)
                fail(where(std::max(k.tick, 0), -1), "a key change at tick " + std::to_string(k.tick) +
                                                         " lies outside the piece (ticks 0.." +
                                                         std::to_string(T_) + ")");
            if (k.fifths < -7 || k.fifths > 7)
                fail(where(k.tick, -1),
                     "a key of " + std::to_string(k.fifths) + " fifths has more than 7 sharps or flats");
            if (!k.mode.empty() && k.mode != "major" && k.mode != "minor")
                fail(where(k.tick, -1), "unknown mode '" + printable(k.mode) + "' (expected major or minor)");
            auto at = std::lower_bound(keys.begin(), keys.end(), k.tick,
                                       [](const GridKeySignature& g, int tick) { return g.tick < tick; });
            const GridKeySignature change{k.tick, k.fifths, k.mode};
            if (at != keys.end() && at->tick == k.tick)
                *at = change;
            else
                keys.insert(at, change);
        }
        for (const KeyChange& k : changes) {
            auto next = std::upper_bound(keys.begin(), keys.end(), k.tick,
                                         [](int tick, const GridKeySignature& g) { return tick < g.tick; });
            const int end = next == keys.end() ? T_ : next->tick;
            const auto& in_force = *(next - 1);  // the change at k.tick (the last given wins)
            std::fill(p_.grid.key_fifths.begin() + k.tick, p_.grid.key_fifths.begin() + end,
                      static_cast<std::int8_t>(in_force.fifths));
        }
    }

    // Fixes one cell; a second source must agree with the first.
    void fix(int v, int t, Token tok, int source) {
        Token& cell = fixed(v, t);
        if (cell == kNone) {
            cell = tok;
            fixed_by_[idx(v)][idx(t)] = source;
            return;
        }
        if (cell == tok) return;
        fail(where(t, v), sources_[idx(fixed_by_[idx(v)][idx(t)])] + " sets " + token::name(cell) +
                              " here but " + sources_[idx(source)] + " sets " + token::name(tok));
    }

    int add_source(std::string text) {
        sources_.push_back(std::move(text));
        return static_cast<int>(sources_.size()) - 1;
    }

    void apply_fixed_notes() {
        for (const FixedNote& f : constraints_.fixed) {
            check_voice(f.voice, "a fixed note");
            const bool note_or_rest = f.token == token::kRest || token::is_pitch(f.token);
            if (!note_or_rest && f.token != token::kHold)
                fail(where(f.ticks.begin, f.voice),
                     "a fixed note must be a pitch, a rest or a hold, not " + token::name(f.token));
            const std::string what = "the fixed " + (token::is_pitch(f.token) ? token::name(f.token) + " note"
                                                     : f.token == token::kRest ? std::string("rest")
                                                                               : std::string("hold"));
            check_ticks(f.ticks, f.voice, what);
            const int source = add_source(what + " over " + ticks_text(base_, f.ticks));
            for (int t = f.ticks.begin; t < f.ticks.end; ++t)
                fix(f.voice, t, t == f.ticks.begin ? f.token : token::kHold, source);
            // A fixed note or rest ends where its range does: the next cell may not hold it on.
            if (note_or_rest && f.ticks.end < T_) ends_here_[idx(f.voice)][idx(f.ticks.end)] = source;
        }
    }

    void apply_regions() {
        if (constraints_.regions.empty()) return;
        std::array<std::vector<std::uint8_t>, kNumVoices> inside;
        for (auto& cells : inside) cells.assign(idx(T_), 0);
        for (const Region& r : constraints_.regions) {
            check_ticks(r.ticks, -1, "a region");
            for (int v = 0; v < kNumVoices; ++v)
                if (r.voices[idx(v)])
                    std::fill(inside[idx(v)].begin() + r.ticks.begin, inside[idx(v)].begin() + r.ticks.end,
                              1);
        }
        const int source = add_source("the input outside the region to redraw");
        for (int v = 0; v < kNumVoices; ++v)
            for (int t = 0; t < T_; ++t)
                if (!inside[idx(v)][idx(t)]) fix(v, t, base_.at(v, t), source);
    }

    // Holds and rests of the base stay; its onsets stay onsets of some pitch.
    void apply_rhythm() {
        for (const RhythmConstraint& r : constraints_.rhythm) {
            check_voice(r.voice, "a rhythm constraint");
            check_ticks(r.ticks, r.voice, "a rhythm constraint");
            const int source = add_source("the rhythm constraint over " + ticks_text(base_, r.ticks));
            for (int t = r.ticks.begin; t < r.ticks.end; ++t) {
                const Token tok = base_.at(r.voice, t);
                if (token::is_pitch(tok))
                    onset_by_[idx(r.voice)][idx(t)] = source;
                else
                    fix(r.voice, t, tok, source);
            }
        }
    }

    // Every fixed token must fit the rules a free one would: encodable, in
    // range, not a hold that starts a voice or carries a fixed note past its end.
    void check_fixed_cells() {
        for (int v = 0; v < kNumVoices; ++v) {
            for (int t = 0; t < T_; ++t) {
                const Token tok = fixed(v, t);
                if (tok == kNone) continue;
                const std::string& by = sources_[idx(fixed_by_[idx(v)][idx(t)])];
                if (tok == token::kHold && t == 0)
                    fail(where(t, v), "a voice cannot start with a hold (set by " + by + ")");
                const int ended = ends_here_[idx(v)][idx(t)];
                if (tok == token::kHold && ended >= 0)
                    fail(where(t, v), sources_[idx(ended)] + " ends here, but " + by + " holds it on");
                const int onset = onset_by_[idx(v)][idx(t)];
                if (onset >= 0 && !token::is_pitch(tok))
                    fail(where(t, v), sources_[idx(onset)] + " keeps a note starting here, but " + by +
                                          " sets " + token::name(tok));
                if (token::is_pitch(tok) && !ranges_[idx(v)].contains(token::to_pitch(tok).midi()))
                    fail(where(t, v), token::name(tok) + " (set by " + by + ") is outside the " +
                                          voice_name(v) + " range " + range_text(ranges_[idx(v)]));
                if (!vocabulary(v).contains(tok))
                    fail(where(t, v), token::name(tok) + " (set by " + by + ") is not in the model's " +
                                          voice_name(v) + " vocabulary");
            }
        }
    }

    // What a free cell may take before cadences narrow it.
    // Constraints::full_texture: per tick, whether the kept melody sounds a
    // note there (1) and whether that note enters after a rest or the start
    // (2); 0 where it rests or is drawn. With no melody kept at all (a
    // generated chorale), 1 everywhere: no voice starts a rest.
    // Whether any soprano cell is kept (a melody, whole or in part).
    bool soprano_kept() {
        for (int t = 0; t < T_; ++t)
            if (fixed(kSoprano, t) != kNone) return true;
        return false;
    }

    std::vector<std::uint8_t> melody_texture() {
        std::vector<std::uint8_t> out(idx(T_), 0);
        if (!constraints_.full_texture) return out;
        if (!soprano_kept()) {
            std::fill(out.begin(), out.end(), std::uint8_t{1});
            return out;
        }
        bool sounding = false;
        for (int t = 0; t < T_; ++t) {
            const Token s = fixed(kSoprano, t);
            if (s == kNone || s == token::kRest) {
                sounding = false;
                continue;
            }
            if (token::is_pitch(s)) {
                out[idx(t)] = sounding ? 1 : 2;
                sounding = true;
            } else if (sounding) {
                out[idx(t)] = 1;
            }
        }
        return out;
    }

    bool under_rhythm(int v, int t) const {
        for (const RhythmConstraint& r : constraints_.rhythm)
            if (r.voice == v && r.ticks.begin <= t && t < r.ticks.end) return true;
        return false;
    }

    void build_masks() {
        const std::vector<std::uint8_t> melody = melody_texture();
        const bool melody_kept = soprano_kept();
        for (int v = 0; v < kNumVoices; ++v) {
            const Vocabulary& vocab = vocabulary(v);
            const int size = vocab.size();
            p_.vocabulary_size[idx(v)] = size;
            p_.allowed[idx(v)].assign(idx(T_) * idx(size), 0);
            for (int t = 0; t < T_; ++t) {
                if (fixed(v, t) != kNone) continue;
                const bool onset = onset_by_[idx(v)][idx(t)] >= 0;
                // Under the melody's notes the lower voices sound, and they
                // enter with it after its rests (Constraints::full_texture).
                const int texture =
                    (v != kSoprano || !melody_kept) && !under_rhythm(v, t) ? melody[idx(t)] : 0;
                const bool may_hold = t > 0 && !onset && ends_here_[idx(v)][idx(t)] < 0 && texture != 2;
                std::uint8_t* cells = row(v, t);
                for (int i = 0; i < size; ++i) {
                    const Token tok = vocab.token(i);
                    bool ok = false;
                    if (tok == token::kHold)
                        ok = may_hold;
                    else if (tok == token::kRest)
                        ok = !onset && texture == 0;
                    else if (token::is_pitch(tok))
                        ok = ranges_[idx(v)].contains(token::to_pitch(tok).midi());
                    cells[i] = ok ? 1 : 0;
                }
            }
        }
    }

    // A voice must sound a pitch the predicate accepts from `tick` on: a free
    // cell there may only start such a pitch; a fixed cell must be one, or
    // hold one (whose free onset is then narrowed the same way).
    void require_pitch(int v, int tick, const std::function<bool(int)>& ok, const std::string& need) {
        int onset = tick;
        while (fixed(v, onset) == token::kHold) --onset;  // a fixed hold never starts a voice
        const Token tok = fixed(v, onset);
        if (tok == token::kRest)
            fail(where(tick, v),
                 need + (onset == tick ? ", but a rest is fixed here" : ", but a fixed rest goes on here"));
        if (tok != kNone) {
            if (!ok(token::to_pitch(tok).midi()))
                fail(where(tick, v), need +
                                         (onset == tick ? ", but the note fixed here is "
                                                        : ", but the fixed note held here is ") +
                                         token::name(tok));
            return;
        }
        std::uint8_t* cells = row(v, onset);
        bool any = false;
        for (int i = 0; i < p_.vocabulary_size[idx(v)]; ++i) {
            const Token t = vocabulary(v).token(i);
            if (!token::is_pitch(t) || !ok(token::to_pitch(t).midi())) cells[i] = 0;
            any = any || cells[i];
        }
        if (!any)
            fail(where(tick, v), need + ", but no such pitch lies in the " + voice_name(v) + " range " +
                                     range_text(ranges_[idx(v)]) + " and the model's vocabulary");
    }

    // Whether the cell (v, tick) is free and may start a pitch `ok` accepts.
    bool can_start(int v, int tick, const std::function<bool(int)>& ok) {
        if (fixed(v, tick) != kNone) return false;
        const std::uint8_t* cells = row(v, tick);
        for (int i = 0; i < p_.vocabulary_size[idx(v)]; ++i) {
            const Token t = vocabulary(v).token(i);
            if (cells[i] && token::is_pitch(t) && ok(token::to_pitch(t).midi())) return true;
        }
        return false;
    }

    // Constraints::final_cadence: the authentic cadence on the melody's last
    // note, where it is a tone of the tonic triad, the soprano is kept there
    // and the lower voices are free to make the cadence (their cells there
    // are drawn, not kept); else none.
    std::optional<Cadence> final_cadence() {
        if (!constraints_.final_cadence || !constraints_.cadences.empty()) return std::nullopt;
        int last = -1;
        for (int t = T_ - 1; t >= 0 && last < 0; --t) {
            const Token tok = fixed(kSoprano, t);
            if (tok == kNone) return std::nullopt;  // the soprano is drawn: generate() decides
            if (token::is_pitch(tok)) last = t;
        }
        const int before = last - kTicksPerQuarter;
        if (before < 0) return std::nullopt;
        for (const RhythmConstraint& r : constraints_.rhythm)
            if (r.voice != kSoprano && r.ticks.begin <= last && r.ticks.end > before) return std::nullopt;
        const CadenceChord chord = cadence_chord(CadenceType::authentic, key_at(p_.grid, last));
        if (!chord.contains(token::to_pitch(fixed(kSoprano, last)).midi())) return std::nullopt;
        const int root = pitch_class(chord.root()), dominant = pitch_class(chord.bass_before);
        for (int v = kAlto; v < kBass; ++v)
            if (!can_start(v, last, [&chord](int midi) { return chord.contains(midi); })) return std::nullopt;
        if (!can_start(kBass, last, [root](int midi) { return (midi % 12 + 12) % 12 == root; }) ||
            !can_start(kBass, before, [dominant](int midi) { return (midi % 12 + 12) % 12 == dominant; }))
            return std::nullopt;
        return Cadence{last, CadenceType::authentic};
    }

    void apply_cadences() {
        std::vector<Cadence> cadences = constraints_.cadences;
        if (const auto c = final_cadence()) cadences.push_back(*c);
        for (const Cadence& c : cadences) {
            if (c.tick < 0 || c.tick >= T_)
                fail(where(std::max(c.tick, 0), -1), "a cadence at tick " + std::to_string(c.tick) +
                                                         " lies outside the piece (ticks 0.." +
                                                         std::to_string(T_) + ")");
            const Key key = key_at(p_.grid, c.tick);
            const CadenceChord chord = cadence_chord(c.type, key);
            const std::string name = "the " + to_string(c.type) + " cadence in " + key.name();
            for (int v = 0; v < kNumVoices; ++v) {
                if (v == kBass) {
                    const int root = pitch_class(chord.root());
                    require_pitch(
                        v, c.tick, [root](int midi) { return (midi % 12 + 12) % 12 == root; },
                        name + " needs its root " + spelled_name(chord.root()) + " in the bass");
                } else {
                    require_pitch(
                        v, c.tick, [&chord](int midi) { return chord.contains(midi); },
                        name + " needs a tone of its chord (" + chord.spelled() + ")");
                }
            }
            const int before = c.tick - kTicksPerQuarter;
            if (chord.has_bass_before && before >= 0) {
                const int pc = pitch_class(chord.bass_before);
                const char* role = c.type == CadenceType::plagal ? "subdominant" : "dominant";
                require_pitch(
                    kBass, before, [pc](int midi) { return (midi % 12 + 12) % 12 == pc; },
                    name + " at bar " + base_.bar_at(c.tick) + " needs the " + role + " " +
                        spelled_name(chord.bass_before) + " in the bass a quarter before");
            }
            // A cadence is heard under a fermata; give it one where the piece has none.
            auto& fermata = p_.grid.fermata;
            if (!fermata[idx(c.tick)])
                std::fill(fermata.begin() + c.tick, fermata.begin() + std::min(T_, c.tick + kTicksPerQuarter),
                          1);
        }
    }

    void finish() {
        for (int v = 0; v < kNumVoices; ++v) {
            p_.fixed[idx(v)].assign(idx(T_), -1);
            p_.free_ticks[idx(v)].clear();
            for (int t = 0; t < T_; ++t) {
                if (fixed(v, t) != kNone) {
                    p_.fixed[idx(v)][idx(t)] = vocabulary(v).index(fixed(v, t));
                    continue;
                }
                const std::uint8_t* cells = row(v, t);
                if (std::none_of(cells, cells + p_.vocabulary_size[idx(v)],
                                 [](std::uint8_t a) { return a != 0; }))
                    fail(where(t, v), "no token is left to draw here (pitches limited to " +
                                          range_text(ranges_[idx(v)]) + " and the model's vocabulary" +
                                          (onset_by_[idx(v)][idx(t)] >= 0 ? ", a note must start here" : "") +
                                          ")");
                p_.free_ticks[idx(v)].push_back(t);
            }
        }
    }

    const Chorale& base_;
    const Constraints& constraints_;
    const Model& model_;
    Problem p_;
    int T_ = 0;
    std::array<VoiceRange, kNumVoices> ranges_;
    std::vector<std::string> sources_;  // what fixed a cell, for messages
    std::array<std::vector<Token>, kNumVoices> fixed_;
    std::array<std::vector<int>, kNumVoices> fixed_by_;   // index into sources_
    std::array<std::vector<int>, kNumVoices> onset_by_;   // rhythm constraint keeping an onset, or -1
    std::array<std::vector<int>, kNumVoices> ends_here_;  // fixed note ending just before, or -1
};

}  // namespace

Problem compile_problem(const Chorale& base, const Constraints& constraints, const Model& model) {
    return Compiler(base, constraints, model).run();
}

}  // namespace deepbach::sample
