// The public calls: build the base grid and the constraints of each story,
// then compile, sample and pick the best chain.
#include <deepbach/harmonize.hpp>

#include "sample/backend.hpp"
#include "sample/problem.hpp"
#include "sample/sampler.hpp"
#include "util/text.hpp"

#include <deepbach/error.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>

#ifndef DEEPBACH_MODEL_INSTALL_PATH
#define DEEPBACH_MODEL_INSTALL_PATH ""
#endif
#ifndef DEEPBACH_MODEL_SOURCE_PATH
#define DEEPBACH_MODEL_SOURCE_PATH ""
#endif

namespace deepbach {

namespace fs = std::filesystem;

fs::path default_model_path() {
    if (const char* env = std::getenv("DEEPBACH_MODEL"); env && *env) {
        if (!fs::exists(env)) throw Error(std::string(env) + ": no such model file (from $DEEPBACH_MODEL)");
        return env;
    }
    std::string looked;
    for (const char* candidate : {DEEPBACH_MODEL_INSTALL_PATH, DEEPBACH_MODEL_SOURCE_PATH}) {
        if (!*candidate) continue;
        if (fs::exists(candidate)) return candidate;
        looked += std::string(looked.empty() ? "" : ", ") + candidate;
    }
    throw Error("no model given and the shipped model is not there (looked at " + looked +
                "); name one with --model or $DEEPBACH_MODEL");
}

TickRange bar_ticks(const Chorale& chorale, const std::string& first, const std::string& last) {
    const auto& numbers = chorale.measure_numbers;
    const auto& starts = chorale.measure_ticks;
    auto find = [&](const std::string& n) -> int {
        for (size_t i = 0; i < numbers.size(); ++i)
            if (numbers[i] == n) return static_cast<int>(i);
        throw Error("no bar " + n + " in " + (chorale.source.empty() ? "the piece" : chorale.source) +
                    " (bars " + (numbers.empty() ? "?" : numbers.front()) + " to " +
                    (numbers.empty() ? "?" : numbers.back()) + ")");
    };
    const int a = find(first), b = find(last);
    if (b < a) throw Error("bars " + first + "-" + last + ": the last bar comes before the first");
    const int end =
        static_cast<size_t>(b) + 1 < starts.size() ? starts[static_cast<size_t>(b) + 1] : chorale.num_ticks;
    return {starts[static_cast<size_t>(a)], end};
}

namespace {

std::shared_ptr<const Model> resolve_model(const SamplingOptions& options) {
    if (options.model) return options.model;
    const fs::path path = options.model_path.empty() ? default_model_path() : options.model_path;
    return std::make_shared<const Model>(Model::load(path));
}

sample::Schedule sampler_schedule(Schedule schedule, const Model& model) {
    switch (schedule) {
        case Schedule::sweep:
            return sample::Schedule::sweep;
        case Schedule::uniform:
            return sample::Schedule::uniform;
        case Schedule::blocked:
            return sample::Schedule::blocked;
        case Schedule::automatic:
            break;
    }
    return model.config.mask ? sample::Schedule::blocked : sample::Schedule::sweep;
}

}  // namespace

Harmonization sample_grid(const Chorale& base, const Constraints& constraints,
                          const SamplingOptions& options) {
    validate(options);
    const std::shared_ptr<const Model> model = resolve_model(options);
    const sample::Schedule schedule = sampler_schedule(options.schedule, *model);
    const sample::Problem problem = sample::compile_problem(base, constraints, *model);
    // Networks only for the voices with a cell to draw (not the soprano
    // under a kept melody).
    sample::VoiceSet voices{};
    for (int v = 0; v < kNumVoices; ++v)
        voices[static_cast<size_t>(v)] = !problem.free_ticks[static_cast<size_t>(v)].empty();
    const auto backend = sample::make_backend(to_string(options.backend), *model, to_string(options.device),
                                              options.threads, voices);
    sample::SamplerOptions so;
    so.seed = options.seed;
    so.iterations = options.iterations;
    so.sweeps = options.sweeps;
    so.positions = options.positions;
    so.temperature = options.temperature;
    so.voice_leading = options.voice_leading;
    so.chains = options.chains;
    so.schedule = schedule;
    so.progress = options.progress;
    sample::SamplerStats stats;
    std::vector<sample::ChainResult> chains = sample::run_chains(*backend, *model, problem, so, &stats);
    Harmonization out;
    out.iterations = stats.iterations;
    out.positions = stats.positions;
    out.seconds = stats.seconds;
    out.backend = backend->name();
    for (int v = 0; v < kNumVoices; ++v) {
        const auto& row = problem.fixed[static_cast<size_t>(v)];
        auto& mask = out.fixed[static_cast<size_t>(v)];
        mask.resize(row.size());
        for (size_t t = 0; t < row.size(); ++t) mask[t] = row[t] >= 0 ? 1 : 0;
    }
    // The best chain; ties go to the lowest index.
    for (size_t c = 0; c < chains.size(); ++c) {
        out.chain_scores.push_back(chains[c].pseudo_log_likelihood);
        if (chains[c].pseudo_log_likelihood > chains[static_cast<size_t>(out.chain)].pseudo_log_likelihood)
            out.chain = static_cast<int>(c);
    }
    out.pseudo_log_likelihood = chains[static_cast<size_t>(out.chain)].pseudo_log_likelihood;
    out.chorale = chains[static_cast<size_t>(out.chain)].chorale;
    if (options.keep_all_chains)
        for (auto& c : chains) out.chains.push_back(std::move(c.chorale));
    return out;
}

namespace {

// The semitone shift that brings the soprano of `base` inside the model's
// soprano range with every transposed soprano token in its vocabulary: 0
// when it fits as it is, else the smallest |shift| (up before down). Throws
// Error when the melody spans more than the range.
int melody_shift(const Chorale& base, const Model& model) {
    const VoiceRange range = model.ranges[kSoprano];
    int low = 1000, high = -1000;
    for (int t = 0; t < base.num_ticks; ++t) {
        const Token tok = base.at(kSoprano, t);
        if (!token::is_pitch(tok)) continue;
        const int m = token::to_pitch(tok).midi();
        low = std::min(low, m);
        high = std::max(high, m);
    }
    if (high < low || range.empty()) return 0;
    auto fits = [&](int shift) {
        if (low + shift < range.lowest || high + shift > range.highest) return false;
        if (shift == 0) return true;
        try {
            const Interval by = interval_for_shift(base, shift);
            const Vocabulary& vocab = model.vocabularies[kSoprano];
            for (int t = 0; t < base.num_ticks; ++t) {
                const Token tok = base.at(kSoprano, t);
                if (token::is_pitch(tok) &&
                    !vocab.contains(token::from_pitch(transpose(token::to_pitch(tok), by))))
                    return false;
            }
            return true;
        } catch (const Error&) {
            return false;
        }
    };
    for (int d = 0; d <= 24; ++d) {
        if (fits(d)) return d;
        if (d > 0 && fits(-d)) return -d;
    }
    auto name = [](int midi) {
        static const int fifths[12] = {0, 7, 2, -3, 4, -1, 6, 1, -4, 3, -2, 5};
        return Pitch::from_fifths_and_midi(fifths[((midi % 12) + 12) % 12], midi).name();
    };
    if (high - low > range.highest - range.lowest)
        throw Error("the melody spans " + name(low) + ".." + name(high) +
                    ", wider than the model's soprano range " + name(range.lowest) + ".." +
                    name(range.highest));
    throw Error("the melody " + name(low) + ".." + name(high) +
                " cannot be transposed into the model's soprano range " + name(range.lowest) + ".." +
                name(range.highest) + " with spellings the model knows");
}

Constraints transpose_constraints(Constraints c, const Interval& by) {
    for (FixedNote& f : c.fixed)
        if (token::is_pitch(f.token)) f.token = token::from_pitch(transpose(token::to_pitch(f.token), by));
    for (KeyChange& k : c.keys) k.fifths = transpose_key(k.fifths, by);
    for (auto& r : c.ranges)
        if (r) {
            r->lowest += by.semitones;
            r->highest += by.semitones;
        }
    return c;
}

// Reharmonizing keeps what sounds outside the regions, not only the tokens
// there: a note (or rest) of a redrawn voice held over a region's end into a
// kept cell would otherwise go on with whatever pitch the region's last note
// is drawn with. So that cell is struck again before sampling (a new onset of
// the pitch or rest that sounds there, kept like every cell outside), and
// held on again afterwards where the note drawn before it has the same token:
// an unchanged region gives back the input bit for bit. A cell a fixed note
// or a rhythm constraint covers keeps its hold (the constraint asks for it).
struct Struck {
    int voice = 0;
    int tick = 0;
    bool may_hold = true;  // no fixed note ends at the tick
};

std::vector<Struck> strike_held_over(Chorale& base, const Constraints& c) {
    const int T = base.num_ticks;
    std::vector<Struck> out;
    if (c.regions.empty() || T == 0) return out;
    auto clamped = [T](const TickRange& r) {
        return TickRange{std::clamp(r.begin, 0, T), std::clamp(r.end, 0, T)};
    };
    std::array<std::vector<std::uint8_t>, kNumVoices> inside, covered, ended;
    for (int v = 0; v < kNumVoices; ++v) {
        inside[static_cast<size_t>(v)].assign(static_cast<size_t>(T), 0);
        covered[static_cast<size_t>(v)].assign(static_cast<size_t>(T), 0);
        ended[static_cast<size_t>(v)].assign(static_cast<size_t>(T) + 1, 0);
    }
    auto mark = [&](std::vector<std::uint8_t>& cells, const TickRange& r) {
        const TickRange k = clamped(r);
        for (int t = k.begin; t < k.end; ++t) cells[static_cast<size_t>(t)] = 1;
    };
    for (const Region& r : c.regions)
        for (int v = 0; v < kNumVoices; ++v)
            if (r.voices[static_cast<size_t>(v)]) mark(inside[static_cast<size_t>(v)], r.ticks);
    for (const FixedNote& f : c.fixed) {
        if (f.voice < 0 || f.voice >= kNumVoices) continue;
        mark(covered[static_cast<size_t>(f.voice)], f.ticks);
        if (f.token != token::kHold && f.ticks.end >= 0 && f.ticks.end <= T)
            ended[static_cast<size_t>(f.voice)][static_cast<size_t>(f.ticks.end)] = 1;
    }
    for (const RhythmConstraint& r : c.rhythm)
        if (r.voice >= 0 && r.voice < kNumVoices) mark(covered[static_cast<size_t>(r.voice)], r.ticks);
    for (int v = 0; v < kNumVoices; ++v) {
        const auto& in = inside[static_cast<size_t>(v)];
        for (int e = 1; e < T; ++e) {
            if (!in[static_cast<size_t>(e - 1)] || in[static_cast<size_t>(e)] ||
                covered[static_cast<size_t>(v)][static_cast<size_t>(e)] || base.at(v, e) != token::kHold)
                continue;
            int onset = e - 1;
            while (onset > 0 && base.at(v, onset) == token::kHold) --onset;
            const Token sounding = base.at(v, onset);
            if (sounding == token::kHold) continue;  // a voice starting with a hold: compile_problem says so
            base.at(v, e) = sounding;
            out.push_back(Struck{v, e, !ended[static_cast<size_t>(v)][static_cast<size_t>(e)]});
        }
    }
    return out;
}

void hold_on_again(Chorale& c, const std::vector<Struck>& struck) {
    for (const Struck& s : struck) {
        if (!s.may_hold) continue;
        int onset = s.tick - 1;
        while (onset > 0 && c.at(s.voice, onset) == token::kHold) --onset;
        if (c.at(s.voice, onset) == c.at(s.voice, s.tick)) c.at(s.voice, s.tick) = token::kHold;
    }
}

void hold_on_again(Harmonization& h, const std::vector<Struck>& struck) {
    hold_on_again(h.chorale, struck);
    for (Chorale& chain : h.chains) hold_on_again(chain, struck);
}

}  // namespace

Harmonization harmonize(const Score& melody, const Constraints& constraints, const SamplingOptions& options) {
    // A chorale keeps its lower voices in the base grid (rhythm constraints
    // may refer to them); anything else, or a chorale the grid cannot hold
    // below the soprano, gives the soprano alone.
    Chorale base;
    bool whole = false;
    if (melody.parts.size() >= static_cast<size_t>(kNumVoices)) {
        try {
            base = to_chorale(melody);
            whole = true;
        } catch (const Error&) {
        }
    }
    if (!whole) base = melody_chorale(melody);
    Constraints c = constraints;
    // A rhythm constraint on a lower voice keeps the input's own rhythm of
    // that voice when the input is a chorale, else the melody's.
    if (!whole)
        for (const RhythmConstraint& r : constraints.rhythm)
            if (r.voice != kSoprano)
                for (int t = std::max(r.ticks.begin, 0); t < std::min(r.ticks.end, base.num_ticks); ++t)
                    base.at(r.voice, t) = base.at(kSoprano, t);
    const bool some_regions = !c.regions.empty();
    if (!some_regions) c.regions.push_back(Region{{0, base.num_ticks}, {true, true, true, true}});
    for (Region& r : c.regions) r.voices[0] = false;  // the soprano is the melody
    // A four-part input redrawn in some regions keeps what sounds outside them.
    const std::vector<Struck> struck =
        whole && some_regions ? strike_held_over(base, c) : std::vector<Struck>{};
    // A melody outside the model's soprano range is harmonized a few
    // semitones up or down and transposed back, with its own spelling.
    SamplingOptions o = options;
    o.model = resolve_model(options);
    const int shift = melody_shift(base, *o.model);
    if (shift == 0) {
        Harmonization h = sample_grid(base, c, o);
        hold_on_again(h, struck);
        return h;
    }
    const Interval up = interval_for_shift(base, shift);
    const Interval down{-up.semitones, -up.fifths};
    Harmonization h = sample_grid(transpose(base, up), transpose_constraints(c, up), o);
    h.chorale = transpose(h.chorale, down);
    for (Chorale& chain : h.chains) chain = transpose(chain, down);
    hold_on_again(h, struck);
    return h;
}

std::pair<int, int> parse_time_signature(std::string_view text) {
    const std::string t(text);
    const std::string form = "time '" + t + "': expected a time signature like 4/4, 3/4 or 3/2";
    const auto slash = t.find('/');
    if (slash == std::string::npos) throw Error(form);
    long long beats = 0, type = 0;
    const std::string b = t.substr(0, slash), bt = t.substr(slash + 1);
    if (!text::whole_number(text::trim(b), beats) || !text::whole_number(text::trim(bt), type))
        throw Error(form);
    if (beats < 1 || beats > 32 || (type != 2 && type != 4 && type != 8))
        throw Error(form + " (up to 32 beats of halves, quarters or eighths)");
    return {static_cast<int>(beats), static_cast<int>(type)};
}

Chorale piece_grid(const PieceShape& shape) {
    if (shape.bars < 1 || shape.bars > 1000)
        throw Error("bars " + std::to_string(shape.bars) + ": expected 1 to 1000 bars");
    if (shape.beats < 1 || shape.beats > 32 ||
        (shape.beat_type != 2 && shape.beat_type != 4 && shape.beat_type != 8))
        throw Error("generate: unsupported time signature " + std::to_string(shape.beats) + "/" +
                    std::to_string(shape.beat_type));
    const int bar = shape.beats * kTicksPerQuarter * 4 / shape.beat_type;
    if (bar * shape.beat_type != shape.beats * kTicksPerQuarter * 4)
        throw Error("generate: a bar of " + std::to_string(shape.beats) + "/" +
                    std::to_string(shape.beat_type) + " is not a whole number of sixteenths");
    if (shape.fifths < -7 || shape.fifths > 7)
        throw Error("generate: key signature must be within 7 flats or sharps");
    Chorale grid = Chorale::empty(shape.bars * bar);
    grid.title = "Generated chorale";
    grid.times = {GridTimeSignature{0, shape.beats, shape.beat_type}};
    grid.keys = {GridKeySignature{0, shape.fifths, shape.mode}};
    std::fill(grid.key_fifths.begin(), grid.key_fifths.end(), static_cast<std::int8_t>(shape.fifths));
    grid.measure_ticks.clear();
    grid.measure_numbers.clear();
    for (int b = 0; b < shape.bars; ++b) {
        grid.measure_ticks.push_back(b * bar);
        grid.measure_numbers.push_back(std::to_string(b + 1));
    }
    for (int t = 0; t < grid.num_ticks; ++t)
        grid.beat_position[static_cast<size_t>(t)] = static_cast<std::uint8_t>((t % bar) % kTicksPerQuarter);
    return grid;
}

Harmonization generate(const PieceShape& shape, const Constraints& constraints,
                       const SamplingOptions& options) {
    const Chorale base = piece_grid(shape);
    Constraints c = constraints;
    if (c.regions.empty()) c.regions.push_back(Region{{0, base.num_ticks}, {true, true, true, true}});
    // Phrases as chorales have them (DeepBach's default): a fermata on the
    // last beat of every second bar and of the last one; and the piece ends
    // with an authentic cadence in its key on the last fermata.
    if (shape.phrases && c.fermatas.empty()) {
        const int bar = base.num_ticks / shape.bars;
        for (int b = 1; b <= shape.bars; ++b)
            if (b % 2 == 0 || b == shape.bars)
                c.fermatas.push_back(TickRange{b * bar - kTicksPerQuarter, b * bar});
    }
    if (shape.phrases && c.cadences.empty() && !c.fermatas.empty()) {
        const auto last =
            std::max_element(c.fermatas.begin(), c.fermatas.end(),
                             [](const TickRange& a, const TickRange& b) { return a.begin < b.begin; });
        c.cadences.push_back(Cadence{last->begin, CadenceType::authentic});
    }
    return sample_grid(base, c, options);
}

Harmonization reharmonize(const Score& score, const std::vector<Region>& regions,
                          const SamplingOptions& options, const Constraints& constraints) {
    if (regions.empty()) throw Error("reharmonize: no region to redraw");
    Chorale base = to_chorale(score);
    Constraints c = constraints;
    c.regions = regions;
    const std::vector<Struck> struck = strike_held_over(base, c);
    Harmonization h = sample_grid(base, c, options);
    hold_on_again(h, struck);
    return h;
}

}  // namespace deepbach
