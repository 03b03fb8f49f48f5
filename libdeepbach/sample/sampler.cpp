#include "sample/sampler.hpp"
#include "sample/guide.hpp"

#include "nn/encode.hpp"
#include "util/rng.hpp"

#include <deepbach/error.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace deepbach::sample {

namespace {

using detail::Rng;
using detail::shuffle;

std::uint64_t chain_seed(std::uint64_t seed, int chain) {
    Rng r(seed ^ (0x6465657062616368ULL + static_cast<std::uint64_t>(chain) * 0x9e3779b97f4a7c15ULL));
    r.next();
    return r.next();
}

/// One chain: its encoded grid and its own generator and sweep orders.
struct Chain {
    nn::EncodedChorale enc;
    Rng rng{0};
    std::array<std::vector<int>, kNumVoices> order;
    std::array<std::size_t, kNumVoices> next{};
    std::array<int, kNumVoices> sweeps{};  ///< sweeps of each voice completed
    std::int64_t drawn = 0;                ///< cells redrawn, all voices
    std::vector<std::uint8_t> taken;       ///< pick()'s ticks of this pass (tick t at t + 1)
};

/// The problem's grid encoded, with every free cell set to a rest for now.
nn::EncodedChorale encode_base(const Problem& problem, const Model& model) {
    Chorale grid = problem.grid;
    for (int v = 0; v < kNumVoices; ++v)
        for (int t : problem.free_ticks[static_cast<size_t>(v)]) grid.at(v, t) = token::kRest;
    return nn::encode_chorale(grid, model.vocabularies);
}

/// Draws index i of `row` (size n) with probability proportional to
/// exp(logit / temperature) among the allowed ones.
int draw(const float* logits, const std::uint8_t* allowed, int n, double temperature, Rng& rng,
         std::vector<double>& weights) {
    float max = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < n; ++i)
        if (allowed[i]) max = std::max(max, logits[i]);
    weights.assign(static_cast<size_t>(n), 0.0);
    double total = 0;
    for (int i = 0; i < n; ++i) {
        if (!allowed[i]) continue;
        const double w = std::exp((static_cast<double>(logits[i]) - max) / temperature);
        weights[static_cast<size_t>(i)] = w;
        total += w;
    }
    double u = rng.uniform() * total;
    int last = -1;
    for (int i = 0; i < n; ++i) {
        if (!allowed[i]) continue;
        last = i;
        u -= weights[static_cast<size_t>(i)];
        if (u < 0) return i;
    }
    return last;  // rounding left u >= 0: the last allowed token
}

/// log p(index) at temperature 1 over the allowed tokens of the row.
double masked_log_prob(const float* logits, const std::uint8_t* allowed, int n, int index) {
    float max = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < n; ++i)
        if (allowed[i]) max = std::max(max, logits[i]);
    double total = 0;
    for (int i = 0; i < n; ++i)
        if (allowed[i]) total += std::exp(static_cast<double>(logits[i]) - max);
    return static_cast<double>(logits[index]) - max - std::log(total);
}

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// The cells of voice v that chain `c` redraws this pass, at most k.
void pick(Chain& c, const Problem& p, int v, int k, Schedule schedule, std::vector<int>& out) {
    out.clear();
    const auto& free = p.free_ticks[static_cast<size_t>(v)];
    if (free.empty()) return;
    k = std::min<int>(k, static_cast<int>(free.size()));
    auto& order = c.order[static_cast<size_t>(v)];
    if (schedule == Schedule::uniform) {
        order = free;
        for (int i = 0; i < k; ++i) {
            std::swap(order[static_cast<size_t>(i)],
                      order[static_cast<size_t>(i) + c.rng.below(order.size() - static_cast<size_t>(i))]);
            out.push_back(order[static_cast<size_t>(i)]);
        }
        return;
    }
    // The shuffled sweep. The cells of one pass are drawn from the context
    // the pass saw, each as if the others kept their notes. Two neighbouring
    // cells of a voice drawn together would each assume the other's old
    // note: whether the second holds the first, or moves from it, would be
    // judged against a note that is gone. So a tick next to one taken in
    // this pass waits in the order for a later pass of the sweep. A pass
    // that reaches the end of the sweep goes on into the next one, once
    // (docs/architecture.md, "Sampler").
    std::size_t& next = c.next[static_cast<size_t>(v)];
    const int T = p.grid.num_ticks;
    c.taken.assign(static_cast<std::size_t>(T) + 2, 0);  // tick t at t + 1
    for (int round = 0; round < 2 && static_cast<int>(out.size()) < k; ++round) {
        if (order.empty() || next >= order.size()) {
            if (!order.empty()) ++c.sweeps[static_cast<size_t>(v)];
            order = free;
            shuffle(order, c.rng);
            next = 0;
        }
        for (std::size_t j = next; j < order.size() && static_cast<int>(out.size()) < k; ++j) {
            const auto i = static_cast<std::size_t>(order[j]) + 1;
            if (c.taken[i - 1] || c.taken[i] || c.taken[i + 1]) continue;
            c.taken[i] = 1;
            std::swap(order[next], order[j]);
            ++next;
            out.push_back(order[next - 1]);
        }
        if (next < order.size()) break;  // the rest of this sweep waits for the next pass
    }
}

}  // namespace

int resolve_positions(const ModelConfig& config, const SamplerOptions& options) {
    if (options.positions < 0) throw Error("positions per iteration must be at least 1");
    if (options.positions > 0) return options.positions;
    if (config.mode == ContextMode::window) return 8;
    // Full mode: one pass costs the same whatever it redraws. The sweep takes
    // every cell its no-neighbours rule allows (about 43 % of a voice's cells
    // a pass): with the calibrated model this samples as well as 32 cells a
    // pass at less than half the passes (docs/benchmarks.md, "Positions per
    // pass"). The uniform schedule, which has no such rule, takes 32.
    return options.schedule == Schedule::uniform ? 32 : kAllPositions;
}

int resolve_sweeps(const SamplerOptions& options) {
    if (options.sweeps < 0) throw Error("sweeps must be at least 0");
    return options.sweeps > 0 ? options.sweeps : kDefaultSweeps;
}

bool runs_by_sweeps(const SamplerOptions& options) {
    return options.schedule == Schedule::sweep && options.iterations == 0;
}

int resolve_iterations(const Problem& problem, const ModelConfig& config, const SamplerOptions& options) {
    if (options.iterations < 0) throw Error("iterations must be at least 0");
    if (options.iterations > 0) return options.iterations;
    if (options.schedule == Schedule::blocked) {
        // Each iteration redraws a share of every free cell (about 0.4 on
        // average over the annealing): kBlockedIterations in all, whatever
        // the length (docs/benchmarks.md).
        return kBlockedIterations;
    }
    // The sweeps' redraws of each cell at `positions` cells per pass
    // (DeepBach: 500 iterations x 8 cells on 64 ticks, 62.5 redraws of each
    // cell). The sweep schedule runs by sweeps instead; this is its estimate.
    const int sweeps = resolve_sweeps(options);
    // A pass of the sweep takes about 43 % of the ticks at most (random
    // packing of cells with no neighbour taken, Renyi's constant for dimers).
    const double ticks = problem.grid.num_ticks;
    double per_pass = resolve_positions(config, options);
    if (options.schedule != Schedule::uniform) per_pass = std::min(per_pass, std::max(1.0, 0.43 * ticks));
    const int per_sweep = static_cast<int>(std::ceil(ticks / per_pass));
    return std::max(1, sweeps * per_sweep);
}

std::vector<ChainResult> run_chains(Backend& backend, const Model& model, const Problem& problem,
                                    const SamplerOptions& options, SamplerStats* stats) {
    if (options.schedule == Schedule::blocked && !model.config.mask)
        throw Error("the blocked schedule needs a model trained with a mask input (deepbach train --mask)");
    const auto start_time = std::chrono::steady_clock::now();
    if (options.chains < 1) throw Error("chains must be at least 1");
    if (!(options.temperature > 0) || !std::isfinite(options.temperature))
        throw Error("the temperature must be a positive number");
    if (!(options.voice_leading >= 0) || !std::isfinite(options.voice_leading))
        throw Error("the voice-leading strength must be a number >= 0");
    const VoiceLeadingGuide guide(model, problem.grid.num_ticks, options.voice_leading);
    std::vector<float> guided;
    // The row to draw cell (v, t) of chain c from: the model's logits, less
    // the guide's penalties when it is on.
    auto row_for = [&](const float* row, const Chain& ch, int v, int t, int V) -> const float* {
        if (!guide.active()) return row;
        guided.assign(row, row + V);
        guide.apply(ch.enc.notes, v, t, problem.allowed_row(v, t), V, guided.data());
        return guided.data();
    };
    const ModelConfig& config = backend.config();
    const int iterations = resolve_iterations(problem, config, options);
    const int positions = resolve_positions(config, options);
    const nn::EncodedChorale base = encode_base(problem, model);

    std::vector<Chain> chains(static_cast<size_t>(options.chains));
    for (int c = 0; c < options.chains; ++c) {
        Chain& ch = chains[static_cast<size_t>(c)];
        ch.enc = base;
        ch.rng = Rng(chain_seed(options.seed, c));
        // A masked start where the model knows masks, else a random one:
        // every free cell uniform over its allowed tokens.
        for (int v = 0; v < kNumVoices; ++v) {
            if (model.config.mask) {
                const auto mask = static_cast<std::int16_t>(problem.vocabulary_size[static_cast<size_t>(v)]);
                for (int t : problem.free_ticks[static_cast<size_t>(v)])
                    ch.enc.notes[static_cast<size_t>(v)][static_cast<size_t>(t + kDatasetPadding)] = mask;
                continue;
            }
            const int V = problem.vocabulary_size[static_cast<size_t>(v)];
            std::vector<int> ok;
            for (int t : problem.free_ticks[static_cast<size_t>(v)]) {
                const std::uint8_t* row = problem.allowed_row(v, t);
                ok.clear();
                for (int i = 0; i < V; ++i)
                    if (row[i]) ok.push_back(i);
                ch.enc.notes[static_cast<size_t>(v)][static_cast<size_t>(t + kDatasetPadding)] =
                    static_cast<std::int16_t>(ok[ch.rng.below(ok.size())]);
            }
        }
    }

    const bool window = config.mode == ContextMode::window;
    std::vector<std::vector<int>> picked(chains.size());
    std::vector<nn::Target> targets;
    std::vector<nn::SequenceView> views;
    std::vector<Eigen::MatrixXf> full;
    std::vector<const std::vector<int>*> wanted;
    Eigen::RowVectorXf row_buffer;
    Eigen::MatrixXf logits;
    RowMajor rows;
    std::vector<double> weights;
    const bool anneal = options.temperature < options.start_temperature;
    // Draws the cells cells_of(c) of voice v in every chain c from one
    // batched call of the backend, handing each draw to put(c, tick, token).
    auto draw_voice = [&](int v, const auto& cells_of, const auto& temperature_of, const auto& put) {
        const int V = problem.vocabulary_size[static_cast<size_t>(v)];
        if (window) {
            targets.clear();
            for (std::size_t c = 0; c < chains.size(); ++c) {
                const nn::SequenceView view = nn::view_of(chains[c].enc);
                for (int t : cells_of(c)) targets.push_back({view, t});
            }
            if (targets.empty()) return;
            backend.window_logits(v, targets, logits);
            rows = logits;
            std::size_t r = 0;
            for (std::size_t c = 0; c < chains.size(); ++c)
                for (int t : cells_of(c)) {
                    const float* row =
                        row_for(rows.row(static_cast<Eigen::Index>(r++)).data(), chains[c], v, t, V);
                    put(c, t,
                        draw(row, problem.allowed_row(v, t), V, temperature_of(c), chains[c].rng, weights));
                }
            return;
        }
        views.clear();
        wanted.clear();
        for (std::size_t c = 0; c < chains.size(); ++c) {
            views.push_back(nn::view_of(chains[c].enc));
            wanted.push_back(&cells_of(c));
        }
        backend.full_logits_at(v, views, wanted, full);
        for (std::size_t c = 0; c < chains.size(); ++c) {
            for (int t : cells_of(c)) {
                row_buffer = full[c].row(t);
                const float* row = row_for(row_buffer.data(), chains[c], v, t, V);
                put(c, t, draw(row, problem.allowed_row(v, t), V, temperature_of(c), chains[c].rng, weights));
            }
        }
    };
    if (options.schedule == Schedule::blocked) {
        // Coconet's annealed blocked Gibbs: mask a block, redraw it whole
        // from the context the mask leaves, write it, repeat with a smaller block.
        struct Draw {
            int v, t, token;
        };
        std::vector<std::vector<Draw>> pending(chains.size());
        std::vector<std::array<std::vector<int>, kNumVoices>> blocks(chains.size());
        const double anneal_iterations = std::max(1.0, kBlockedAnnealShare * iterations);
        for (int it = 0; it < iterations; ++it) {
            const double share = std::max(kBlockedMinShare, 1.0 - it / anneal_iterations);
            double temperature = options.temperature;
            if (anneal) {
                // The reference's annealing per 8 redraws of a voice's cells,
                // counted in the block's cells per voice.
                const double equivalent = it * share * problem.grid.num_ticks / 8.0;
                temperature = std::max(options.temperature,
                                       options.start_temperature * std::pow(options.annealing, equivalent));
            }
            for (std::size_t c = 0; c < chains.size(); ++c) {
                Chain& ch = chains[c];
                pending[c].clear();
                for (int v = 0; v < kNumVoices; ++v) {
                    auto& block = blocks[c][static_cast<size_t>(v)];
                    block = problem.free_ticks[static_cast<size_t>(v)];
                    const std::size_t k = std::min(
                        block.size(),
                        static_cast<std::size_t>(std::ceil(share * static_cast<double>(block.size()))));
                    for (std::size_t i = 0; i < k; ++i)
                        std::swap(block[i], block[i + ch.rng.below(block.size() - i)]);
                    block.resize(k);
                    const auto mask =
                        static_cast<std::int16_t>(problem.vocabulary_size[static_cast<size_t>(v)]);
                    for (int t : block)
                        ch.enc.notes[static_cast<size_t>(v)][static_cast<size_t>(t + kDatasetPadding)] = mask;
                }
            }
            for (int v = 0; v < kNumVoices; ++v) {
                if (problem.free_ticks[static_cast<size_t>(v)].empty()) continue;
                draw_voice(
                    v,
                    [&](std::size_t c) -> const std::vector<int>& {
                        return blocks[c][static_cast<size_t>(v)];
                    },
                    [&](std::size_t) { return temperature; },
                    [&](std::size_t c, int t, int token) {
                        pending[c].push_back({v, t, token});
                    });
            }
            for (std::size_t c = 0; c < chains.size(); ++c)
                for (const Draw& d : pending[c])
                    chains[c]
                        .enc.notes[static_cast<size_t>(d.v)][static_cast<size_t>(d.t + kDatasetPadding)] =
                        static_cast<std::int16_t>(d.token);
            if (options.progress && !options.progress(static_cast<std::size_t>(it + 1),
                                                      static_cast<std::size_t>(iterations), "sampling"))
                throw Cancelled();
        }
    }
    // The sweep and uniform schedules: a pass of each voice per iteration.
    // By sweeps (the sweep schedule's default), until every chain has
    // redrawn every free cell of every voice `sweeps` times; else
    // `iterations` passes.
    const bool by_sweeps = runs_by_sweeps(options);
    const int sweeps = by_sweeps ? resolve_sweeps(options) : 0;
    int free_voices = 0;
    for (int v = 0; v < kNumVoices; ++v)
        free_voices += problem.free_ticks[static_cast<size_t>(v)].empty() ? 0 : 1;
    auto sweeps_done = [&](const Chain& ch, int v) {
        const auto vi = static_cast<size_t>(v);
        return ch.sweeps[vi] + (!ch.order[vi].empty() && ch.next[vi] >= ch.order[vi].size() ? 1 : 0);
    };
    auto finished = [&](int it) {
        if (!by_sweeps) return it >= iterations;
        for (const Chain& ch : chains)
            for (int v = 0; v < kNumVoices; ++v)
                if (!problem.free_ticks[static_cast<size_t>(v)].empty() && sweeps_done(ch, v) < sweeps)
                    return false;
        return true;
    };
    std::vector<double> chain_temperature(chains.size(), options.temperature);
    std::int64_t drawn_cells = 0;  // by chain 0, all voices
    int run_iterations = 0;
    for (int it = 0; options.schedule != Schedule::blocked && !finished(it); ++it) {
        if (anneal) {
            // The reference's annealing, per 8 redraws of a voice's cells.
            for (std::size_t c = 0; c < chains.size(); ++c) {
                const double equivalent =
                    static_cast<double>(chains[c].drawn) / std::max(1, free_voices) / 8.0;
                chain_temperature[c] = std::max(
                    options.temperature, options.start_temperature * std::pow(options.annealing, equivalent));
            }
        }
        for (int v = 0; v < kNumVoices; ++v) {
            bool any = false;
            for (std::size_t c = 0; c < chains.size(); ++c) {
                if (by_sweeps && sweeps_done(chains[c], v) >= sweeps)
                    picked[c].clear();
                else
                    pick(chains[c], problem, v, positions, options.schedule, picked[c]);
                chains[c].drawn += static_cast<std::int64_t>(picked[c].size());
                any = any || !picked[c].empty();
            }
            if (!any) continue;
            drawn_cells += static_cast<std::int64_t>(picked[0].size());
            draw_voice(
                v, [&](std::size_t c) -> const std::vector<int>& { return picked[c]; },
                [&](std::size_t c) { return chain_temperature[c]; },
                [&](std::size_t c, int t, int token) {
                    chains[c].enc.notes[static_cast<size_t>(v)][static_cast<size_t>(t + kDatasetPadding)] =
                        static_cast<std::int16_t>(token);
                });
        }
        run_iterations = it + 1;
        if (options.progress &&
            !options.progress(static_cast<std::size_t>(it + 1),
                              static_cast<std::size_t>(std::max(iterations, it + 1)), "sampling"))
            throw Cancelled();
    }

    // A masked start leaves masks where a schedule never came (uniform
    // draws, or too few iterations): draw them now, voice by voice.
    if (model.config.mask) {
        std::vector<std::vector<int>> masked(chains.size());
        for (int v = 0; v < kNumVoices; ++v) {
            const int V = problem.vocabulary_size[static_cast<size_t>(v)];
            bool any = false;
            for (std::size_t c = 0; c < chains.size(); ++c) {
                masked[c].clear();
                for (int t : problem.free_ticks[static_cast<size_t>(v)])
                    if (chains[c]
                            .enc.notes[static_cast<size_t>(v)][static_cast<size_t>(t + kDatasetPadding)] >= V)
                        masked[c].push_back(t);
                any = any || !masked[c].empty();
            }
            if (!any) continue;
            draw_voice(
                v, [&](std::size_t c) -> const std::vector<int>& { return masked[c]; },
                [&](std::size_t) { return options.temperature; },
                [&](std::size_t c, int t, int token) {
                    chains[c].enc.notes[static_cast<size_t>(v)][static_cast<size_t>(t + kDatasetPadding)] =
                        static_cast<std::int16_t>(token);
                });
        }
    }

    std::vector<Chorale> grids;
    for (const auto& ch : chains) {
        Chorale g = problem.grid;
        for (int v = 0; v < kNumVoices; ++v)
            for (int t : problem.free_ticks[static_cast<size_t>(v)])
                g.at(v, t) = model.vocabularies[static_cast<size_t>(v)].token(
                    ch.enc.notes[static_cast<size_t>(v)][static_cast<size_t>(t + kDatasetPadding)]);
        grids.push_back(std::move(g));
    }
    const std::vector<double> scores = pseudo_log_likelihood(backend, model, problem, grids);
    std::vector<ChainResult> out;
    for (std::size_t c = 0; c < grids.size(); ++c) out.push_back({std::move(grids[c]), scores[c]});
    if (stats) {
        const bool passes = options.schedule != Schedule::blocked;
        stats->iterations = passes ? run_iterations : iterations;
        // Cells redrawn per voice and pass, on average (chain 0).
        stats->positions = passes && run_iterations > 0 && free_voices > 0
                               ? static_cast<int>(std::lround(static_cast<double>(drawn_cells) /
                                                              run_iterations / free_voices))
                               : positions;
        stats->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
    }
    return out;
}

std::vector<double> pseudo_log_likelihood(Backend& backend, const Model& model, const Problem& problem,
                                          const std::vector<Chorale>& grids) {
    std::vector<nn::EncodedChorale> encoded;
    for (const auto& g : grids) encoded.push_back(nn::encode_chorale(g, model.vocabularies));
    std::vector<nn::SequenceView> views;
    for (const auto& e : encoded) views.push_back(nn::view_of(e));
    std::vector<double> sums(grids.size(), 0.0);
    const std::size_t cells = problem.free_cells();
    if (cells == 0) return sums;
    Eigen::MatrixXf logits;
    RowMajor rows;
    std::vector<Eigen::MatrixXf> full;
    for (int v = 0; v < kNumVoices; ++v) {
        const auto& free = problem.free_ticks[static_cast<size_t>(v)];
        if (free.empty()) continue;
        const int V = problem.vocabulary_size[static_cast<size_t>(v)];
        auto add = [&](std::size_t g, int t, const float* row) {
            const int token =
                encoded[g].notes[static_cast<size_t>(v)][static_cast<size_t>(t + kDatasetPadding)];
            sums[g] += masked_log_prob(row, problem.allowed_row(v, t), V, token);
        };
        if (backend.config().mode == ContextMode::window) {
            constexpr std::size_t kChunk = 512;
            std::vector<nn::Target> targets;
            std::vector<std::size_t> owner;
            auto flush = [&] {
                backend.window_logits(v, targets, logits);
                rows = logits;
                for (std::size_t i = 0; i < targets.size(); ++i)
                    add(owner[i], targets[i].tick, rows.row(static_cast<Eigen::Index>(i)).data());
                targets.clear();
                owner.clear();
            };
            for (std::size_t g = 0; g < views.size(); ++g)
                for (int t : free) {
                    targets.push_back({views[g], t});
                    owner.push_back(g);
                    if (targets.size() == kChunk) flush();
                }
            if (!targets.empty()) flush();
        } else {
            backend.full_logits(v, views, full);
            for (std::size_t g = 0; g < views.size(); ++g) {
                rows = full[g];
                for (int t : free) add(g, t, rows.row(t).data());
            }
        }
    }
    for (double& s : sums) s /= static_cast<double>(cells);
    return sums;
}

}  // namespace deepbach::sample
