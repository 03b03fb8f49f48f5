// deepbach._core: harmonize, generate, reharmonize, sample_grid and their
// result. The public functions with their keyword arguments are in
// deepbach/__init__.py; these take the options as one dict.
#include "constraints.hpp"

#include <limits>
#include <optional>
#include <tuple>

namespace deepbach::py_bindings {

namespace {

/// deepbach.Harmonization: a Score (the best chain's) with what sampling said.
struct PyHarmonization : Score {
    Chorale chorale;
    double pseudo_log_likelihood = 0;
    int chain = 0;
    std::vector<Chorale> chains;
    std::vector<double> chain_scores;
    int iterations = 0;
    int positions = 0;
    double seconds = 0;
    std::string backend;
    std::uint64_t seed = 1;
    CellMask fixed;
};

PyHarmonization result_of(Harmonization h, std::uint64_t seed) {
    PyHarmonization out;
    static_cast<Score&>(out) = h.score();
    out.chorale = std::move(h.chorale);
    out.pseudo_log_likelihood = h.pseudo_log_likelihood;
    out.chain = h.chain;
    out.chains = std::move(h.chains);
    out.chain_scores = std::move(h.chain_scores);
    out.iterations = h.iterations;
    out.positions = h.positions;
    out.seconds = h.seconds;
    out.backend = std::move(h.backend);
    out.seed = seed;
    out.fixed = std::move(h.fixed);
    return out;
}

/// The options dict (see deepbach/__init__.py) as SamplingOptions; the
/// model is loaded here when given as a path. progress is the user's callable.
SamplingOptions options_of(const py::dict& d, py::object& progress) {
    SamplingOptions o;
    auto get = [&](const char* key) -> py::object {
        return d.contains(key) ? py::reinterpret_borrow<py::object>(d[key]) : py::object(py::none());
    };
    // A whole number for `key`; the limits are the library's (validate()).
    auto count = [&](const char* key, const char* name, int fallback) {
        const py::object v = get(key);
        if (v.is_none()) return fallback;
        if (!py::isinstance<py::int_>(v) || py::isinstance<py::bool_>(v))
            throw py::type_error(std::string(key) + ": expected a whole number, not " + repr_of(v));
        if (v < py::int_(std::numeric_limits<int>::min()) || v > py::int_(defaults::kMaxCount))
            throw Error(std::string(name) + " " + repr_of(v) + ": at most " +
                        std::to_string(defaults::kMaxCount));
        return v.cast<int>();
    };
    auto number = [&](const char* key, double fallback) {
        const py::object v = get(key);
        if (v.is_none()) return fallback;
        if (!py::isinstance<py::int_>(v) && !py::isinstance<py::float_>(v))
            throw py::type_error(std::string(key) + ": expected a number, not " + repr_of(v));
        return v.cast<double>();
    };
    auto text = [&](const char* key) -> std::optional<std::string> {
        const py::object v = get(key);
        if (v.is_none()) return std::nullopt;
        if (!py::isinstance<py::str>(v))
            throw py::type_error(std::string(key) + ": expected a str, not " + repr_of(v));
        return v.cast<std::string>();
    };

    const py::object model = get("model");
    if (py::isinstance<Model>(model)) {
        o.model = model.cast<std::shared_ptr<Model>>();
    } else if (!model.is_none()) {
        const std::string path = fspath(model);
        py::gil_scoped_release release;
        o.model = std::make_shared<const Model>(Model::load(path));
    } else {
        try {
            o.model_path = default_model_path();
        } catch (const Error& e) {
            throw Error(std::string(e.what()) +
                        " (from Python: model=deepbach.Model.load(path) or model=path)");
        }
    }

    const py::object seed = get("seed");
    if (!seed.is_none()) {
        if (!py::isinstance<py::int_>(seed) || py::isinstance<py::bool_>(seed))
            throw py::type_error("seed: expected a whole number or None, not " + repr_of(seed));
        o.seed = parse_seed("seed", py::str(seed).cast<std::string>());
    }
    o.sweeps = count("sweeps", "sweeps", o.sweeps);
    o.iterations = count("iterations", "iterations", o.iterations);
    o.positions = count("positions", "positions", o.positions);
    o.chains = count("chains", "chains", o.chains);
    o.threads = count("threads", "threads", o.threads);
    o.temperature = number("temperature", o.temperature);
    o.voice_leading = number("voice_leading", o.voice_leading);
    if (const auto s = text("schedule")) o.schedule = parse_schedule(*s);
    if (const auto b = text("backend")) o.backend = parse_backend(*b);
    if (const auto dev = text("device")) o.device = parse_device(*dev);
    if (const py::object k = get("keep_all_chains"); !k.is_none()) o.keep_all_chains = k.cast<bool>();
    validate(o);
    progress = get("progress");
    if (!progress.is_none() && !PyCallable_Check(progress.ptr()))
        throw py::type_error("progress: expected a callable progress(done, total, what) or None");
    return o;
}

PyConstraints constraints_of(const py::object& c) {
    if (c.is_none()) return {};
    if (!py::isinstance<PyConstraints>(c))
        throw py::type_error("constraints: expected a deepbach.Constraints or None, not " + repr_of(c));
    return c.cast<PyConstraints>();  // a copy: the sampling runs without the GIL
}

/// Runs a sampling story with the GIL released and Python's interrupts.
template <class Fn>
PyHarmonization sample(const py::dict& options, Fn&& fn) {
    py::object progress;
    SamplingOptions o = options_of(options, progress);
    Interrupts interrupts(progress);
    o.progress = interrupts.progress();
    const std::uint64_t seed = o.seed;
    Harmonization h = interrupts.run([&] { return fn(o); });
    return result_of(std::move(h), seed);
}

std::vector<Region> regions_arg(const py::object& bars, const py::object& voices, const Chorale& base) {
    if (bars.is_none()) return {};
    py::object self = py::cast(PyConstraints{});
    self.attr("region")(bars, voices);
    return self.cast<PyConstraints&>().resolve(base, false).regions;
}

}  // namespace

void bind_sampling(py::module_& m) {
    {
        // The defaults of deepbach::SamplingOptions, for deepbach/__init__.py.
        const SamplingOptions o;
        py::dict d;
        d["seed"] = o.seed;
        d["sweeps"] = o.sweeps;
        d["iterations"] = o.iterations;
        d["positions"] = o.positions;
        d["temperature"] = o.temperature;
        d["voice_leading"] = o.voice_leading;
        d["chains"] = o.chains;
        d["schedule"] = to_string(o.schedule);
        d["backend"] = to_string(o.backend);
        d["device"] = to_string(o.device);
        d["threads"] = o.threads;
        m.attr("SAMPLING_DEFAULTS") = d;
    }
    py::class_<PyHarmonization, Score>(m, "Harmonization", R"doc(
What harmonize, generate, reharmonize and sample_grid return: a Score (the
best chain's four parts: write it with deepbach.write_score) with what the
sampling said:

- chorale: the best chain's grid (a Chorale);
- pseudo_log_likelihood: mean log-probability of every sampled cell given the
  others under the model (higher is better);
- chain: its index (from 0); chain_scores: every chain's pseudo-log-likelihood;
  chains: every chain's Chorale (with keep_all_chains=True, else empty);
- iterations, positions, seconds, backend ('eigen', 'torch-cpu', 'torch-cuda')
  and seed;
- fixed: which cells were fixed and which sampled; write_svg(path) draws the
  piano roll with that marked.
)doc")
        .def_readonly("chorale", &PyHarmonization::chorale, "The best chain's grid.")
        .def_readonly("pseudo_log_likelihood", &PyHarmonization::pseudo_log_likelihood,
                      "Mean log-probability of the sampled cells given the others (higher is better).")
        .def_readonly("chain", &PyHarmonization::chain, "Index of the best chain (from 0).")
        .def_property_readonly(
            "chains", [](const PyHarmonization& h) { return h.chains; },
            "Every chain's Chorale with keep_all_chains=True (else empty).")
        .def_readonly("chain_scores", &PyHarmonization::chain_scores, "Every chain's pseudo-log-likelihood.")
        .def_readonly("iterations", &PyHarmonization::iterations, "Iterations run.")
        .def_readonly("positions", &PyHarmonization::positions, "Cells redrawn per voice and iteration.")
        .def_readonly("seconds", &PyHarmonization::seconds, "Time spent sampling.")
        .def_readonly("backend", &PyHarmonization::backend, "'eigen', 'torch-cpu' or 'torch-cuda'.")
        .def_readonly("seed", &PyHarmonization::seed, "The seed used.")
        .def_property_readonly(
            "fixed",
            [](const PyHarmonization& h) {
                const auto ticks = static_cast<py::ssize_t>(h.chorale.num_ticks);
                py::array_t<bool> out({static_cast<py::ssize_t>(kNumVoices), ticks});
                auto m = out.mutable_unchecked<2>();
                for (int v = 0; v < kNumVoices; ++v)
                    for (py::ssize_t t = 0; t < ticks; ++t)
                        m(v, t) = h.fixed[static_cast<size_t>(v)][static_cast<size_t>(t)] != 0;
                return out;
            },
            "A bool array of voices x ticks: True where the cell was fixed (the melody, fixed notes, "
            "cells outside the regions), False where the sampler drew it.")
        .def(
            "write_svg",
            [](const PyHarmonization& h, const py::object& path) {
                const std::string p = fspath(path);
                py::gil_scoped_release release;
                write_piano_roll_svg(h.chorale, p, &h.fixed);
            },
            py::arg("path"),
            "Writes the piano roll of the four voices (SVG), the fixed notes solid and the sampled ones "
            "lighter; see deepbach.write_piano_roll.")
        .def("__repr__", [](const PyHarmonization& h) {
            char buf[96];
            std::snprintf(buf, sizeof buf, "%.4f", h.pseudo_log_likelihood);
            return "<Harmonization: " + std::to_string(h.chorale.measure_ticks.size()) + " bars, " +
                   std::to_string(h.chorale.num_ticks) + " ticks, seed " + std::to_string(h.seed) +
                   ", pseudo-log-likelihood " + buf + ">";
        });

    m.def(
        "_harmonize",
        [](const py::object& melody, const py::object& constraints, const py::dict& options) {
            const PyConstraints wanted = constraints_of(constraints);
            const Score score = score_from(melody);
            return sample(options, [&](const SamplingOptions& o) {
                const Chorale base = melody_chorale(score);
                return harmonize(score, wanted.resolve(base, true), o);
            });
        },
        py::arg("melody"), py::arg("constraints"), py::arg("options"), "See deepbach.harmonize.");

    m.def(
        "_generate",
        [](int bars, const py::object& constraints, const std::string& time, const py::object& key,
           const py::object& mode, const py::dict& options) {
            const PyConstraints wanted = constraints_of(constraints);
            PieceShape shape;
            shape.bars = bars;
            std::tie(shape.beats, shape.beat_type) = parse_time_signature(time);
            try {
                const KeyName k = key_arg(key, mode);
                shape.fifths = k.fifths;
                shape.mode = k.mode;
            } catch (const Error& e) {
                throw Error("key=" + repr_of(key) + ": " + e.what());
            }
            return sample(options, [&](const SamplingOptions& o) {
                const Chorale base = piece_grid(shape);
                return generate(shape, wanted.resolve(base, false), o);
            });
        },
        py::arg("bars"), py::arg("constraints"), py::arg("time"), py::arg("key"), py::arg("mode"),
        py::arg("options"), "See deepbach.generate.");

    m.def(
        "_reharmonize",
        [](const py::object& score_arg, const py::object& constraints, const py::object& bars,
           const py::object& voices, const py::dict& options) {
            const PyConstraints wanted = constraints_of(constraints);
            const Score score = score_from(score_arg);
            const Chorale base = to_chorale(score);
            std::vector<Region> regions;
            try {
                regions = regions_arg(bars, voices, base);
            } catch (const Error& e) {
                throw Error(std::string("reharmonize: ") + e.what());
            }
            return sample(options, [&](const SamplingOptions& o) {
                // Where the soprano is kept, a fermata covers its note.
                std::vector<Region> all = regions;
                {
                    const Constraints probe = wanted.resolve(base, false);
                    all.insert(all.end(), probe.regions.begin(), probe.regions.end());
                }
                bool soprano_redrawn = false;
                for (const Region& r : all) soprano_redrawn = soprano_redrawn || r.voices[kSoprano];
                Constraints c = wanted.resolve(base, !soprano_redrawn);
                c.regions.clear();
                if (all.empty())
                    throw Error(
                        "reharmonize: no region to redraw (give bars= and voices=, or Constraints.region())");
                return reharmonize(score, all, o, c);
            });
        },
        py::arg("score"), py::arg("constraints"), py::arg("bars"), py::arg("voices"), py::arg("options"),
        "See deepbach.reharmonize.");

    m.def(
        "_sample_grid",
        [](const Chorale& base_arg, const py::object& constraints, bool melody, const py::dict& options) {
            const PyConstraints wanted = constraints_of(constraints);
            const Chorale base = base_arg;
            return sample(options, [&](const SamplingOptions& o) {
                base.validate();
                return sample_grid(base, wanted.resolve(base, melody), o);
            });
        },
        py::arg("base"), py::arg("constraints"), py::arg("melody"), py::arg("options"),
        "See deepbach.sample_grid.");
}

}  // namespace deepbach::py_bindings
