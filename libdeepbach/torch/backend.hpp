// libdeepbach/torch: the sampler's LibTorch backend ("torch": the voice
// networks on the CPU or a CUDA device). This header holds no LibTorch type.
#pragma once

#include <deepbach/model.hpp>

#include <memory>
#include <string>

namespace deepbach::sample {
class Backend;
}

namespace deepbach::torch_backend {

/// Registers the backend "torch" with sample::register_backend: after it,
/// sample::make_backend("torch", model, device, threads) gives what
/// make_sampler_backend does. Idempotent and thread-safe.
void register_sampler_backend();

/// The four voice networks of `model` in LibTorch, in eval mode, on device
/// "cpu", "cuda" or "auto" (CUDA where LibTorch sees a device); named
/// "torch-cpu" or "torch-cuda". threads: CPU threads as training sets them
/// (process-wide; <= 0 leaves LibTorch's defaults). Throws Error for an
/// unknown device, "cuda" without one, or an invalid model.
std::unique_ptr<sample::Backend> make_sampler_backend(const Model& model, const std::string& device,
                                                      int threads);

}  // namespace deepbach::torch_backend
