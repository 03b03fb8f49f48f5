// libdeepbach: reading and writing scores (MusicXML, compressed MusicXML, MIDI).
#pragma once

#include <deepbach/score.hpp>

#include <cstddef>
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

/// Writes by extension: .musicxml, .xml, .mxl or .mid/.midi. Throws Error
/// for any other extension.
void write_score(const Score& score, const std::filesystem::path& path);

/// The MusicXML files (.musicxml, .xml, .mxl, any case) among `inputs`: a
/// file stands for itself, a folder for its MusicXML files in name order.
/// Throws Error naming an input that does not exist.
std::vector<std::filesystem::path> score_files(const std::vector<std::filesystem::path>& inputs);

}  // namespace deepbach
