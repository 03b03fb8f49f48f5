// The model: config checks, parameter shapes, seeded initialization, and the
// safetensors model file (see docs/model-format.md).
#include <deepbach/error.hpp>
#include <deepbach/model.hpp>

#include "model/half.hpp"
#include "util/atomic_file.hpp"
#include "util/rng.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <sstream>
#include <type_traits>

namespace deepbach {

using json = nlohmann::json;

namespace {

/// Whether no value is an infinity or NaN: by the exponent bits, with no
/// branch per value (a model holds millions).
bool all_finite(const std::vector<float>& values) {
    std::uint32_t bad = 0;
    for (float x : values) {
        std::uint32_t bits;
        std::memcpy(&bits, &x, 4);
        bad |= static_cast<std::uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
    }
    return bad == 0;
}

/// The float of every half float's bits (65536 entries), built once.
const float* half_table() {
    static const std::vector<float> table = [] {
        std::vector<float> t(65536);
        for (std::uint32_t h = 0; h < 65536; ++h) t[h] = detail::half_to_float(static_cast<std::uint16_t>(h));
        return t;
    }();
    return table.data();
}

}  // namespace

namespace {

constexpr std::uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;
constexpr std::size_t kMaxFileBytes = std::size_t{8} << 30;  // 8 GiB
constexpr int kMaxSize = 4096;
constexpr int kMaxLayers = 8;

std::string shape_text(const std::vector<std::int64_t>& shape) {
    std::string out = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) out += ", ";
        out += std::to_string(shape[i]);
    }
    return out + "]";
}

void check_config(const ModelConfig& c) {
    auto size = [](const char* name, int value) {
        if (value < 1 || value > kMaxSize) {
            throw Error(std::string("model config: ") + name + " is " + std::to_string(value) +
                        ", it must be in 1.." + std::to_string(kMaxSize));
        }
    };
    size("note_embedding", c.note_embedding);
    size("meta_embedding", c.meta_embedding);
    size("lstm_hidden", c.lstm_hidden);
    size("mlp_hidden", c.mlp_hidden);
    if (c.lstm_layers < 1 || c.lstm_layers > kMaxLayers) {
        throw Error("model config: lstm_layers is " + std::to_string(c.lstm_layers) + ", it must be in 1.." +
                    std::to_string(kMaxLayers));
    }
    if (!(c.dropout >= 0.0f && c.dropout < 1.0f)) {
        throw Error("model config: dropout is " + std::to_string(c.dropout) + ", it must be in [0, 1)");
    }
    auto window = [](const char* name, int value) {
        if (value < 1 || value > kDatasetPadding) {
            throw Error(std::string("model config: ") + name + " is " + std::to_string(value) +
                        ", it must be in 1.." + std::to_string(kDatasetPadding));
        }
    };
    window("window_past", c.window_past);
    window("window_future", c.window_future);
    if (c.relational && c.mode != ContextMode::full)
        throw Error("model config: relational potentials need full mode");
    if (c.relational_leaps && !c.relational)
        throw Error("model config: relational_leaps needs relational potentials");
    if (c.relational_melody && !c.relational)
        throw Error("model config: relational_melody needs relational potentials");
    if (c.mode != ContextMode::window && c.mode != ContextMode::full) throw Error("model config: bad mode");
}

void check_vocabularies(const std::array<Vocabulary, kNumVoices>& vocabularies) {
    const Token specials[] = {token::kStart, token::kEnd, token::kRest, token::kHold};
    for (int v = 0; v < kNumVoices; ++v) {
        const Vocabulary& vocab = vocabularies[static_cast<size_t>(v)];
        if (vocab.size() < 4 || vocab.size() > token::kCount) {
            throw Error(std::string("model: the ") + voice_name(v) + " vocabulary has " +
                        std::to_string(vocab.size()) + " tokens");
        }
        for (int i = 0; i < 4; ++i) {
            if (vocab.token(i) != specials[i]) {
                throw Error(std::string("model: the ") + voice_name(v) +
                            " vocabulary must start with START, END, rest, __");
            }
        }
    }
}

// --- deterministic random numbers: splitmix64, uniform and Box-Muller normal.
class Random : public detail::Rng {
public:
    using detail::Rng::Rng;
    double normal() {
        // Box-Muller; 1 - uniform() is in (0, 1], so the log is finite.
        const double u1 = 1.0 - uniform();
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
};

std::uint64_t fnv1a(const std::string& text) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char ch : text) {
        h ^= ch;
        h *= 0x100000001b3ull;
    }
    return h;
}

// --- JSON of the metadata.
json config_json(const ModelConfig& c) {
    return json{{"mode", to_string(c.mode)},
                {"note_embedding", c.note_embedding},
                {"meta_embedding", c.meta_embedding},
                {"lstm_hidden", c.lstm_hidden},
                {"lstm_layers", c.lstm_layers},
                {"dropout", c.dropout},
                {"mlp_hidden", c.mlp_hidden},
                {"window_past", c.window_past},
                {"window_future", c.window_future},
                {"shared_pitch", c.shared_pitch},
                {"mask", c.mask},
                {"relational", c.relational},
                {"relational_leaps", c.relational_leaps},
                {"relational_melody", c.relational_melody}};
}

// Every number of the metadata is read through these two: a whole number
// within [lo, hi] (any JSON integer, signed or unsigned), or a finite number
// within [lo, hi]; else an Error naming the key (Model::load adds the file).
// Never a get<int>() of a value that does not fit: 1e30 or 4294967296 is an
// error, not undefined behaviour.
template <class T>
T checked_integer(const json& x, const std::string& what, T lo = std::numeric_limits<T>::min(),
                  T hi = std::numeric_limits<T>::max()) {
    static_assert(std::is_integral_v<T> && sizeof(T) <= 8);
    const std::string range =
        " (expected a whole number " + std::to_string(lo) + ".." + std::to_string(hi) + ")";
    if (x.is_number_unsigned() || (x.is_number_integer() && x.get<std::int64_t>() >= 0)) {
        const auto u = x.is_number_unsigned() ? x.get<std::uint64_t>()
                                              : static_cast<std::uint64_t>(x.get<std::int64_t>());
        if (hi >= 0 && u <= static_cast<std::uint64_t>(hi) &&
            (lo <= 0 || u >= static_cast<std::uint64_t>(lo)))
            return static_cast<T>(u);
    } else if (x.is_number_integer()) {
        const auto i = x.get<std::int64_t>();  // negative
        if constexpr (std::is_signed_v<T>)
            if (i >= static_cast<std::int64_t>(lo) && i <= static_cast<std::int64_t>(hi))
                return static_cast<T>(i);
    } else {
        throw Error(what + " is " + (x.is_string() ? "a string" : x.dump()) + ", not a whole number" + range);
    }
    throw Error(what + " is " + x.dump() + ", out of range" + range);
}

double checked_real(const json& x, const std::string& what, double lo, double hi) {
    if (!x.is_number()) throw Error(what + " is not a number");
    const double d = x.get<double>();
    if (!std::isfinite(d) || d < lo || d > hi)
        throw Error(what + " is " + x.dump() + ", outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return d;
}

int get_int(const json& j, const char* key) {
    if (!j.contains(key)) throw Error(std::string("config has no integer '") + key + "'");
    return checked_integer<int>(j.at(key), std::string("config '") + key + "'");
}

ModelConfig config_from_json(const json& j) {
    if (!j.is_object()) throw Error("config is not a JSON object");
    ModelConfig c;
    if (!j.contains("mode") || !j.at("mode").is_string()) throw Error("config has no string 'mode'");
    c.mode = parse_context_mode(j.at("mode").get<std::string>());
    c.note_embedding = get_int(j, "note_embedding");
    c.meta_embedding = get_int(j, "meta_embedding");
    c.lstm_hidden = get_int(j, "lstm_hidden");
    c.lstm_layers = get_int(j, "lstm_layers");
    c.mlp_hidden = get_int(j, "mlp_hidden");
    c.window_past = get_int(j, "window_past");
    c.window_future = get_int(j, "window_future");
    if (!j.contains("dropout")) throw Error("config has no number 'dropout'");
    // Checked as a double: a cast of 1e300 to float is undefined behaviour.
    c.dropout = static_cast<float>(checked_real(j.at("dropout"), "config 'dropout'", 0.0, 1.0));
    // Absent in files written before the shared pitch embedding existed.
    if (j.contains("shared_pitch")) {
        if (!j.at("shared_pitch").is_boolean()) throw Error("config 'shared_pitch' is not true or false");
        c.shared_pitch = j.at("shared_pitch").get<bool>();
    }
    if (j.contains("mask")) {
        if (!j.at("mask").is_boolean()) throw Error("config 'mask' is not true or false");
        c.mask = j.at("mask").get<bool>();
    }
    if (j.contains("relational")) {
        if (!j.at("relational").is_boolean()) throw Error("config 'relational' is not true or false");
        c.relational = j.at("relational").get<bool>();
    }
    if (j.contains("relational_leaps")) {
        if (!j.at("relational_leaps").is_boolean())
            throw Error("config 'relational_leaps' is not true or false");
        c.relational_leaps = j.at("relational_leaps").get<bool>();
    }
    if (j.contains("relational_melody")) {
        if (!j.at("relational_melody").is_boolean())
            throw Error("config 'relational_melody' is not true or false");
        c.relational_melody = j.at("relational_melody").get<bool>();
    }
    return c;
}

json metrics_json(const VoiceMetrics& m) {
    return json{{"nll", m.nll},
                {"accuracy", m.accuracy},
                {"onset_nll", m.onset_nll},
                {"onset_accuracy", m.onset_accuracy},
                {"targets", m.targets},
                {"onset_targets", m.onset_targets}};
}

json training_json(const TrainingRecord& t) {
    json validation = json::array();
    for (int v = 0; v < kNumVoices; ++v) {
        json m = metrics_json(t.validation[static_cast<size_t>(v)]);
        m["voice"] = voice_name(v);
        validation.push_back(m);
    }
    return json{{"corpus_checksum", t.corpus_checksum},
                {"seed", t.seed},
                {"epochs", t.epochs},
                {"steps", t.steps},
                {"batch_size", t.batch_size},
                {"learning_rate", t.learning_rate},
                {"wall_seconds", t.wall_seconds},
                {"device", t.device},
                {"finished_at", t.finished_at},
                {"validation", validation}};
}

// A field of the training record, checked (absent or null: left as is).
template <class T>
void read_field(const json& j, const char* key, T& out) {
    if (!j.is_object() || !j.contains(key) || j.at(key).is_null()) return;
    const json& x = j.at(key);
    const std::string what = std::string("training record '") + key + "'";
    if constexpr (std::is_same_v<T, std::string>) {
        if (!x.is_string()) throw Error(what + " is not a string");
        out = x.get<std::string>();
    } else if constexpr (std::is_floating_point_v<T>) {
        out = static_cast<T>(
            checked_real(x, what, -std::numeric_limits<double>::max(), std::numeric_limits<double>::max()));
    } else {
        // Every whole number of the record counts something: none is negative.
        out = checked_integer<T>(x, what, T{0});
    }
}

TrainingRecord training_from_json(const json& j) {
    if (!j.is_object()) throw Error("training record is not a JSON object");
    TrainingRecord t;
    read_field(j, "corpus_checksum", t.corpus_checksum);
    read_field(j, "seed", t.seed);
    read_field(j, "epochs", t.epochs);
    read_field(j, "steps", t.steps);
    read_field(j, "batch_size", t.batch_size);
    read_field(j, "learning_rate", t.learning_rate);
    read_field(j, "wall_seconds", t.wall_seconds);
    read_field(j, "device", t.device);
    read_field(j, "finished_at", t.finished_at);
    if (j.contains("validation")) {
        const json& validation = j.at("validation");
        if (!validation.is_array() || validation.size() != kNumVoices) {
            throw Error("training record: 'validation' must list 4 voices");
        }
        for (int v = 0; v < kNumVoices; ++v) {
            const json& m = validation.at(static_cast<size_t>(v));
            VoiceMetrics& out = t.validation[static_cast<size_t>(v)];
            read_field(m, "nll", out.nll);
            read_field(m, "accuracy", out.accuracy);
            read_field(m, "onset_nll", out.onset_nll);
            read_field(m, "onset_accuracy", out.onset_accuracy);
            read_field(m, "targets", out.targets);
            read_field(m, "onset_targets", out.onset_targets);
        }
    }
    return t;
}

const char* kVocabKeys[kNumVoices] = {"vocab_soprano", "vocab_alto", "vocab_tenor", "vocab_bass"};

// --- little-endian byte access, independent of the host's byte order.
std::uint64_t read_u64_le(const unsigned char* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}
std::uint32_t read_u32_le(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
void append_le(std::string& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::vector<std::string> string_array(const json& j, const std::string& what) {
    if (!j.is_array()) throw Error(what + " is not a JSON array");
    std::vector<std::string> out;
    for (const json& item : j) {
        if (!item.is_string()) throw Error(what + " holds a non-string");
        out.push_back(item.get<std::string>());
    }
    return out;
}

}  // namespace

const char* to_string(ContextMode mode) {
    return mode == ContextMode::window ? "window" : "full";
}

ContextMode parse_context_mode(std::string_view text) {
    if (text == "window") return ContextMode::window;
    if (text == "full") return ContextMode::full;
    throw Error("unknown context mode '" + std::string(text) + "' (expected window or full)");
}

std::int64_t Tensor::numel() const {
    std::int64_t n = 1;
    for (std::int64_t d : shape) n *= d;
    return n;
}

int relational_table_size(const ModelConfig& config) {
    if (!config.relational) return 0;
    return (config.relational_leaps ? kRelationalLeapTableSize : kRelationalTableSize) +
           (config.relational_melody ? kRelationalMelodySize : 0);
}

void Model::add_relational_leaps() {
    if (!config.relational) throw Error("the model has no relational potentials to refine");
    if (config.relational_leaps) return;
    // Three motion classes (down, same, up) refined into five (leap down,
    // step down, same, step up, leap up); the layout of nn/relational.hpp.
    constexpr int kIntervals = 13, kPairs = 3, kKeys = 12;
    constexpr std::array<int, 5> coarse = {0, 0, 1, 2, 2};
    for (int v = 0; v < kNumVoices; ++v) {
        Tensor& t = weights.at("voices." + std::to_string(v) + ".relational");
        if (t.data.size() != static_cast<std::size_t>(relational_table_size(config)))
            throw Error("voices." + std::to_string(v) + ".relational: not a three-motion table");
        const std::size_t melody = config.relational_melody ? kRelationalMelodySize : 0;
        std::vector<float> out(static_cast<std::size_t>(kRelationalLeapTableSize) + melody);
        for (int p = 0; p < kPairs; ++p)
            for (int ii = 0; ii < kIntervals * kIntervals; ++ii)
                for (int a = 0; a < 5; ++a)
                    for (int b = 0; b < 5; ++b)
                        out[static_cast<std::size_t>(((p * kIntervals * kIntervals + ii) * 5 + a) * 5 + b)] =
                            t.data[static_cast<std::size_t>(((p * kIntervals * kIntervals + ii) * 3 +
                                                             coarse[static_cast<std::size_t>(a)]) *
                                                                3 +
                                                            coarse[static_cast<std::size_t>(b)])];
        // The key table, and the melodic and rhythmic entries after it, as they were.
        for (std::size_t k = 0; k < kKeys + melody; ++k)
            out[static_cast<std::size_t>(kRelationalLeapTableSize - kKeys) + k] =
                t.data[static_cast<std::size_t>(kRelationalTableSize - kKeys) + k];
        t.data = std::move(out);
        t.shape = {static_cast<std::int64_t>(t.data.size())};
    }
    config.relational_leaps = true;
}

void Model::add_relational_melody() {
    if (!config.relational) throw Error("the model has no relational potentials to extend");
    if (config.relational_melody) return;
    for (int v = 0; v < kNumVoices; ++v) {
        Tensor& t = weights.at("voices." + std::to_string(v) + ".relational");
        if (t.data.size() != static_cast<std::size_t>(relational_table_size(config)))
            throw Error("voices." + std::to_string(v) + ".relational: a table of the wrong size");
        t.data.resize(t.data.size() + kRelationalMelodySize, 0.0f);
        t.shape = {static_cast<std::int64_t>(t.data.size())};
    }
    config.relational_melody = true;
}

std::vector<int> pitch_codes(const Vocabulary& vocabulary) {
    std::vector<int> out(static_cast<size_t>(vocabulary.size()), kNoPitchCode);
    for (int i = 0; i < vocabulary.size(); ++i) {
        const Token t = vocabulary.token(i);
        if (token::is_pitch(t)) {
            const int midi = token::to_pitch(t).midi();
            if (midi >= 0 && midi < kNoPitchCode) out[static_cast<size_t>(i)] = midi;
        }
    }
    return out;
}

std::map<std::string, std::vector<std::int64_t>> Model::expected_shapes() const {
    const std::int64_t E = config.note_embedding, M = config.meta_embedding, H = config.lstm_hidden,
                       C = config.mlp_hidden;
    std::map<std::string, std::vector<std::int64_t>> shapes;
    for (int v = 0; v < kNumVoices; ++v) {
        const std::string p = "voices." + std::to_string(v) + ".";
        for (int u = 0; u < kNumVoices; ++u) {
            shapes[p + "note_embeddings." + std::to_string(u) + ".weight"] = {
                vocabularies[static_cast<size_t>(u)].size(), E};
        }
        for (int m = 0; m < kMetadataInputs; ++m) {
            shapes[p + "meta_embeddings." + kMetadataNames[static_cast<size_t>(m)] + ".weight"] = {
                kMetadataValues[static_cast<size_t>(m)], M};
        }
        for (const char* lstm : {"past_lstm", "future_lstm"}) {
            for (int k = 0; k < config.lstm_layers; ++k) {
                const std::string q = p + lstm + ".";
                const std::string l = "_l" + std::to_string(k);
                const std::int64_t in = k == 0 ? 4 * E + 3 * M : H;
                shapes[q + "weight_ih" + l] = {4 * H, in};
                shapes[q + "weight_hh" + l] = {4 * H, H};
                shapes[q + "bias_ih" + l] = {4 * H};
                shapes[q + "bias_hh" + l] = {4 * H};
            }
        }
        if (config.shared_pitch) shapes[p + "pitch_embeddings.weight"] = {kPitchCodes, E};
        if (config.mask) shapes[p + "mask_embeddings.weight"] = {kNumVoices, E};
        if (config.relational) shapes[p + "relational"] = {relational_table_size(config)};
        shapes[p + "center.0.weight"] = {C, 3 * E + 3 * M};
        shapes[p + "center.0.bias"] = {C};
        shapes[p + "center.2.weight"] = {C, C};
        shapes[p + "center.2.bias"] = {C};
        shapes[p + "head.0.weight"] = {C, 2 * H + C};
        shapes[p + "head.0.bias"] = {C};
        shapes[p + "head.2.weight"] = {vocabularies[static_cast<size_t>(v)].size(), C};
        shapes[p + "head.2.bias"] = {vocabularies[static_cast<size_t>(v)].size()};
    }
    return shapes;
}

void Model::validate() const {
    check_config(config);
    check_vocabularies(vocabularies);
    const auto shapes = expected_shapes();
    for (const auto& [name, shape] : shapes) {
        auto it = weights.find(name);
        if (it == weights.end()) throw Error("model: tensor '" + name + "' is missing");
        const Tensor& t = it->second;
        if (t.shape != shape) {
            throw Error("model: tensor '" + name + "' has shape " + shape_text(t.shape) + ", expected " +
                        shape_text(shape));
        }
        if (static_cast<std::int64_t>(t.data.size()) != t.numel()) {
            throw Error("model: tensor '" + name + "' holds " + std::to_string(t.data.size()) +
                        " values, its shape calls for " + std::to_string(t.numel()));
        }
        if (!all_finite(t.data)) throw Error("model: tensor '" + name + "' has a non-finite value");
    }
    for (const auto& [name, t] : weights) {
        (void)t;
        if (!shapes.count(name)) throw Error("model: unexpected tensor '" + name + "'");
    }
}

Model Model::initialize(const ModelConfig& config, const std::array<Vocabulary, kNumVoices>& vocabularies,
                        const std::array<VoiceRange, kNumVoices>& ranges, std::uint64_t seed) {
    check_config(config);
    check_vocabularies(vocabularies);
    Model model;
    model.config = config;
    model.vocabularies = vocabularies;
    model.ranges = ranges;
    model.training.seed = seed;
    const auto shapes = model.expected_shapes();
    for (const auto& [name, shape] : shapes) {
        Tensor t;
        t.shape = shape;
        t.data.resize(static_cast<size_t>(t.numel()));
        // One stream per tensor, so a tensor's values depend only on the seed and its name.
        Random random(seed ^ fnv1a(name));
        if (name.size() > 11 && name.compare(name.size() - 11, 11, ".relational") == 0) {
            // Relational potentials start at zero: the networks' logits alone.
        } else if (name.find("embeddings.") != std::string::npos) {
            for (float& x : t.data) x = static_cast<float>(random.normal());
        } else {
            double bound;
            if (name.find("_lstm.") != std::string::npos) {
                bound = 1.0 / std::sqrt(static_cast<double>(config.lstm_hidden));  // as nn::LSTM
            } else {
                // Linear: fan_in is the weight's second dimension; the bias shares it.
                const std::string weight = name.substr(0, name.rfind('.')) + ".weight";
                const auto& wshape = shapes.at(weight);
                bound = 1.0 / std::sqrt(static_cast<double>(wshape.at(1)));
            }
            for (float& x : t.data) x = static_cast<float>((2.0 * random.uniform() - 1.0) * bound);
        }
        model.weights.emplace(name, std::move(t));
    }
    return model;
}

void Model::save(const std::filesystem::path& path, bool float16) const {
    const std::string file = path.string();
    try {
        validate();
    } catch (const Error& e) {
        throw Error(file + ": cannot save: " + e.what());
    }
    json header = json::object();
    json meta = json::object();
    meta["format"] = "libdeepbach-model";
    meta["format_version"] = std::to_string(kModelFormatVersion);
    meta["config"] = config_json(config).dump();
    for (int v = 0; v < kNumVoices; ++v) {
        meta[kVocabKeys[v]] = json(vocabularies[static_cast<size_t>(v)].names()).dump();
    }
    json ranges_json = json::array();
    for (int v = 0; v < kNumVoices; ++v) {
        ranges_json.push_back(json{{"voice", voice_name(v)},
                                   {"lowest", ranges[static_cast<size_t>(v)].lowest},
                                   {"highest", ranges[static_cast<size_t>(v)].highest}});
    }
    meta["voice_ranges"] = ranges_json.dump();
    meta["training"] = training_json(training).dump();
    json inputs = json::array();
    for (int m = 0; m < kMetadataInputs; ++m) {
        inputs.push_back(json{{"name", kMetadataNames[static_cast<size_t>(m)]},
                              {"values", kMetadataValues[static_cast<size_t>(m)]}});
    }
    meta["metadata_inputs"] = json{{"inputs", inputs}, {"key_index", "fifths + 7"}}.dump();
    header["__metadata__"] = meta;

    const std::uint64_t element = float16 ? 2 : 4;
    std::string data;
    std::uint64_t offset = 0;
    for (const auto& [name, t] : weights) {  // std::map: sorted by name
        const std::uint64_t bytes = static_cast<std::uint64_t>(t.numel()) * element;
        header[name] = json{{"dtype", float16 ? "F16" : "F32"},
                            {"shape", t.shape},
                            {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    data.reserve(static_cast<size_t>(offset));
    for (const auto& [name, t] : weights) {
        for (float x : t.data) {
            if (float16) {
                const std::uint16_t h = detail::float_to_half(x);
                if ((h & 0x7c00) == 0x7c00) {
                    throw Error(file + ": tensor '" + name + "' holds " + std::to_string(x) +
                                ", too large for float16");
                }
                append_le(data, h, 2);
            } else {
                std::uint32_t bits;
                std::memcpy(&bits, &x, 4);
                append_le(data, bits, 4);
            }
        }
    }
    std::string text = header.dump();
    while (text.size() % 8 != 0) text.push_back(' ');
    std::string bytes;
    bytes.reserve(8 + text.size() + data.size());
    append_le(bytes, text.size(), 8);
    bytes += text;
    bytes += data;
    detail::write_file_atomically(path, bytes);
}

Model Model::load(const std::filesystem::path& path) {
    const std::string file = path.string();
    const std::string bytes = detail::read_file(path, kMaxFileBytes);
    auto fail = [&](const std::string& message) -> Error { return Error(file + ": " + message); };
    if (bytes.size() < 8) {
        throw fail("not a model file: " + std::to_string(bytes.size()) + " bytes, shorter than a header");
    }
    const auto* raw = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::uint64_t header_size = read_u64_le(raw);
    if (header_size > kMaxHeaderBytes) {
        throw fail("not a model file: header length " + std::to_string(header_size) + " is absurd");
    }
    if (header_size > bytes.size() - 8) {
        throw fail("truncated model file: header length " + std::to_string(header_size) + " but only " +
                   std::to_string(bytes.size() - 8) + " bytes follow");
    }
    json header;
    try {
        header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_size));
    } catch (const json::exception& e) {
        throw fail(std::string("not a model file: the header is not JSON (") + e.what() + ")");
    }
    if (!header.is_object()) throw fail("not a model file: the header is not a JSON object");
    const std::uint64_t data_size = bytes.size() - 8 - header_size;
    const unsigned char* data = raw + 8 + header_size;

    Model model;
    try {
        if (!header.contains("__metadata__") || !header.at("__metadata__").is_object()) {
            throw Error("not a libdeepbach model file: no __metadata__");
        }
        const json& meta = header.at("__metadata__");
        auto text = [&](const char* key) -> std::string {
            if (!meta.contains(key) || !meta.at(key).is_string()) {
                throw Error(std::string("model file metadata has no '") + key + "'");
            }
            return meta.at(key).get<std::string>();
        };
        auto parsed = [&](const char* key) -> json {
            try {
                return json::parse(text(key));
            } catch (const json::exception&) {
                throw Error(std::string("model file metadata '") + key + "' is not JSON");
            }
        };
        if (!meta.contains("format") || meta.at("format") != "libdeepbach-model") {
            throw Error("not a libdeepbach model file (format is not libdeepbach-model)");
        }
        const std::string version = text("format_version");
        if (version != std::to_string(kModelFormatVersion)) {
            throw Error("model format version " + version + ", this libdeepbach reads version " +
                        std::to_string(kModelFormatVersion));
        }
        try {
            model.config = config_from_json(parsed("config"));
            check_config(model.config);
            for (int v = 0; v < kNumVoices; ++v) {
                model.vocabularies[static_cast<size_t>(v)] =
                    Vocabulary::from_names(string_array(parsed(kVocabKeys[v]), kVocabKeys[v]));
            }
            check_vocabularies(model.vocabularies);
            const json ranges = parsed("voice_ranges");
            if (!ranges.is_array() || ranges.size() != kNumVoices)
                throw Error("voice_ranges must list 4 voices");
            for (int v = 0; v < kNumVoices; ++v) {
                const json& r = ranges.at(static_cast<size_t>(v));
                if (!r.is_object() || !r.contains("lowest") || !r.contains("highest")) {
                    throw Error("voice_ranges: bad entry");
                }
                auto midi = [&](const char* key) {
                    // -1: the highest of an empty range ({0, -1}, VoiceRange's default).
                    return checked_integer<int>(
                        r.at(key), "voice_ranges[" + std::to_string(v) + "] '" + key + "'", -1, 127);
                };
                const int lowest = midi("lowest"), highest = midi("highest");
                if (lowest < 0)
                    throw Error("voice_ranges[" + std::to_string(v) +
                                "] 'lowest' is -1, not a MIDI number 0..127");
                if (lowest > highest + 1) throw Error("voice_ranges: lowest is above highest");
                model.ranges[static_cast<size_t>(v)] = {lowest, highest};
            }
            model.training = training_from_json(parsed("training"));
        } catch (const json::exception& e) {
            throw Error(std::string("model file metadata: ") + e.what());
        }

        const auto shapes = model.expected_shapes();
        struct Range {
            std::uint64_t begin, end;
            std::string name;
        };
        std::vector<Range> ranges;
        for (const auto& [name, entry] : header.items()) {
            if (name == "__metadata__") continue;
            if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
                !entry.contains("data_offsets")) {
                throw Error("tensor '" + name + "' has a malformed header entry");
            }
            const json& dtype_json = entry.at("dtype");
            const std::string dtype = dtype_json.is_string() ? dtype_json.get<std::string>() : "?";
            std::uint64_t element;
            if (dtype == "F32") {
                element = 4;
            } else if (dtype == "F16") {
                element = 2;
            } else {
                throw Error("tensor '" + name + "' has dtype " + dtype +
                            " (this libdeepbach reads F32 and F16)");
            }
            std::vector<std::int64_t> shape;
            const json& shape_json = entry.at("shape");
            if (!shape_json.is_array() || shape_json.size() > 8)
                throw Error("tensor '" + name + "' has a bad shape");
            std::uint64_t numel = 1;
            for (const json& d : shape_json) {
                if (!d.is_number_unsigned() || d.get<std::uint64_t>() > (1ull << 31)) {
                    throw Error("tensor '" + name + "' has a bad shape");
                }
                shape.push_back(d.get<std::int64_t>());
                numel *= d.get<std::uint64_t>();
                if (numel > (1ull << 40)) throw Error("tensor '" + name + "' is absurdly large");
            }
            const json& off = entry.at("data_offsets");
            if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() ||
                !off[1].is_number_unsigned()) {
                throw Error("tensor '" + name + "' has bad data_offsets");
            }
            const std::uint64_t begin = off[0].get<std::uint64_t>(), end = off[1].get<std::uint64_t>();
            if (begin > end || end > data_size) {
                throw Error("tensor '" + name + "' has data_offsets [" + std::to_string(begin) + ", " +
                            std::to_string(end) + "] outside the " + std::to_string(data_size) +
                            " bytes of data");
            }
            if (end - begin != numel * element) {
                throw Error("tensor '" + name + "' has " + std::to_string(end - begin) +
                            " bytes of data, its " + dtype + " shape " + shape_text(shape) + " calls for " +
                            std::to_string(numel * element));
            }
            auto expected = shapes.find(name);
            if (expected == shapes.end()) throw Error("unexpected tensor '" + name + "'");
            if (expected->second != shape) {
                throw Error("tensor '" + name + "' has shape " + shape_text(shape) + ", expected " +
                            shape_text(expected->second));
            }
            ranges.push_back({begin, end, name});
            Tensor t;
            t.shape = shape;
            t.data.resize(static_cast<size_t>(numel));
            const unsigned char* p = data + begin;
            bool finite = true;
            if (element == 4) {
                for (size_t i = 0; i < t.data.size(); ++i) {
                    const std::uint32_t bits = read_u32_le(p + 4 * i);
                    float x;
                    std::memcpy(&x, &bits, 4);
                    finite &= std::isfinite(x);
                    t.data[i] = x;
                }
            } else {
                // Every half float's value, from a table built once (the
                // shipped model is 8.8 million halves).
                const float* halves = half_table();
                for (size_t i = 0; i < t.data.size(); ++i) {
                    const float x = halves[p[2 * i] | static_cast<unsigned>(p[2 * i + 1]) << 8];
                    finite &= std::isfinite(x);
                    t.data[i] = x;
                }
            }
            if (!finite) throw Error("tensor '" + name + "' has a non-finite value");
            model.weights.emplace(name, std::move(t));
        }
        std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
            return a.begin < b.begin || (a.begin == b.begin && a.end < b.end);
        });
        for (size_t i = 1; i < ranges.size(); ++i) {
            if (ranges[i].begin < ranges[i - 1].end) {
                throw Error("tensors '" + ranges[i - 1].name + "' and '" + ranges[i].name + "' overlap");
            }
        }
        model.validate();
    } catch (const Error& e) {
        throw fail(e.what());
    } catch (const json::exception& e) {
        throw fail(std::string("malformed model file header: ") + e.what());
    }
    return model;
}

}  // namespace deepbach
