// libdeepbach/torch: training and evaluating the voice networks with LibTorch.
// This header holds no LibTorch type: it can be included anywhere that links
// deepbach::torch.
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/model.hpp>
#include <deepbach/train.hpp>

#include "nn/encode.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace deepbach::torch_backend {

/// Whether LibTorch sees a CUDA device (deepbach::cuda_available()).
bool torch_cuda_available();

/// "cpu" or "cuda" for "auto", "cpu" or "cuda"; throws Error for "cuda"
/// without a CUDA device or an unknown name.
std::string resolve_device(const std::string& device);

using deepbach::TrainCallback;
using deepbach::TrainOptions;
using deepbach::TrainProgress;

/// A chorale encoded with a model's vocabularies (the Eigen engine's type).
using EncodedChorale = nn::EncodedChorale;
using nn::encode_chorale;

/// NLL and accuracy of every voice over every music tick of the chorales.
std::array<VoiceMetrics, kNumVoices> evaluate_model(const Model& model,
                                                    const std::vector<EncodedChorale>& chorales,
                                                    const std::string& device = "cpu", int threads = 0);

}  // namespace deepbach::torch_backend
