// deepbach harmonize, generate, reharmonize (the sampler with constraints)
// and deepbach bench sample (its speed).
#include "commands.hpp"
#include "sampling_args.hpp"

#include "sample/bench.hpp"

#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include <iostream>
#include <memory>

namespace deepbach::cli {

namespace {

const char* const kKeyChangeHelp = "BAR:KEY: The key from that bar on";

// ---------------------------------------------------------------- harmonize

int run_harmonize(const std::string& melody_file, const SamplingArgs& a) {
    const SamplingOptions options = build_options(a);
    check_outputs(a);
    const Score score = read_score(melody_file);
    Chorale base = melody_chorale(score);
    const KeptCells kept{[](int voice, int) { return voice == kSoprano; },
                         [](int) { return std::string("the melody"); }};
    Constraints constraints = build_constraints(base, a, true, kept);

    bool lower_rhythm = false;
    for (const auto& r : constraints.rhythm) lower_rhythm = lower_rhythm || r.voice != kSoprano;
    if (!lower_rhythm)
        return sample_and_report("harmonize", a, options,
                                 [&](const SamplingOptions& o) { return harmonize(score, constraints, o); });

    // A rhythm for a lower voice: the input's own when MELODY is a chorale,
    // else the melody's, written into the base grid for the sampler to keep.
    const bool chorale = score.parts.size() >= static_cast<size_t>(kNumVoices);
    const Chorale four = chorale ? to_chorale(score) : Chorale{};
    for (const auto& r : constraints.rhythm)
        for (int t = r.ticks.begin; t < r.ticks.end; ++t)
            base.at(r.voice, t) = chorale ? four.at(r.voice, t) : base.at(kSoprano, t);
    constraints.regions = {Region{{0, base.num_ticks}, {false, true, true, true}}};
    return sample_and_report("harmonize", a, options,
                             [&](const SamplingOptions& o) { return sample_grid(base, constraints, o); });
}

void add_harmonize(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand(
        "harmonize", "Write alto, tenor and bass under a melody (the soprano stays note for note)");
    auto a = std::make_shared<SamplingArgs>();
    auto melody = std::make_shared<std::string>();
    cmd->add_option("MELODY", *melody,
                    "MusicXML melody: one part, or a chorale whose soprano is taken (.musicxml, .xml, .mxl)")
        ->required();
    add_output_options(cmd, *a);
    add_sampler_options(cmd, *a);
    add_constraint_options(cmd, *a, true, kKeyChangeHelp);
    cmd->callback([&action, a, melody] { action = [a, melody] { return run_harmonize(*melody, *a); }; });
}

// ----------------------------------------------------------------- generate

struct GenerateArgs {
    SamplingArgs sampling;
    std::string bars;
    std::string time = "4/4";
};

int run_generate(const GenerateArgs& g) {
    SamplingArgs a = g.sampling;
    const SamplingOptions options = build_options(a);
    check_outputs(a);
    PieceShape shape;
    shape.bars = parse_count("--bars", g.bars, 1);
    if (shape.bars > 1000) throw Error("--bars " + g.bars + ": at most 1000 bars");
    {
        const auto slash = g.time.find('/');
        const std::string beats = slash == std::string::npos ? g.time : g.time.substr(0, slash);
        const std::string type = slash == std::string::npos ? "" : g.time.substr(slash + 1);
        const std::string form = "expected a time signature like 4/4, 3/4 or 3/2";
        if (slash == std::string::npos) throw Error("--time " + g.time + ": " + form);
        shape.beats = parse_count("--time", beats, 1);
        shape.beat_type = parse_count("--time", type, 1);
        if (shape.beats > 32 || (shape.beat_type != 2 && shape.beat_type != 4 && shape.beat_type != 8))
            throw Error("--time " + g.time + ": " + form +
                        " (up to 32 beats of halves, quarters or eighths)");
    }
    // --key K sets the opening key; --key BAR:KEY a change.
    std::vector<std::string> changes;
    bool opening = false;
    for (const auto& k : a.keys) {
        if (k.find(':') != std::string::npos) {
            changes.push_back(k);
            continue;
        }
        if (opening)
            throw Error("--key " + k + ": the opening key is given twice (use BAR:KEY for a change)");
        opening = true;
        try {
            const KeyName key = parse_key(k);
            shape.fifths = key.fifths;
            shape.mode = key.mode;  // empty for a signature alone: inferred
        } catch (const Error& e) {
            throw Error("--key " + k + ": " + e.what());
        }
    }
    a.keys = changes;
    const Chorale grid = piece_grid(shape);
    const KeptCells kept{[](int, int) { return false; }, [](int) { return std::string(); }};
    const Constraints constraints = build_constraints(grid, a, false, kept);
    return sample_and_report("generate", a, options,
                             [&](const SamplingOptions& o) { return generate(shape, constraints, o); });
}

void add_generate(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("generate", "Write a new four-part chorale");
    auto g = std::make_shared<GenerateArgs>();
    cmd->add_option("--bars", g->bars, "Length in bars")->required()->type_name("N");
    cmd->add_option("--time", g->time, "Time signature: 4/4, 3/4, 3/2, 6/8, ...")
        ->type_name("B/T")
        ->capture_default_str();
    add_output_options(cmd, g->sampling);
    add_sampler_options(cmd, g->sampling);
    add_constraint_options(cmd, g->sampling, false,
                           "K|BAR:KEY: The key of the piece (default C major), or the key from that bar on");
    cmd->callback([&action, g] { action = [g] { return run_generate(*g); }; });
}

// -------------------------------------------------------------- reharmonize

struct ReharmonizeArgs {
    SamplingArgs sampling;
    std::string in;
    std::string bars;
    std::string voices = "SATB";
};

int run_reharmonize(const ReharmonizeArgs& r) {
    const SamplingArgs& a = r.sampling;
    const SamplingOptions options = build_options(a);
    check_outputs(a);
    const Score score = read_score(r.in);
    const Chorale base = to_chorale(score);
    Region region;
    try {
        region.ticks = parse_bars(base, r.bars);
    } catch (const Error& e) {
        throw Error("--bars " + r.bars + ": " + e.what());
    }
    try {
        region.voices = parse_voices(r.voices);
    } catch (const Error& e) {
        throw Error("--voices " + r.voices + ": " + e.what());
    }
    const std::string why = "the input (outside --bars " + r.bars + " --voices " + r.voices + ")";
    const KeptCells kept{
        [region](int voice, int tick) {
            return !(region.voices[static_cast<size_t>(voice)] && region.ticks.contains(tick));
        },
        [why](int) { return why; }};
    const Constraints constraints = build_constraints(base, a, !region.voices[kSoprano], kept);
    return sample_and_report("reharmonize", a, options, [&](const SamplingOptions& o) {
        return reharmonize(score, {region}, o, constraints);
    });
}

void add_reharmonize(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("reharmonize", "Redraw some bars and voices of a chorale; the rest stays");
    auto r = std::make_shared<ReharmonizeArgs>();
    cmd->add_option("IN", r->in, "Four-part chorale (.musicxml, .xml, .mxl)")->required();
    cmd->add_option("--bars", r->bars, "Bars to redraw: 3 or 3-5 (numbers as written)")
        ->required()
        ->type_name("A-B");
    cmd->add_option("--voices", r->voices, "Voices to redraw: letters of SATB (e.g. ATB) or names")
        ->type_name("VOICES")
        ->capture_default_str();
    add_output_options(cmd, r->sampling);
    add_sampler_options(cmd, r->sampling);
    add_constraint_options(cmd, r->sampling, true, kKeyChangeHelp);
    cmd->callback([&action, r] { action = [r] { return run_reharmonize(*r); }; });
}

// ------------------------------------------------------------- bench sample

struct BenchArgs {
    std::string mode = "window";
    std::string threads = "1";
    std::string iterations = "30";
    std::string backend = "eigen";
    std::string device = "cpu";
    std::string voice_leading = "0";
    bool json = false;
};

int run_bench_sample(const BenchArgs& b) {
    sample::SampleBenchOptions o;
    try {
        o.mode = parse_context_mode(b.mode);
    } catch (const Error& e) {
        throw Error("--mode " + b.mode + ": " + e.what());
    }
    o.threads = parse_count("--threads", b.threads, 0);
    o.iterations = parse_count("--iterations", b.iterations, 1);
    o.backend = b.backend;
    o.device = b.device;
    o.voice_leading = parse_real("--voice-leading", b.voice_leading, false, "1 or 0");
    const sample::SampleBenchResult r = sample::bench_sample(o);
    std::cout << (b.json ? r.json() + "\n" : r.text());
    return 0;
}

void add_bench_sample(CLI::App& app, Action& action) {
    auto* cmd = bench_group(app)->add_subcommand(
        "sample", "Sampler speed: default-sized random model, 64-tick piece, soprano fixed");
    auto b = std::make_shared<BenchArgs>();
    cmd->add_option("--mode", b->mode, "Context mode of the model")
        ->type_name("window|full")
        ->capture_default_str();
    cmd->add_option("--threads", b->threads, "Threads (0: all cores)")->type_name("N")->capture_default_str();
    cmd->add_option("--iterations", b->iterations, "Timed iterations")->type_name("N")->capture_default_str();
    cmd->add_option("--backend", b->backend, "eigen or torch")
        ->type_name("eigen|torch")
        ->capture_default_str();
    cmd->add_option("--device", b->device, "torch backend: cpu, cuda or auto")
        ->type_name("cpu|cuda|auto")
        ->capture_default_str();
    cmd->add_option("--voice-leading", b->voice_leading,
                    "Strength of the voice-leading guide (0: the sampler alone; harmonize uses 1)")
        ->type_name("S")
        ->capture_default_str();
    cmd->add_flag("--json", b->json, "Print one JSON object on one line");
    cmd->callback([&action, b] { action = [b] { return run_bench_sample(*b); }; });
}

}  // namespace

void add_sample_commands(CLI::App& app, Action& action) {
    add_harmonize(app, action);
    add_generate(app, action);
    add_reharmonize(app, action);
    add_bench_sample(app, action);
}

}  // namespace deepbach::cli
