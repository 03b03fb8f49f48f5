// deepbach._core: models, corpora, evaluation (Eigen engine) and training
// (LibTorch builds only).
#include "common.hpp"

#include <deepbach/calibrate.hpp>
#include <deepbach/train.hpp>  // TrainOptions' defaults even without LibTorch

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace deepbach::py_bindings {

namespace {

namespace fs = std::filesystem;

const char* const kNoTorch =
    "deepbach.train needs LibTorch, and this deepbach module was built without it: install libtorch-dev "
    "(Debian) or point CMake at a LibTorch (-DCMAKE_PREFIX_PATH=...), then rebuild with "
    "-DDEEPBACH_WITH_TORCH=ON";

std::string mode_text(ContextMode mode) {
    return to_string(mode);
}

std::string metrics_repr(const VoiceMetrics& m) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "VoiceMetrics(nll=%.4f, accuracy=%.4f, onset_nll=%.4f, onset_accuracy=%.4f, targets=%lld)",
                  m.nll, m.accuracy, m.onset_nll, m.onset_accuracy, static_cast<long long>(m.targets));
    return buf;
}

py::dict metrics_dict(const VoiceMetrics& m) {
    return json_dict(to_json(m));
}

std::shared_ptr<const Model> model_arg(const py::object& model) {
    if (py::isinstance<Model>(model)) return model.cast<std::shared_ptr<Model>>();
    const std::string path = fspath(model);
    py::gil_scoped_release release;
    return std::make_shared<const Model>(Model::load(path));
}

ModelEvaluation run_evaluate(const Model& model, const std::vector<std::string>& inputs, int threads,
                             Interrupts& interrupts) {
    const ProgressFn progress = interrupts.progress();
    const LoadedChorales in =
        load_chorales({inputs.begin(), inputs.end()}, SplitPart::all, defaults::kSeed, 0, threads, progress);
    std::vector<Chorale> chorales;
    for (const auto& c : in.chorales) {
        chorales.push_back(c.chorale);
        chorales.back().source = c.name;
    }
    ModelEvaluationOptions options;
    options.threads = threads;
    options.progress = progress;
    ModelEvaluation out;
    try {
        out = evaluate_model(model, chorales, options);
    } catch (const Cancelled&) {
        throw;
    } catch (const Error& e) {
        throw Error(std::string("evaluate: ") + e.what());
    }
    out.skipped.insert(out.skipped.begin(), in.skipped.begin(), in.skipped.end());
    return out;
}

}  // namespace

ProgressFn Interrupts::progress() {
    return [this](std::size_t done, std::size_t total, std::string_view what) {
        return check(done, total, std::string(what));
    };
}

void bind_model(py::module_& m) {
#ifdef DEEPBACH_PY_HAVE_TORCH
    m.attr("HAVE_TORCH") = true;
    register_torch_backend();
#else
    m.attr("HAVE_TORCH") = false;
#endif
    m.def(
        "cuda_available",
        [] {
#ifdef DEEPBACH_PY_HAVE_TORCH
            return cuda_available();
#else
            return false;
#endif
        },
        "True when this build has LibTorch and LibTorch sees a CUDA device (backend='torch', "
        "device='cuda').");
    m.def(
        "default_model_path", [] { return default_model_path().string(); }, R"doc(
The shipped model's file: $DEEPBACH_MODEL when set, else the installed
share/deepbach/deepbach.safetensors, else models/deepbach.safetensors of the
source tree the module was built from. Raises deepbach.Error saying where it
looked when there is none.
)doc");

    // ------------------------------------------------------------ ModelConfig
    py::class_<ModelConfig>(m, "ModelConfig", R"doc(
Sizes of the four voice networks (DeepBach's by default) and the context
mode: 'window' (DeepBach's windows of window_past / window_future ticks) or
'full' (LSTMs over the whole piece).

    >>> deepbach.ModelConfig(mode="window", lstm_hidden=64, mlp_hidden=64)
)doc")
        .def(py::init([](const std::string& mode, int note_embedding, int meta_embedding, int lstm_hidden,
                         int lstm_layers, float dropout, int mlp_hidden, int window_past, int window_future) {
                 ModelConfig c;
                 c.mode = parse_context_mode(mode);
                 c.note_embedding = note_embedding;
                 c.meta_embedding = meta_embedding;
                 c.lstm_hidden = lstm_hidden;
                 c.lstm_layers = lstm_layers;
                 c.dropout = dropout;
                 c.mlp_hidden = mlp_hidden;
                 c.window_past = window_past;
                 c.window_future = window_future;
                 return c;
             }),
             py::kw_only(), py::arg("mode") = "full", py::arg("note_embedding") = 20,
             py::arg("meta_embedding") = 20, py::arg("lstm_hidden") = 256, py::arg("lstm_layers") = 2,
             py::arg("dropout") = 0.5f, py::arg("mlp_hidden") = 256, py::arg("window_past") = 16,
             py::arg("window_future") = 15)
        .def_property(
            "mode", [](const ModelConfig& c) { return mode_text(c.mode); },
            [](ModelConfig& c, const std::string& mode) { c.mode = parse_context_mode(mode); },
            "'window' or 'full'.")
        .def_readwrite("note_embedding", &ModelConfig::note_embedding, "Size of each note embedding.")
        .def_readwrite("meta_embedding", &ModelConfig::meta_embedding, "Size of each metadata embedding.")
        .def_readwrite("lstm_hidden", &ModelConfig::lstm_hidden, "LSTM width.")
        .def_readwrite("lstm_layers", &ModelConfig::lstm_layers, "LSTM layers.")
        .def_readwrite("dropout", &ModelConfig::dropout, "Dropout while training.")
        .def_readwrite("mlp_hidden", &ModelConfig::mlp_hidden, "Width of the center MLP and of the head.")
        .def_readwrite("window_past", &ModelConfig::window_past, "Window mode: ticks before the target.")
        .def_readwrite("window_future", &ModelConfig::window_future, "Window mode: ticks after the target.")
        .def_readonly("shared_pitch", &ModelConfig::shared_pitch, "A pitch embedding shared by the voices.")
        .def_readonly("mask", &ModelConfig::mask, "Trained with masked context (a mask input per voice).")
        .def_readonly("relational", &ModelConfig::relational,
                      "Relational potentials: each candidate's relation to the other voices, learned.")
        .def_readonly("relational_leaps", &ModelConfig::relational_leaps,
                      "The relational tables tell a step from a leap (five motion classes).")
        .def_readonly("relational_melody", &ModelConfig::relational_melody,
                      "The relational tables read each voice's own line: melodic moves, spelled intervals, "
                      "rhythms, register.")
        .def("__repr__", [](const ModelConfig& c) {
            return "ModelConfig(mode='" + mode_text(c.mode) +
                   "', note_embedding=" + std::to_string(c.note_embedding) +
                   ", meta_embedding=" + std::to_string(c.meta_embedding) +
                   ", lstm_hidden=" + std::to_string(c.lstm_hidden) +
                   ", lstm_layers=" + std::to_string(c.lstm_layers) +
                   ", mlp_hidden=" + std::to_string(c.mlp_hidden) + ")";
        });

    // ------------------------------------------------------------ metrics
    py::class_<VoiceMetrics>(m, "VoiceMetrics", R"doc(
Negative log-likelihood (nats per target) and accuracy of one voice network:
over every tick (nll, accuracy) and over the ticks where the target is not a
hold (onset_nll, onset_accuracy), with the numbers of targets.
)doc")
        .def_readonly("nll", &VoiceMetrics::nll, "Mean negative log-likelihood over every tick (nats).")
        .def_readonly("accuracy", &VoiceMetrics::accuracy,
                      "Share of ticks whose most likely token is the target.")
        .def_readonly("onset_nll", &VoiceMetrics::onset_nll,
                      "Mean NLL over the ticks whose target is not a hold.")
        .def_readonly("onset_accuracy", &VoiceMetrics::onset_accuracy,
                      "Accuracy over the ticks whose target is not a hold.")
        .def_readonly("targets", &VoiceMetrics::targets, "Ticks scored.")
        .def_readonly("onset_targets", &VoiceMetrics::onset_targets,
                      "Ticks scored whose target is not a hold.")
        .def("to_dict", &metrics_dict, "The figures as a dict.")
        .def("__repr__", &metrics_repr);

    py::class_<TrainingRecord>(m, "TrainingRecord", "How a model was trained (stored in its file).")
        .def_readonly("corpus_checksum", &TrainingRecord::corpus_checksum,
                      "Checksum of the corpus trained on.")
        .def_readonly("seed", &TrainingRecord::seed, "Seed of the split, weights, batches and dropout.")
        .def_readonly("epochs", &TrainingRecord::epochs, "Epochs run.")
        .def_readonly("steps", &TrainingRecord::steps, "Optimizer steps per voice.")
        .def_readonly("batch_size", &TrainingRecord::batch_size,
                      "Targets (window mode) or sequences (full mode) per step.")
        .def_readonly("learning_rate", &TrainingRecord::learning_rate, "Adam learning rate.")
        .def_readonly("wall_seconds", &TrainingRecord::wall_seconds, "Training time.")
        .def_readonly("device", &TrainingRecord::device, "'cpu' or 'cuda'.")
        .def_readonly("finished_at", &TrainingRecord::finished_at, "ISO 8601 UTC.")
        .def_property_readonly(
            "validation",
            [](const TrainingRecord& r) {
                return std::vector<VoiceMetrics>(r.validation.begin(), r.validation.end());
            },
            "Validation VoiceMetrics of the four voices.")
        .def("__repr__", [](const TrainingRecord& r) {
            return "<TrainingRecord: " + std::to_string(r.epochs) + " epochs, " + std::to_string(r.steps) +
                   " steps on " + (r.device.empty() ? std::string("?") : r.device) + ">";
        });

    // ------------------------------------------------------------ Model
    py::class_<Model, std::shared_ptr<Model>>(m, "Model", R"doc(
The four voice networks: configuration, per-voice vocabularies and ranges,
training record and weights. Load one with Model.load(path) (or
Model.default() for the shipped model) and pass it as model= to the sampling
calls to load it only once.
)doc")
        .def_static(
            "load",
            [](const py::object& path) {
                const std::string p = fspath(path);
                py::gil_scoped_release release;
                return std::make_shared<Model>(Model::load(p));
            },
            py::arg("path"),
            "Reads a model file (.safetensors). Raises deepbach.Error naming the file for a missing, "
            "truncated or malformed file.")
        .def_static(
            "default",
            [] {
                py::gil_scoped_release release;
                fs::path path;
                try {
                    path = default_model_path();
                } catch (const Error& e) {
                    throw Error(std::string(e.what()) + " (from Python: deepbach.Model.load(path))");
                }
                return std::make_shared<Model>(Model::load(path));
            },
            "The shipped model (see deepbach.default_model_path). Raises deepbach.Error when there is none.")
        .def_static(
            "initialize",
            [](const ModelConfig& config, const std::vector<Vocabulary>& vocabularies,
               const std::vector<VoiceRange>& ranges, std::uint64_t seed) {
                if (vocabularies.size() != kNumVoices || ranges.size() != kNumVoices)
                    throw Error("Model.initialize: expected 4 vocabularies and 4 ranges");
                std::array<Vocabulary, kNumVoices> v;
                std::array<VoiceRange, kNumVoices> r;
                std::copy(vocabularies.begin(), vocabularies.end(), v.begin());
                std::copy(ranges.begin(), ranges.end(), r.begin());
                py::gil_scoped_release release;
                return std::make_shared<Model>(Model::initialize(config, v, r, seed));
            },
            py::arg("config"), py::arg("vocabularies"), py::arg("ranges"), py::arg("seed") = 1,
            "An untrained model: seeded random weights for the config, the four vocabularies and the "
            "four VoiceRanges (see Corpus.vocabularies() and Corpus.ranges()).")
        .def(
            "save",
            [](const Model& model, const py::object& path, bool float16) {
                const std::string p = fspath(path);
                py::gil_scoped_release release;
                model.save(p, float16);
            },
            py::arg("path"), py::arg("float16") = false,
            "Writes the model file atomically; float16 halves its size.")
        .def("validate", &Model::validate,
             "Raises deepbach.Error unless every weight is there, of its shape and finite.")
        .def_property_readonly(
            "config", [](const Model& model) { return model.config; }, "The ModelConfig (a copy).")
        .def_property_readonly(
            "mode", [](const Model& model) { return mode_text(model.config.mode); }, "'window' or 'full'.")
        .def_property_readonly(
            "vocabularies",
            [](const Model& model) {
                return std::vector<Vocabulary>(model.vocabularies.begin(), model.vocabularies.end());
            },
            "The four voices' Vocabulary (Soprano, Alto, Tenor, Bass).")
        .def_property_readonly(
            "ranges",
            [](const Model& model) {
                return std::vector<VoiceRange>(model.ranges.begin(), model.ranges.end());
            },
            "The four voices' VoiceRange (MIDI).")
        .def_property_readonly(
            "training", [](const Model& model) { return model.training; }, "The TrainingRecord.")
        .def_property_readonly(
            "num_parameters",
            [](const Model& model) {
                std::int64_t n = 0;
                for (const auto& [name, t] : model.weights) n += t.numel();
                return n;
            },
            "Number of weights.")
        .def("__repr__", [](const Model& model) {
            std::int64_t n = 0;
            for (const auto& [name, t] : model.weights) n += t.numel();
            return "<Model: " + mode_text(model.config.mode) + " mode, " + std::to_string(n) + " parameters>";
        });

    // ------------------------------------------------------------ Corpus
    py::class_<Corpus, std::shared_ptr<Corpus>>(m, "Corpus", R"doc(
The chorales of a folder that the grid can hold (deepbach.load_corpus):
files, chorales (parallel lists), rejected files with the reason, a checksum;
ranges() and vocabularies() are what a model is made for.
)doc")
        .def_property_readonly(
            "folder", [](const Corpus& c) { return c.folder.string(); }, "The folder read.")
        .def_readonly("files", &Corpus::files, "Accepted files, names relative to the folder, sorted.")
        .def_property_readonly(
            "chorales", [](const Corpus& c) { return c.chorales; },
            "The Chorales, parallel to files (copies).")
        .def_property_readonly(
            "rejected",
            [](const Corpus& c) {
                std::vector<std::pair<std::string, std::string>> out;
                for (const auto& r : c.rejected) out.emplace_back(r.file, r.reason);
                return out;
            },
            "List of (file, reason) for the files the grid cannot hold.")
        .def_readonly("checksum", &Corpus::checksum,
                      "SHA-256 over the names and contents of the score files.")
        .def(
            "ranges",
            [](const Corpus& c) {
                const auto r = c.ranges();
                return std::vector<VoiceRange>(r.begin(), r.end());
            },
            "Per voice VoiceRange over the accepted chorales.")
        .def(
            "vocabularies",
            [](const Corpus& c) {
                std::array<Vocabulary, kNumVoices> v;
                {
                    py::gil_scoped_release release;
                    v = build_vocabularies(c);
                }
                return std::vector<Vocabulary>(v.begin(), v.end());
            },
            "Per voice Vocabulary of every token under every valid transposition.")
        .def("total_ticks", &Corpus::total_ticks, "Ticks of all accepted chorales.")
        .def("__len__", [](const Corpus& c) { return c.chorales.size(); })
        .def("__repr__", [](const Corpus& c) {
            return "<Corpus " + repr_of(py::str(c.folder.string())) + ": " +
                   std::to_string(c.chorales.size()) + " chorales, " + std::to_string(c.rejected.size()) +
                   " rejected>";
        });
    m.def("spelled_vocabulary", &spelled_vocabulary, py::arg("range"), R"doc(
Every pitch of a VoiceRange in each spelling with at most one sharp or flat,
with the four special tokens: a Vocabulary for a model made without a corpus
(e.g. Model.initialize(config, [spelled_vocabulary(r) for r in CHORALE_RANGES],
CHORALE_RANGES)).
)doc");
    m.attr("CHORALE_RANGES") = std::vector<VoiceRange>(kChoraleRanges.begin(), kChoraleRanges.end());
    m.def(
        "load_corpus",
        [](const py::object& folder, int threads, const py::object& progress) {
            const std::string path = fspath(folder);
            Interrupts interrupts(progress);
            return interrupts.run([&] {
                CorpusOptions o;
                o.threads = threads;
                return std::make_shared<Corpus>(load_corpus(path, o, interrupts.progress()));
            });
        },
        py::arg("folder"), py::kw_only(), py::arg("threads") = defaults::kThreads,
        py::arg("progress") = py::none(), R"doc(
Reads every .mxl / .musicxml / .xml file of a folder (sorted), keeping the
chorales the grid can hold. threads: files read in parallel (0: all cores).
progress(done, total, what) is called after each file; returning False
cancels (deepbach.Cancelled), and Ctrl-C raises KeyboardInterrupt.
)doc");

    // ------------------------------------------------------------ evaluate
    py::class_<ModelEvaluation>(m, "Evaluation", "What deepbach.evaluate returns.")
        .def_readonly("chorales", &ModelEvaluation::chorales, "Chorales evaluated.")
        .def_readonly("skipped", &ModelEvaluation::skipped, "List of (file, reason) for the files skipped.")
        .def_property_readonly(
            "voices",
            [](const ModelEvaluation& e) {
                return std::vector<VoiceMetrics>(e.voices.begin(), e.voices.end());
            },
            "VoiceMetrics of Soprano, Alto, Tenor, Bass.")
        .def_readonly("mean_nll", &ModelEvaluation::mean_nll, "Mean NLL of the four voices.")
        .def_readonly("mean_onset_nll", &ModelEvaluation::mean_onset_nll,
                      "Mean onset NLL of the four voices.")
        .def_property_readonly(
            "parallel_mass", [](const ModelEvaluation& e) { return json_dict(to_json(e.parallel_mass)); },
            "The probability mass on tokens that would write parallel fifths or octaves at these chorales' "
            "contexts, as a dict (deepbach/diagnostics.hpp).")
        .def(
            "to_dict", [](const ModelEvaluation& e) { return json_dict(to_json(e)); },
            "The figures as a dict (what `deepbach evaluate MODEL --json` prints of them).")
        .def("__repr__", [](const ModelEvaluation& e) {
            char buf[120];
            std::snprintf(buf, sizeof buf, "<Evaluation: %zu chorales, mean nll %.4f>", e.chorales,
                          e.mean_nll);
            return std::string(buf);
        });
    // ------------------------------------------------------------ calibrate
    py::class_<CalibrationProgress>(m, "CalibrationProgress",
                                    "What calibrate() passes to its progress callable after each round.")
        .def_readonly("round", &CalibrationProgress::round, "Rounds done, from 1.")
        .def_readonly("rounds", &CalibrationProgress::rounds, "Rounds asked for.")
        .def_readonly("chorales", &CalibrationProgress::chorales, "Sopranos harmonized in this round.")
        .def_readonly("generated", &CalibrationProgress::generated, "Chorales generated in this round.")
        .def_readonly("generated_parallels", &CalibrationProgress::generated_parallels,
                      "Their parallel fifths + octaves per 100 chord events.")
        .def_readonly("parallels", &CalibrationProgress::parallels, "Parallel fifths + octaves per chorale.")
        .def_readonly("bach_parallels", &CalibrationProgress::bach_parallels, "Bach's, on the same chorales.")
        .def_readonly("out_of_key", &CalibrationProgress::out_of_key, "Notes out of the key per chorale.")
        .def_readonly("bach_out_of_key", &CalibrationProgress::bach_out_of_key,
                      "Bach's, on the same chorales.")
        .def_readonly("distance", &CalibrationProgress::distance,
                      "Total variation distance between the sampler's and Bach's feature counts (0..1).")
        .def_readonly("seconds", &CalibrationProgress::seconds, "Since the calibration began.")
        .def("__repr__", [](const CalibrationProgress& p) {
            return "<deepbach.CalibrationProgress round " + std::to_string(p.round) + "/" +
                   std::to_string(p.rounds) + ">";
        });
    m.def(
        "calibrate",
        [](const py::object& model, const py::object& corpus, int rounds, int batch, double step,
           double smoothing, double average, int sweeps, int positions, double temperature,
           const py::object& voices, int generate_bars, bool generated_lower, bool leaps, bool melody,
           std::uint64_t seed, int threads, double time_limit_seconds, const py::object& progress) {
            auto calibrated = std::make_shared<Model>(*model_arg(model));
            CalibrationOptions o;
            o.corpus = fspath(corpus);
            o.rounds = rounds;
            o.batch = batch;
            o.step = step;
            o.smoothing = smoothing;
            o.average = average;
            o.sweeps = sweeps;
            o.positions = positions;
            o.temperature = temperature;
            if (!voices.is_none()) {
                o.voices = {false, false, false, false};
                for (const auto& v : voices) o.voices[static_cast<std::size_t>(voice_arg(v))] = true;
            }
            o.generate_bars = generate_bars;
            o.generated_lower = generated_lower;
            o.leaps = leaps;
            o.melody = melody;
            o.seed = seed;
            o.threads = threads;
            o.time_limit_seconds = time_limit_seconds;
            Interrupts interrupts(progress);
            const CalibrationRecord r = interrupts.run([&] {
                return calibrate_relations(*calibrated, o,
                                           [&](const CalibrationProgress& p) { return interrupts.check(p); });
            });
            py::dict record;
            record["rounds"] = r.rounds;
            record["chorales"] = r.chorales;
            record["generated"] = r.generated;
            record["seconds"] = r.seconds;
            record["first"] = r.first;
            record["last"] = r.last;
            record["validation_nll"] = r.validation_nll;
            return py::make_tuple(calibrated, record);
        },
        // The defaults are CalibrationOptions{}'s, as the command's.
        py::arg("model"), py::arg("corpus"), py::kw_only(), py::arg("rounds") = CalibrationOptions{}.rounds,
        py::arg("batch") = CalibrationOptions{}.batch, py::arg("step") = CalibrationOptions{}.step,
        py::arg("smoothing") = CalibrationOptions{}.smoothing,
        py::arg("average") = CalibrationOptions{}.average, py::arg("sweeps") = CalibrationOptions{}.sweeps,
        py::arg("positions") = CalibrationOptions{}.positions,
        py::arg("temperature") = CalibrationOptions{}.temperature, py::arg("voices") = py::none(),
        py::arg("generate_bars") = CalibrationOptions{}.generate_bars,
        py::arg("generated_lower") = CalibrationOptions{}.generated_lower,
        py::arg("leaps") = CalibrationOptions{}.leaps, py::arg("melody") = CalibrationOptions{}.melody,
        py::arg("seed") = CalibrationOptions{}.seed, py::arg("threads") = CalibrationOptions{}.threads,
        py::arg("time_limit_seconds") = 0.0, py::arg("progress") = py::none(), R"doc(
Fits the relational potentials of a model (a Model or a path; one trained
with relational=True) so that what its sampler writes, the model alone, has
Bach's counts of every relational feature on the training sopranos of
`corpus` (docs/training.md, "Calibration"); voices: the tables to fit (None:
all four; the soprano's on chorales generated with generate_bars bars;
generated_lower: the others' on generated chorales too; leaps: refine the
tables into five motion classes first: a step or a leap each way; melody:
give the tables each voice's own line first, melodic moves and rhythms).
Needs no LibTorch. Returns (calibrated Model, record dict with rounds,
chorales, generated, seconds, first and last
CalibrationProgress and validation_nll); the model given is unchanged.
progress(CalibrationProgress) after each round; False cancels.
)doc");
    m.def(
        "evaluate",
        [](const py::object& model, const py::object& files_or_dir, int threads, const py::object& progress) {
            std::vector<std::string> inputs;
            if (py::isinstance<py::str>(files_or_dir) || py::hasattr(files_or_dir, "__fspath__"))
                inputs.push_back(fspath(files_or_dir));
            else
                for (const auto& item : files_or_dir) inputs.push_back(fspath(item));
            const std::shared_ptr<const Model> loaded = model_arg(model);
            Interrupts interrupts(progress);
            return interrupts.run([&] { return run_evaluate(*loaded, inputs, threads, interrupts); });
        },
        py::arg("model"), py::arg("files_or_dir"), py::kw_only(), py::arg("threads") = defaults::kThreads,
        py::arg("progress") = py::none(), R"doc(
NLL and accuracy of a model (a Model or a path) per voice on chorales: a file,
a folder (its MusicXML files) or a list of them. Every music tick of every
chorale is a target. Runs on the Eigen engine (no LibTorch needed); threads
0: all cores. A file that cannot be read or encoded is skipped and listed in
Evaluation.skipped. Returns an Evaluation.
)doc");

    // ------------------------------------------------------------ train
#ifdef DEEPBACH_PY_HAVE_TORCH
    py::class_<TrainProgress> progress_class(m, "TrainProgress", R"doc(
What deepbach.train passes to its progress callable: phase ('loading',
'training', 'validating', 'done'), epoch (from 1) of epochs, step of
total_steps, recent loss and accuracy, samples_per_s, eta_seconds, the latest
validation (VoiceMetrics per voice) and a message.
)doc");
    progress_class
        .def_property_readonly(
            "phase",
            [](const TrainProgress& p) {
                using Phase = TrainProgress::Phase;
                switch (p.phase) {
                    case Phase::loading:
                        return "loading";
                    case Phase::training:
                        return "training";
                    case Phase::validating:
                        return "validating";
                    case Phase::done:
                        return "done";
                }
                return "training";
            },
            "'loading', 'training', 'validating' or 'done'.")
        .def_readonly("epoch", &TrainProgress::epoch, "The epoch, from 1.")
        .def_readonly("epochs", &TrainProgress::epochs, "Epochs in all.")
        .def_readonly("step", &TrainProgress::step, "Steps done (per voice) over the whole run.")
        .def_readonly("total_steps", &TrainProgress::total_steps, "Steps in all.")
        .def_readonly("loss", &TrainProgress::loss, "Mean training NLL of the four voices, recent steps.")
        .def_readonly("accuracy", &TrainProgress::accuracy, "Mean training accuracy, recent steps.")
        .def_readonly("samples_per_s", &TrainProgress::samples_per_s,
                      "Targets per second, four voices counted.")
        .def_readonly("eta_seconds", &TrainProgress::eta_seconds, "Estimated seconds left.")
        .def_property_readonly(
            "validation",
            [](const TrainProgress& p) {
                return std::vector<VoiceMetrics>(p.validation.begin(), p.validation.end());
            },
            "VoiceMetrics of the latest validation.")
        .def_readonly("message", &TrainProgress::message, "What is being done, for a status line.")
        .def("__repr__", [](const TrainProgress& p) {
            return "<TrainProgress epoch " + std::to_string(p.epoch) + "/" + std::to_string(p.epochs) +
                   " step " + std::to_string(p.step) + "/" + std::to_string(p.total_steps) + ": " +
                   p.message + ">";
        });
#endif
    m.def(
        "train",
        [](const py::object& corpus, const py::object& out, const std::string& mode, const py::object& config,
           int epochs, std::int64_t max_steps, int batch_size, int batch_sequences, double learning_rate,
           const std::string& device, std::uint64_t seed, int threads, bool resume, bool float16,
           std::int64_t validation_targets, const py::object& cache_dir,
           const py::object& progress) -> TrainingRecord {
#ifdef DEEPBACH_PY_HAVE_TORCH
            TrainOptions o;
            o.corpus = fspath(corpus);
            o.out = fspath(out);
            if (!config.is_none()) {
                o.config = config.cast<ModelConfig>();
            } else {
                o.config.mode = parse_context_mode(mode);
            }
            o.epochs = epochs;
            o.max_steps = max_steps;
            o.batch_size = batch_size;
            o.batch_sequences = batch_sequences;
            o.learning_rate = learning_rate;
            o.device = parse_device(device);
            o.seed = seed;
            o.threads = threads;
            o.resume = resume;
            o.float16 = float16;
            o.validation_targets = validation_targets;
            if (!cache_dir.is_none()) o.cache_dir = fspath(cache_dir);
            Interrupts interrupts(progress);
            return interrupts.run(
                [&] { return train_model(o, [&](const TrainProgress& p) { return interrupts.check(p); }); });
#else
            (void)corpus, (void)out, (void)mode, (void)config, (void)epochs, (void)max_steps,
                (void)batch_size;
            (void)batch_sequences, (void)learning_rate, (void)device, (void)seed, (void)threads, (void)resume;
            (void)float16, (void)validation_targets, (void)cache_dir, (void)progress;
            throw Error(kNoTorch);
#endif
        },
        // The defaults are TrainOptions{}'s, as the command's.
        py::arg("corpus"), py::arg("out"), py::kw_only(),
        py::arg("mode") = to_string(TrainOptions{}.config.mode), py::arg("config") = py::none(),
        py::arg("epochs") = TrainOptions{}.epochs, py::arg("max_steps") = TrainOptions{}.max_steps,
        py::arg("batch_size") = TrainOptions{}.batch_size,
        py::arg("batch_sequences") = TrainOptions{}.batch_sequences,
        py::arg("learning_rate") = TrainOptions{}.learning_rate,
        py::arg("device") = to_string(TrainOptions{}.device), py::arg("seed") = TrainOptions{}.seed,
        py::arg("threads") = TrainOptions{}.threads, py::arg("resume") = TrainOptions{}.resume,
        py::arg("float16") = TrainOptions{}.float16,
        py::arg("validation_targets") = TrainOptions{}.validation_targets, py::arg("cache_dir") = py::none(),
        py::arg("progress") = py::none(), R"doc(
Trains the four voice networks on a folder of chorales with LibTorch and
writes the best model (lowest mean validation NLL) to `out`, and a resume
checkpoint to out + '.resume' after every epoch. mode: 'window' or 'full'
(config, a ModelConfig, sets the sizes and the mode instead). device: 'auto',
'cpu' or 'cuda'. progress(TrainProgress) may return False to stop
(deepbach.Cancelled); Ctrl-C raises KeyboardInterrupt. Returns the
TrainingRecord of the model written. Raises deepbach.Error saying LibTorch is
missing in a build without it (deepbach.HAVE_TORCH is False).
)doc");
}

}  // namespace deepbach::py_bindings
