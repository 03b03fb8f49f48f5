#include "io/sounding_notes.hpp"

#include <deepbach/error.hpp>

#include <algorithm>
#include <utility>

namespace deepbach::detail {

std::vector<Sounding> merge_ties(const Score& score, const Part& part) {
    std::vector<const Note*> notes;
    for (const Note& n : part.notes)
        if (!n.is_rest()) notes.push_back(&n);
    std::stable_sort(notes.begin(), notes.end(),
                     [](const Note* a, const Note* b) { return a->onset < b->onset; });

    std::vector<Sounding> out;
    std::vector<std::pair<size_t, int>> open;  // (index in out, voice) of notes whose tie starts
    for (const Note* n : notes) {
        const int key = n->pitch->midi();
        if (key < 0 || key > 127)
            throw Error(format_location({score.source, score.bar_at(n->onset), part.name}) +
                        "cannot write MIDI: " + n->pitch->name() + " is outside the MIDI range");
        // The tie comes from a note of the same key ending here, preferably in the same voice.
        auto from = open.end();
        if (n->tie_stop) {
            for (auto it = open.begin(); it != open.end(); ++it) {
                const Sounding& s = out[it->first];
                if (s.key != key || s.end != n->onset) continue;
                if (from == open.end() || it->second == n->voice) from = it;
            }
        }
        size_t index;
        if (from != open.end()) {
            index = from->first;
            out[index].end = n->end();
            open.erase(from);
        } else {
            index = out.size();
            out.push_back(Sounding{n->onset, n->end(), key});
        }
        if (n->tie_start) open.emplace_back(index, n->voice);
    }
    return out;
}

}  // namespace deepbach::detail
