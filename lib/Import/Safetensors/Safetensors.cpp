//===- Safetensors.cpp - A validating reader of .safetensors files --------===//
//
// Parses the header of a safetensors file and checks every tensor's dtype,
// shape and byte range against the file before anything reads its data.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Import/Safetensors.h"

#include "BoundedJson.h"

#include "lowbit/Numerics/Format.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <tuple>

using namespace lowbit::import;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;
using llvm::Twine;

namespace {
struct DTypeInfo {
  SafetensorsDType dtype;
  const char *name;
  unsigned size;
};
} // namespace

static constexpr DTypeInfo kDTypes[] = {
    {SafetensorsDType::Bool, "BOOL", 1},
    {SafetensorsDType::U8, "U8", 1},
    {SafetensorsDType::I8, "I8", 1},
    {SafetensorsDType::I16, "I16", 2},
    {SafetensorsDType::U16, "U16", 2},
    {SafetensorsDType::I32, "I32", 4},
    {SafetensorsDType::U32, "U32", 4},
    {SafetensorsDType::I64, "I64", 8},
    {SafetensorsDType::U64, "U64", 8},
    {SafetensorsDType::F16, "F16", 2},
    {SafetensorsDType::BF16, "BF16", 2},
    {SafetensorsDType::F32, "F32", 4},
    {SafetensorsDType::F64, "F64", 8},
    {SafetensorsDType::F8E4M3, "F8_E4M3", 1},
    {SafetensorsDType::F8E5M2, "F8_E5M2", 1},
};

static const DTypeInfo &dtypeInfo(SafetensorsDType dtype) {
  for (const DTypeInfo &info : kDTypes)
    if (info.dtype == dtype)
      return info;
  llvm_unreachable("every dtype is in the table");
}

std::optional<SafetensorsDType>
lowbit::import::parseSafetensorsDType(StringRef name) {
  for (const DTypeInfo &info : kDTypes)
    if (name == info.name)
      return info.dtype;
  return std::nullopt;
}

StringRef lowbit::import::safetensorsDTypeName(SafetensorsDType dtype) {
  return dtypeInfo(dtype).name;
}

unsigned lowbit::import::safetensorsDTypeSize(SafetensorsDType dtype) {
  return dtypeInfo(dtype).size;
}

//===----------------------------------------------------------------------===//
// Element access
//===----------------------------------------------------------------------===//

uint32_t SafetensorsTensor::word32(uint64_t i) const {
  assert((dtype == SafetensorsDType::I32 || dtype == SafetensorsDType::U32) &&
         i < numElements && "word32 needs a 32-bit integer tensor");
  return llvm::support::endian::read32le(data.data() + 4 * i);
}

int64_t SafetensorsTensor::integer(uint64_t i) const {
  assert(i < numElements && "element index out of range");
  namespace endian = llvm::support::endian;
  const uint8_t *p = data.data() + i * safetensorsDTypeSize(dtype);
  switch (dtype) {
  case SafetensorsDType::Bool:
  case SafetensorsDType::U8:
    return *p;
  case SafetensorsDType::I8:
    return int8_t(*p);
  case SafetensorsDType::I16:
    return int16_t(endian::read16le(p));
  case SafetensorsDType::U16:
    return endian::read16le(p);
  case SafetensorsDType::I32:
    return int32_t(endian::read32le(p));
  case SafetensorsDType::U32:
    return endian::read32le(p);
  case SafetensorsDType::I64:
  case SafetensorsDType::U64:
    return int64_t(endian::read64le(p));
  default:
    llvm_unreachable("integer() needs an integer tensor");
  }
}

double SafetensorsTensor::real(uint64_t i) const {
  assert(i < numElements && "element index out of range");
  namespace endian = llvm::support::endian;
  const uint8_t *p = data.data() + i * safetensorsDTypeSize(dtype);
  switch (dtype) {
  case SafetensorsDType::F16:
    return lowbit::numerics::fromF16Bits(endian::read16le(p));
  case SafetensorsDType::BF16:
    return lowbit::numerics::fromBF16Bits(endian::read16le(p));
  case SafetensorsDType::F32: {
    uint32_t bits = endian::read32le(p);
    float value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  case SafetensorsDType::F64: {
    uint64_t bits = endian::read64le(p);
    double value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  default:
    llvm_unreachable("real() needs a floating-point tensor");
  }
}

std::string SafetensorsTensor::shapeString() const {
  std::string text = "[";
  llvm::interleave(
      shape, [&](int64_t dim) { text += std::to_string(dim); },
      [&] { text += ", "; });
  return text + "]";
}

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

static Error fileError(StringRef path, const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 (path + ": " + message).str());
}

static Error tensorError(StringRef path, StringRef tensor,
                         const Twine &message) {
  return fileError(path, "tensor '" + tensor + "' " + message);
}

/// A JSON number that is a non-negative integer, as uint64.
static std::optional<uint64_t> asCount(const llvm::json::Value &value) {
  return value.getAsUINT64();
}

/// Reads one header entry (everything but the data range checks that need
/// the other tensors).
static Error parseTensorEntry(StringRef path, StringRef name,
                              const llvm::json::Value &entry,
                              SafetensorsTensor &tensor) {
  tensor.name = name.str();
  const llvm::json::Object *object = entry.getAsObject();
  if (!object)
    return tensorError(path, name,
                       "is not a json object; expected {\"dtype\", "
                       "\"shape\", \"data_offsets\"}");

  std::optional<StringRef> dtypeName = object->getString("dtype");
  if (!dtypeName)
    return tensorError(path, name, "has no string \"dtype\"");
  std::optional<SafetensorsDType> dtype = parseSafetensorsDType(*dtypeName);
  if (!dtype)
    return tensorError(path, name,
                       "has unsupported dtype '" + *dtypeName +
                           "'; expected one of BOOL, U8, I8, I16, U16, I32, "
                           "U32, I64, U64, F16, BF16, F32, F64, F8_E4M3, "
                           "F8_E5M2");
  tensor.dtype = *dtype;

  const llvm::json::Array *shape = object->getArray("shape");
  if (!shape)
    return tensorError(path, name, "has no array \"shape\"");
  uint64_t numElements = 1;
  bool overflow = false;
  for (const llvm::json::Value &dim : *shape) {
    std::optional<uint64_t> extent = asCount(dim);
    if (!extent)
      return tensorError(path, name,
                         "has a shape entry that is not a non-negative "
                         "integer");
    if (*extent > uint64_t(std::numeric_limits<int64_t>::max()))
      return tensorError(path, name,
                         "has shape dimension " + Twine(*extent) +
                             ", which does not fit in a signed 64-bit integer");
    tensor.shape.push_back(int64_t(*extent));
    std::optional<uint64_t> product =
        llvm::checkedMulUnsigned(numElements, *extent);
    overflow |= !product;
    numElements = product.value_or(0);
  }
  // A zero dimension makes the product 0 even after an overflow.
  if (llvm::is_contained(tensor.shape, 0)) {
    overflow = false;
    numElements = 0;
  }
  std::optional<uint64_t> byteLength =
      overflow ? std::nullopt
               : llvm::checkedMulUnsigned(
                     numElements, uint64_t(safetensorsDTypeSize(*dtype)));
  if (!byteLength)
    return tensorError(path, name,
                       "has shape " + tensor.shapeString() + " of " +
                           *dtypeName + ", whose byte size overflows 64 bits");
  tensor.numElements = numElements;

  const llvm::json::Array *offsets = object->getArray("data_offsets");
  if (!offsets || offsets->size() != 2)
    return tensorError(path, name,
                       "has no \"data_offsets\" array of two integers");
  std::optional<uint64_t> begin = asCount((*offsets)[0]);
  std::optional<uint64_t> end = asCount((*offsets)[1]);
  if (!begin || !end)
    return tensorError(path, name,
                       "has data_offsets that are not non-negative integers");
  if (*begin > *end)
    return tensorError(path, name,
                       "has data_offsets [" + Twine(*begin) + ", " +
                           Twine(*end) + ") whose begin is past the end");
  if (*end - *begin != *byteLength)
    return tensorError(
        path, name,
        "has shape " + tensor.shapeString() + " of " + *dtypeName + " (" +
            Twine(*byteLength) + " bytes) but data_offsets [" + Twine(*begin) +
            ", " + Twine(*end) + ") hold " + Twine(*end - *begin) + " bytes");
  tensor.begin = *begin;
  tensor.end = *end;
  return Error::success();
}

static Error parseMetadata(StringRef path, const llvm::json::Value &value,
                           std::map<std::string, std::string> &metadata) {
  const llvm::json::Object *object = value.getAsObject();
  if (!object)
    return fileError(path, "\"__metadata__\" is not a json object of strings");
  for (const auto &[key, entry] : *object) {
    std::optional<StringRef> text = entry.getAsString();
    if (!text)
      return fileError(path, "\"__metadata__\" entry '" + key.str() +
                                 "' is not a string");
    metadata[key.str()] = text->str();
  }
  return Error::success();
}

Expected<SafetensorsFile>
SafetensorsFile::parse(std::unique_ptr<llvm::MemoryBuffer> buffer) {
  StringRef path = buffer->getBufferIdentifier();
  const uint8_t *bytes =
      reinterpret_cast<const uint8_t *>(buffer->getBufferStart());
  uint64_t fileSize = buffer->getBufferSize();
  if (fileSize < 8)
    return fileError(path, "file is " + Twine(fileSize) +
                               " bytes long, too short for the 8-byte header "
                               "length of a safetensors file");
  uint64_t headerSize = llvm::support::endian::read64le(bytes);
  if (headerSize > kMaxSafetensorsHeaderSize)
    return fileError(path, "header length " + Twine(headerSize) +
                               " exceeds the limit of " +
                               Twine(kMaxSafetensorsHeaderSize) + " bytes");
  if (headerSize > fileSize - 8)
    return fileError(path, "header length " + Twine(headerSize) +
                               " is larger than the " + Twine(fileSize - 8) +
                               " bytes that follow it; the file is truncated "
                               "or not a safetensors file");
  StringRef headerText(reinterpret_cast<const char *>(bytes + 8), headerSize);
  uint64_t dataSize = fileSize - 8 - headerSize;

  Expected<llvm::json::Value> header = parseBoundedJson(headerText);
  if (!header)
    return fileError(path, "header is not valid json: " +
                               llvm::toString(header.takeError()));
  const llvm::json::Object *root = header->getAsObject();
  if (!root)
    return fileError(path, "header is not a json object");

  SafetensorsFile file;
  // Visit entries by name so that the first error reported does not depend
  // on hash order.
  std::vector<StringRef> names;
  for (const auto &entry : *root)
    names.push_back(entry.first);
  llvm::sort(names);
  for (StringRef name : names) {
    const llvm::json::Value &value = *root->get(name);
    if (name == "__metadata__") {
      if (Error error = parseMetadata(path, value, file.metadataEntries))
        return std::move(error);
      continue;
    }
    SafetensorsTensor tensor;
    if (Error error = parseTensorEntry(path, name, value, tensor))
      return std::move(error);
    if (tensor.end > dataSize)
      return tensorError(path, name,
                         "has data_offsets [" + Twine(tensor.begin) + ", " +
                             Twine(tensor.end) +
                             ") past the end of the data section (" +
                             Twine(dataSize) + " bytes)");
    tensor.data = llvm::ArrayRef<uint8_t>(bytes + 8 + headerSize + tensor.begin,
                                          tensor.end - tensor.begin);
    file.tensorList.push_back(std::move(tensor));
  }

  llvm::sort(file.tensorList, [](const SafetensorsTensor &a,
                                 const SafetensorsTensor &b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  // Empty tensors occupy no bytes and cannot overlap anything.
  const SafetensorsTensor *previous = nullptr;
  for (const SafetensorsTensor &tensor : file.tensorList) {
    if (tensor.begin == tensor.end)
      continue;
    if (previous && tensor.begin < previous->end)
      return tensorError(path, tensor.name,
                         "has data_offsets [" + Twine(tensor.begin) + ", " +
                             Twine(tensor.end) + ") overlapping tensor '" +
                             previous->name + "' at [" +
                             Twine(previous->begin) + ", " +
                             Twine(previous->end) + ")");
    previous = &tensor;
  }
  for (auto [index, tensor] : llvm::enumerate(file.tensorList))
    file.byName[tensor.name] = index;
  file.buffer = std::move(buffer);
  return std::move(file);
}

Expected<SafetensorsFile> SafetensorsFile::open(StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fileError(path,
                     "cannot open the file: " + buffer.getError().message());
  return parse(std::move(*buffer));
}

const SafetensorsTensor *SafetensorsFile::lookup(StringRef name) const {
  auto it = byName.find(name);
  return it == byName.end() ? nullptr : &tensorList[it->second];
}
