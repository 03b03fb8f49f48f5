// The training set: every accepted chorale under every valid shift, encoded
// with the per-voice vocabularies and padded with START/END.
#include "corpus/progress_loop.hpp"
#include "corpus/transpositions.hpp"

#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>

#include <algorithm>

namespace deepbach {

namespace {

// One chorale under all its shifts, in universal tokens, before the
// vocabularies are known. Padded exactly as in the Dataset.
struct ChoraleTicks {
    detail::TokenFlags transposed_tokens;  ///< every token each voice takes, for the vocabularies
    std::vector<int> shifts;
    std::array<std::vector<Token>, kNumVoices> tokens;
    std::vector<std::uint8_t> fermata;
    std::vector<std::uint8_t> beat_position;
    std::vector<std::int8_t> key_fifths;
};

int floor_mod(int a, int m) {
    return ((a % m) + m) % m;
}

ChoraleTicks transpose_chorale(const Chorale& chorale, const std::array<VoiceRange, kNumVoices>& ranges) {
    chorale.validate();
    ChoraleTicks out;
    const detail::TokenFlags used = detail::tokens_used(chorale);
    const std::vector<detail::Transposition> transpositions =
        detail::transpositions_of(chorale, used, ranges);

    const int T = chorale.num_ticks;
    const int P = kDatasetPadding;
    const size_t padded = static_cast<size_t>(T + 2 * P);
    const size_t total = padded * transpositions.size();
    for (auto& v : out.tokens) v.reserve(total);
    out.fermata.reserve(total);
    out.beat_position.reserve(total);
    out.key_fifths.reserve(total);

    // The padding's metadata: no fermata, the beat grid running on from the
    // first and last ticks, and the first and last keys.
    const int first_beat = T > 0 ? chorale.beat_position.front() : 0;
    const int last_beat = T > 0 ? chorale.beat_position.back() : kTicksPerQuarter - 1;
    const int first_key = T > 0 ? chorale.key_fifths.front() : 0;
    const int last_key = T > 0 ? chorale.key_fifths.back() : 0;

    for (const detail::Transposition& tr : transpositions) {
        out.shifts.push_back(tr.shift);
        for (int v = 0; v < kNumVoices; ++v) {
            std::vector<Token>& dst = out.tokens[static_cast<size_t>(v)];
            const Token* src = chorale.voice_data(v);
            dst.insert(dst.end(), static_cast<size_t>(P), token::kStart);
            for (int t = 0; t < T; ++t) dst.push_back(tr.map[static_cast<size_t>(src[t])]);
            dst.insert(dst.end(), static_cast<size_t>(P), token::kEnd);
        }
        out.fermata.insert(out.fermata.end(), static_cast<size_t>(P), 0);
        out.fermata.insert(out.fermata.end(), chorale.fermata.begin(), chorale.fermata.end());
        out.fermata.insert(out.fermata.end(), static_cast<size_t>(P), 0);

        for (int p = -P; p < 0; ++p)
            out.beat_position.push_back(
                static_cast<std::uint8_t>(floor_mod(first_beat + p, kTicksPerQuarter)));
        out.beat_position.insert(out.beat_position.end(), chorale.beat_position.begin(),
                                 chorale.beat_position.end());
        for (int p = 1; p <= P; ++p)
            out.beat_position.push_back(
                static_cast<std::uint8_t>(floor_mod(last_beat + p, kTicksPerQuarter)));

        const int by = tr.interval.fifths;
        out.key_fifths.insert(out.key_fifths.end(), static_cast<size_t>(P),
                              static_cast<std::int8_t>(first_key + by));
        for (int t = 0; t < T; ++t)
            out.key_fifths.push_back(static_cast<std::int8_t>(chorale.key_fifths[t] + by));
        out.key_fifths.insert(out.key_fifths.end(), static_cast<size_t>(P),
                              static_cast<std::int8_t>(last_key + by));
    }
    detail::add_transposed_tokens(used, transpositions, out.transposed_tokens);
    return out;
}

std::vector<char> membership(const std::vector<int>& chorales, std::int32_t max_index) {
    std::vector<char> in(static_cast<size_t>(max_index) + 1, 0);
    for (int c : chorales) {
        if (c >= 0 && c <= max_index) in[static_cast<size_t>(c)] = 1;
    }
    return in;
}

std::int32_t max_chorale(const std::vector<Dataset::Sequence>& sequences) {
    std::int32_t m = -1;
    for (const auto& s : sequences) m = std::max(m, s.chorale);
    return m;
}

}  // namespace

Dataset build_dataset(const Corpus& corpus, const DatasetOptions& options, const ProgressFn& progress) {
    Dataset dataset;
    dataset.corpus_checksum = corpus.checksum;
    dataset.split_seed = options.split_seed;
    dataset.ranges = corpus.ranges();
    dataset.split = split_chorales(static_cast<int>(corpus.chorales.size()), options.split_seed);

    // Transposing is the costly part and independent per chorale; every
    // chorale writes only its own slot, so the result does not depend on
    // the number of threads.
    const size_t n = corpus.chorales.size();
    std::vector<ChoraleTicks> per_chorale(n);
    detail::parallel_for_with_progress(
        n, options.threads, progress,
        [&](size_t c) { per_chorale[c] = transpose_chorale(corpus.chorales[c], dataset.ranges); },
        [&](size_t c) { return c < corpus.files.size() ? corpus.files[c] : corpus.chorales[c].title; });

    detail::TokenFlags flags;
    for (auto& f : flags) f.assign(token::kCount, false);
    size_t total = 0;
    size_t num_sequences = 0;
    for (const ChoraleTicks& ct : per_chorale) {
        for (int v = 0; v < kNumVoices; ++v) {
            for (Token t = 0; t < token::kCount; ++t) {
                if (ct.transposed_tokens[static_cast<size_t>(v)][static_cast<size_t>(t)])
                    flags[static_cast<size_t>(v)][static_cast<size_t>(t)] = true;
            }
        }
        total += ct.fermata.size();
        num_sequences += ct.shifts.size();
    }
    dataset.vocabularies = detail::vocabularies_from_flags(flags);

    // Concatenate, mapping universal tokens to vocabulary indices.
    std::array<std::array<std::int16_t, token::kCount>, kNumVoices> index_of;
    for (int v = 0; v < kNumVoices; ++v) {
        for (Token t = 0; t < token::kCount; ++t) {
            index_of[static_cast<size_t>(v)][static_cast<size_t>(t)] =
                static_cast<std::int16_t>(dataset.vocabularies[static_cast<size_t>(v)].index(t));
        }
    }
    for (auto& v : dataset.notes) v.reserve(total);
    dataset.fermata.reserve(total);
    dataset.beat_position.reserve(total);
    dataset.key_fifths.reserve(total);
    dataset.sequences.reserve(num_sequences);
    for (size_t c = 0; c < n; ++c) {
        ChoraleTicks& ct = per_chorale[c];
        const std::int64_t start = static_cast<std::int64_t>(dataset.fermata.size());
        const std::int64_t padded = corpus.chorales[c].num_ticks + 2 * kDatasetPadding;
        for (size_t s = 0; s < ct.shifts.size(); ++s) {
            dataset.sequences.push_back({static_cast<std::int32_t>(c), ct.shifts[s],
                                         start + static_cast<std::int64_t>(s) * padded,
                                         corpus.chorales[c].num_ticks});
        }
        for (int v = 0; v < kNumVoices; ++v) {
            const auto& table = index_of[static_cast<size_t>(v)];
            std::vector<std::int16_t>& dst = dataset.notes[static_cast<size_t>(v)];
            for (Token t : ct.tokens[static_cast<size_t>(v)]) dst.push_back(table[static_cast<size_t>(t)]);
        }
        dataset.fermata.insert(dataset.fermata.end(), ct.fermata.begin(), ct.fermata.end());
        dataset.beat_position.insert(dataset.beat_position.end(), ct.beat_position.begin(),
                                     ct.beat_position.end());
        dataset.key_fifths.insert(dataset.key_fifths.end(), ct.key_fifths.begin(), ct.key_fifths.end());
        ct = ChoraleTicks{};  // freed as copied, so the two copies never both fill memory
    }
    return dataset;
}

std::int64_t Dataset::count_ticks(const std::vector<int>& chorales) const {
    const std::vector<char> in = membership(chorales, max_chorale(sequences));
    std::int64_t total = 0;
    for (const Sequence& s : sequences) {
        if (in[static_cast<size_t>(s.chorale)]) total += s.length;
    }
    return total;
}

std::vector<int> Dataset::sequences_of(const std::vector<int>& chorales) const {
    const std::vector<char> in = membership(chorales, max_chorale(sequences));
    std::vector<int> out;
    for (size_t i = 0; i < sequences.size(); ++i) {
        if (in[static_cast<size_t>(sequences[i].chorale)]) out.push_back(static_cast<int>(i));
    }
    return out;
}

}  // namespace deepbach
