#include "sampling_args.hpp"

#include "progress.hpp"

#include "util/text.hpp"

#include <deepbach/error.hpp>
#include <deepbach/io.hpp>
#include <deepbach/piano_roll.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>

namespace deepbach::cli {

namespace fs = std::filesystem;

namespace {

using text::lower;
using text::shown;
using text::split;
using text::trim;
using text::whole_number;

[[noreturn]] void bad(const std::string& option, const std::string& text, const std::string& why) {
    throw Error(option + " " + shown(text) + ": " + why);
}

// Runs fn; an Error it throws is said again with the option and its text in front.
template <class Fn>
auto for_option(const std::string& option, const std::string& text, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const Cancelled&) {
        throw;
    } catch (const Error& e) {
        bad(option, text, e.what());
    }
}

int voice_of(const std::string& option, const std::string& text, const std::string& voice) {
    return for_option(option, text, [&] { return parse_voice(voice); });
}

// A pitch as a MIDI number: a name ("C4", "Bb2") or the number itself.
int midi_of(const std::string& text) {
    long long n = 0;
    if (whole_number(text, n)) {
        if (n < 0 || n > 127) throw Error("MIDI number " + text + " is outside 0..127");
        return static_cast<int>(n);
    }
    return Pitch::parse(text).midi();
}

// What a cell holds, in words.
std::string cell_text(Token token, bool as_request) {
    if (token == token::kRest) return as_request ? "a rest to start" : "a rest starting";
    if (token == token::kHold) return as_request ? "the note before to go on" : "the note before going on";
    return as_request ? token::name(token) + " to start" : token::name(token) + " starting";
}

// Splits "A:B" at the first (or last) colon; both sides must be there.
std::pair<std::string, std::string> colon_pair(const std::string& option, const std::string& text,
                                               const std::string& form, bool last = false) {
    const auto at = last ? text.rfind(':') : text.find(':');
    if (at == std::string::npos || at == 0 || at + 1 == text.size()) bad(option, text, "expected " + form);
    return {trim(text.substr(0, at)), trim(text.substr(at + 1))};
}

}  // namespace

void add_output_options(CLI::App* cmd, SamplingArgs& a) {
    cmd->add_option("-o,--out", a.out,
                    "Output file: .musicxml, .xml, .mxl or .mid (by extension); with --all-chains, one "
                    "file per chain named OUT-chainN.EXT")
        ->required()
        ->type_name("OUT");
    cmd->add_option("--midi", a.midi, "Also write a MIDI file")->type_name("OUT.mid");
    cmd->add_option("--svg", a.svg,
                    "Also write a piano roll of the four voices (SVG) marking the fixed notes and the "
                    "generated ones")
        ->type_name("OUT.svg");
    cmd->add_flag("--all-chains", a.all_chains, "Write every chain, not only the best");
    cmd->add_flag("--json", a.json, "Print one JSON object instead of the summary lines");
}

void add_sampler_options(CLI::App* cmd, SamplingArgs& a) {
    cmd->add_option("--model", a.model,
                    "Model file (.safetensors); default: $DEEPBACH_MODEL, else the shipped model")
        ->type_name("M");
    cmd->add_option("--seed", a.seed, "Seed (a whole number); default: a random seed, printed")
        ->type_name("S");
    cmd->add_option("--iterations", a.iterations,
                    "Iterations; 0: automatic (DeepBach's 500 for 64 ticks at 8 positions, scaled)")
        ->type_name("N")
        ->capture_default_str();
    cmd->add_option("--temperature", a.temperature, "Temperature the annealing ends at (from 1.1)")
        ->type_name("T")
        ->capture_default_str();
    cmd->add_option("--voice-leading", a.voice_leading,
                    "Strength of the voice-leading guide against parallel fifths and octaves, crossings "
                    "and wide spacing (0: the model alone, as DeepBach)")
        ->type_name("S")
        ->capture_default_str();
    cmd->add_option("--chains", a.chains, "Chains sampled together; the best is kept")
        ->type_name("N")
        ->capture_default_str();
    cmd->add_option("--positions", a.positions,
                    "Cells redrawn per voice and iteration; 0: 8 in window mode, 32 in full mode")
        ->type_name("N")
        ->capture_default_str();
    cmd->add_option("--schedule", a.schedule,
                    "auto (blocked for a model with a mask input, else sweep), blocked (annealed blocks from "
                    "a masked start), sweep (every free cell once before any twice) or uniform (DeepBach's)")
        ->type_name("auto|blocked|sweep|uniform")
        ->capture_default_str();
    cmd->add_option("--backend", a.backend, "eigen (CPU) or torch (LibTorch builds)")
        ->type_name("eigen|torch")
        ->capture_default_str();
    cmd->add_option("--device", a.device, "torch backend: cpu, cuda or auto")
        ->type_name("cpu|cuda|auto")
        ->capture_default_str();
    cmd->add_option("--threads", a.threads, "Threads (0: all cores); the result does not depend on it")
        ->type_name("N")
        ->capture_default_str();
}

void add_constraint_options(CLI::App* cmd, SamplingArgs& a, bool rhythm, const std::string& key_help) {
    // Each may be repeated; each occurrence takes one value.
    auto repeated = [cmd](const std::string& name, std::vector<std::string>& into, const std::string& form,
                          const std::string& help) {
        cmd->add_option(name, into, help)->type_name(form)->allow_extra_args(false);
    };
    repeated("--fermata", a.fermatas, "BEATS", "Fermatas on these beats: a comma list of N or BAR.BEAT");
    repeated("--cadence", a.cadences, "BEAT:TYPE",
             "A cadence (authentic, half, plagal, deceptive) at a beat, under a fermata");
    repeated("--fix", a.fixes, "VOICE:BARS:PITCH", "One note (C4, F#3, Bb2) or a rest over bars (3 or 3-5)");
    if (rhythm)
        repeated(
            "--rhythm", a.rhythms, "VOICE:BARS",
            "Keep the voice's rhythm there (the input's, or the melody's for a one-part melody), pitches "
            "free");
    repeated("--key", a.keys, key_help.substr(0, key_help.find(": ")),
             key_help.substr(key_help.find(": ") + 2));
    repeated("--range", a.ranges, "VOICE:LOW-HIGH", "Keep a voice within LOW..HIGH (e.g. bass:E2-C4)");
    cmd->footer(
        "BEAT: N (quarter notes counted from 1 at the start of the piece, pickup included) or BAR.BEAT (bar "
        "number as written, quarter from 1 in the bar); BEATS: a comma list of them. A fermata covers the "
        "soprano note sounding at its beat (one quarter when there is no melody).\n"
        "VOICE: soprano, alto, tenor, bass or S, A, T, B.  BARS: 3 or 3-5 (numbers as written).\n"
        "PITCH: C4, F#3, Bb2 or rest.  KEY: D, Bb, F#m, 'g minor', 'Eb major' (a lower-case tonic alone is "
        "minor) or a signature in fifths (-2).  TYPE: authentic, half, plagal or deceptive.\n"
        "LOW-HIGH: two pitches (E2-C4).");
}

int parse_count(const std::string& option, const std::string& text, int min) {
    long long n = 0;
    if (!whole_number(trim(text), n) || n < min || n > 1'000'000'000)
        bad(option, text, "expected a whole number of at least " + std::to_string(min));
    return static_cast<int>(n);
}

double parse_real(const std::string& option, const std::string& text, bool positive,
                  const std::string& example) {
    const std::string t = trim(text);
    char* end = nullptr;
    const double x = std::strtod(t.c_str(), &end);
    if (t.empty() || *end != '\0' || !std::isfinite(x) || (positive ? x <= 0 : x < 0))
        bad(option, text,
            std::string(positive ? "expected a positive number" : "expected a number >= 0") + ", e.g. " +
                example);
    return x;
}

TickRange parse_bars(const Chorale& grid, const std::string& text) {
    const std::string t = trim(text);
    const auto dash = t.find('-', 1);
    const std::string first = trim(t.substr(0, dash));
    const std::string last = dash == std::string::npos ? first : trim(t.substr(dash + 1));
    if (first.empty() || last.empty()) throw Error("expected bars as 3 or 3-5, not '" + shown(text) + "'");
    return bar_ticks(grid, first, last);
}

std::array<bool, kNumVoices> parse_voices(const std::string& text) {
    std::array<bool, kNumVoices> voices{false, false, false, false};
    const std::string t = trim(text);
    std::vector<std::string> names;
    if (t.find(',') != std::string::npos) {
        names = split(t, ',');
    } else {
        bool whole_name = false;
        for (int v = 0; v < kNumVoices; ++v) whole_name = whole_name || lower(t) == lower(voice_name(v));
        if (whole_name)
            names = {t};
        else
            for (char c : t) names.emplace_back(1, c);
    }
    if (names.empty()) throw Error("no voice named (expected letters of SATB, e.g. ATB)");
    for (const auto& n : names) voices[static_cast<size_t>(parse_voice(n))] = true;
    return voices;
}

Constraints build_constraints(const Chorale& base, const SamplingArgs& a, bool melody,
                              const KeptCells& kept) {
    Constraints c;
    for (const auto& text : a.fermatas)
        for_option("--fermata", text, [&] {
            for (const auto& beat : split(text, ','))
                c.fermatas.push_back(fermata_span(base, beat_tick(base, beat), melody));
        });
    for (const auto& text : a.cadences) {
        const auto beat_type =
            colon_pair("--cadence", text, "BEAT:TYPE, e.g. 16:authentic or 4.4:half", true);
        for_option("--cadence", text, [&] {
            c.cadences.push_back({beat_tick(base, beat_type.first), parse_cadence_type(beat_type.second)});
        });
    }
    for (const auto& text : a.fixes) {
        const auto parts = split(text, ':');
        if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty())
            bad("--fix", text, "expected VOICE:BARS:PITCH, e.g. bass:4:G2 or alto:2-3:rest");
        FixedNote f;
        f.voice = voice_of("--fix", text, parts[0]);
        f.ticks = for_option("--fix", text, [&] { return parse_bars(base, parts[1]); });
        f.token = for_option("--fix", text, [&] {
            if (lower(parts[2]) == "rest") return token::kRest;
            return token::from_pitch(Pitch::parse(parts[2]));
        });
        for (int t = f.ticks.begin; t < f.ticks.end; ++t) {
            const Token want = t == f.ticks.begin ? f.token : token::kHold;
            if (!kept.kept(f.voice, t) || base.at(f.voice, t) == want) continue;
            throw Error(format_location({base.source, base.bar_at(t), voice_name(f.voice)}) + "--fix " +
                        shown(text) + " asks for " + cell_text(want, true) + " here, but " +
                        kept.why(f.voice) + " has " + cell_text(base.at(f.voice, t), false));
        }
        c.fixed.push_back(f);
    }
    for (const auto& text : a.rhythms) {
        const auto voice_bars = colon_pair("--rhythm", text, "VOICE:BARS, e.g. tenor:2-3");
        RhythmConstraint r;
        r.voice = voice_of("--rhythm", text, voice_bars.first);
        r.ticks = for_option("--rhythm", text, [&] { return parse_bars(base, voice_bars.second); });
        c.rhythm.push_back(r);
    }
    for (const auto& text : a.keys) {
        const auto bar_key = colon_pair("--key", text, "BAR:KEY, e.g. 5:D or 9:g minor");
        for_option("--key", text, [&] {
            const KeyName k = parse_key(bar_key.second);
            c.keys.push_back({bar_ticks(base, bar_key.first, bar_key.first).begin, k.fifths, k.mode});
        });
    }
    for (const auto& text : a.ranges) {
        const auto voice_span = colon_pair("--range", text, "VOICE:LOW-HIGH, e.g. bass:E2-C4");
        const int v = voice_of("--range", text, voice_span.first);
        const std::string& span = voice_span.second;
        const auto dots = span.find("..");
        const auto dash = span.find('-', 1);
        const std::size_t cut = dots != std::string::npos ? dots : dash;
        if (cut == std::string::npos) bad("--range", text, "expected VOICE:LOW-HIGH, e.g. bass:E2-C4");
        const std::string low = trim(span.substr(0, cut)),
                          high = trim(span.substr(cut + (dots != std::string::npos ? 2 : 1)));
        const VoiceRange range = for_option("--range", text, [&] {
            return VoiceRange{midi_of(low), midi_of(high)};
        });
        if (range.empty()) bad("--range", text, "the lowest pitch is above the highest");
        c.ranges[static_cast<size_t>(v)] = range;
    }
    return c;
}

SamplingOptions build_options(const SamplingArgs& a) {
    SamplingOptions o;
    o.model_path = a.model;
    if (a.seed.empty()) {
        o.seed = std::random_device{}();
    } else {
        const std::string t = trim(a.seed);
        const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), o.seed);
        if (ec != std::errc() || ptr != t.data() + t.size() || t.empty())
            bad("--seed", a.seed, "expected a whole number from 0 to 18446744073709551615");
    }
    o.iterations = parse_count("--iterations", a.iterations, 0);
    o.positions = parse_count("--positions", a.positions, 0);
    o.chains = parse_count("--chains", a.chains, 1);
    if (o.chains > 4096) bad("--chains", a.chains, "at most 4096 chains");
    o.threads = parse_count("--threads", a.threads, 0);
    if (o.threads > 1024) bad("--threads", a.threads, "at most 1024 threads");
    o.temperature = parse_real("--temperature", a.temperature, true, "1 or 0.5");
    o.voice_leading = parse_real("--voice-leading", a.voice_leading, false, "1 or 0");
    o.schedule = lower(trim(a.schedule));
    if (o.schedule != "auto" && o.schedule != "blocked" && o.schedule != "sweep" && o.schedule != "uniform")
        bad("--schedule", a.schedule, "expected auto, blocked, sweep or uniform");
    o.backend = lower(trim(a.backend));
    if (o.backend != "eigen" && o.backend != "torch") bad("--backend", a.backend, "expected eigen or torch");
    o.device = lower(trim(a.device));
    if (o.device != "cpu" && o.device != "cuda" && o.device != "auto")
        bad("--device", a.device, "expected cpu, cuda or auto");
    if (o.backend == "eigen" && o.device == "cuda")
        bad("--device", a.device, "the eigen backend runs on the CPU; use --backend torch for CUDA");
    o.keep_all_chains = a.all_chains;
    return o;
}

namespace {

std::string extension_of(const std::string& path) {
    return lower(fs::path(path).extension().string());
}

enum class OutputKind { score, midi, svg };

void check_output(const std::string& option, const std::string& path, OutputKind kind) {
    const std::string ext = extension_of(path);
    const bool midi = ext == ".mid" || ext == ".midi";
    const bool xml = ext == ".musicxml" || ext == ".xml" || ext == ".mxl";
    switch (kind) {
        case OutputKind::score:
            if (!midi && !xml) bad(option, path, "expected a .musicxml, .xml, .mxl or .mid file");
            break;
        case OutputKind::midi:
            if (!midi) bad(option, path, "expected a .mid file");
            break;
        case OutputKind::svg:
            if (ext != ".svg") bad(option, path, "expected a .svg file");
            break;
    }
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty() && !fs::is_directory(parent))
        bad(option, path, "the folder " + parent.string() + " does not exist");
}

// OUT with "-chainN" before the extension.
std::string chain_path(const std::string& path, int chain) {
    const fs::path p(path);
    return (p.parent_path() / (p.stem().string() + "-chain" + std::to_string(chain) + p.extension().string()))
        .string();
}

}  // namespace

void check_outputs(const SamplingArgs& a) {
    check_output("-o", a.out, OutputKind::score);
    if (!a.midi.empty()) check_output("--midi", a.midi, OutputKind::midi);
    if (!a.svg.empty()) check_output("--svg", a.svg, OutputKind::svg);
}

int write_and_report(const std::string& command, const Harmonization& h, const SamplingArgs& a,
                     const SamplingOptions& o) {
    std::vector<std::string> files;
    auto write = [&](const Chorale& chorale, int chain) {
        const Score score = to_score(chorale);
        for (const std::string* path : {&a.out, &a.midi, &a.svg}) {
            if (path->empty()) continue;
            const std::string file = chain > 0 ? chain_path(*path, chain) : *path;
            if (path == &a.midi)
                write_midi(score, file);
            else if (path == &a.svg)
                write_piano_roll_svg(chorale, file, &h.fixed);
            else
                write_score(score, file);
            files.push_back(file);
        }
    };
    if (a.all_chains && !h.chains.empty())
        for (std::size_t c = 0; c < h.chains.size(); ++c) write(h.chains[c], static_cast<int>(c) + 1);
    else
        write(h.chorale, 0);

    if (a.json) {
        nlohmann::json out{{"command", command},
                           {"files", files},
                           {"seed", o.seed},
                           {"iterations", h.iterations},
                           {"positions", h.positions},
                           {"chains", h.chain_scores.size()},
                           {"pseudo_log_likelihood", h.chain_scores},
                           {"best_chain", h.chain + 1},
                           {"seconds", h.seconds},
                           {"backend", h.backend},
                           {"bars", h.chorale.measure_ticks.size()},
                           {"ticks", h.chorale.num_ticks}};
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    for (const auto& f : files)
        fmt::print("wrote {} ({} bars, {} ticks)\n", f, h.chorale.measure_ticks.size(), h.chorale.num_ticks);
    fmt::print("seed {}, {} iterations x {} positions per voice, {} chain{}, {} backend, {:.2f} s\n", o.seed,
               h.iterations, h.positions, h.chain_scores.size(), h.chain_scores.size() == 1 ? "" : "s",
               h.backend, h.seconds);
    if (h.chain_scores.size() == 1) {
        fmt::print("pseudo-log-likelihood {:.4f}\n", h.pseudo_log_likelihood);
    } else {
        for (std::size_t c = 0; c < h.chain_scores.size(); ++c)
            fmt::print("chain {}: pseudo-log-likelihood {:.4f}{}\n", c + 1, h.chain_scores[c],
                       static_cast<int>(c) == h.chain ? " (best)" : "");
    }
    return 0;
}

int sample_and_report(const std::string& command, const SamplingArgs& args, SamplingOptions options,
                      const std::function<Harmonization(const SamplingOptions&)>& sample) {
    TerminalProgress line(command);
    options.progress = line.callback();
    const Harmonization result = sample(options);
    line.finish();
    return write_and_report(command, result, args, options);
}

}  // namespace deepbach::cli
