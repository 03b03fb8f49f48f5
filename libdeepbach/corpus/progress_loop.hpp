// A parallel loop that reports progress from the calling thread only.
#pragma once

#include "util/parallel.hpp"

#include <deepbach/progress.hpp>

#include <algorithm>
#include <cstddef>
#include <string>

namespace deepbach::detail {

/// Runs fn(i) for i in [0, n) on `threads` threads, in chunks; after each
/// chunk, calls progress(i + 1, n, label(i)) for every i of the chunk, in
/// order, on the calling thread. Callbacks thus never run concurrently nor
/// on a worker thread (a Python or GUI callback can rely on that), and a
/// false return throws Cancelled before the next chunk starts.
template <class Fn, class LabelFn>
void parallel_for_with_progress(std::size_t n, int threads, const ProgressFn& progress, Fn&& fn,
                                LabelFn&& label) {
    threads = resolve_threads(threads);
    // Chunks several items per thread long keep the threads busy while the
    // slowest item of a chunk finishes; one item per chunk on one thread.
    const std::size_t chunk = threads <= 1 ? 1 : static_cast<std::size_t>(threads) * 4;
    for (std::size_t begin = 0; begin < n; begin += chunk) {
        const std::size_t end = std::min(n, begin + chunk);
        parallel_for(end - begin, threads, [&](std::size_t k) { fn(begin + k); });
        if (!progress) continue;
        for (std::size_t i = begin; i < end; ++i) {
            if (!progress(i + 1, n, label(i))) throw Cancelled();
        }
    }
}

}  // namespace deepbach::detail
