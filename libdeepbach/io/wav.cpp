// Rendering a Score as sound: libfluidsynth plays the notes the MIDI writer
// writes (the same tie merging, channels and program) and we write the
// samples as a 16-bit stereo PCM WAV ourselves.
//
// The synthesizer is driven directly, not through fluidsynth's file
// renderer: every note-on and note-off is applied at its exact sample
// frame, so the file's length is known in advance (wav_frames()). Reverb
// and chorus are off and the samples are converted from float without
// dither, so the same score, soundfont and options give the same bytes.
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include "io/sounding_notes.hpp"
#include "util/atomic_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#ifdef DEEPBACH_HAVE_FLUIDSYNTH
#include <dlfcn.h>
#include <fluidsynth.h>

#include <mutex>
#endif

namespace deepbach {

namespace {

namespace fs = std::filesystem;

std::string wav_error(const std::string& what) {
    return "cannot write WAV: " + what;
}

void check_options(const WavOptions& o, const std::string& where) {
    if (!(o.tempo_bpm > 0.0) || !std::isfinite(o.tempo_bpm) || o.tempo_bpm > 10000.0)
        throw Error(where + wav_error("tempo_bpm must be above 0 and at most 10000, not " +
                                      std::to_string(o.tempo_bpm)));
    if (o.sample_rate < 8000 || o.sample_rate > 192000)
        throw Error(where +
                    wav_error("sample_rate must be 8000..192000, not " + std::to_string(o.sample_rate)));
    if (o.velocity < 1 || o.velocity > 127)
        throw Error(where + wav_error("velocity must be 1..127, not " + std::to_string(o.velocity)));
    if (!(o.tail_seconds >= 0.0) || o.tail_seconds > 60.0)
        throw Error(where + wav_error("tail_seconds must be 0..60, not " + std::to_string(o.tail_seconds)));
    if (!(o.gain >= 0.0) || o.gain > 10.0)
        throw Error(where + wav_error("gain must be 0..10, not " + std::to_string(o.gain)));
}

/// Score time (quarters) to sample frames.
std::int64_t frame_at(const Rational& t, const WavOptions& o) {
    return std::llround(t.to_double() * 60.0 / o.tempo_bpm * o.sample_rate);
}

Rational score_end(const Score& score) {
    Rational end = score.length();
    for (const Part& p : score.parts)
        for (const Note& n : p.notes) end = std::max(end, n.end());
    return end;
}

void put_u16(std::string& out, unsigned v) {
    out += static_cast<char>(v & 0xFF);
    out += static_cast<char>((v >> 8) & 0xFF);
}

void put_u32(std::string& out, std::uint32_t v) {
    for (int shift = 0; shift < 32; shift += 8) out += static_cast<char>((v >> shift) & 0xFF);
}

/// The 44-byte header of a PCM WAV of `frames` 16-bit stereo frames.
std::string wav_header(std::int64_t frames, int sample_rate) {
    const std::uint32_t data = static_cast<std::uint32_t>(frames * 4);
    std::string h = "RIFF";
    put_u32(h, 36 + data);
    h += "WAVEfmt ";
    put_u32(h, 16);
    put_u16(h, 1);  // PCM
    put_u16(h, 2);  // channels
    put_u32(h, static_cast<std::uint32_t>(sample_rate));
    put_u32(h, static_cast<std::uint32_t>(sample_rate) * 4);  // bytes per second
    put_u16(h, 4);                                            // bytes per frame
    put_u16(h, 16);                                           // bits per sample
    h += "data";
    put_u32(h, data);
    return h;
}

}  // namespace

#ifdef DEEPBACH_HAVE_FLUIDSYNTH

namespace {

// libfluidsynth is loaded when a WAV is first asked for (dlopen), not
// linked: linking it loads some 60 libraries (SDL, PulseAudio, X11, GLib,
// codecs) into every start of every program that uses libdeepbach, about
// 12 ms each on this project's machine, for a feature few runs use. Its
// header still gives the functions' types.
// clang-format off (one function a line; clang-format reflows it differently each time)
#define DEEPBACH_FLUID_FUNCTIONS(X) \
    X(new_fluid_settings)           \
    X(delete_fluid_settings)        \
    X(fluid_settings_setnum)        \
    X(fluid_settings_setint)        \
    X(new_fluid_synth)              \
    X(delete_fluid_synth)           \
    X(fluid_synth_sfload)           \
    X(fluid_synth_program_change)   \
    X(fluid_synth_write_float)      \
    X(fluid_synth_noteon)           \
    X(fluid_synth_noteoff)          \
    X(fluid_set_log_function)
// clang-format on

struct Fluid {
#define DEEPBACH_FLUID_POINTER(name) decltype(&::name) name = nullptr;
    DEEPBACH_FLUID_FUNCTIONS(DEEPBACH_FLUID_POINTER)
#undef DEEPBACH_FLUID_POINTER
    std::string error;  // why it could not be loaded; empty when it was
};

Fluid load_fluid() {
    Fluid f;
    void* lib = nullptr;
    for (const char* name : {"libfluidsynth.so.3", "libfluidsynth.so.2", "libfluidsynth.so"}) {
        lib = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
        if (lib != nullptr) break;
    }
    if (lib == nullptr) {
        f.error = "libfluidsynth is not installed (Debian: apt-get install libfluidsynth3)";
        return f;
    }
#define DEEPBACH_FLUID_LOAD(name)                                                         \
    f.name = reinterpret_cast<decltype(f.name)>(::dlsym(lib, #name));                     \
    if (f.name == nullptr) {                                                              \
        f.error = "the libfluidsynth installed has no " #name " (fluidsynth 2 or later)"; \
        return f;                                                                         \
    }
    DEEPBACH_FLUID_FUNCTIONS(DEEPBACH_FLUID_LOAD)
#undef DEEPBACH_FLUID_LOAD
    return f;  // never closed: it serves every later WAV
}

const Fluid& fluid() {
    static const Fluid f = load_fluid();
    return f;
}

}  // namespace

#endif

bool wav_supported() {
#ifdef DEEPBACH_HAVE_FLUIDSYNTH
    return fluid().error.empty();
#else
    return false;
#endif
}

fs::path default_soundfont() {
    if (const char* env = std::getenv("DEEPBACH_SOUNDFONT"); env != nullptr && *env != '\0') {
        std::error_code ec;
        if (!fs::is_regular_file(env, ec))
            throw Error(std::string(env) + ": no such soundfont (from $DEEPBACH_SOUNDFONT)");
        return env;
    }
    static const char* const candidates[] = {
        "/usr/share/sounds/sf2/TimGM6mb.sf2", "/usr/share/sounds/sf2/default-GM.sf2",
        "/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/soundfonts/default.sf2"};
    for (const char* c : candidates) {
        std::error_code ec;
        if (fs::is_regular_file(c, ec)) return c;
    }
    throw Error(
        "no soundfont found: install one (Debian: apt-get install timgm6mb-soundfont), or name a .sf2 "
        "file with --soundfont or $DEEPBACH_SOUNDFONT");
}

std::int64_t wav_frames(const Score& score, const WavOptions& options) {
    check_options(options, format_location({score.source, "", ""}));
    return frame_at(score_end(score), options) + std::llround(options.tail_seconds * options.sample_rate);
}

#ifdef DEEPBACH_HAVE_FLUIDSYNTH

namespace {

struct SettingsDeleter {
    void operator()(fluid_settings_t* s) const { fluid().delete_fluid_settings(s); }
};
struct SynthDeleter {
    void operator()(fluid_synth_t* s) const { fluid().delete_fluid_synth(s); }
};

/// fluidsynth logs to stderr by default; our errors say what went wrong.
void silence_fluidsynth() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (int level = FLUID_PANIC; level <= FLUID_DBG; ++level)
            fluid().fluid_set_log_function(level, nullptr, nullptr);
    });
}

struct SynthEvent {
    std::int64_t frame = 0;
    int order = 0;  // note-offs (0) before note-ons (1) at one frame
    int channel = 0;
    int key = 0;
};

}  // namespace

std::string to_wav(const Score& score, const WavOptions& options) {
    const std::string where = format_location({score.source, "", ""});
    const std::int64_t total = wav_frames(score, options);  // checks the options
    const Fluid& f = fluid();
    if (!f.error.empty()) throw Error(where + wav_error(f.error));
    if (total * 4 > 0xFFFFFFF0LL) throw Error(where + wav_error("the piece is too long for a WAV file"));
    const fs::path soundfont = options.soundfont.empty() ? default_soundfont() : options.soundfont;
    {
        std::error_code ec;
        if (!fs::is_regular_file(soundfont, ec)) throw Error(soundfont.string() + ": no such soundfont");
    }

    silence_fluidsynth();
    std::unique_ptr<fluid_settings_t, SettingsDeleter> settings(f.new_fluid_settings());
    if (!settings) throw Error(where + wav_error("fluidsynth could not start"));
    f.fluid_settings_setnum(settings.get(), "synth.sample-rate", options.sample_rate);
    f.fluid_settings_setnum(settings.get(), "synth.gain", options.gain);
    f.fluid_settings_setint(settings.get(), "synth.reverb.active", 0);
    f.fluid_settings_setint(settings.get(), "synth.chorus.active", 0);
    f.fluid_settings_setint(settings.get(), "synth.cpu-cores", 1);
    std::unique_ptr<fluid_synth_t, SynthDeleter> synth(f.new_fluid_synth(settings.get()));
    if (!synth) throw Error(where + wav_error("fluidsynth could not start"));
    if (f.fluid_synth_sfload(synth.get(), soundfont.string().c_str(), 1) == FLUID_FAILED)
        throw Error(soundfont.string() + ": not a soundfont fluidsynth can read (.sf2)");

    std::vector<SynthEvent> events;
    for (std::size_t pi = 0; pi < score.parts.size(); ++pi) {
        const int channel = detail::midi_channel(pi);
        f.fluid_synth_program_change(synth.get(), channel, detail::kChoirAahs);
        for (const detail::Sounding& s : detail::merge_ties(score, score.parts[pi])) {
            const std::int64_t on = frame_at(s.onset, options), off = frame_at(s.end, options);
            if (off <= on) continue;
            events.push_back({on, 1, channel, s.key});
            events.push_back({off, 0, channel, s.key});
        }
    }
    std::stable_sort(events.begin(), events.end(), [](const SynthEvent& a, const SynthEvent& b) {
        return a.frame != b.frame ? a.frame < b.frame : a.order < b.order;
    });

    std::string out = wav_header(total, options.sample_rate);
    out.reserve(out.size() + static_cast<std::size_t>(total) * 4);
    constexpr int kBlock = 4096;
    std::vector<float> buffer(2 * kBlock);
    auto render = [&](std::int64_t frames) {
        while (frames > 0) {
            const int n = static_cast<int>(std::min<std::int64_t>(frames, kBlock));
            if (f.fluid_synth_write_float(synth.get(), n, buffer.data(), 0, 2, buffer.data(), 1, 2) !=
                FLUID_OK)
                throw Error(where + wav_error("fluidsynth failed to render"));
            for (int i = 0; i < 2 * n; ++i) {
                const long v =
                    std::lround(std::clamp(buffer[static_cast<std::size_t>(i)], -1.0f, 1.0f) * 32767.0f);
                put_u16(out, static_cast<unsigned>(static_cast<std::uint16_t>(static_cast<std::int16_t>(v))));
            }
            frames -= n;
        }
    };
    std::int64_t position = 0;
    for (const SynthEvent& e : events) {
        if (e.frame > position) {
            render(e.frame - position);
            position = e.frame;
        }
        if (e.order == 1)
            f.fluid_synth_noteon(synth.get(), e.channel, e.key, options.velocity);
        else
            f.fluid_synth_noteoff(synth.get(), e.channel, e.key);
    }
    render(total - position);
    return out;
}

#else

std::string to_wav(const Score& score, const WavOptions& options) {
    check_options(options, format_location({score.source, "", ""}));
    throw Error(wav_error(
        "this build of libdeepbach has no sound: rebuild it with libfluidsynth (Debian: apt-get install "
        "libfluidsynth-dev)"));
}

#endif

void write_wav(const Score& score, const fs::path& path, const WavOptions& options) {
    try {
        detail::write_file_atomically(path, to_wav(score, options));
    } catch (const Error& e) {
        const std::string text = e.what();
        if (text.rfind(path.string(), 0) == 0) throw;
        throw Error(path.string() + ": " + text);
    }
}

}  // namespace deepbach
