"""lowbit: low-bit quantized matmuls from Python.

Formats, group quantization and packing come from lowbit's numerics library
(docs/numerics.md); checkpoints are read by its importers (docs/import.md);
compile_linear and compile_model build CPU kernel libraries with its
compiler (docs/lowbit-compile.md) and return callables over numpy arrays.
Bad input raises ValueError with a sentence naming the bad value.
"""

from ._lowbit import (Format, QuantizedLinear, dequantize, formats, pack,
                      quantize, read_gguf, read_gptq, unpack)
from ._library import CompiledModel, Layer, compile_linear, compile_model

__all__ = [
    "CompiledModel",
    "Format",
    "Layer",
    "QuantizedLinear",
    "compile_linear",
    "compile_model",
    "dequantize",
    "formats",
    "pack",
    "quantize",
    "read_gguf",
    "read_gptq",
    "unpack",
]
