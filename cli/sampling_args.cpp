#include "sampling_args.hpp"

#include "progress.hpp"

#include <deepbach/error.hpp>
#include <deepbach/io.hpp>
#include <deepbach/piano_roll.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <tuple>

namespace deepbach::cli {

namespace fs = std::filesystem;

namespace {

// What a cell holds, in words.
std::string cell_text(Token token, bool as_request) {
    if (token == token::kRest) return as_request ? "a rest to start" : "a rest starting";
    if (token == token::kHold) return as_request ? "the note before to go on" : "the note before going on";
    return as_request ? token::name(token) + " to start" : token::name(token) + " starting";
}

[[noreturn]] void bad(const std::string& option, const std::string& text, const std::string& why) {
    throw Error(option + " '" + text + "': " + why);
}

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
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
    add_sound_options(cmd, a.wav, a.soundfont);
    cmd->add_flag("--all-chains", a.all_chains, "Write every chain, not only the best");
    cmd->add_flag("--json", a.json, "Print one JSON object instead of the summary lines");
}

void add_sound_options(CLI::App* cmd, std::string& wav, std::string& soundfont) {
    cmd->add_option("--wav", wav,
                    "Also write the sound (16-bit stereo WAV, 44.1 kHz, choir at 80 quarters a minute, "
                    "rendered with fluidsynth)")
        ->type_name("OUT.wav");
    cmd->add_option("--soundfont", soundfont,
                    "General MIDI soundfont for --wav; default: $DEEPBACH_SOUNDFONT, else Debian's "
                    "TimGM6mb (timgm6mb-soundfont)")
        ->type_name("SF2");
}

WavOptions wav_options(const std::string& soundfont) {
    if (!wav_supported())
        throw Error(
            "--wav: this build has no sound: rebuild with libfluidsynth (Debian: apt-get install "
            "libfluidsynth-dev)");
    WavOptions o;
    if (soundfont.empty()) {
        o.soundfont = default_soundfont();
    } else {
        if (!fs::is_regular_file(soundfont)) bad("--soundfont", soundfont, "no such file");
        o.soundfont = soundfont;
    }
    return o;
}

void add_sampler_options(CLI::App* cmd, SamplingArgs& a) {
    cmd->add_option("--model", a.model,
                    "Model file (.safetensors); default: $DEEPBACH_MODEL, else the shipped model")
        ->type_name("M");
    cmd->add_option("--seed", a.seed, "Seed (a whole number); every random choice flows from it")
        ->type_name("S")
        ->capture_default_str();
    cmd->add_option("--sweeps", a.sweeps,
                    fmt::format("Redraws of every free cell; 0: the default, {} (more is slower, "
                                "docs/benchmarks.md has the curve)",
                                defaults::kSweeps))
        ->type_name("N")
        ->capture_default_str();
    cmd->add_option("--iterations", a.iterations, "Passes of each voice instead of --sweeps (0: by sweeps)")
        ->type_name("N")
        ->capture_default_str();
    cmd->add_option("--temperature", a.temperature, "Temperature the annealing ends at (from 1.1)")
        ->type_name("T")
        ->capture_default_str();
    cmd->add_option("--voice-leading", a.voice_leading,
                    "Strength of the voice-leading guide against parallel, contrary and hidden fifths and "
                    "octaves, crossings "
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
    repeated("--fermata", a.constraints.fermatas, "BEATS",
             "Fermatas on these beats: a comma list of N or BAR.BEAT");
    repeated("--cadence", a.constraints.cadences, "BEAT:TYPE",
             "A cadence (authentic, half, plagal, deceptive) at a beat, under a fermata");
    if (rhythm)
        cmd->add_flag(
            "--no-final-cadence{false}", a.constraints.final_cadence,
            "Let the model end the piece as it likes: no authentic cadence on the melody's last note "
            "where none is given");
    cmd->add_flag(
        "--allow-rests{false}", a.constraints.full_texture,
        rhythm ? "Let the alto, tenor and bass rest under the melody's notes (by default they sound in "
                 "every chord, as in Bach's chorales)"
               : "Let any voice rest where the model likes (by default no voice starts a rest: "
                 "Bach's voices rest only together, between phrases)");
    repeated("--fix", a.constraints.fixes, "VOICE:BARS:PITCH",
             "One note (C4, F#3, Bb2) or a rest over bars (3 or 3-5)");
    if (rhythm)
        repeated(
            "--rhythm", a.constraints.rhythms, "VOICE:BARS",
            "Keep the voice's rhythm there (the input's, or the melody's for a one-part melody), pitches "
            "free");
    repeated("--key", a.constraints.keys, key_help.substr(0, key_help.find(": ")),
             key_help.substr(key_help.find(": ") + 2));
    repeated("--range", a.constraints.ranges, "VOICE:LOW-HIGH",
             "Keep a voice within LOW..HIGH (e.g. bass:E2-C4)");
    cmd->footer(
        "BEAT: N (quarter notes counted from 1 at the start of the piece, pickup included) or BAR.BEAT (bar "
        "number as written, quarter from 1 in the bar); BEATS: a comma list of them. A fermata covers the "
        "soprano note sounding at its beat (one quarter when there is no melody).\n"
        "VOICE: soprano, alto, tenor, bass or S, A, T, B.  BARS: 3 or 3-5 (numbers as written).\n"
        "PITCH: C4, F#3, Bb2 or rest.  KEY: D, Bb, F#m, 'g minor', 'Eb major' (a lower-case tonic alone is "
        "minor) or a signature in fifths (-2).  TYPE: authentic, half, plagal or deceptive.\n"
        "LOW-HIGH: two pitches (E2-C4).");
}

Constraints build_constraints(const Chorale& base, const SamplingArgs& a, bool melody,
                              const KeptCells& kept) {
    Constraints c = parse_constraints(base, a.constraints, melody);
    // A --fix that disagrees with a cell the command keeps (the melody, the
    // input outside --bars) is a contradiction the user should hear about.
    for (std::size_t i = 0; i < c.fixed.size(); ++i) {
        const FixedNote& f = c.fixed[i];
        for (int t = f.ticks.begin; t < f.ticks.end; ++t) {
            const Token want = t == f.ticks.begin ? f.token : token::kHold;
            if (!kept.kept(f.voice, t) || base.at(f.voice, t) == want) continue;
            throw Error(format_location({base.source, base.bar_at(t), voice_name(f.voice)}) + "fix '" +
                        a.constraints.fixes[i] + "' asks for " + cell_text(want, true) + " here, but " +
                        kept.why(f.voice) + " has " + cell_text(base.at(f.voice, t), false));
        }
    }
    return c;
}

SamplingOptions build_options(const SamplingArgs& a) {
    SamplingOptions o;
    o.model_path = a.model;
    o.seed = parse_seed("seed", a.seed);
    o.sweeps = static_cast<int>(parse_count("sweeps", a.sweeps, 0));
    o.iterations = static_cast<int>(parse_count("iterations", a.iterations, 0));
    o.positions = static_cast<int>(parse_count("positions", a.positions, 0));
    o.chains = static_cast<int>(parse_count("chains", a.chains, 1, defaults::kMaxChains));
    o.threads = static_cast<int>(parse_count("threads", a.threads, 0, defaults::kMaxThreads));
    o.temperature = parse_number("temperature", a.temperature);
    o.voice_leading = parse_number("voice leading", a.voice_leading);
    o.schedule = parse_schedule(a.schedule);
    o.backend = parse_backend(a.backend);
    o.device = parse_device(a.device);
    o.keep_all_chains = a.all_chains;
    validate(o);
    return o;
}

namespace {

std::string extension_of(const std::string& path) {
    return lower(fs::path(path).extension().string());
}

enum class OutputKind { score, midi, svg, wav };

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
        case OutputKind::wav:
            if (ext != ".wav") bad(option, path, "expected a .wav file");
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
    if (!a.wav.empty()) {
        check_output("--wav", a.wav, OutputKind::wav);
        wav_options(a.soundfont);
    } else if (!a.soundfont.empty()) {
        bad("--soundfont", a.soundfont, "only --wav uses a soundfont");
    }
}

int write_and_report(const std::string& command, const Harmonization& h, const SamplingArgs& a,
                     const SamplingOptions& o) {
    std::vector<std::string> files;
    auto write = [&](const Chorale& chorale, int chain) {
        const Score score = to_score(chorale);
        for (const std::string* path : {&a.out, &a.midi, &a.svg, &a.wav}) {
            if (path->empty()) continue;
            const std::string file = chain > 0 ? chain_path(*path, chain) : *path;
            if (path == &a.midi)
                write_midi(score, file);
            else if (path == &a.svg)
                write_piano_roll_svg(chorale, file, &h.fixed);
            else if (path == &a.wav)
                write_wav(score, file, wav_options(a.soundfont));
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

Constraints harmonize_constraints(const Score& melody, const SamplingArgs& args) {
    const Chorale base = melody_chorale(melody);
    const KeptCells kept{[](int voice, int) { return voice == kSoprano; },
                         [](int) { return std::string("the melody"); }};
    return build_constraints(base, args, true, kept);
}

GenerateRequest generate_request(const std::string& bars, const std::string& time, SamplingArgs args) {
    GenerateRequest out;
    PieceShape& shape = out.shape;
    shape.bars = static_cast<int>(parse_count("bars", bars, 1, 1000));
    std::tie(shape.beats, shape.beat_type) = parse_time_signature(time);
    // --key K sets the opening key; --key BAR:KEY a change.
    std::vector<std::string> changes;
    bool opening = false;
    for (const auto& k : args.constraints.keys) {
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
    args.constraints.keys = changes;
    const Chorale grid = piece_grid(shape);
    const KeptCells kept{[](int, int) { return false; }, [](int) { return std::string(); }};
    out.constraints = build_constraints(grid, args, false, kept);
    return out;
}

std::pair<long long, long long> parse_musescore_span(const std::string& text, long long length) {
    constexpr int per = kMuseScoreDivision / kTicksPerQuarter;
    const auto dash = text.find('-');
    if (dash == std::string::npos || dash == 0 || dash + 1 == text.size())
        bad("ticks", text, "expected A-B, two MuseScore ticks (480 a quarter), e.g. 1920-5760");
    long long ends[2];
    const std::string parts[2] = {text.substr(0, dash), text.substr(dash + 1)};
    for (int i = 0; i < 2; ++i) {
        const std::string& p = parts[i];
        if (p.empty() || p.size() > 12 ||
            !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }))
            bad("ticks", text, "'" + p + "' is not a whole number of MuseScore ticks (480 a quarter)");
        ends[i] = std::stoll(p);
        if (ends[i] % per != 0)
            bad("ticks", text,
                p + " is not on the sixteenth grid (MuseScore ticks are 480 a quarter: a multiple of 120)");
    }
    if (ends[0] >= ends[1]) bad("ticks", text, "the range is empty (A must be before B)");
    if (ends[1] > length) bad("ticks", text, "the piece ends at tick " + std::to_string(length));
    return {ends[0], ends[1]};
}

TickRange parse_musescore_ticks(const Chorale& base, const std::string& text) {
    constexpr int per = kMuseScoreDivision / kTicksPerQuarter;
    const auto [a, b] = parse_musescore_span(text, static_cast<long long>(base.num_ticks) * per);
    return TickRange{static_cast<int>(a / per), static_cast<int>(b / per)};
}

ReharmonizeRequest reharmonize_request(const Score& score, const std::string& bars, const std::string& voices,
                                       const SamplingArgs& args) {
    return reharmonize_request(score, bars, "", voices, args);
}

ReharmonizeRequest reharmonize_request(const Score& score, const std::string& bars, const std::string& ticks,
                                       const std::string& voices, const SamplingArgs& args) {
    if (bars.empty() == ticks.empty())
        throw Error(bars.empty() ? "reharmonize: which bars? give --bars A-B or --ticks A-B"
                                 : "reharmonize: --bars and --ticks both give the region; give one");
    const Chorale input = to_chorale(score);
    ReharmonizeRequest out;
    std::string where;
    if (!bars.empty()) {
        out.region = parse_region(input, bars + ":" + voices);
        where = "--bars " + bars;
    } else {
        out.region.ticks = parse_musescore_ticks(input, ticks);
        out.region.voices = parse_voices(voices);
        where = "--ticks " + ticks;
    }
    // What sounds after the region stays as it was (a redrawn voice's note
    // held over its end is struck again there): deepbach::reharmonize() sees to it.
    const Region region = out.region;
    const std::string why = "the input (outside " + where + " --voices " + voices + ")";
    const KeptCells kept{
        [region](int voice, int tick) {
            return !(region.voices[static_cast<size_t>(voice)] && region.ticks.contains(tick));
        },
        [why](int) { return why; }};
    out.constraints = build_constraints(input, args, !region.voices[kSoprano], kept);
    return out;
}

}  // namespace deepbach::cli
