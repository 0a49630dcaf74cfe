//===- GgufFileTest.cpp - The GGUF container reader and its errors --------===//

#include "GgufTestFile.h"

#include "llvm/ADT/bit.h"

#include "gtest/gtest.h"

using namespace lowbit::import;
using namespace lowbit::import::testing;

namespace {

constexpr uint32_t kF32 = 0, kQ4_0 = 2, kQ8_0 = 8;

/// A valid file with two Q8_0 tensors [2, 32] and [1, 64] and an alignment
/// of 64; the second tensor's data ends the file.
std::string twoTensorFile(uint32_t version = 3) {
  GgufBytes file;
  file.header(version, 2, 2)
      .kvU32("general.alignment", 64)
      .str("general.architecture")
      .u32(uint32_t(GgufValueType::String))
      .str("llama")
      .tensorInfo("a.weight", {32, 2}, kQ8_0, 0)
      .tensorInfo("b.weight", {64, 1}, kQ8_0, 128)
      .pad(64);
  file.raw(std::string(68, '\x01')).pad(64).raw(std::string(68, '\x02'));
  return file.bytes;
}

TEST(GgufFileTest, ParsesTensorInfosAndData) {
  for (uint32_t version : {2u, 3u}) {
    std::string bytes = twoTensorFile(version);
    llvm::Expected<GgufFile> file = parseGguf(bufferOf(bytes));
    ASSERT_TRUE(bool(file)) << llvm::toString(file.takeError());
    EXPECT_EQ(file->version, version);
    EXPECT_EQ(file->alignment, 64u);
    EXPECT_EQ(file->dataOffset % 64, 0u);
    ASSERT_EQ(file->tensors.size(), 2u);
    const GgufTensor &b = file->tensors[1];
    EXPECT_EQ(b.name, "b.weight");
    EXPECT_EQ(b.dims, (std::vector<int64_t>{64, 1}));
    EXPECT_EQ(b.type, kQ8_0);
    EXPECT_EQ(b.offset, 128u);
    ASSERT_EQ(b.data.size(), 68u);
    EXPECT_EQ(b.data.data(), reinterpret_cast<const uint8_t *>(bytes.data()) +
                                 file->dataOffset + 128);
    EXPECT_EQ(b.data[0], 2);
    EXPECT_EQ(file->tensors[0].data[67], 1);
    ASSERT_NE(file->lookup("general.architecture"), nullptr);
    EXPECT_EQ(file->lookup("general.architecture")->stringValue, "llama");
    EXPECT_EQ(file->lookup("missing"), nullptr);
  }
}

TEST(GgufFileTest, ParsesEveryValueType) {
  GgufBytes file;
  auto key = [&](const std::string &name, GgufValueType type) -> GgufBytes & {
    return file.str(name).u32(uint32_t(type));
  };
  file.header(3, 0, 15);
  key("u8", GgufValueType::UInt8).u8(200);
  key("i8", GgufValueType::Int8).put(int8_t(-100));
  key("u16", GgufValueType::UInt16).put(uint16_t(60000));
  key("i16", GgufValueType::Int16).put(int16_t(-30000));
  key("u32", GgufValueType::UInt32).u32(4000000000u);
  key("i32", GgufValueType::Int32).put(int32_t(-2000000000));
  key("f32", GgufValueType::Float32).u32(llvm::bit_cast<uint32_t>(0.25f));
  key("bool", GgufValueType::Bool).u8(1);
  key("string", GgufValueType::String).str("text");
  key("u64", GgufValueType::UInt64).u64(~uint64_t(0));
  key("i64", GgufValueType::Int64).put(int64_t(-(int64_t(1) << 62)));
  key("f64", GgufValueType::Float64).u64(llvm::bit_cast<uint64_t>(-1.5));
  key("ints", GgufValueType::Array)
      .u32(uint32_t(GgufValueType::Int32))
      .u64(2)
      .put(int32_t(7))
      .put(int32_t(-8));
  key("strings", GgufValueType::Array)
      .u32(uint32_t(GgufValueType::String))
      .u64(2)
      .str("")
      .str("ab");
  // An array of arrays: [[1], []].
  key("nested", GgufValueType::Array)
      .u32(uint32_t(GgufValueType::Array))
      .u64(2)
      .u32(uint32_t(GgufValueType::UInt8))
      .u64(1)
      .u8(1)
      .u32(uint32_t(GgufValueType::UInt8))
      .u64(0);
  llvm::Expected<GgufFile> parsed = parseGguf(bufferOf(file.bytes));
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  ASSERT_EQ(parsed->metadata.size(), 15u);
  auto get = [&](const char *name) { return *parsed->lookup(name); };
  EXPECT_EQ(get("u8").unsignedValue, 200u);
  EXPECT_EQ(get("i8").signedValue, -100);
  EXPECT_EQ(get("u16").unsignedValue, 60000u);
  EXPECT_EQ(get("i16").signedValue, -30000);
  EXPECT_EQ(get("u32").unsignedValue, 4000000000u);
  EXPECT_EQ(get("i32").signedValue, -2000000000);
  EXPECT_EQ(get("f32").floatValue, 0.25);
  EXPECT_EQ(get("bool").unsignedValue, 1u);
  EXPECT_EQ(get("string").stringValue, "text");
  EXPECT_EQ(get("u64").unsignedValue, ~uint64_t(0));
  EXPECT_EQ(get("i64").signedValue, -(int64_t(1) << 62));
  EXPECT_EQ(get("f64").floatValue, -1.5);
  GgufValue ints = get("ints");
  EXPECT_EQ(ints.elementType, GgufValueType::Int32);
  ASSERT_EQ(ints.elements.size(), 2u);
  EXPECT_EQ(ints.elements[1].signedValue, -8);
  GgufValue strings = get("strings");
  ASSERT_EQ(strings.elements.size(), 2u);
  EXPECT_EQ(strings.elements[1].stringValue, "ab");
  GgufValue nested = get("nested");
  ASSERT_EQ(nested.elements.size(), 2u);
  ASSERT_EQ(nested.elements[0].elements.size(), 1u);
  EXPECT_EQ(nested.elements[0].elements[0].unsignedValue, 1u);
  EXPECT_TRUE(nested.elements[1].elements.empty());
}

TEST(GgufFileTest, EveryTruncationIsAnError) {
  std::string bytes = twoTensorFile();
  for (size_t size = 0; size < bytes.size(); ++size) {
    std::string prefix = bytes.substr(0, size);
    std::string message = messageOf(parseGguf(bufferOf(prefix)));
    EXPECT_NE(message, "success") << "prefix of " << size << " bytes";
    EXPECT_EQ(message.rfind("test.gguf: byte ", 0), 0u) << message;
  }
}

TEST(GgufFileTest, BadMagic) {
  std::string bytes = twoTensorFile();
  bytes[0] = 'X';
  EXPECT_EQ(messageOf(parseGguf(bufferOf(bytes))),
            "test.gguf: byte 0: not a GGUF file: the magic is bytes 58 47 55 "
            "46; expected 47 47 55 46 (\"GGUF\")");
}

TEST(GgufFileTest, UnsupportedVersions) {
  for (uint32_t version : {1u, 4u}) {
    std::string bytes = twoTensorFile(version);
    EXPECT_EQ(messageOf(parseGguf(bufferOf(bytes))),
              "test.gguf: byte 4: unsupported GGUF version " +
                  std::to_string(version) + "; expected 2 or 3");
  }
  std::string bigEndian = twoTensorFile(0x03000000u);
  EXPECT_EQ(messageOf(parseGguf(bufferOf(bigEndian))),
            "test.gguf: byte 4: the file is a big-endian GGUF file (version 3 "
            "byte-swapped); only little-endian files are supported");
}

TEST(GgufFileTest, TruncatedHeader) {
  std::string bytes = twoTensorFile().substr(0, 12);
  EXPECT_EQ(messageOf(parseGguf(bufferOf(bytes))),
            "test.gguf: byte 8: the file ends inside the header's tensor "
            "count: it needs 8 bytes but 4 are left (truncated file?)");
}

TEST(GgufFileTest, LyingCountsAllocateNothing) {
  GgufBytes tensors;
  tensors.header(3, uint64_t(1) << 60, 0);
  EXPECT_EQ(messageOf(parseGguf(bufferOf(tensors.bytes))),
            "test.gguf: byte 8: the header claims 1152921504606846976 "
            "tensors, more than the 0 bytes left in the file can hold");
  GgufBytes pairs;
  pairs.header(3, 0, ~uint64_t(0));
  EXPECT_EQ(messageOf(parseGguf(bufferOf(pairs.bytes))),
            "test.gguf: byte 16: the header claims 18446744073709551615 "
            "metadata pairs, more than the 0 bytes left in the file can "
            "hold");
  GgufBytes string;
  string.header(3, 0, 1).u64(~uint64_t(0)).raw("keyvalue");
  EXPECT_EQ(messageOf(parseGguf(bufferOf(string.bytes))),
            "test.gguf: byte 24: the length of the key of metadata pair 0 is "
            "18446744073709551615 bytes but only 8 bytes are left in the "
            "file");
  GgufBytes array;
  array.header(3, 0, 1)
      .str("big")
      .u32(uint32_t(GgufValueType::Array))
      .u32(uint32_t(GgufValueType::UInt64))
      .u64(uint64_t(1) << 61)
      .u64(0);
  EXPECT_EQ(messageOf(parseGguf(bufferOf(array.bytes))),
            "test.gguf: byte 43: metadata 'big' claims 2305843009213693952 "
            "elements of uint64, more than the 8 bytes left in the file can "
            "hold");
}

TEST(GgufFileTest, TruncatedMetadataValue) {
  GgufBytes file;
  file.header(3, 0, 1).str("k").u32(uint32_t(GgufValueType::Float64)).u32(0);
  EXPECT_EQ(messageOf(parseGguf(bufferOf(file.bytes))),
            "test.gguf: byte 37: the file ends inside metadata 'k': it needs "
            "8 bytes but 4 are left (truncated file?)");
}

TEST(GgufFileTest, BadValues) {
  GgufBytes type;
  type.header(3, 0, 1).str("k").u32(13).u32(0);
  EXPECT_EQ(messageOf(parseGguf(bufferOf(type.bytes))),
            "test.gguf: byte 33: metadata 'k' has unknown value type 13; "
            "expected 0..12");
  GgufBytes flag;
  flag.header(3, 0, 1).str("k").u32(uint32_t(GgufValueType::Bool)).u8(2);
  EXPECT_EQ(messageOf(parseGguf(bufferOf(flag.bytes))),
            "test.gguf: byte 37: metadata 'k' is a bool stored as 2; "
            "expected 0 or 1");
  GgufBytes duplicate;
  duplicate.header(3, 0, 2).kvU32("k", 1).kvU32("k", 2);
  EXPECT_EQ(messageOf(parseGguf(bufferOf(duplicate.bytes))),
            "test.gguf: byte 41: metadata key 'k' appears twice; keys must "
            "be unique");
  GgufBytes deep;
  deep.header(3, 0, 1).str("k").u32(uint32_t(GgufValueType::Array));
  for (int i = 0; i < 9; ++i)
    deep.u32(uint32_t(GgufValueType::Array)).u64(1);
  std::string message = messageOf(parseGguf(bufferOf(deep.bytes)));
  EXPECT_NE(message.find("nests arrays deeper than 8 levels"),
            std::string::npos)
      << message;
}

TEST(GgufFileTest, BadAlignment) {
  GgufBytes notPowerOfTwo;
  notPowerOfTwo.header(3, 0, 1).kvU32("general.alignment", 48);
  EXPECT_EQ(messageOf(parseGguf(bufferOf(notPowerOfTwo.bytes))),
            "test.gguf: byte 53: general.alignment is 48; expected a nonzero "
            "power of two");
  GgufBytes zero;
  zero.header(3, 0, 1).kvU32("general.alignment", 0);
  EXPECT_NE(messageOf(parseGguf(bufferOf(zero.bytes))).find("is 0;"),
            std::string::npos);
  GgufBytes wrongType;
  wrongType.header(3, 0, 1)
      .str("general.alignment")
      .u32(uint32_t(GgufValueType::UInt64))
      .u64(32);
  EXPECT_EQ(messageOf(parseGguf(bufferOf(wrongType.bytes))),
            "test.gguf: byte 53: general.alignment has type uint64; expected "
            "uint32");
}

/// The error of a file with one tensor info and `dataBytes` bytes of data.
std::string tensorError(const std::vector<uint64_t> &dims, uint32_t type,
                        uint64_t offset, size_t dataBytes) {
  GgufBytes file;
  file.header(3, 1, 0).tensorInfo("t", dims, type, offset).pad(32);
  file.raw(std::string(dataBytes, '\0'));
  return messageOf(parseGguf(bufferOf(file.bytes)));
}

TEST(GgufFileTest, BadTensorInfos) {
  EXPECT_EQ(tensorError({32, 2}, kQ4_0, 0, 36), "success");
  EXPECT_EQ(tensorError({32, 2}, 77, 0, 36),
            "test.gguf: byte 53: tensor 't' has unknown ggml type 77");
  EXPECT_EQ(tensorError({32, 2}, 4, 0, 36),
            "test.gguf: byte 53: tensor 't' has unknown ggml type 4");
  EXPECT_EQ(tensorError({33, 2}, kQ4_0, 0, 36),
            "test.gguf: byte 33: tensor 't' of type Q4_0 has ne0 = 33, not a "
            "multiple of the block size 32");
  EXPECT_EQ(tensorError({1, 1, 1, 1, 1}, kF32, 0, 4),
            "test.gguf: byte 33: tensor 't' has 5 dimensions; GGUF tensors "
            "have at most 4");
  EXPECT_EQ(tensorError({uint64_t(1) << 40, uint64_t(1) << 40}, kF32, 0, 0),
            "test.gguf: byte 33: tensor 't' has dimensions [1099511627776, "
            "1099511627776] whose size overflows int64");
  // Elements fit in int64 but bytes do not.
  EXPECT_NE(tensorError({uint64_t(1) << 62}, kF32, 0, 0).find("overflows"),
            std::string::npos);
  EXPECT_EQ(tensorError({~uint64_t(0)}, kF32, 0, 0),
            "test.gguf: byte 37: dimension 0 of tensor 't' is "
            "18446744073709551615, beyond the int64 range");
  EXPECT_EQ(tensorError({32, 2}, kQ4_0, 16, 64),
            "test.gguf: byte 57: tensor 't' has offset 16, not a multiple of "
            "the alignment 32");
  EXPECT_EQ(tensorError({32, 2}, kQ4_0, 32, 36),
            "test.gguf: byte 57: the data of tensor 't' (36 bytes at offset "
            "32 of the data section at byte 96) runs past the end of the file "
            "(132 bytes; truncated file?)");
  // Aligned but near 2^64: the bounds check must not wrap around.
  EXPECT_EQ(tensorError({32, 2}, kQ4_0, ~uint64_t(0) - 31, 36),
            "test.gguf: byte 57: the data of tensor 't' (36 bytes at offset "
            "18446744073709551584 of the data section at byte 96) runs past "
            "the end of the file (132 bytes; truncated file?)");
  EXPECT_NE(tensorError({32, 2}, kQ4_0, uint64_t(1) << 63, 36)
                .find("runs past the end of the file"),
            std::string::npos);
  // An empty tensor needs no data, even at the end of the file.
  EXPECT_EQ(tensorError({0, 2}, kQ4_0, 0, 0), "success");
}

TEST(GgufFileTest, DuplicateTensorNames) {
  GgufBytes file;
  file.header(3, 2, 0)
      .tensorInfo("t", {32}, kQ4_0, 0)
      .tensorInfo("t", {32}, kQ4_0, 32)
      .pad(32)
      .raw(std::string(64, '\0'));
  EXPECT_EQ(messageOf(parseGguf(bufferOf(file.bytes))),
            "test.gguf: byte 57: tensor name 't' appears twice; names must "
            "be unique");
}

} // namespace
