// The voice-leading rules one event or one pair of events at a time
// (internal header): what voice_leading_stats() sums, and what the sampler's
// voice-leading guide asks of each candidate (libdeepbach/sample/guide.cpp).
#pragma once

#include <deepbach/evaluation.hpp>

namespace deepbach {

/// The vertical rules (crossing, spacing) at one event, added to `into`
/// (`events` is left alone). With `voice` >= 0, only the adjacent pairs that
/// voice belongs to count.
void count_vertical(const ChordEvent& event, const VoiceLeadingOptions& options, VoiceLeadingStats& into,
                    int voice = -1);
/// The motion rules (parallel, contrary and hidden fifths and octaves)
/// between voices x < y from event `a` to the next event `b`, added to
/// `into`. voice_leading_stats() is count_vertical() at every event and
/// count_motion() for every pair of voices between consecutive events.
void count_motion(const ChordEvent& a, const ChordEvent& b, int x, int y, const VoiceLeadingOptions& options,
                  VoiceLeadingStats& into);

}  // namespace deepbach
