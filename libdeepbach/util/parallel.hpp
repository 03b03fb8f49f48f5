// A small parallel-for over an index range with a fixed number of threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace deepbach::detail {

/// Number of threads to use: `requested`, or all hardware threads when 0.
inline int resolve_threads(int requested) {
    if (requested > 0) return requested;
    unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(hw);
}

/// Calls fn(i) for every i in [0, n), on up to `threads` threads, handing out
/// indices in order. The first exception thrown stops the handing out and is
/// rethrown here. Results must not depend on which thread ran what.
template <class Fn>
void parallel_for(std::size_t n, int threads, Fn&& fn) {
    threads = std::max(1, std::min<int>(resolve_threads(threads), static_cast<int>(n)));
    if (threads <= 1) {
        for (std::size_t i = 0; i < n; ++i) fn(i);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto work = [&] {
        for (;;) {
            std::size_t i = next.fetch_add(1);
            if (i >= n) return;
            try {
                fn(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (!error) error = std::current_exception();
                next.store(n);
                return;
            }
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace deepbach::detail
