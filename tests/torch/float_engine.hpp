// The LibTorch tests compare LibTorch's results with the Eigen engine's
// float path to 1e-4: the 8-bit engine (nn::int8_weights(), the default on
// AVX2) is checked against the float one in nn_inference_test
// (NnKernelPath.EightBitWeightsStayCloseToFloats), so these programs turn
// it off before any engine is built.
#pragma once

#include "nn/inference.hpp"

namespace deepbach::test {
inline const bool kFloatEngine = (nn::set_int8_weights(false), true);
}  // namespace deepbach::test
