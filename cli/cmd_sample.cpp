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
    const Constraints constraints = harmonize_constraints(score, a);
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
    const SamplingOptions options = build_options(g.sampling);
    check_outputs(g.sampling);
    const GenerateRequest request = generate_request(g.bars, g.time, g.sampling);
    return sample_and_report("generate", g.sampling, options, [&](const SamplingOptions& o) {
        return generate(request.shape, request.constraints, o);
    });
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
    std::string ticks;
    std::string voices = "SATB";
};

int run_reharmonize(const ReharmonizeArgs& r) {
    const SamplingArgs& a = r.sampling;
    const SamplingOptions options = build_options(a);
    check_outputs(a);
    const Score score = read_score(r.in);
    const ReharmonizeRequest request = reharmonize_request(score, r.bars, r.ticks, r.voices, a);
    return sample_and_report("reharmonize", a, options, [&](const SamplingOptions& o) {
        return reharmonize(score, {request.region}, o, request.constraints);
    });
}

void add_reharmonize(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("reharmonize", "Redraw some bars and voices of a chorale; the rest stays");
    auto r = std::make_shared<ReharmonizeArgs>();
    cmd->add_option("IN", r->in, "Four-part chorale (.musicxml, .xml, .mxl)")->required();
    auto* bars =
        cmd->add_option("--bars", r->bars, "Bars to redraw: 3 or 3-5 (numbers as written)")->type_name("A-B");
    auto* ticks = cmd->add_option("--ticks", r->ticks,
                                  "Instead of --bars: the ticks to redraw, [A, B) in MuseScore ticks (480 a "
                                  "quarter, from the start of the piece; multiples of 120)")
                      ->type_name("A-B");
    bars->excludes(ticks);
    ticks->excludes(bars);
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
