// The sampler and the public calls: constraints hold in every output,
// results are reproducible from the seed whatever the threads and chains,
// reharmonizing leaves everything outside the region alone, and bad
// constraints fail before any sampling.
#include "sample/sampler.hpp"
#include "sample/problem.hpp"
#include "small_model.hpp"

#include <deepbach/deepbach.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <random>
#include "needs_corpus.hpp"

using namespace deepbach;

namespace {

const Corpus& corpus() {
    return test_support::bach_corpus();
}

std::shared_ptr<const Model> small_model(ContextMode mode, bool masked = false) {
    return test_support::small_model(mode, 11, masked);
}

/// A context mode, and whether the model has a mask input (then the default
/// schedule is Coconet's blocked one from a masked start).
struct Variant {
    ContextMode mode = ContextMode::full;
    bool masked = false;
};

void PrintTo(const Variant& v, std::ostream* os) {
    *os << to_string(v.mode) << (v.masked ? " masked" : "");
}

SamplingOptions options(Variant variant, std::uint64_t seed = 1, int iterations = 6) {
    SamplingOptions o;
    o.model = small_model(variant.mode, variant.masked);
    o.seed = seed;
    o.iterations = iterations;
    return o;
}

/// The chorale cut to its first `ticks` ticks (whole bars), to keep tests fast.
Chorale head(const Chorale& c, int bars) {
    Chorale out = first_bars(c, bars);
    out.validate();
    return out;
}

/// The problem of redrawing alto, tenor and bass of `base` whole.
sample::Problem lower_voices_problem(const Chorale& base, const Model& model) {
    Constraints k;
    k.regions.push_back(Region{{0, base.num_ticks}, {false, true, true, true}});
    return sample::compile_problem(base, k, model);
}

/// End of the note or rest of voice v that sounds at tick t.
int note_end(const Chorale& c, int v, int t) {
    int e = t + 1;
    while (e < c.num_ticks && c.at(v, e) == token::kHold) ++e;
    return e;
}
int note_start(const Chorale& c, int v, int t) {
    while (t > 0 && c.at(v, t) == token::kHold) --t;
    return t;
}

/// What voice v sounds at tick t, as heard: the token of the note or rest
/// going on there (holds followed back to their onset).
Token heard(const Chorale& c, int v, int t) {
    return c.at(v, note_start(c, v, t));
}

/// Outside the regions every voice sounds what `in` sounds, tick by tick,
/// and starts its notes where `in` does, except that the first cell after a
/// region of a redrawn voice may strike again the note `in` holds over the
/// region's end (the same pitch, a new onset). Returns how many cells inside
/// the regions changed.
int expect_same_outside(const Chorale& in, const Chorale& out, const std::vector<Region>& regions,
                        const std::string& what) {
    EXPECT_EQ(out.num_ticks, in.num_ticks) << what;
    auto inside = [&](int v, int t) {
        for (const Region& r : regions)
            if (r.voices[static_cast<size_t>(v)] && r.ticks.contains(t)) return true;
        return false;
    };
    int changed = 0;
    for (int v = 0; v < kNumVoices; ++v)
        for (int t = 0; t < in.num_ticks; ++t) {
            if (inside(v, t)) {
                changed += out.at(v, t) != in.at(v, t);
                continue;
            }
            EXPECT_EQ(token::name(heard(out, v, t)), token::name(heard(in, v, t)))
                << what << ": voice " << v << " tick " << t << " sounds another note outside the regions";
            const bool struck_again =
                t > 0 && inside(v, t - 1) && in.at(v, t) == token::kHold && out.at(v, t) == heard(in, v, t);
            if (!struck_again)
                EXPECT_EQ(token::name(out.at(v, t)), token::name(in.at(v, t)))
                    << what << ": voice " << v << " tick " << t << " outside the regions";
        }
    return changed;
}

/// Random constraints taken from the chorale itself, so they agree with
/// each other: whole notes fixed, rhythms kept, fermatas added, regions.
Constraints random_constraints(const Chorale& c, std::mt19937& rng) {
    Constraints k;
    auto tick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const int T = c.num_ticks;
    for (int i = tick(0, 4); i > 0; --i) {
        const int v = tick(0, 3);
        const int s = note_start(c, v, tick(0, T - 1));
        k.fixed.push_back({v, {s, note_end(c, v, s)}, c.at(v, s)});
    }
    for (int i = tick(0, 2); i > 0; --i) {
        const int a = tick(0, T - 1);
        k.rhythm.push_back({tick(0, 3), {a, std::min(T, a + tick(1, 24))}});
    }
    for (int i = tick(0, 2); i > 0; --i) {
        const int a = tick(0, T - 1);
        k.fermatas.push_back({a, std::min(T, a + 4)});
    }
    if (tick(0, 1)) {
        Region r;
        const int a = tick(0, T - 2);
        r.ticks = {a, tick(a + 1, T)};
        for (auto& on : r.voices) on = tick(0, 3) > 0;
        k.regions.push_back(r);
    }
    return k;
}

bool in_regions(const Constraints& k, int v, int t) {
    if (k.regions.empty()) return true;
    for (const auto& r : k.regions)
        if (r.voices[static_cast<size_t>(v)] && r.ticks.contains(t)) return true;
    return false;
}

void expect_constraints_hold(const Chorale& base, const Constraints& k, const Chorale& out,
                             const std::string& what) {
    ASSERT_EQ(out.num_ticks, base.num_ticks) << what;
    EXPECT_NO_THROW(out.validate()) << what;
    for (const auto& f : k.fixed) {
        for (int t = f.ticks.begin; t < f.ticks.end; ++t) {
            const Token want = t == f.ticks.begin || f.token == token::kHold ? f.token : token::kHold;
            EXPECT_EQ(out.at(f.voice, t), want) << what << ": fixed voice " << f.voice << " tick " << t;
        }
    }
    for (const auto& r : k.rhythm)
        for (int t = r.ticks.begin; t < r.ticks.end; ++t) {
            const Token b = base.at(r.voice, t), o = out.at(r.voice, t);
            if (token::is_pitch(b))
                EXPECT_TRUE(token::is_pitch(o)) << what << ": rhythm voice " << r.voice << " tick " << t;
            else
                EXPECT_EQ(o, b) << what << ": rhythm voice " << r.voice << " tick " << t;
        }
    for (const auto& f : k.fermatas)
        for (int t = f.begin; t < f.end; ++t) EXPECT_EQ(out.fermata[static_cast<size_t>(t)], 1) << what;
    for (int v = 0; v < kNumVoices; ++v)
        for (int t = 0; t < base.num_ticks; ++t)
            if (!in_regions(k, v, t))
                EXPECT_EQ(out.at(v, t), base.at(v, t)) << what << ": outside voice " << v;
    // Every pitch of a free voice inside the model's range.
    const auto ranges = corpus().ranges();
    for (int v = 0; v < kNumVoices; ++v)
        for (int t = 0; t < out.num_ticks; ++t)
            if (token::is_pitch(out.at(v, t)))
                EXPECT_TRUE(ranges[static_cast<size_t>(v)].contains(token::to_pitch(out.at(v, t)).midi()))
                    << what << ": voice " << v << " tick " << t;
}

}  // namespace

class SamplerModes : public ::testing::TestWithParam<Variant> {};

TEST_P(SamplerModes, RandomConstraintsHold) {
    DEEPBACH_NEEDS_CORPUS();
    std::mt19937 rng(5);
    const int trials = 40;
    for (int i = 0; i < trials; ++i) {
        const size_t pick = std::uniform_int_distribution<size_t>(0, corpus().chorales.size() - 1)(rng);
        const Chorale base = head(corpus().chorales[pick], 4);
        const Constraints k = random_constraints(base, rng);
        const std::string what = corpus().files[pick] + " trial " + std::to_string(i);
        SCOPED_TRACE(what);
        const Harmonization h = sample_grid(base, k, options(GetParam(), 100 + static_cast<unsigned>(i)));
        expect_constraints_hold(base, k, h.chorale, what);
        EXPECT_TRUE(std::isfinite(h.pseudo_log_likelihood));
        EXPECT_LE(h.pseudo_log_likelihood, 0);
    }
}

TEST_P(SamplerModes, SameSeedSameBytesOtherSeedOtherResult) {
    DEEPBACH_NEEDS_CORPUS();
    const Chorale base = head(corpus().chorales[3], 4);
    const Score melody = to_score(base);
    const auto a = harmonize(melody, {}, options(GetParam(), 7));
    const auto b = harmonize(melody, {}, options(GetParam(), 7));
    const auto c = harmonize(melody, {}, options(GetParam(), 8));
    EXPECT_EQ(to_musicxml(a.score()), to_musicxml(b.score()));
    EXPECT_EQ(to_midi(a.score()), to_midi(b.score()));
    EXPECT_NE(a.chorale.tokens, c.chorale.tokens);
}

TEST_P(SamplerModes, ResultDoesNotDependOnThreadsOrChains) {
    DEEPBACH_NEEDS_CORPUS();
    const Chorale base = head(corpus().chorales[10], 3);
    SamplingOptions one = options(GetParam(), 21);
    SamplingOptions many = one;
    many.threads = 2;
    many.chains = 3;
    many.keep_all_chains = true;
    const auto a = sample_grid(base, {}, one);
    const auto b = sample_grid(base, {}, many);
    ASSERT_EQ(b.chains.size(), 3u);
    EXPECT_EQ(a.chorale.tokens, b.chains[0].tokens);
    EXPECT_DOUBLE_EQ(a.pseudo_log_likelihood, b.chain_scores[0]);
    // The best chain is the one the model scores highest.
    EXPECT_EQ(b.pseudo_log_likelihood, *std::max_element(b.chain_scores.begin(), b.chain_scores.end()));
    EXPECT_EQ(b.chorale.tokens, b.chains[static_cast<size_t>(b.chain)].tokens);
}

TEST_P(SamplerModes, HarmonizeKeepsTheSoprano) {
    DEEPBACH_NEEDS_CORPUS();
    const Chorale chorale = head(corpus().chorales[42], 4);
    Score melody = to_score(chorale);
    melody.parts.resize(1);  // the soprano alone
    const auto h = harmonize(melody, {}, options(GetParam(), 3));
    for (int t = 0; t < chorale.num_ticks; ++t) EXPECT_EQ(h.chorale.at(0, t), chorale.at(0, t)) << t;
    EXPECT_EQ(h.chorale.fermata, chorale.fermata);
    // The lower voices were sampled: not the rests melody_chorale starts them with.
    int pitches = 0;
    for (int v = 1; v < kNumVoices; ++v)
        for (int t = 0; t < chorale.num_ticks; ++t) pitches += token::is_pitch(h.chorale.at(v, t));
    EXPECT_GT(pitches, 0);
}

TEST_P(SamplerModes, ReharmonizeChangesNothingOutsideTheRegion) {
    DEEPBACH_NEEDS_CORPUS();
    const Chorale chorale = head(corpus().chorales[7], 5);
    const TickRange bars = bar_ticks(chorale, chorale.measure_numbers[2], chorale.measure_numbers[3]);
    Region r;
    r.ticks = bars;
    const auto h = reharmonize(to_score(chorale), {r}, options(GetParam(), 9, 20));
    const int changed = expect_same_outside(chorale, h.chorale, {r}, "bars 3-4");
    EXPECT_GT(changed, 0);  // an untrained model does not reproduce Bach
}

// A chorale whose tenor holds a note from inside bars 2-3 over their end
// into bar 4, and whose bass holds one from bar 1 into bar 2.
struct HeldOver {
    Chorale chorale;
    TickRange region;
    Token tenor;  // the tenor's note held over the region's end
};

HeldOver held_over_region() {
    HeldOver out;
    Chorale& c = out.chorale = head(corpus().chorales[7], 5);
    out.region = bar_ticks(c, c.measure_numbers[1], c.measure_numbers[2]);
    const int end = out.region.end, begin = out.region.begin;
    // The tenor: the note sounding a quarter before the end, struck there and
    // held a quarter past it; what follows starts a note again.
    out.tenor = heard(c, kTenor, end - kTicksPerQuarter);
    EXPECT_TRUE(token::is_pitch(out.tenor));
    const Token next = heard(c, kTenor, end + kTicksPerQuarter);
    c.at(kTenor, end - kTicksPerQuarter) = out.tenor;
    for (int t = end - kTicksPerQuarter + 1; t < end + kTicksPerQuarter; ++t) c.at(kTenor, t) = token::kHold;
    c.at(kTenor, end + kTicksPerQuarter) = next;
    // The bass: a note from a quarter before the region held a quarter into it.
    const Token bass = heard(c, kBass, begin - kTicksPerQuarter);
    EXPECT_TRUE(token::is_pitch(bass));
    c.at(kBass, begin - kTicksPerQuarter) = bass;
    for (int t = begin - kTicksPerQuarter + 1; t < begin + kTicksPerQuarter; ++t)
        c.at(kBass, t) = token::kHold;
    c.validate();
    // Through a Score and back: what reharmonize() reads.
    out.chorale = to_chorale(to_score(c));
    EXPECT_EQ(out.chorale.tokens, c.tokens);
    EXPECT_EQ(out.chorale.at(kTenor, end), token::kHold);
    return out;
}

TEST_P(SamplerModes, ReharmonizeKeepsANoteHeldOverTheRegionsEnd) {
    DEEPBACH_NEEDS_CORPUS();
    const HeldOver held = held_over_region();
    const Chorale& in = held.chorale;
    const int end = held.region.end;
    Region r{held.region, {false, true, true, true}};
    int redrawn = 0;  // seeds whose tenor ends the region on another pitch
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
        const std::string what = "seed " + std::to_string(seed);
        SamplingOptions o = options(GetParam(), seed, 20);
        o.chains = 2;
        o.keep_all_chains = true;
        const Harmonization h = reharmonize(to_score(in), {r}, o);
        for (const Chorale& out : h.chains) {
            expect_same_outside(in, out, {r}, what);
            const Token last = heard(out, kTenor, end - 1);
            redrawn += last != held.tenor;
            // Struck again after a new pitch, held on after the same one.
            EXPECT_EQ(token::name(out.at(kTenor, end)),
                      token::name(last == held.tenor ? token::kHold : held.tenor))
                << what;
            // The written score ties only what the grid holds.
            EXPECT_EQ(to_chorale(parse_musicxml(to_musicxml(to_score(out)))).tokens, out.tokens) << what;
        }
        EXPECT_EQ(h.chorale.tokens, h.chains[static_cast<size_t>(h.chain)].tokens);
    }
    EXPECT_GT(redrawn, 0);  // the case the rule is for did come up
    // harmonize() of the four-part score limited to the region: the same rule.
    Constraints k;
    k.regions = {r};
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        const Harmonization h = harmonize(to_score(in), k, options(GetParam(), seed, 20));
        expect_same_outside(in, h.chorale, {r}, "harmonize, seed " + std::to_string(seed));
    }
}

TEST_P(SamplerModes, ReharmonizeHoldsOnWhenTheSamePitchIsDrawn) {
    DEEPBACH_NEEDS_CORPUS();
    const HeldOver held = held_over_region();
    // A tenor on one pitch throughout, kept to that pitch: the note struck
    // again after the region is held on again, as the input has it.
    Chorale in = held.chorale;
    for (int t = 0; t < in.num_ticks; ++t)
        if (token::is_pitch(in.at(kTenor, t))) in.at(kTenor, t) = held.tenor;
    Constraints k;
    const int midi = token::to_pitch(held.tenor).midi();
    k.ranges[kTenor] = VoiceRange{midi, midi};
    const Region r{held.region, {false, false, true, false}};
    int held_on = 0;
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        const Harmonization h = reharmonize(to_score(in), {r}, options(GetParam(), seed, 10), k);
        expect_same_outside(in, h.chorale, {r}, "seed " + std::to_string(seed));
        if (heard(h.chorale, kTenor, held.region.end - 1) != held.tenor) continue;  // a rest drawn
        ++held_on;
        for (int t = 0; t < in.num_ticks; ++t)
            if (!held.region.contains(t))
                EXPECT_EQ(token::name(h.chorale.at(kTenor, t)), token::name(in.at(kTenor, t)))
                    << "seed " << seed << " tick " << t;
    }
    EXPECT_GT(held_on, 0);
}

TEST_P(SamplerModes, GenerateHonoursShapeKeyAndCadence) {
    DEEPBACH_NEEDS_CORPUS();
    PieceShape shape;
    shape.bars = 4;
    shape.beats = 3;
    shape.fifths = 1;  // G major
    Constraints k;
    k.fermatas.push_back({44, 48});
    k.cadences.push_back({44, CadenceType::authentic});
    const auto h = generate(shape, k, options(GetParam(), 4));
    EXPECT_EQ(h.chorale.num_ticks, 48);
    EXPECT_EQ(h.chorale.fermata[44], 1);
    EXPECT_EQ(h.chorale.key_fifths[0], 1);
    const Token bass = h.chorale.at(3, 44);
    ASSERT_TRUE(token::is_pitch(bass));
    EXPECT_EQ(token::to_pitch(bass).midi() % 12, 7);  // G
    for (int v = 0; v < kNumVoices; ++v) {
        ASSERT_TRUE(token::is_pitch(h.chorale.at(v, 44))) << v;
        const int pc = token::to_pitch(h.chorale.at(v, 44)).midi() % 12;
        EXPECT_TRUE(pc == 7 || pc == 11 || pc == 2) << "voice " << v << " pitch class " << pc;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Modes, SamplerModes,
    ::testing::Values(Variant{ContextMode::window, false}, Variant{ContextMode::full, false},
                      Variant{ContextMode::window, true}, Variant{ContextMode::full, true}),
    [](const auto& info) {
        return std::string(to_string(info.param.mode)) + (info.param.masked ? "_masked" : "");
    });

TEST(Sampler, BlockedScheduleNeedsAMaskModel) {
    DEEPBACH_NEEDS_CORPUS();
    const Chorale base = head(corpus().chorales[0], 2);
    SamplingOptions o = options(Variant{ContextMode::full, false});
    o.schedule = Schedule::blocked;
    try {
        sample_grid(base, {}, o);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("mask"), std::string::npos) << e.what();
    }
    // With a mask model every schedule starts masked and leaves no mask behind.
    for (const char* schedule : {"auto", "blocked", "sweep", "uniform"}) {
        SamplingOptions m = options(Variant{ContextMode::full, true}, 5, 2);
        m.schedule = parse_schedule(schedule);
        const Harmonization h = sample_grid(base, {}, m);
        EXPECT_NO_THROW(h.chorale.validate()) << schedule;
        for (int v = 0; v < kNumVoices; ++v)
            for (int t = 0; t < base.num_ticks; ++t) EXPECT_NE(h.chorale.at(v, t), token::kStart) << schedule;
    }
}

TEST(Sampler, BlockedIterationsDoNotDependOnLength) {
    DEEPBACH_NEEDS_CORPUS();
    const Chorale base = head(corpus().chorales[0], 4);
    const sample::Problem p = sample::compile_problem(base, {}, *small_model(ContextMode::full, true));
    sample::SamplerOptions so;
    so.schedule = sample::Schedule::blocked;
    ModelConfig full;
    EXPECT_EQ(sample::resolve_iterations(p, full, so), sample::kBlockedIterations);
    so.iterations = 7;
    EXPECT_EQ(sample::resolve_iterations(p, full, so), 7);
}

TEST(Harmonize, MelodyOutsideTheRangeIsTransposedAndBack) {
    DEEPBACH_NEEDS_CORPUS();
    // The soprano an octave up: above the model's soprano range.
    const Chorale chorale = head(corpus().chorales[42], 3);
    const Chorale up = transpose(chorale, Interval{12, 0});
    Score melody = to_score(up);
    melody.parts.resize(1);
    const auto ranges = corpus().ranges();
    bool outside = false;
    for (int t = 0; t < up.num_ticks; ++t)
        if (token::is_pitch(up.at(0, t)) && !ranges[0].contains(token::to_pitch(up.at(0, t)).midi()))
            outside = true;
    ASSERT_TRUE(outside) << "the test melody must leave the soprano range";
    const auto h = harmonize(melody, {}, options(Variant{ContextMode::full, false}, 3));
    for (int t = 0; t < up.num_ticks; ++t) EXPECT_EQ(h.chorale.at(0, t), up.at(0, t)) << t;
    // The lower voices moved with it: the alto sits within two octaves below the soprano.
    int near = 0, onsets = 0;
    for (int t = 0; t < up.num_ticks; ++t)
        if (token::is_pitch(h.chorale.at(1, t)) && token::is_pitch(h.chorale.at(0, t))) {
            ++onsets;
            const int d =
                token::to_pitch(h.chorale.at(0, t)).midi() - token::to_pitch(h.chorale.at(1, t)).midi();
            near += d > -12 && d < 24;
        }
    EXPECT_GT(onsets, 0);
    EXPECT_GT(near * 2, onsets);
}

TEST(Harmonize, MelodyWiderThanTheRangeIsAClearError) {
    DEEPBACH_NEEDS_CORPUS();
    Chorale c = head(corpus().chorales[42], 2);
    c.at(0, 0) = token::parse("C3");
    c.at(0, 16) = token::parse("C7");
    Score melody = to_score(c);
    melody.parts.resize(1);
    try {
        harmonize(melody, {}, options(Variant{ContextMode::full, false}));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("wider than"), std::string::npos) << e.what();
    }
}

TEST(Generate, PhrasesAndAFinalAuthenticCadenceByDefault) {
    DEEPBACH_NEEDS_CORPUS();
    PieceShape shape;
    shape.bars = 5;
    shape.fifths = -1;  // F major
    const auto h = generate(shape, {}, options(Variant{ContextMode::full, true}, 2));
    const int bar = 16;
    for (int b : {2, 4, 5}) EXPECT_EQ(h.chorale.fermata[static_cast<size_t>(b * bar - 2)], 1) << "bar " << b;
    for (int b : {1, 3}) EXPECT_EQ(h.chorale.fermata[static_cast<size_t>(b * bar - 2)], 0) << "bar " << b;
    const Token bass = h.chorale.at(3, 5 * bar - 4);
    ASSERT_TRUE(token::is_pitch(bass));
    EXPECT_EQ(token::to_pitch(bass).midi() % 12, 5);  // F, the tonic
    shape.phrases = false;
    const auto plain = generate(shape, {}, options(Variant{ContextMode::full, true}, 2));
    for (std::uint8_t f : plain.chorale.fermata) EXPECT_EQ(f, 0);
}

TEST(Sampler, ContradictionsFailBeforeSampling) {
    DEEPBACH_NEEDS_CORPUS();
    const Chorale base = head(corpus().chorales[0], 2);
    SamplingOptions o = options(Variant{ContextMode::full, false});
    bool sampled = false;
    o.progress = [&](std::size_t, std::size_t, std::string_view) { return sampled = true; };
    Constraints k;
    k.fixed.push_back({3, {0, 4}, token::parse("C7")});  // far above any bass
    try {
        sample_grid(base, k, o);
        FAIL() << "no error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("Bass"), std::string::npos) << msg;
        EXPECT_NE(msg.find("bar"), std::string::npos) << msg;
    }
    EXPECT_FALSE(sampled);
}

TEST(Sampler, ProgressCanCancel) {
    DEEPBACH_NEEDS_CORPUS();
    const Chorale base = head(corpus().chorales[0], 2);
    SamplingOptions o = options(Variant{ContextMode::window, false}, 1, 50);
    int calls = 0;
    o.progress = [&](std::size_t done, std::size_t total, std::string_view) {
        EXPECT_EQ(total, 50u);
        ++calls;
        return done < 3;
    };
    EXPECT_THROW(sample_grid(base, {}, o), Cancelled);
    EXPECT_EQ(calls, 3);
}

TEST(Sampler, IterationsScaleWithLengthAndPositions) {
    DEEPBACH_NEEDS_CORPUS();
    const Chorale base = head(corpus().chorales[0], 4);  // 64 ticks
    ASSERT_EQ(base.num_ticks, 64);
    const sample::Problem p = sample::compile_problem(base, {}, *small_model(ContextMode::window));
    sample::SamplerOptions so;
    ModelConfig window;
    window.mode = ContextMode::window;
    ModelConfig full;
    full.mode = ContextMode::full;
    // The uniform choice (DeepBach's): the default sweeps' redraws of each
    // cell at the positions per pass.
    so.schedule = sample::Schedule::uniform;
    const int sweeps = sample::kDefaultSweeps;
    EXPECT_EQ(sample::resolve_iterations(p, window, so), sweeps * 64 / 8);  // DeepBach's 500 at 62.5
    EXPECT_EQ(sample::resolve_iterations(p, full, so), sweeps * 64 / 32);   // 32 cells per pass
    so.positions = 4;
    EXPECT_EQ(sample::resolve_iterations(p, window, so), sweeps * 64 / 4);
    so.sweeps = 3;
    EXPECT_EQ(sample::resolve_iterations(p, window, so), 3 * 64 / 4);
    // The sweep schedule runs by sweeps; given iterations, exactly those.
    so.schedule = sample::Schedule::sweep;
    EXPECT_TRUE(sample::runs_by_sweeps(so));
    so.iterations = 7;
    EXPECT_FALSE(sample::runs_by_sweeps(so));
    EXPECT_EQ(sample::resolve_iterations(p, full, so), 7);
}

TEST(Sampler, SweepsRedrawEveryFreeCellThatOften) {
    DEEPBACH_NEEDS_CORPUS();
    const Chorale base = head(corpus().chorales[0], 4);  // 64 ticks
    const auto model = small_model(ContextMode::full);
    const sample::Problem p = lower_voices_problem(base, *model);
    const auto backend = sample::make_eigen_backend(*model, 1);
    for (int sweeps : {1, 3}) {
        sample::SamplerOptions so;
        so.sweeps = sweeps;
        sample::SamplerStats stats;
        sample::run_chains(*backend, *model, p, so, &stats);
        // Cells drawn per voice: every free cell once a sweep, and the last
        // pass may reach into the next sweep (positions is the mean per
        // pass, rounded).
        const double drawn = static_cast<double>(stats.positions) * stats.iterations;
        EXPECT_GE(drawn, sweeps * base.num_ticks - stats.iterations / 2.0 - 1) << sweeps << " sweeps";
        EXPECT_LE(drawn, sweeps * base.num_ticks + 32 + stats.iterations / 2.0) << sweeps << " sweeps";
        // Full mode's default: every cell the no-neighbours rule allows, a
        // third to a half of the 64 ticks a pass.
        EXPECT_GE(stats.positions, 64 / 3);
        EXPECT_LE(stats.positions, 64 / 2);
        EXPECT_LE(stats.iterations, sweeps * 4 + 1);
    }
}

TEST(Sampler, UnknownBackendIsAClearError) {
    DEEPBACH_NEEDS_CORPUS();
    try {
        parse_backend("tpu");
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "backend 'tpu': expected eigen or torch");
    }
    // The torch backend is not registered in this core-only test binary.
    const Chorale base = head(corpus().chorales[0], 2);
    SamplingOptions o = options(Variant{ContextMode::window, false});
    o.backend = Backend::torch;
    try {
        sample_grid(base, {}, o);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("torch backend needs LibTorch"), std::string::npos) << e.what();
    }
}

namespace {

/// The Eigen engine, recording what each full-mode pass of each voice saw.
class RecordingBackend : public sample::Backend {
public:
    explicit RecordingBackend(const Model& model) : inner_(sample::make_eigen_backend(model, 1)) {}
    std::string name() const override { return inner_->name(); }
    const ModelConfig& config() const override { return inner_->config(); }
    void window_logits(int voice, const std::vector<nn::Target>& targets, Eigen::MatrixXf& out) override {
        inner_->window_logits(voice, targets, out);
    }
    void full_logits(int voice, const std::vector<nn::SequenceView>& sequences,
                     std::vector<Eigen::MatrixXf>& out) override {
        const nn::SequenceView& s = sequences.front();
        const std::int16_t* notes = s.notes[static_cast<size_t>(voice)];
        seen[static_cast<size_t>(voice)].emplace_back(notes, notes + s.padded_length());
        inner_->full_logits(voice, sequences, out);
    }
    std::array<std::vector<std::vector<std::int16_t>>, kNumVoices> seen;

private:
    std::unique_ptr<sample::Backend> inner_;
};

}  // namespace

TEST(Sampler, OneSweepPassNeverRedrawsNeighboursTogether) {
    // Two neighbours of a voice drawn from one pass would each assume the
    // other's old note: the step between them (where a parallel is written)
    // would be judged by no one. The cells one pass changes are never adjacent.
    DEEPBACH_NEEDS_CORPUS();
    const Chorale base = head(corpus().chorales[0], 4);  // 64 ticks
    const auto model = small_model(ContextMode::full);
    const sample::Problem p = lower_voices_problem(base, *model);
    RecordingBackend backend(*model);
    sample::SamplerOptions so;
    so.iterations = 12;
    so.positions = 24;  // far more than 64 ticks hold without neighbours by chance
    so.schedule = sample::Schedule::sweep;
    sample::run_chains(backend, *model, p, so);
    int changed_total = 0;
    for (int v = 1; v < kNumVoices; ++v) {
        const auto& seen = backend.seen[static_cast<size_t>(v)];
        ASSERT_GE(seen.size(), 12u);
        for (std::size_t pass = 1; pass < 12; ++pass) {
            std::vector<int> changed;
            for (std::size_t i = 0; i < seen[pass].size(); ++i)
                if (seen[pass][i] != seen[pass - 1][i]) changed.push_back(static_cast<int>(i));
            changed_total += static_cast<int>(changed.size());
            for (std::size_t i = 1; i < changed.size(); ++i)
                EXPECT_GT(changed[i] - changed[i - 1], 1) << "voice " << v << ", pass " << pass << ": ticks "
                                                          << changed[i - 1] << " and " << changed[i];
        }
    }
    // The passes did redraw (a sampler that changed nothing would pass the check above).
    EXPECT_GT(changed_total, 3 * 11 * 8);
}

TEST(Sampler, SweepStillRedrawsEveryCellOfAVoice) {
    // Waiting neighbours are not lost: over the passes every free cell is redrawn.
    DEEPBACH_NEEDS_CORPUS();
    const Chorale base = head(corpus().chorales[0], 4);
    const auto model = small_model(ContextMode::full);
    const sample::Problem p = lower_voices_problem(base, *model);
    RecordingBackend backend(*model);
    sample::SamplerOptions so;
    so.iterations = 40;
    so.positions = 16;
    sample::run_chains(backend, *model, p, so);
    for (int v = 1; v < kNumVoices; ++v) {
        const auto& seen = backend.seen[static_cast<size_t>(v)];
        std::vector<bool> ever(seen.front().size(), false);
        for (std::size_t pass = 1; pass < seen.size(); ++pass)
            for (std::size_t i = 0; i < seen[pass].size(); ++i)
                ever[i] = ever[i] || seen[pass][i] != seen[0][i];
        // Music ticks only (the padding around them is never drawn).
        const auto first = ever.begin() + kDatasetPadding;
        const int changed = static_cast<int>(std::count(first, first + base.num_ticks, true));
        EXPECT_EQ(changed, base.num_ticks) << "voice " << v;
    }
}
