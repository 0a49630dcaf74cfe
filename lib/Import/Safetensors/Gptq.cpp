//===- Gptq.cpp - GPTQ and AWQ safetensors checkpoints to lowbit ----------===//
//
// Opens every safetensors shard of a checkpoint, finds the quantized layers
// (`<prefix>.qweight` with its `.qzeros`, `.scales` and `.g_idx`, which may
// lie in different shards), resolves the format from the options, the
// configuration or the shapes, and unpacks each layer.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Import/Gptq.h"

#include "QuantConfig.h"
#include "QuantLayer.h"

#include "lowbit/Import/Safetensors.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace lowbit::import;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;
using llvm::Twine;

namespace {
struct FormatName {
  QuantCheckpointFormat format;
  const char *name;
};
} // namespace

static constexpr FormatName kFormatNames[] = {
    {QuantCheckpointFormat::Auto, "auto"},
    {QuantCheckpointFormat::Gptq, "gptq"},
    {QuantCheckpointFormat::GptqV2, "gptq_v2"},
    {QuantCheckpointFormat::Awq, "awq"},
};

std::optional<QuantCheckpointFormat>
lowbit::import::parseQuantCheckpointFormat(StringRef name) {
  for (const FormatName &entry : kFormatNames)
    if (name == entry.name)
      return entry.format;
  return std::nullopt;
}

StringRef
lowbit::import::quantCheckpointFormatName(QuantCheckpointFormat format) {
  for (const FormatName &entry : kFormatNames)
    if (entry.format == format)
      return entry.name;
  llvm_unreachable("every format has a name");
}

static Error pathError(StringRef path, const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 (path + ": " + message).str());
}

/// The .safetensors files of a checkpoint path, sorted, and the directory
/// that holds its configuration.
static Error listShards(StringRef path, std::vector<std::string> &shards,
                        std::string &directory) {
  if (!llvm::sys::fs::is_directory(path)) {
    if (!llvm::sys::fs::exists(path))
      return pathError(path, "no such file or directory");
    shards.push_back(path.str());
    StringRef parent = llvm::sys::path::parent_path(path);
    directory = parent.empty() ? "." : parent.str();
    return Error::success();
  }
  directory = path.str();
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::sys::path::extension(it->path()) == ".safetensors")
      shards.push_back(it->path());
  if (ec)
    return pathError(path, "cannot list the directory: " + ec.message());
  if (shards.empty())
    return pathError(path, "directory holds no .safetensors file");
  llvm::sort(shards);
  return Error::success();
}

namespace {
/// A tensor of some shard, by name.
struct TensorRef {
  const SafetensorsTensor *tensor;
  StringRef file;
};
} // namespace

/// The quantized layers found among `tensors`; marks the tensors they use.
static std::vector<QuantLayerTensors>
collectLayers(const llvm::StringMap<TensorRef> &tensors,
              llvm::StringSet<> &used) {
  std::vector<QuantLayerTensors> layers;
  for (const auto &entry : tensors) {
    StringRef name = entry.getKey();
    if (!name.consume_back(".qweight"))
      continue;
    QuantLayerTensors layer;
    layer.prefix = name.str();
    layer.file = entry.getValue().file.str();
    auto member = [&](StringRef suffix) -> const SafetensorsTensor * {
      std::string full = layer.prefix + suffix.str();
      auto it = tensors.find(full);
      if (it == tensors.end())
        return nullptr;
      used.insert(full);
      return it->getValue().tensor;
    };
    layer.qweight = member(".qweight");
    layer.qzeros = member(".qzeros");
    layer.scales = member(".scales");
    layer.gIdx = member(".g_idx");
    layers.push_back(std::move(layer));
  }
  llvm::sort(layers,
             [](const QuantLayerTensors &a, const QuantLayerTensors &b) {
               return StringRef(a.prefix).compare_numeric(b.prefix) < 0;
             });
  return layers;
}

/// Why a tensor that no layer uses is left out.
static std::string skipReason(StringRef name, const SafetensorsTensor &tensor,
                              const llvm::StringMap<TensorRef> &tensors) {
  for (StringRef suffix : {".qzeros", ".scales", ".g_idx"}) {
    StringRef prefix = name;
    if (prefix.consume_back(suffix) &&
        !tensors.count((prefix + ".qweight").str()))
      return ("no " + prefix + ".qweight belongs to it").str();
  }
  return ("not a quantized linear weight (" +
          safetensorsDTypeName(tensor.dtype) + " " + tensor.shapeString() + ")")
      .str();
}

Expected<ImportedModel>
lowbit::import::readGptqCheckpoint(StringRef path, const GptqOptions &options) {
  std::vector<std::string> shardPaths;
  std::string directory;
  if (Error error = listShards(path, shardPaths, directory))
    return std::move(error);
  Expected<QuantConfig> config = readQuantConfig(directory);
  if (!config)
    return config.takeError();

  std::vector<SafetensorsFile> shards;
  shards.reserve(shardPaths.size());
  llvm::StringMap<TensorRef> tensors;
  for (const std::string &shardPath : shardPaths) {
    Expected<SafetensorsFile> shard = SafetensorsFile::open(shardPath);
    if (!shard)
      return shard.takeError();
    shards.push_back(std::move(*shard));
  }
  for (const SafetensorsFile &shard : shards)
    for (const SafetensorsTensor &tensor : shard.tensors()) {
      auto [it, inserted] =
          tensors.try_emplace(tensor.name, TensorRef{&tensor, shard.path()});
      if (!inserted)
        return pathError(shard.path(), "tensor '" + tensor.name +
                                           "' is also in " +
                                           it->getValue().file +
                                           "; shards must not repeat tensors");
    }

  llvm::StringSet<> used;
  std::vector<QuantLayerTensors> layers = collectLayers(tensors, used);
  ImportedModel model;
  model.source = path.str();
  for (const QuantLayerTensors &layer : layers) {
    if (options.select && !options.select(layer.prefix))
      continue;
    for (auto [member, suffix] : {std::pair(layer.qzeros, ".qzeros"),
                                  std::pair(layer.scales, ".scales")})
      if (!member)
        return pathError(layer.file, "layer '" + layer.prefix +
                                         "' has a qweight but no " +
                                         layer.prefix + suffix);
    QuantCheckpointFormat format = options.format;
    if (format == QuantCheckpointFormat::Auto && config->format)
      format = *config->format;
    if (format == QuantCheckpointFormat::Auto) {
      Expected<QuantCheckpointFormat> detected = formatFromShapes(layer);
      if (!detected)
        return detected.takeError();
      format = *detected;
    }
    Expected<QuantizedLinear> linear = unpackQuantLayer(layer, format, *config);
    if (!linear)
      return linear.takeError();
    model.linears.push_back(std::move(*linear));
  }

  std::vector<std::pair<std::string, std::string>> skipped;
  for (const auto &entry : tensors)
    if (!used.contains(entry.getKey()) &&
        (!options.select || options.select(entry.getKey())))
      skipped.emplace_back(
          entry.getKey().str(),
          skipReason(entry.getKey(), *entry.getValue().tensor, tensors));
  llvm::sort(skipped, [](const auto &a, const auto &b) {
    return StringRef(a.first).compare_numeric(b.first) < 0;
  });
  model.skipped = std::move(skipped);
  return std::move(model);
}
