// A model file (safetensors with libdeepbach's metadata): Model::load() from
// a file; a model that loads is saved again and read back.
#include "temp_file.hpp"

#include <deepbach/error.hpp>
#include <deepbach/model.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace deepbach;
    const auto path = fuzz::temp_file(data, size, ".safetensors");
    Model model;
    try {
        model = Model::load(path);
    } catch (const Error&) {
        return 0;
    }
    // What loads is whole: it saves, and loads back as itself.
    const auto again = path.parent_path() / "again.safetensors";
    model.save(again);
    const Model back = Model::load(again);
    if (back.config.lstm_hidden != model.config.lstm_hidden || back.weights.size() != model.weights.size())
        std::abort();
    return 0;
}
