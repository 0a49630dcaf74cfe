"""CPU kernel libraries: compile, build, load and call.

The compiler (lowbit._lowbit) writes a library folder (kernels.cpp,
lowbit_model.h, weights/*.bin, manifest.json; docs/lowbit-compile.md); this
module builds kernels.cpp into liblowbit_model.so with the C++ compiler and
the ISA's flags, loads it with ctypes and calls each layer's kernel through
the C ABI of docs/cpu-kernels.md with the layer's packed weights. Libraries
are never unloaded: OpenMP runtimes do not survive dlclose.
"""

import ctypes
import json
import os
import shutil
import subprocess
import tempfile
import weakref

import numpy as np

from . import _lowbit

# numpy storage of each ABI dtype (f16 and bf16 as raw bits for the call).
_STORAGE = {
    "f32": np.float32, "f16": np.uint16, "bf16": np.uint16,
    "u32": np.uint32, "u16": np.uint16, "u8": np.uint8, "e8m0": np.uint8, "e4m3": np.uint8,
    "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64,
}
_FLOAT_DTYPES = ("f32", "f16", "bf16")
# Operands every call takes from the library folder in fixed ABI positions.
_FIXED_ROLES = ("weights", "scales", "zeros", "neg_scales", "bias",
                "input_permutation")


def _to_storage(values, dtype):
    """A C-contiguous array of `values` in the storage of an ABI dtype."""
    if dtype == "f16":
        return np.ascontiguousarray(values, dtype=np.float16).view(np.uint16)
    if dtype == "bf16":
        # Round to nearest even on the f32 bits; NaN stays a quiet NaN.
        f32 = np.ascontiguousarray(values, dtype=np.float32)
        bits = f32.view(np.uint32).astype(np.uint64)
        rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
        rounded = np.where(np.isnan(f32), (bits >> 16) | 0x40, rounded)
        return np.ascontiguousarray(rounded.astype(np.uint16))
    return np.ascontiguousarray(values, dtype=_STORAGE[dtype])


def _from_storage(raw, dtype):
    """Output bits of an ABI float dtype as a numpy array (bf16: float32)."""
    if dtype == "f16":
        return raw.view(np.float16)
    if dtype == "bf16":
        return (raw.astype(np.uint32) << 16).view(np.float32)
    return raw


def _compiler():
    """The C++ compiler: $CXX, else c++, g++, clang++-22."""
    for name in (os.environ.get("CXX"), "c++", "g++", "clang++-22"):
        if name and shutil.which(name):
            return name
    raise RuntimeError("no C++ compiler found (set CXX, or install g++)")


def _build(directory, manifest, isa):
    """Builds DIR/kernels.cpp into DIR/liblowbit_model.so; returns its path.
    The flags are the manifest's (the ISA's and what its kernels need)."""
    library = os.path.join(directory, "liblowbit_model.so")
    flags = manifest.get("compile_flags") or _lowbit._isa_compile_flags(isa)
    command = [_compiler(), "-O3", *flags.split(),
               "-fopenmp", "-shared", "-fPIC", "-I", directory,
               os.path.join(directory, "kernels.cpp"), "-o", library]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(
            f"building {library} failed ({' '.join(command)}):\n{proc.stderr}")
    return library


class Layer:
    """One layer of a compiled library: `layer(x, *runtime_operands)`.

    x is [M, K] (any float dtype; converted to the kernel's activation
    type); the result is [M, N] in the output type (float32 for bf16
    outputs). Operands the model leaves to the caller (an epilogue's
    residual, a bias argument) follow x, in the order of `runtime_operands`.
    """

    def __init__(self, model, entry, kernel):
        self._model = model  # Keeps the library loaded.
        self.name = entry["name"]
        self.kernel = kernel["name"]
        self.n, self.k = kernel["n"], kernel["k"]
        self.activation, self.output = kernel["activation"], kernel["output"]
        # dequant (exact activations), int8-dot or lut (activations
        # quantized to int8 at run time; docs/cpu-kernels.md).
        self.strategy = kernel.get("strategy", "dequant")
        self._epilogue = kernel["epilogue"]
        self._tensor_scale = float(entry.get("tensor_scale", 1.0))
        self._function = getattr(model._library, self.kernel)
        self._function.restype = None
        self._constants = {}
        self._runtime = []
        self._epilogue_roles = []
        for operand in entry["operands"]:
            role = operand["role"]
            if role.startswith("epilogue."):
                self._epilogue_roles.append(role)
            if "file" in operand:
                raw = np.fromfile(os.path.join(model.directory,
                                               operand["file"]),
                                  dtype=_STORAGE[operand["dtype"]])
                self._constants[role] = raw
            else:
                self._runtime.append(operand)
        self._epilogue_roles.sort(key=lambda role: int(role.split(".")[1]))
        for role in ("weights", "scales"):
            if role not in self._constants:
                raise ValueError(
                    f"layer {self.name}: its {role} are function arguments "
                    "of the model; only layers with constant weights can be "
                    "called from Python")

    @property
    def runtime_operands(self):
        """(role, dtype, shape, producer) of each operand the caller passes."""
        return [(o["role"], o["dtype"], o["shape"], o["runtime"])
                for o in self._runtime]

    def __repr__(self):
        return (f"lowbit.Layer({self.name!r}, kernel={self.kernel!r}, "
                f"n={self.n}, k={self.k}, act={self.activation}, "
                f"strategy={self.strategy})")

    def __call__(self, x, *operands, threads=0):
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.k:
            raise ValueError(
                f"layer {self.name} takes activations [M, {self.k}], "
                f"got shape {list(x.shape)}")
        if x.shape[0] < 1:
            raise ValueError(f"layer {self.name} needs at least one row")
        if len(operands) != len(self._runtime):
            raise ValueError(
                f"layer {self.name} takes {len(self._runtime)} run-time "
                f"operands after x ({[o['role'] for o in self._runtime]}), "
                f"got {len(operands)}")
        m = x.shape[0]
        if "input_permutation" in self._constants:
            x = x[:, self._constants["input_permutation"]]
        x = _to_storage(x, self.activation)
        values = dict(self._constants)
        for operand, value in zip(self._runtime, operands):
            values[operand["role"]] = self._runtime_operand(operand, value, m)
        y = np.empty((m, self.n), dtype=_STORAGE[self.output])

        def pointer(role):
            array = values.get(role)
            return None if array is None else array.ctypes.data_as(
                ctypes.c_void_p)

        arguments = [x.ctypes.data_as(ctypes.c_void_p), ctypes.c_int64(m),
                     pointer("weights"), pointer("scales"), pointer("zeros"),
                     pointer("neg_scales"), ctypes.c_float(self._tensor_scale),
                     pointer("bias"), y.ctypes.data_as(ctypes.c_void_p),
                     ctypes.c_int(threads)]
        if self._epilogue:
            table = (ctypes.c_void_p * max(1, len(self._epilogue_roles)))(
                *[values[role].ctypes.data for role in self._epilogue_roles])
            arguments.append(table)
        self._function(*arguments)
        return _from_storage(y, self.output)

    def _runtime_operand(self, operand, value, m):
        """A run-time operand checked against its shape (M where dynamic)."""
        value = np.asarray(value)
        expected = [m if d < 0 else d for d in operand["shape"]]
        if value.size != int(np.prod(expected)):
            raise ValueError(
                f"layer {self.name}: operand {operand['role']} "
                f"({operand['runtime']}) must have shape {expected}, "
                f"got {list(value.shape)}")
        if operand["dtype"] not in _FLOAT_DTYPES and operand["dtype"] != "u8":
            value = np.rint(value)
        return _to_storage(value.reshape(-1), operand["dtype"])


class CompiledModel:
    """A built and loaded library folder: `model.layers`, `model[name]`."""

    def __init__(self, directory, isa):
        self.directory = os.path.abspath(directory)
        with open(os.path.join(self.directory, "manifest.json")) as f:
            self.manifest = json.load(f)
        self.isa = isa
        # Kernels this CPU cannot run would kill the interpreter with an
        # illegal instruction: refuse them before loading.
        for kernel in self.manifest["kernels"]:
            missing = _lowbit._missing_cpu_features(
                self.manifest.get("isa", isa), kernel.get("strategy", "dequant"))
            if missing:
                raise RuntimeError(f"kernel {kernel['name']}: {missing}")
        library = _build(self.directory, self.manifest, isa)
        # RTLD_LOCAL, and never closed (ctypes does not dlclose).
        self._library = ctypes.CDLL(library, mode=os.RTLD_LOCAL | os.RTLD_NOW)
        kernels = {k["name"]: k for k in self.manifest["kernels"]}
        self.layers = [Layer(self, entry, kernels[entry["kernel"]])
                       for entry in self.manifest["layers"]]

    def __getitem__(self, name):
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(f"no layer {name!r}; layers: "
                       f"{[layer.name for layer in self.layers]}")

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)


def _library_dir(out_dir, owner_hint):
    if out_dir is not None:
        os.makedirs(out_dir, exist_ok=True)
        return out_dir, False
    return tempfile.mkdtemp(prefix=f"lowbit-{owner_hint}-"), True


def _tuning(tune, objective, tune_m):
    """The objective the compiler's tile search takes ("" for no tuning)."""
    if tune is None:
        if objective is not None or tune_m is not None:
            raise ValueError("objective and tune_m need tune='model'")
        return "", 1
    if tune != "model":
        raise ValueError(f"tune={tune!r} is not None or 'model' (measured "
                         "tuning: lowbit-compile --tune=measure)")
    return objective or "latency", 1 if tune_m is None else tune_m


def compile_linear(q, isa="avx2", act="f32", out_dir=None,
                   strategy="dequant", tune=None, objective=None, tune_m=None):
    """Compiles one quantized linear layer for the CPU.

    Returns a callable `layer(x) -> y` with x [M, K] and y = x . W^T [M, N],
    W the dequantized weights of q. The library folder goes to out_dir, or
    to a temporary folder removed when the layer is garbage collected (the
    loaded library stays mapped). `strategy`: "dequant" (exact activations),
    "int8-dot" or "lut" (faster; activations quantized to int8 at run time,
    in blocks of 32 along K, or in the lookup tables), "bf16-dot" (act
    "bf16" only, isa "avx512" with AVX512-BF16 or "scalar": weights decoded
    to bf16 and multiplied with bf16 dot products, exact products), or "auto"
    (the compiler's pick; docs/cpu-kernels.md).

    `tune="model"` schedules the dequant kernels with the compiler's tile
    search on this CPU's cost model, as `lowbit-compile --tune=model` does
    (docs/tuning.md): `objective` "latency" (default), "energy", "edp" or
    "energy-within=P", for `tune_m` rows of activations (default 1). Without
    it every kernel takes its emitter's default schedule.
    """
    if not isinstance(q, _lowbit.QuantizedLinear):
        raise ValueError("compile_linear takes a lowbit.QuantizedLinear "
                         f"(from quantize or read_gguf), not {type(q).__name__}")
    objective, tune_m = _tuning(tune, objective, tune_m)
    directory, temporary = _library_dir(out_dir, "linear")
    try:
        _lowbit._compile_linears([q], isa, act, strategy, objective, tune_m,
                                 directory)
        layer = CompiledModel(directory, isa).layers[0]
    except BaseException:
        if temporary:
            shutil.rmtree(directory, ignore_errors=True)
        raise
    if temporary:
        weakref.finalize(layer, shutil.rmtree, directory, True)
    return layer


def compile_model(mlir_path, out_dir, isa="avx2", strategy=None, tune=None,
                  objective=None, tune_m=None):
    """Compiles a model module (lowbit-compile's input) for the CPU into
    out_dir, builds and loads it: a CompiledModel whose layers are callable.
    `strategy` as in compile_linear, for every layer; None keeps each
    matmul's own (else dequant). `tune`, `objective`, `tune_m` as in
    compile_linear."""
    objective, tune_m = _tuning(tune, objective, tune_m)
    if not os.path.isfile(mlir_path):
        raise ValueError(f"model file {mlir_path} does not exist")
    os.makedirs(out_dir, exist_ok=True)
    _lowbit._compile_model_file(mlir_path, isa, strategy or "", objective,
                                tune_m, out_dir)
    return CompiledModel(out_dir, isa)
