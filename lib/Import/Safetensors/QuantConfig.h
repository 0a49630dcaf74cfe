//===- QuantConfig.h - The quantization config of a checkpoint --*- C++ -*-===//
//
// What a GPTQ or AWQ checkpoint's JSON configuration says about its tensors:
// the method and checkpoint format, the bit width and the group size. The
// layer unpackers check the tensor shapes against it.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_IMPORT_SAFETENSORS_QUANTCONFIG_H
#define LOWBIT_LIB_IMPORT_SAFETENSORS_QUANTCONFIG_H

#include "lowbit/Import/Gptq.h"

#include <cstdint>
#include <optional>
#include <string>

namespace lowbit::import {

/// The fields of a configuration lowbit uses; each is unset when absent.
struct QuantConfig {
  /// The file the values came from ("" when there is none), for messages.
  std::string source;
  /// From quant_method and checkpoint_format (or AWQ's version).
  std::optional<QuantCheckpointFormat> format;
  std::optional<unsigned> bits;
  /// -1 means one group over the whole input dimension.
  std::optional<int64_t> groupSize;
};

/// Reads the configuration in `directory`: quantize_config.json (AutoGPTQ,
/// GPTQModel), else quant_config.json (AutoAWQ), else the
/// "quantization_config" object of config.json (transformers). Returns an
/// empty config when there is none; errors name the file and the field.
llvm::Expected<QuantConfig> readQuantConfig(llvm::StringRef directory);

} // namespace lowbit::import

#endif // LOWBIT_LIB_IMPORT_SAFETENSORS_QUANTCONFIG_H
