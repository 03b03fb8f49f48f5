#include "sample/backend.hpp"

#include <deepbach/error.hpp>

#include <map>
#include <mutex>

namespace deepbach::sample {

namespace {

class EigenBackend : public Backend {
public:
    EigenBackend(const Model& model, int threads, const VoiceSet& voices)
        : engine_(model, threads, &voices) {}
    std::string name() const override { return "eigen"; }
    const ModelConfig& config() const override { return engine_.config(); }
    void window_logits(int voice, const std::vector<nn::Target>& targets, Eigen::MatrixXf& out) override {
        engine_.window_logits(voice, targets, out);
    }
    void full_logits(int voice, const std::vector<nn::SequenceView>& sequences,
                     std::vector<Eigen::MatrixXf>& out) override {
        engine_.full_logits(voice, sequences, out);
    }
    void full_logits_at(int voice, const std::vector<nn::SequenceView>& sequences,
                        const std::vector<const std::vector<int>*>& ticks,
                        std::vector<Eigen::MatrixXf>& out) override {
        engine_.full_logits(voice, sequences, out, &ticks);
    }

private:
    nn::InferenceEngine engine_;
};

struct Registry {
    std::mutex mutex;
    std::map<std::string, BackendFactory> factories;
};

Registry& registry() {
    static Registry r;
    return r;
}

}  // namespace

std::unique_ptr<Backend> make_eigen_backend(const Model& model, int threads, const VoiceSet& voices) {
    return std::make_unique<EigenBackend>(model, threads, voices);
}

void register_backend(const std::string& name, BackendFactory factory) {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    r.factories[name] = std::move(factory);
}

std::unique_ptr<Backend> make_backend(const std::string& name, const Model& model, const std::string& device,
                                      int threads, const VoiceSet& voices) {
    if (name == "eigen") {
        if (device != "cpu" && device != "auto" && !device.empty())
            throw Error("the eigen backend runs on the CPU only (device '" + device +
                        "'); use the torch backend for CUDA");
        return make_eigen_backend(model, threads, voices);
    }
    BackendFactory factory;
    std::string known = "eigen";
    {
        Registry& r = registry();
        std::lock_guard<std::mutex> lock(r.mutex);
        auto it = r.factories.find(name);
        if (it != r.factories.end()) factory = it->second;
        for (const auto& [n, f] : r.factories) known += ", " + n;
    }
    if (!factory) {
        if (name == "torch")
            throw Error("the torch backend needs LibTorch, and this build has none (backends: " + known +
                        ")");
        throw Error("unknown backend '" + name + "' (backends: " + known + ")");
    }
    return factory(model, device, threads);
}

}  // namespace deepbach::sample
