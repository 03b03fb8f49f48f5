// Writes the model harness's seeds with the project's own writer: small
// untrained models (the shipped model's vocabularies and ranges, tiny
// networks) in float32 and float16, window and full mode.
// Usage: fuzz_seeds OUT_DIR
#include <deepbach/model.hpp>

#include <cstdio>
#include <filesystem>

int main(int argc, char** argv) {
    using namespace deepbach;
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_seeds OUT_DIR\n");
        return 2;
    }
    const std::filesystem::path out = argv[1];
    std::filesystem::create_directories(out);
    const Model shipped = Model::load(DEEPBACH_SHIPPED_MODEL);
    int n = 0;
    for (const ContextMode mode : {ContextMode::window, ContextMode::full}) {
        ModelConfig c;
        c.mode = mode;
        c.note_embedding = 2;
        c.meta_embedding = 2;
        c.lstm_hidden = 2;
        c.mlp_hidden = 2;
        c.lstm_layers = 1;
        c.window_past = 2;
        c.window_future = 2;
        c.relational = mode == ContextMode::full;
        c.mask = mode == ContextMode::full;
        c.shared_pitch = c.mask;
        const Model m = Model::initialize(c, shipped.vocabularies, shipped.ranges, 1);
        m.save(out / ("tiny-" + std::to_string(n++) + ".safetensors"), n % 2 == 0);
    }
    return 0;
}
