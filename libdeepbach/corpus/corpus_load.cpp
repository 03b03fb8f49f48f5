// Reading a folder of chorales: which files are accepted, why others are
// not, and a checksum that identifies the folder's contents.
#include "corpus/progress_loop.hpp"
#include "corpus/sha256.hpp"
#include "util/atomic_file.hpp"

#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include <algorithm>
#include <cctype>
#include <optional>
#include <system_error>

namespace deepbach {

namespace fs = std::filesystem;

namespace {

bool is_score_name(const std::string& name) {
    // Hidden files are skipped: they are editor or OS leftovers (macOS's
    // "._bwv1.6.xml" resource forks), never scores.
    if (name.empty() || name[0] == '.') return false;
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto ends_with = [&lower](const std::string& suffix) {
        return lower.size() > suffix.size() &&
               lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    return ends_with(".mxl") || ends_with(".musicxml") || ends_with(".xml");
}

std::vector<std::string> list_score_files(const fs::path& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw Error(folder.string() + ": not a folder");
    fs::directory_iterator it(folder, ec);
    if (ec) throw Error(folder.string() + ": cannot list the folder: " + ec.message());
    std::vector<std::string> names;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) throw Error(folder.string() + ": cannot list the folder: " + ec.message());
        const std::string name = it->path().filename().string();
        std::error_code type_ec;
        // is_regular_file follows symbolic links, so a folder of links works.
        if (is_score_name(name) && it->is_regular_file(type_ec)) names.push_back(name);
    }
    if (ec) throw Error(folder.string() + ": cannot list the folder: " + ec.message());
    std::sort(names.begin(), names.end());
    return names;
}

// What became of one file.
struct FileResult {
    std::optional<std::string> sha256;  // nullopt when the bytes could not be read
    std::optional<Chorale> chorale;     // set when accepted
    std::string reason;                 // set when rejected
};

FileResult read_one(const fs::path& path, const ReadOptions& read_options) {
    FileResult result;
    try {
        // The bytes are read twice (here for the checksum, then by
        // read_score); the second read comes from the page cache and costs
        // far less than parsing, and read_score keeps its format detection.
        result.sha256 = sha256_hex(detail::read_file(path, read_options.max_file_bytes));
        result.chorale = to_chorale(read_score(path, read_options));
    } catch (const Error& e) {
        result.chorale.reset();
        result.reason = e.what();
    } catch (const std::exception& e) {
        // Not an Error: a bug or resource failure below us. One bad file
        // must not lose the whole corpus, and the reason keeps it visible.
        result.chorale.reset();
        result.reason = path.string() + ": unexpected failure: " + e.what();
    }
    // A reason is one line of a report that already names the file, so the
    // path the message starts with goes ("bar 2, Soprano: ..." is left).
    const std::string prefix = path.string();
    if (result.reason.rfind(prefix, 0) == 0 && result.reason.size() > prefix.size() + 2 &&
        (result.reason.compare(prefix.size(), 2, ": ") == 0 ||
         result.reason.compare(prefix.size(), 2, ", ") == 0))
        result.reason.erase(0, prefix.size() + 2);
    std::replace(result.reason.begin(), result.reason.end(), '\n', ' ');
    return result;
}

}  // namespace

Corpus load_corpus(const fs::path& folder, const CorpusOptions& options, const ProgressFn& progress) {
    Corpus corpus;
    corpus.folder = folder;
    const std::vector<std::string> names = list_score_files(folder);

    std::vector<FileResult> results(names.size());
    const ReadOptions read_options;
    detail::parallel_for_with_progress(
        names.size(), options.threads, progress,
        [&](std::size_t i) { results[i] = read_one(folder / names[i], read_options); },
        [&](std::size_t i) { return names[i]; });

    // Names are sorted and unique, so the lines are already in order.
    std::string lines;
    for (std::size_t i = 0; i < names.size(); ++i) {
        FileResult& r = results[i];
        if (r.sha256) lines += names[i] + " " + *r.sha256 + "\n";
        if (r.chorale) {
            corpus.files.push_back(names[i]);
            corpus.chorales.push_back(std::move(*r.chorale));
        } else {
            corpus.rejected.push_back({names[i], std::move(r.reason)});
        }
    }
    corpus.checksum = sha256_hex(lines);
    return corpus;
}

std::array<VoiceRange, kNumVoices> Corpus::ranges() const {
    std::array<VoiceRange, kNumVoices> out;
    for (const Chorale& chorale : chorales) {
        for (int v = 0; v < kNumVoices; ++v) {
            const auto [low, high] = chorale.midi_range(v);
            if (high < low) continue;  // a voice with no note
            VoiceRange& r = out[static_cast<size_t>(v)];
            if (r.empty()) {
                r = {low, high};
            } else {
                r.lowest = std::min(r.lowest, low);
                r.highest = std::max(r.highest, high);
            }
        }
    }
    return out;
}

std::size_t Corpus::total_ticks() const {
    std::size_t total = 0;
    for (const Chorale& chorale : chorales) total += static_cast<std::size_t>(chorale.num_ticks);
    return total;
}

}  // namespace deepbach
