// libdeepbach: reading and writing scores (MusicXML, compressed MusicXML, MIDI, WAV).
#pragma once

#include <deepbach/score.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace deepbach {

/// Limits for reading untrusted files. Exceeding one is an Error.
struct ReadOptions {
    std::size_t max_file_bytes = 64u << 20;           ///< size of the file on disk
    std::size_t max_uncompressed_bytes = 128u << 20;  ///< any one entry of a .mxl, decompressed
    std::size_t max_compression_ratio = 200;          ///< .mxl entry: decompressed / compressed
    std::size_t max_notes = 2'000'000;                ///< notes and rests in a score
};

/// Reads .musicxml, .xml or .mxl (compressed MusicXML, following
/// META-INF/container.xml). The format is chosen by content (a zip starts
/// with "PK"), so a misnamed file still reads. Grace notes are skipped. Any
/// problem is an Error naming the file and, where it can, bar and part.
Score read_score(const std::filesystem::path& path, const ReadOptions& options = {});

/// Parses partwise MusicXML held in memory. `source` names it in messages.
Score parse_musicxml(std::string_view xml, const std::string& source = "<memory>",
                     const ReadOptions& options = {});

/// Options for writing MusicXML.
struct MusicXmlOptions {
    std::string software = "libdeepbach";  ///< written in <encoding><software>
    /// YYYY-MM-DD written in <encoding-date>; empty (the default): none, so
    /// that the same score gives the same bytes whatever the day.
    std::string encoding_date;
};

/// MusicXML 4.0 partwise text for the score: measures, key, time, clefs
/// (G, G, G-8vb, F for four voices; chosen by range otherwise), notes split
/// and tied at barlines, note types and dots, fermatas.
std::string to_musicxml(const Score& score, const MusicXmlOptions& options = {});

/// Writes `.musicxml`/`.xml` (plain) or `.mxl` (compressed) by extension,
/// atomically (temporary file in the same folder, then rename).
void write_musicxml(const Score& score, const std::filesystem::path& path,
                    const MusicXmlOptions& options = {});

struct MidiOptions {
    double tempo_bpm = 80.0;     ///< quarter notes per minute
    bool fermata_holds = false;  ///< lengthen fermata notes (by fermata_factor)
    double fermata_factor = 2.0;
    int velocity = 80;
    int ticks_per_quarter = 480;
};

/// Writes a Standard MIDI File, type 1: a tempo track, then one track and
/// channel per part, named after the part. Atomic.
void write_midi(const Score& score, const std::filesystem::path& path, const MidiOptions& options = {});
/// The same bytes in memory.
std::string to_midi(const Score& score, const MidiOptions& options = {});

/// Options for rendering a score as sound (write_wav).
struct WavOptions {
    /// The General MIDI soundfont (.sf2). Empty: default_soundfont().
    std::filesystem::path soundfont;
    double tempo_bpm = 80.0;    ///< quarter notes per minute (MidiOptions' default)
    int sample_rate = 44100;    ///< Hz, 8000..192000
    int velocity = 80;          ///< 1..127
    double tail_seconds = 1.0;  ///< silence after the last beat for the voices to fade, 0..60
    double gain = 0.4;          ///< fluidsynth's master gain, 0..10
};

/// Whether this build renders sound (it was built with libfluidsynth).
bool wav_supported();

/// The soundfont write_wav() uses when none is named: $DEEPBACH_SOUNDFONT
/// when set, else the first that exists of Debian's TimGM6mb
/// (/usr/share/sounds/sf2/TimGM6mb.sf2, package timgm6mb-soundfont),
/// default-GM.sf2, FluidR3_GM.sf2 and /usr/share/soundfonts/default.sf2.
/// Throws Error saying what to install or set when there is none.
std::filesystem::path default_soundfont();

/// The number of sample frames write_wav() writes for `score`: its length
/// (the furthest any note or measure reaches) at options.tempo_bpm, plus
/// options.tail_seconds, each rounded to the nearest frame.
std::int64_t wav_frames(const Score& score, const WavOptions& options = {});

/// Renders the score with libfluidsynth as a 16-bit stereo PCM WAV: every
/// part on its MIDI channel (as write_midi()) with Choir Aahs, ties
/// merged, reverb and chorus off, so that the same score, soundfont and
/// options give the same bytes. Written atomically. Throws Error naming the
/// path when this build has no fluidsynth (wav_supported()), when the
/// soundfont is missing or unreadable, or for bad options.
void write_wav(const Score& score, const std::filesystem::path& path, const WavOptions& options = {});
/// The same bytes in memory.
std::string to_wav(const Score& score, const WavOptions& options = {});

/// Writes by extension: .musicxml, .xml, .mxl, .mid/.midi or .wav (with
/// the default WavOptions). Throws Error for any other extension.
void write_score(const Score& score, const std::filesystem::path& path);

/// The MusicXML files (.musicxml, .xml, .mxl, any case) among `inputs`: a
/// file stands for itself, a folder for its MusicXML files in name order.
/// Throws Error naming an input that does not exist.
std::vector<std::filesystem::path> score_files(const std::vector<std::filesystem::path>& inputs);

}  // namespace deepbach
