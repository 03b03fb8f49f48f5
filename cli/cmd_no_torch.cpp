// deepbach train in the command without LibTorch: in a build without it, the
// name exists, take any arguments, and say how to get a build that has them.
#include "commands.hpp"

#include <deepbach/error.hpp>

namespace deepbach::cli {

namespace {

void add_unavailable(CLI::App* parent, const std::string& name, const std::string& what, Action& action) {
#ifdef DEEPBACH_TORCH_COMMAND
    // main() hands `train` to the full command before parsing: this is its --help line.
    auto* cmd = parent->add_subcommand(name, what + " (LibTorch: runs " DEEPBACH_TORCH_COMMAND ")");
#else
    auto* cmd = parent->add_subcommand(name, what + " (needs LibTorch: not in this build)");
#endif
    cmd->allow_extras();
    cmd->callback([&action, name] {
        action = [name]() -> int {
            throw Error("'" + name +
                        "' needs LibTorch, and this deepbach was built without it: install libtorch-dev "
                        "(Debian) or point CMake at a LibTorch (-DCMAKE_PREFIX_PATH=...), then rebuild "
                        "with -DDEEPBACH_WITH_TORCH=ON");
        };
    });
}

}  // namespace

void add_train_commands(CLI::App& app, Action& action) {
    add_unavailable(&app, "train", "Train the four voice networks", action);
}

}  // namespace deepbach::cli
