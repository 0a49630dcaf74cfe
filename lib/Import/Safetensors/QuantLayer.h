//===- QuantLayer.h - Unpack one GPTQ or AWQ linear layer -------*- C++ -*-===//
//
// Turns the tensors of one quantized linear layer (qweight, qzeros, scales,
// g_idx) into a QuantizedLinear, after checking their dtypes and shapes
// against each other and against the checkpoint's configuration.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_IMPORT_SAFETENSORS_QUANTLAYER_H
#define LOWBIT_LIB_IMPORT_SAFETENSORS_QUANTLAYER_H

#include "QuantConfig.h"

#include "lowbit/Import/Import.h"
#include "lowbit/Import/Safetensors.h"

namespace lowbit::import {

/// The tensors of the layer `<prefix>.qweight`; gIdx may be null.
struct QuantLayerTensors {
  std::string prefix;
  /// The file holding qweight, for messages.
  std::string file;
  const SafetensorsTensor *qweight = nullptr;
  const SafetensorsTensor *qzeros = nullptr;
  const SafetensorsTensor *scales = nullptr;
  const SafetensorsTensor *gIdx = nullptr;
};

/// The format a layer's shapes imply (GPTQ keeps N as qweight's second
/// dimension, AWQ packs it), or an error naming the layer when they fit
/// neither.
llvm::Expected<QuantCheckpointFormat>
formatFromShapes(const QuantLayerTensors &layer);

/// Unpacks a layer in `format` (not Auto), checking the bit width and group
/// size against `config` where it gives them.
llvm::Expected<QuantizedLinear> unpackQuantLayer(const QuantLayerTensors &layer,
                                                 QuantCheckpointFormat format,
                                                 const QuantConfig &config);

} // namespace lowbit::import

#endif // LOWBIT_LIB_IMPORT_SAFETENSORS_QUANTLAYER_H
