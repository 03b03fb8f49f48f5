// What the score harnesses do with a score that was read: what a front end
// does next (the grid, the melody, the writers). Every failure must be a
// deepbach::Error; anything else (another exception, a crash, a sanitizer
// report) is a finding.
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>
#include <deepbach/score.hpp>

namespace deepbach::fuzz {

inline void exercise(const Score& score) {
    try {
        (void)to_musicxml(score);
    } catch (const Error&) {
    }
    try {
        (void)to_midi(score);
    } catch (const Error&) {
    }
    try {
        const Chorale c = to_chorale(score);
        (void)to_musicxml(to_score(c));
    } catch (const Error&) {
    }
    try {
        (void)melody_chorale(score);
    } catch (const Error&) {
    }
}

}  // namespace deepbach::fuzz
