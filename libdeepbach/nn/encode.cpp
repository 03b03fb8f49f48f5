#include "nn/encode.hpp"

#include <deepbach/error.hpp>

#include <fmt/format.h>

namespace deepbach::nn {

EncodedChorale encode_chorale(const Chorale& chorale,
                              const std::array<Vocabulary, kNumVoices>& vocabularies) {
    chorale.validate();
    EncodedChorale out;
    const int T = chorale.num_ticks, P = kDatasetPadding;
    out.length = T;
    for (int v = 0; v < kNumVoices; ++v) {
        const Vocabulary& vocab = vocabularies[static_cast<size_t>(v)];
        auto& dst = out.notes[static_cast<size_t>(v)];
        dst.assign(static_cast<size_t>(P), static_cast<std::int16_t>(vocab.index(token::kStart)));
        for (int t = 0; t < T; ++t) {
            const int i = vocab.index(chorale.at(v, t));
            if (i < 0)
                fail({chorale.source, chorale.bar_at(t), voice_name(v)},
                     fmt::format("{} is not in the model's vocabulary", token::name(chorale.at(v, t))));
            dst.push_back(static_cast<std::int16_t>(i));
        }
        dst.insert(dst.end(), static_cast<size_t>(P), static_cast<std::int16_t>(vocab.index(token::kEnd)));
    }
    auto floor_mod = [](int a, int m) { return ((a % m) + m) % m; };
    const int first_beat = T > 0 ? chorale.beat_position.front() : 0;
    const int last_beat = T > 0 ? chorale.beat_position.back() : kTicksPerQuarter - 1;
    const int first_key = T > 0 ? chorale.key_fifths.front() : 0;
    const int last_key = T > 0 ? chorale.key_fifths.back() : 0;
    out.fermata.assign(static_cast<size_t>(P), 0);
    out.fermata.insert(out.fermata.end(), chorale.fermata.begin(), chorale.fermata.end());
    out.fermata.insert(out.fermata.end(), static_cast<size_t>(P), 0);
    for (int p = -P; p < 0; ++p)
        out.beat_position.push_back(static_cast<std::uint8_t>(floor_mod(first_beat + p, kTicksPerQuarter)));
    out.beat_position.insert(out.beat_position.end(), chorale.beat_position.begin(),
                             chorale.beat_position.end());
    for (int p = 1; p <= P; ++p)
        out.beat_position.push_back(static_cast<std::uint8_t>(floor_mod(last_beat + p, kTicksPerQuarter)));
    out.key_fifths.assign(static_cast<size_t>(P), static_cast<std::int8_t>(first_key));
    out.key_fifths.insert(out.key_fifths.end(), chorale.key_fifths.begin(), chorale.key_fifths.end());
    out.key_fifths.insert(out.key_fifths.end(), static_cast<size_t>(P), static_cast<std::int8_t>(last_key));
    return out;
}

SequenceView view_of(const EncodedChorale& chorale) {
    SequenceView view;
    for (int v = 0; v < kNumVoices; ++v)
        view.notes[static_cast<size_t>(v)] = chorale.notes[static_cast<size_t>(v)].data();
    view.fermata = chorale.fermata.data();
    view.beat = chorale.beat_position.data();
    view.key_fifths = chorale.key_fifths.data();
    view.length = chorale.length;
    return view;
}

}  // namespace deepbach::nn
