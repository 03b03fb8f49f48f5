// The vocabularies of a corpus under augmentation: every token a voice takes
// in any chorale under any of its valid shifts.
#include "corpus/transpositions.hpp"

#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>

namespace deepbach::detail {

void add_transposed_tokens(const TokenFlags& used, const std::vector<Transposition>& transpositions,
                           TokenFlags& out) {
    for (int v = 0; v < kNumVoices; ++v) {
        const std::vector<bool>& in = used[static_cast<size_t>(v)];
        std::vector<bool>& flags = out[static_cast<size_t>(v)];
        if (flags.size() != static_cast<size_t>(token::kCount)) flags.assign(token::kCount, false);
        for (Token t = 0; t < token::kCount; ++t) {
            if (!in[static_cast<size_t>(t)]) continue;
            for (const Transposition& tr : transpositions)
                flags[static_cast<size_t>(tr.map[static_cast<size_t>(t)])] = true;
        }
    }
}

std::array<Vocabulary, kNumVoices> vocabularies_from_flags(const TokenFlags& flags) {
    std::array<Vocabulary, kNumVoices> out;
    for (int v = 0; v < kNumVoices; ++v) {
        std::vector<Token> tokens;
        const std::vector<bool>& f = flags[static_cast<size_t>(v)];
        for (Token t = 0; t < static_cast<Token>(f.size()); ++t) {
            if (f[static_cast<size_t>(t)]) tokens.push_back(t);
        }
        // The constructor sorts: the result does not depend on the order of
        // chorales or shifts, only on the set of tokens.
        out[static_cast<size_t>(v)] = Vocabulary(tokens);
    }
    return out;
}

}  // namespace deepbach::detail

namespace deepbach {

std::array<Vocabulary, kNumVoices> build_vocabularies(const Corpus& corpus) {
    const auto ranges = corpus.ranges();
    detail::TokenFlags flags;
    for (auto& f : flags) f.assign(token::kCount, false);
    for (const Chorale& chorale : corpus.chorales) {
        const detail::TokenFlags used = detail::tokens_used(chorale);
        detail::add_transposed_tokens(used, detail::transpositions_of(chorale, used, ranges), flags);
    }
    return detail::vocabularies_from_flags(flags);
}

Vocabulary spelled_vocabulary(const VoiceRange& range) {
    std::vector<Token> tokens;
    for (int midi = range.lowest; midi <= range.highest; ++midi)
        // One sharp or flat at most: line-of-fifths positions Fb (-8) .. B# (12).
        for (int fifths = -8; fifths <= 12; ++fifths) {
            if (((fifths * 7) % 12 + 12) % 12 != ((midi % 12) + 12) % 12) continue;
            try {
                tokens.push_back(token::from_pitch(Pitch::from_fifths_and_midi(fifths, midi)));
            } catch (const Error&) {
            }
        }
    return Vocabulary(tokens);
}

}  // namespace deepbach
