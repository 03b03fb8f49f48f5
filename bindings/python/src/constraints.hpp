// deepbach._core: deepbach.Constraints as the user gave them, and their
// placing on a piece's grid (internal to the bindings).
#pragma once

#include "common.hpp"

#include <deepbach/harmonize.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deepbach::py_bindings {

/// Bars as written (text "3" or "3-5", or first and last) or ticks.
struct BarsArg {
    bool is_ticks = false;
    TickRange ticks;
    std::string text;  ///< "3" or "3-5" (deepbach::parse_bars), or empty
    std::string first, last;
};

/// A beat ("N" or "BAR.BEAT") or a tick.
struct BeatArg {
    bool is_tick = false;
    int tick = 0;
    std::string text;
};

/// A key: signature in fifths and mode ("" when inferred).
/// A key argument: text, or fifths with an optional mode.
KeyName key_arg(const py::handle& key, const py::handle& mode);

class PyConstraints {
public:
    struct FixEntry {
        int voice = 0;
        BarsArg where;
        Token token = token::kRest;
        std::string label;
    };
    struct RhythmEntry {
        int voice = 0;
        BarsArg where;
        std::string label;
    };
    struct FermataEntry {
        bool is_ticks = false;
        TickRange ticks;
        BeatArg beat;
        std::string text;  ///< "8,16" (deepbach::parse_fermatas), or empty
        std::string label;
    };
    struct CadenceEntry {
        BeatArg at;
        CadenceType type = CadenceType::authentic;
        std::string label;
    };
    struct KeyEntry {
        bool is_tick = false;
        int tick = 0;
        std::string bar;
        KeyName key;
        std::string label;
    };
    struct RegionEntry {
        BarsArg where;
        std::array<bool, kNumVoices> voices{true, true, true, true};
        std::string label;
    };

    std::vector<FixEntry> fixes;
    std::vector<RhythmEntry> rhythms;
    std::vector<FermataEntry> fermatas;
    std::vector<CadenceEntry> cadences;
    std::vector<KeyEntry> keys;
    std::array<std::optional<VoiceRange>, kNumVoices> ranges;
    std::vector<std::string> range_labels;
    std::vector<RegionEntry> regions;
    bool final_cadence = true;  ///< Constraints::final_cadence
    bool full_texture = true;   ///< Constraints::full_texture
    /// Every call, in order (for repr and len).
    std::vector<std::string> calls;

    std::vector<std::string> labels() const { return calls; }

    /// The C++ constraints on `base`. `melody`: the base's soprano is kept
    /// (a fermata covers its note; otherwise one quarter). An Error names
    /// the call it comes from.
    Constraints resolve(const Chorale& base, bool melody) const;
};

}  // namespace deepbach::py_bindings
