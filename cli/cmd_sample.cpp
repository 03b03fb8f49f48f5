// deepbach harmonize, generate, reharmonize (the sampler with constraints).
#include "commands.hpp"
#include "sampling_args.hpp"

#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include <iostream>
#include <memory>
#include <tuple>

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
    const Constraints constraints = build_constraints(base, a, true, kept);
    return sample_and_report("harmonize", a, options,
                             [&](const SamplingOptions& o) { return harmonize(score, constraints, o); });
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
    shape.bars = static_cast<int>(parse_count("bars", g.bars, 1, 1000));
    std::tie(shape.beats, shape.beat_type) = parse_time_signature(g.time);
    // --key K sets the opening key; --key BAR:KEY a change.
    std::vector<std::string> changes;
    bool opening = false;
    for (const auto& k : a.constraints.keys) {
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
            throw Error("key '" + k + "': " + e.what());
        }
    }
    a.constraints.keys = changes;
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
    const Region region = parse_region(base, r.bars + ":" + r.voices);
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

}  // namespace

void add_sample_commands(CLI::App& app, Action& action) {
    add_harmonize(app, action);
    add_generate(app, action);
    add_reharmonize(app, action);
}

}  // namespace deepbach::cli
