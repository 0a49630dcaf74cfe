//===- QuantConfig.cpp - The quantization config of a checkpoint ----------===//
//
// Finds and reads the JSON file that says how a GPTQ or AWQ checkpoint was
// quantized. The spellings differ between AutoGPTQ / GPTQModel (bits,
// group_size, checkpoint_format or format), AutoAWQ (w_bit, q_group_size,
// version) and transformers' config.json (quantization_config with
// quant_method).
//
//===----------------------------------------------------------------------===//

#include "QuantConfig.h"

#include "BoundedJson.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace lowbit::import;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;
using llvm::Twine;

static Error configError(StringRef path, const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 (path + ": " + message).str());
}

/// The first of `keys` present in `object`, or null.
static const llvm::json::Value *findKey(const llvm::json::Object &object,
                                        std::initializer_list<StringRef> keys,
                                        StringRef &found) {
  for (StringRef key : keys)
    if (const llvm::json::Value *value = object.get(key)) {
      found = key;
      return value;
    }
  return nullptr;
}

/// Reads an optional string field spelled as any of `keys`, lowercased.
static Expected<std::optional<std::string>>
readString(StringRef path, const llvm::json::Object &object,
           std::initializer_list<StringRef> keys) {
  StringRef key;
  const llvm::json::Value *value = findKey(object, keys, key);
  if (!value || value->kind() == llvm::json::Value::Null)
    return std::nullopt;
  std::optional<StringRef> text = value->getAsString();
  if (!text)
    return configError(path, "field \"" + key + "\" is not a string");
  return text->lower();
}

/// Reads an optional integer field spelled as any of `keys`.
static Expected<std::optional<int64_t>>
readInteger(StringRef path, const llvm::json::Object &object,
            std::initializer_list<StringRef> keys) {
  StringRef key;
  const llvm::json::Value *value = findKey(object, keys, key);
  if (!value || value->kind() == llvm::json::Value::Null)
    return std::nullopt;
  std::optional<int64_t> number = value->getAsInteger();
  if (!number)
    return configError(path, "field \"" + key + "\" is not an integer");
  return number;
}

/// The format named by quant_method and checkpoint_format / version; a file
/// without quant_method has the format its name implies (`fileDefault`).
static Expected<std::optional<QuantCheckpointFormat>>
readFormat(StringRef path, const llvm::json::Object &object,
           std::optional<QuantCheckpointFormat> fileDefault) {
  Expected<std::optional<std::string>> method =
      readString(path, object, {"quant_method"});
  if (!method)
    return method.takeError();
  if (std::optional<bool> marlin = object.getBoolean("is_marlin_format");
      marlin && *marlin)
    return configError(path, "checkpoint is in marlin format "
                             "(\"is_marlin_format\": true); lowbit reads the "
                             "gptq, gptq_v2 and awq gemm formats");

  bool isAwq =
      *method ? **method == "awq" : fileDefault == QuantCheckpointFormat::Awq;
  if (*method && **method != "gptq" && **method != "awq")
    return configError(path, "quantization method '" + **method +
                                 "' is not supported; expected gptq or awq");
  if (isAwq) {
    Expected<std::optional<std::string>> version =
        readString(path, object, {"version"});
    if (!version)
      return version.takeError();
    if (*version && **version != "gemm")
      return configError(path, "awq version '" + **version +
                                   "' is not supported; expected gemm");
    return QuantCheckpointFormat::Awq;
  }

  Expected<std::optional<std::string>> checkpointFormat =
      readString(path, object, {"checkpoint_format", "format"});
  if (!checkpointFormat)
    return checkpointFormat.takeError();
  if (!*checkpointFormat)
    return *method ? std::optional(QuantCheckpointFormat::Gptq) : fileDefault;
  if (**checkpointFormat == "gptq")
    return QuantCheckpointFormat::Gptq;
  if (**checkpointFormat == "gptq_v2")
    return QuantCheckpointFormat::GptqV2;
  return configError(path, "checkpoint format '" + **checkpointFormat +
                               "' is not supported; expected gptq or "
                               "gptq_v2");
}

static Expected<QuantConfig>
parseConfig(StringRef path, const llvm::json::Object &object,
            std::optional<QuantCheckpointFormat> fileDefault) {
  QuantConfig config;
  config.source = path.str();
  Expected<std::optional<QuantCheckpointFormat>> format =
      readFormat(path, object, fileDefault);
  if (!format)
    return format.takeError();
  config.format = *format;

  Expected<std::optional<int64_t>> bits =
      readInteger(path, object, {"bits", "w_bit"});
  if (!bits)
    return bits.takeError();
  if (*bits) {
    if (**bits != 2 && **bits != 3 && **bits != 4 && **bits != 8)
      return configError(path, "bit width " + Twine(**bits) +
                                   " is not supported; expected 2, 3, 4 or 8");
    config.bits = unsigned(**bits);
  }

  Expected<std::optional<int64_t>> groupSize =
      readInteger(path, object, {"group_size", "q_group_size"});
  if (!groupSize)
    return groupSize.takeError();
  if (*groupSize) {
    if (**groupSize < 1 && **groupSize != -1)
      return configError(path, "group size " + Twine(**groupSize) +
                                   " is invalid; expected a positive size or "
                                   "-1 (one group per row)");
    config.groupSize = **groupSize;
  }
  return config;
}

/// Reads `path` as a JSON object; nullopt when the file does not exist.
static Expected<std::optional<llvm::json::Value>> readJson(StringRef path) {
  if (!llvm::sys::fs::exists(path))
    return std::nullopt;
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return configError(path,
                       "cannot read the file: " + buffer.getError().message());
  Expected<llvm::json::Value> value = parseBoundedJson((*buffer)->getBuffer());
  if (!value)
    return configError(path,
                       "not valid json: " + llvm::toString(value.takeError()));
  if (!value->getAsObject())
    return configError(path, "not a json object");
  return std::move(*value);
}

Expected<QuantConfig> lowbit::import::readQuantConfig(StringRef directory) {
  struct Candidate {
    const char *file;
    QuantCheckpointFormat fileDefault;
  };
  for (Candidate candidate :
       {Candidate{"quantize_config.json", QuantCheckpointFormat::Gptq},
        Candidate{"quant_config.json", QuantCheckpointFormat::Awq}}) {
    llvm::SmallString<256> path(directory);
    llvm::sys::path::append(path, candidate.file);
    Expected<std::optional<llvm::json::Value>> json = readJson(path);
    if (!json)
      return json.takeError();
    if (*json)
      return parseConfig(path, *(*json)->getAsObject(), candidate.fileDefault);
  }

  llvm::SmallString<256> path(directory);
  llvm::sys::path::append(path, "config.json");
  Expected<std::optional<llvm::json::Value>> json = readJson(path);
  if (!json)
    return json.takeError();
  if (!*json)
    return QuantConfig();
  const llvm::json::Value *section =
      (*json)->getAsObject()->get("quantization_config");
  if (!section)
    return QuantConfig();
  const llvm::json::Object *object = section->getAsObject();
  if (!object)
    return configError(path, "\"quantization_config\" is not a json object");
  Expected<QuantConfig> config = parseConfig(path, *object, std::nullopt);
  if (config && !config->format)
    return configError(path, "\"quantization_config\" has no quant_method; "
                             "expected gptq or awq");
  return config;
}
