//===- GgufFile.cpp - The GGUF container: header, metadata, tensor infos --===//
//
// Every read goes through a cursor that checks the bytes left first, and
// every count is checked against the bytes its entries need at least before
// anything is reserved, so a lying header cannot make the reader allocate
// more than the file's size in entries.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Import/Gguf.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"

#include <cstring>
#include <limits>

using namespace lowbit::import;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;
using llvm::Twine;

llvm::StringRef lowbit::import::ggufValueTypeName(GgufValueType type) {
  switch (type) {
  case GgufValueType::UInt8:
    return "uint8";
  case GgufValueType::Int8:
    return "int8";
  case GgufValueType::UInt16:
    return "uint16";
  case GgufValueType::Int16:
    return "int16";
  case GgufValueType::UInt32:
    return "uint32";
  case GgufValueType::Int32:
    return "int32";
  case GgufValueType::Float32:
    return "float32";
  case GgufValueType::Bool:
    return "bool";
  case GgufValueType::String:
    return "string";
  case GgufValueType::Array:
    return "array";
  case GgufValueType::UInt64:
    return "uint64";
  case GgufValueType::Int64:
    return "int64";
  case GgufValueType::Float64:
    return "float64";
  }
  return "unknown";
}

std::string GgufTensor::dimsString() const {
  std::string result = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    result += (i ? ", " : "") + std::to_string(dims[i]);
  return result + "]";
}

const GgufValue *GgufFile::lookup(StringRef key) const {
  for (const auto &[name, value] : metadata)
    if (name == key)
      return &value;
  return nullptr;
}

namespace {
/// Reads little-endian fields from the buffer, failing with the file name
/// and offset instead of reading past the end.
class Cursor {
public:
  explicit Cursor(llvm::MemoryBufferRef buffer)
      : file(buffer.getBufferIdentifier()),
        bytes(reinterpret_cast<const uint8_t *>(buffer.getBufferStart())),
        size(buffer.getBufferSize()) {}

  uint64_t offset() const { return pos; }
  uint64_t left() const { return size - pos; }
  uint64_t fileSize() const { return size; }
  const uint8_t *data() const { return bytes; }

  /// An error at byte `at`: "FILE: byte AT: MESSAGE".
  Error error(uint64_t at, const Twine &message) const {
    return llvm::createStringError("%s: byte %llu: %s", file.str().c_str(),
                                   static_cast<unsigned long long>(at),
                                   message.str().c_str());
  }

  /// Fails unless `count` more bytes are there for `what`.
  Error need(uint64_t count, const Twine &what) const {
    if (count <= left())
      return Error::success();
    return error(pos, "the file ends inside " + what + ": it needs " +
                          Twine(count) + " bytes but " + Twine(left()) +
                          " are left (truncated file?)");
  }

  /// Moves past `count` bytes known to be there.
  void skip(uint64_t count) { pos += count; }

  template <typename T> Expected<T> read(const Twine &what) {
    if (Error e = need(sizeof(T), what))
      return std::move(e);
    T value =
        llvm::support::endian::read<T, llvm::endianness::little>(bytes + pos);
    pos += sizeof(T);
    return value;
  }

  /// A gguf_string_t: a uint64 length, then that many bytes.
  Expected<std::string> readString(const Twine &what) {
    uint64_t start = pos;
    Expected<uint64_t> length = read<uint64_t>("the length of " + what);
    if (!length)
      return length.takeError();
    if (*length > left())
      return error(start, "the length of " + what + " is " + Twine(*length) +
                              " bytes but only " + Twine(left()) +
                              " bytes are left in the file");
    std::string result(reinterpret_cast<const char *>(bytes + pos), *length);
    pos += *length;
    return result;
  }

private:
  StringRef file;
  const uint8_t *bytes;
  uint64_t size;
  uint64_t pos = 0;
};
} // namespace

/// The fewest bytes a value of `type` takes in the file (an empty string
/// or array still has its length field), or 0 for an unknown type.
static uint64_t minValueSize(GgufValueType type) {
  switch (type) {
  case GgufValueType::UInt8:
  case GgufValueType::Int8:
  case GgufValueType::Bool:
    return 1;
  case GgufValueType::UInt16:
  case GgufValueType::Int16:
    return 2;
  case GgufValueType::UInt32:
  case GgufValueType::Int32:
  case GgufValueType::Float32:
    return 4;
  case GgufValueType::UInt64:
  case GgufValueType::Int64:
  case GgufValueType::Float64:
  case GgufValueType::String:
    return 8;
  case GgufValueType::Array:
    return 12;
  }
  return 0;
}

/// Nested arrays are legal in the format; a bound on the depth keeps a
/// crafted file from exhausting the stack.
static constexpr unsigned kMaxArrayDepth = 8;

static Expected<GgufValue> readValue(Cursor &cursor, GgufValueType type,
                                     const Twine &what, unsigned depth);

/// Reads a value type field and checks it is one of the 13 types.
static Expected<GgufValueType> readValueType(Cursor &cursor,
                                             const Twine &what) {
  uint64_t start = cursor.offset();
  Expected<uint32_t> raw = cursor.read<uint32_t>("the value type of " + what);
  if (!raw)
    return raw.takeError();
  if (*raw > uint32_t(GgufValueType::Float64))
    return cursor.error(start, what + " has unknown value type " + Twine(*raw) +
                                   "; expected 0..12");
  return GgufValueType(*raw);
}

static Expected<GgufValue> readArray(Cursor &cursor, const Twine &what,
                                     unsigned depth) {
  GgufValue value;
  value.type = GgufValueType::Array;
  if (depth >= kMaxArrayDepth)
    return cursor.error(cursor.offset(), what + " nests arrays deeper than " +
                                             Twine(kMaxArrayDepth) + " levels");
  Expected<GgufValueType> elementType =
      readValueType(cursor, "the elements of " + what);
  if (!elementType)
    return elementType.takeError();
  value.elementType = *elementType;
  uint64_t countOffset = cursor.offset();
  Expected<uint64_t> count =
      cursor.read<uint64_t>("the element count of " + what);
  if (!count)
    return count.takeError();
  uint64_t minSize = minValueSize(*elementType);
  if (*count > cursor.left() / minSize)
    return cursor.error(countOffset,
                        what + " claims " + Twine(*count) + " elements of " +
                            ggufValueTypeName(*elementType) +
                            ", more than the " + Twine(cursor.left()) +
                            " bytes left in the file can hold");
  value.elements.reserve(*count);
  for (uint64_t i = 0; i < *count; ++i) {
    Expected<GgufValue> element = readValue(
        cursor, *elementType, "element " + Twine(i) + " of " + what, depth + 1);
    if (!element)
      return element.takeError();
    value.elements.push_back(std::move(*element));
  }
  return value;
}

/// Reads a fixed-size value stored as `Stored` into `field`.
template <typename Stored, typename Field>
static Expected<GgufValue> readScalar(Cursor &cursor, const Twine &what,
                                      GgufValue value,
                                      Field GgufValue::*field) {
  Expected<Stored> raw = cursor.read<Stored>(what);
  if (!raw)
    return raw.takeError();
  value.*field = *raw;
  return value;
}

static Expected<GgufValue> readValue(Cursor &cursor, GgufValueType type,
                                     const Twine &what, unsigned depth) {
  GgufValue value;
  value.type = type;
  switch (type) {
  case GgufValueType::UInt8:
    return readScalar<uint8_t>(cursor, what, value, &GgufValue::unsignedValue);
  case GgufValueType::UInt16:
    return readScalar<uint16_t>(cursor, what, value, &GgufValue::unsignedValue);
  case GgufValueType::UInt32:
    return readScalar<uint32_t>(cursor, what, value, &GgufValue::unsignedValue);
  case GgufValueType::UInt64:
    return readScalar<uint64_t>(cursor, what, value, &GgufValue::unsignedValue);
  case GgufValueType::Int8:
    return readScalar<int8_t>(cursor, what, value, &GgufValue::signedValue);
  case GgufValueType::Int16:
    return readScalar<int16_t>(cursor, what, value, &GgufValue::signedValue);
  case GgufValueType::Int32:
    return readScalar<int32_t>(cursor, what, value, &GgufValue::signedValue);
  case GgufValueType::Int64:
    return readScalar<int64_t>(cursor, what, value, &GgufValue::signedValue);
  case GgufValueType::Bool: {
    uint64_t start = cursor.offset();
    Expected<GgufValue> flag =
        readScalar<uint8_t>(cursor, what, value, &GgufValue::unsignedValue);
    if (flag && flag->unsignedValue > 1)
      return cursor.error(start, what + " is a bool stored as " +
                                     Twine(flag->unsignedValue) +
                                     "; expected 0 or 1");
    return flag;
  }
  case GgufValueType::Float32: {
    Expected<uint32_t> bits = cursor.read<uint32_t>(what);
    if (!bits)
      return bits.takeError();
    value.floatValue = llvm::bit_cast<float>(*bits);
    return value;
  }
  case GgufValueType::Float64: {
    Expected<uint64_t> bits = cursor.read<uint64_t>(what);
    if (!bits)
      return bits.takeError();
    value.floatValue = llvm::bit_cast<double>(*bits);
    return value;
  }
  case GgufValueType::String: {
    Expected<std::string> text = cursor.readString(what);
    if (!text)
      return text.takeError();
    value.stringValue = std::move(*text);
    return value;
  }
  case GgufValueType::Array:
    return readArray(cursor, what, depth);
  }
  return cursor.error(cursor.offset(), what + " has an unknown value type");
}

/// Reads the key/value pairs; sets the alignment from general.alignment.
static Error readMetadata(Cursor &cursor, uint64_t count, GgufFile &file) {
  // A pair is at least a key length (8), a value type (4) and one byte.
  if (count > cursor.left() / 13)
    return cursor.error(16, "the header claims " + Twine(count) +
                                " metadata pairs, more than the " +
                                Twine(cursor.left()) +
                                " bytes left in the file can hold");
  file.metadata.reserve(count);
  llvm::StringSet<> keys;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t keyOffset = cursor.offset();
    Expected<std::string> key =
        cursor.readString("the key of metadata pair " + Twine(i));
    if (!key)
      return key.takeError();
    if (!keys.insert(*key).second)
      return cursor.error(keyOffset, "metadata key '" + *key +
                                         "' appears twice; keys must be "
                                         "unique");
    std::string what = "metadata '" + *key + "'";
    Expected<GgufValueType> type = readValueType(cursor, what);
    if (!type)
      return type.takeError();
    uint64_t valueOffset = cursor.offset();
    Expected<GgufValue> value = readValue(cursor, *type, what, 0);
    if (!value)
      return value.takeError();
    if (*key == "general.alignment") {
      if (value->type != GgufValueType::UInt32)
        return cursor.error(valueOffset, "general.alignment has type " +
                                             ggufValueTypeName(value->type) +
                                             "; expected uint32");
      if (!llvm::isPowerOf2_64(value->unsignedValue))
        return cursor.error(
            valueOffset, "general.alignment is " + Twine(value->unsignedValue) +
                             "; expected a nonzero power of two");
      file.alignment = value->unsignedValue;
    }
    file.metadata.emplace_back(std::move(*key), std::move(*value));
  }
  return Error::success();
}

/// The number of bytes of a tensor, or nullopt if its element count or
/// size overflows int64. `dims` are non-negative and dims[0] is a multiple
/// of the block size.
static std::optional<uint64_t> tensorBytes(llvm::ArrayRef<int64_t> dims,
                                           const GgmlTypeInfo &type) {
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  uint64_t elements = 1;
  for (int64_t dim : dims) {
    if (dim != 0 && elements > kMax / uint64_t(dim))
      return std::nullopt;
    elements *= uint64_t(dim);
  }
  if (elements == 0)
    return 0;
  uint64_t blocks = elements / uint64_t(type.blockSize);
  if (blocks > kMax / uint64_t(type.typeSize))
    return std::nullopt;
  return blocks * uint64_t(type.typeSize);
}

/// Reads one tensor info (its data is located later, once the data
/// section's start is known).
static Expected<GgufTensor> readTensorInfo(Cursor &cursor, uint64_t index) {
  GgufTensor tensor;
  tensor.infoOffset = cursor.offset();
  Expected<std::string> name =
      cursor.readString("the name of tensor " + Twine(index));
  if (!name)
    return name.takeError();
  tensor.name = std::move(*name);
  std::string what = "tensor '" + tensor.name + "'";
  uint64_t dimsOffset = cursor.offset();
  Expected<uint32_t> numDims =
      cursor.read<uint32_t>("the dimension count of " + what);
  if (!numDims)
    return numDims.takeError();
  // GGML_MAX_DIMS.
  if (*numDims > 4)
    return cursor.error(dimsOffset, what + " has " + Twine(*numDims) +
                                        " dimensions; GGUF tensors have at "
                                        "most 4");
  for (uint32_t d = 0; d < *numDims; ++d) {
    uint64_t dimOffset = cursor.offset();
    Expected<uint64_t> dim =
        cursor.read<uint64_t>("dimension " + Twine(d) + " of " + what);
    if (!dim)
      return dim.takeError();
    if (*dim > uint64_t(std::numeric_limits<int64_t>::max()))
      return cursor.error(dimOffset, "dimension " + Twine(d) + " of " + what +
                                         " is " + Twine(*dim) +
                                         ", beyond the int64 range");
    tensor.dims.push_back(int64_t(*dim));
  }
  uint64_t typeOffset = cursor.offset();
  Expected<uint32_t> type = cursor.read<uint32_t>("the type of " + what);
  if (!type)
    return type.takeError();
  tensor.type = *type;
  const GgmlTypeInfo *info = lookupGgmlType(*type);
  if (!info)
    return cursor.error(typeOffset,
                        what + " has unknown ggml type " + Twine(*type));
  int64_t ne0 = tensor.dims.empty() ? 1 : tensor.dims[0];
  if (ne0 % info->blockSize != 0)
    return cursor.error(dimsOffset, what + " of type " + info->name +
                                        " has ne0 = " + Twine(ne0) +
                                        ", not a multiple of the block size " +
                                        Twine(info->blockSize));
  if (!tensorBytes(tensor.dims, *info))
    return cursor.error(dimsOffset, what + " has dimensions " +
                                        tensor.dimsString() +
                                        " whose size overflows int64");
  Expected<uint64_t> offset = cursor.read<uint64_t>("the offset of " + what);
  if (!offset)
    return offset.takeError();
  tensor.offset = *offset;
  return tensor;
}

Expected<GgufFile> lowbit::import::parseGguf(llvm::MemoryBufferRef buffer) {
  Cursor cursor(buffer);
  GgufFile file;
  if (cursor.left() < 4)
    return cursor.error(0, "the file is too short to be a GGUF file (" +
                               Twine(cursor.left()) + " bytes)");
  if (std::memcmp(cursor.data(), "GGUF", 4) != 0) {
    std::string magic;
    llvm::raw_string_ostream os(magic);
    for (unsigned i = 0; i < 4; ++i)
      os << llvm::format_hex_no_prefix(cursor.data()[i], 2)
         << (i < 3 ? " " : "");
    return cursor.error(0, "not a GGUF file: the magic is bytes " + magic +
                               "; expected 47 47 55 46 (\"GGUF\")");
  }
  cursor.skip(4);
  Expected<uint32_t> version = cursor.read<uint32_t>("the header's version");
  if (!version)
    return version.takeError();
  if (*version != 2 && *version != 3) {
    uint32_t swapped = llvm::byteswap(*version);
    if (swapped == 2 || swapped == 3)
      return cursor.error(4, "the file is a big-endian GGUF file (version " +
                                 Twine(swapped) +
                                 " byte-swapped); only little-endian files "
                                 "are supported");
    return cursor.error(4, "unsupported GGUF version " + Twine(*version) +
                               "; expected 2 or 3");
  }
  file.version = *version;
  Expected<uint64_t> tensorCount =
      cursor.read<uint64_t>("the header's tensor count");
  if (!tensorCount)
    return tensorCount.takeError();
  Expected<uint64_t> metadataCount =
      cursor.read<uint64_t>("the header's metadata count");
  if (!metadataCount)
    return metadataCount.takeError();
  if (Error error = readMetadata(cursor, *metadataCount, file))
    return std::move(error);

  // A tensor info is at least a name length (8), a dimension count (4), a
  // type (4) and an offset (8).
  if (*tensorCount > cursor.left() / 24)
    return cursor.error(8, "the header claims " + Twine(*tensorCount) +
                               " tensors, more than the " +
                               Twine(cursor.left()) +
                               " bytes left in the file can hold");
  file.tensors.reserve(*tensorCount);
  llvm::StringSet<> names;
  for (uint64_t i = 0; i < *tensorCount; ++i) {
    Expected<GgufTensor> tensor = readTensorInfo(cursor, i);
    if (!tensor)
      return tensor.takeError();
    if (!names.insert(tensor->name).second)
      return cursor.error(tensor->infoOffset,
                          "tensor name '" + tensor->name +
                              "' appears twice; names must be unique");
    file.tensors.push_back(std::move(*tensor));
  }

  // The data section starts at the next multiple of the alignment; the
  // padding may run to the end of a file whose tensors are all empty.
  file.dataOffset = llvm::alignTo(cursor.offset(), file.alignment);
  uint64_t dataSize = cursor.fileSize() > file.dataOffset
                          ? cursor.fileSize() - file.dataOffset
                          : 0;
  for (GgufTensor &tensor : file.tensors) {
    const GgmlTypeInfo &info = *lookupGgmlType(tensor.type);
    uint64_t bytes = *tensorBytes(tensor.dims, info);
    // The offset field is the last 8 bytes of the info.
    uint64_t offsetField = tensor.infoOffset + 8 + tensor.name.size() + 4 +
                           8 * tensor.dims.size() + 4;
    if (tensor.offset % file.alignment != 0)
      return cursor.error(
          offsetField,
          "tensor '" + tensor.name + "' has offset " + Twine(tensor.offset) +
              ", not a multiple of the alignment " + Twine(file.alignment));
    if (tensor.offset > dataSize || bytes > dataSize - tensor.offset)
      return cursor.error(
          offsetField,
          "the data of tensor '" + tensor.name + "' (" + Twine(bytes) +
              " bytes at offset " + Twine(tensor.offset) +
              " of the data section at byte " + Twine(file.dataOffset) +
              ") runs past the end of the file (" + Twine(cursor.fileSize()) +
              " bytes; truncated file?)");
    tensor.data = llvm::ArrayRef<uint8_t>(
        cursor.data() + file.dataOffset + tensor.offset, bytes);
  }
  return file;
}
