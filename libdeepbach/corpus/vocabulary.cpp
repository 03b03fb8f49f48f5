// Per-voice vocabularies: a fixed, sorted order of tokens so that indices
// never depend on the order chorales were read in or on hash-set iteration.
#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>

#include <algorithm>
#include <string>

namespace deepbach {

namespace {

// The specials come first, always in this order, so that their indices are
// the same in every vocabulary (0..3) and a model file can be checked.
constexpr Token kSpecials[] = {token::kStart, token::kEnd, token::kRest, token::kHold};
constexpr int kNumSpecials = 4;

bool is_special(Token t) {
    return t == token::kStart || t == token::kEnd || t == token::kRest || t == token::kHold;
}

}  // namespace

Vocabulary::Vocabulary(const std::vector<Token>& tokens) {
    std::vector<bool> seen(token::kCount, false);
    for (Token t : tokens) {
        if (t < 0 || t >= token::kCount) throw Error("vocabulary: invalid token " + std::to_string(t));
        seen[static_cast<size_t>(t)] = true;
    }
    std::vector<Pitch> pitches;
    for (Token t = token::kFirstPitch; t < token::kCount; ++t) {
        if (seen[static_cast<size_t>(t)]) pitches.push_back(token::to_pitch(t));
    }
    // Pitch's operator< orders by MIDI number, then line of fifths: a total
    // order on distinct pitches, so the result is unique.
    std::sort(pitches.begin(), pitches.end());
    tokens_.reserve(kNumSpecials + pitches.size());
    for (Token t : kSpecials) tokens_.push_back(t);
    for (const Pitch& p : pitches) tokens_.push_back(token::from_pitch(p));
    for (size_t i = 0; i < tokens_.size(); ++i) index_[static_cast<size_t>(tokens_[i])] = static_cast<int>(i);
}

std::vector<std::string> Vocabulary::names() const {
    std::vector<std::string> out;
    out.reserve(tokens_.size());
    for (Token t : tokens_) out.push_back(token::name(t));
    return out;
}

Vocabulary Vocabulary::from_names(const std::vector<std::string>& names) {
    // Used to load vocabularies from model files: the indices are the order
    // in the file, so the order must be exactly the one the constructor
    // makes, or the network's outputs would be read as the wrong notes.
    if (names.size() < kNumSpecials) {
        throw Error("vocabulary: " + std::to_string(names.size()) +
                    " names; it must start with START, END, rest, __");
    }
    Vocabulary vocabulary;
    vocabulary.tokens_.reserve(names.size());
    for (size_t i = 0; i < names.size(); ++i) {
        Token t;
        try {
            t = token::parse(names[i]);
        } catch (const Error&) {
            throw Error("vocabulary: unknown token name '" + names[i] + "' at position " + std::to_string(i));
        }
        if (i < kNumSpecials) {
            if (t != kSpecials[i]) {
                throw Error("vocabulary: position " + std::to_string(i) + " must be '" +
                            token::name(kSpecials[i]) + "', not '" + names[i] + "'");
            }
        } else {
            if (vocabulary.index_[static_cast<size_t>(t)] >= 0) {
                throw Error("vocabulary: duplicate token '" + names[i] + "' at position " +
                            std::to_string(i));
            }
            if (is_special(t)) {
                throw Error("vocabulary: '" + names[i] + "' at position " + std::to_string(i) +
                            "; the special tokens come only first");
            }
            if (i > kNumSpecials && !(token::to_pitch(vocabulary.tokens_.back()) < token::to_pitch(t))) {
                throw Error("vocabulary: '" + names[i] + "' after '" + names[i - 1] +
                            "'; pitches must be sorted by MIDI number, then spelling");
            }
        }
        vocabulary.index_[static_cast<size_t>(t)] = static_cast<int>(i);
        vocabulary.tokens_.push_back(t);
    }
    return vocabulary;
}

}  // namespace deepbach
