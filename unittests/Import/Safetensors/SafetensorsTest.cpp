//===- SafetensorsTest.cpp - The safetensors reader ----------------------===//
//
// Well-formed files read back exactly (every dtype, metadata, empty tensors,
// padding); every malformed header or byte range gets its own error naming
// the file and the tensor.
//
//===----------------------------------------------------------------------===//

#include "SafetensorsBuilder.h"

#include "lowbit/Import/Safetensors.h"
#include "lowbit/Numerics/Format.h"

#include "gtest/gtest.h"

using namespace lowbit::import;
using namespace lowbit::import::testing;

namespace {

llvm::Expected<SafetensorsFile> parseBytes(llvm::StringRef bytes) {
  return SafetensorsFile::parse(
      llvm::MemoryBuffer::getMemBufferCopy(bytes, "test.safetensors"));
}

/// Expects `bytes` to be rejected with a message that starts with the
/// buffer name and contains `fragment`.
void expectError(llvm::StringRef bytes, llvm::StringRef fragment) {
  llvm::Expected<SafetensorsFile> file = parseBytes(bytes);
  ASSERT_FALSE(file) << "expected an error containing '" << fragment.str()
                     << "'";
  std::string message = llvm::toString(file.takeError());
  EXPECT_TRUE(llvm::StringRef(message).starts_with("test.safetensors: "))
      << message;
  EXPECT_NE(message.find(fragment.str()), std::string::npos) << message;
}

/// A header with one tensor entry given as JSON text, and `dataSize` bytes.
std::string oneTensor(llvm::StringRef entry, size_t dataSize = 16) {
  return rawSafetensors(("{\"t\": " + entry + "}").str(),
                        std::string(dataSize, '\0'));
}

TEST(SafetensorsTest, ReadsEveryDTypeExactly) {
  std::vector<TestTensor> tensors = {
      {"bool", "BOOL", {2}, bytesOf<uint8_t>({0, 1})},
      {"u8", "U8", {2}, bytesOf<uint8_t>({0, 255})},
      {"i8", "I8", {2}, bytesOf<int8_t>({-128, 127})},
      {"i16", "I16", {2}, bytesOf<int16_t>({-32768, 32767})},
      {"u16", "U16", {2}, bytesOf<uint16_t>({0, 65535})},
      {"i32", "I32", {1, 2}, bytesOf<int32_t>({INT32_MIN, -7})},
      {"u32", "U32", {2, 1}, bytesOf<uint32_t>({0xDEADBEEF, 5})},
      {"i64", "I64", {2}, bytesOf<int64_t>({INT64_MIN, 3})},
      {"u64", "U64", {1}, bytesOf<uint64_t>({42})},
      {"f16", "F16", {2}, bytesOf<uint16_t>({0x3C00, 0xC500})},
      {"bf16", "BF16", {2}, bytesOf<uint16_t>({0x3F80, 0xC0A0})},
      {"f32", "F32", {2}, bytesOf<float>({0.1f, -3.5f})},
      {"f64", "F64", {2}, bytesOf<double>({0.1, -1e300})},
      {"f8", "F8_E4M3", {1}, bytesOf<uint8_t>({0x38})},
      {"f8b", "F8_E5M2", {1}, bytesOf<uint8_t>({0x3C})},
  };
  llvm::Expected<SafetensorsFile> file =
      parseBytes(encodeSafetensors(tensors, {{"format", "pt"}, {"note", "x"}}));
  ASSERT_TRUE(bool(file)) << llvm::toString(file.takeError());
  EXPECT_EQ(file->tensors().size(), tensors.size());
  EXPECT_EQ(file->metadata().at("format"), "pt");
  EXPECT_EQ(file->metadata().at("note"), "x");
  // Tensors come in data order, which is the order they were written.
  for (size_t i = 0; i < tensors.size(); ++i) {
    const SafetensorsTensor &tensor = file->tensors()[i];
    EXPECT_EQ(tensor.name, tensors[i].name);
    EXPECT_EQ(tensor.shape, tensors[i].shape);
    EXPECT_EQ(safetensorsDTypeName(tensor.dtype), tensors[i].dtype);
    EXPECT_EQ(
        llvm::StringRef(reinterpret_cast<const char *>(tensor.data.data()),
                        tensor.data.size()),
        tensors[i].bytes);
  }
  EXPECT_EQ(file->lookup("bool")->integer(1), 1);
  EXPECT_EQ(file->lookup("u8")->integer(1), 255);
  EXPECT_EQ(file->lookup("i8")->integer(0), -128);
  EXPECT_EQ(file->lookup("i16")->integer(0), -32768);
  EXPECT_EQ(file->lookup("u16")->integer(1), 65535);
  EXPECT_EQ(file->lookup("i32")->integer(0), INT32_MIN);
  EXPECT_EQ(file->lookup("i32")->word32(1), uint32_t(-7));
  EXPECT_EQ(file->lookup("u32")->word32(0), 0xDEADBEEFu);
  EXPECT_EQ(file->lookup("u32")->integer(0), 0xDEADBEEFll);
  EXPECT_EQ(file->lookup("i64")->integer(0), INT64_MIN);
  EXPECT_EQ(file->lookup("u64")->integer(0), 42);
  EXPECT_EQ(file->lookup("f16")->real(0), 1.0);
  EXPECT_EQ(file->lookup("f16")->real(1), -5.0);
  EXPECT_EQ(file->lookup("bf16")->real(1), -5.0);
  EXPECT_EQ(file->lookup("f32")->real(0), double(0.1f));
  EXPECT_EQ(file->lookup("f64")->real(1), -1e300);
  EXPECT_EQ(file->lookup("missing"), nullptr);
  EXPECT_EQ(file->lookup("i32")->shapeString(), "[1, 2]");
  EXPECT_EQ(safetensorsDTypeSize(SafetensorsDType::BF16), 2u);
  EXPECT_EQ(parseSafetensorsDType("F4"), std::nullopt);
}

TEST(SafetensorsTest, AcceptsPaddingGapsAndEmptyTensors) {
  // Header padded with spaces (as the reference writer aligns it), a gap
  // before the second tensor, an empty tensor and a scalar.
  std::string header = R"({"a": {"dtype": "U8", "shape": [2],
      "data_offsets": [0, 2]},
    "b": {"dtype": "I16", "shape": [1], "data_offsets": [4, 6]},
    "e": {"dtype": "F32", "shape": [0, 9223372036854775807],
          "data_offsets": [1, 1]},
    "s": {"dtype": "U8", "shape": [], "data_offsets": [6, 7]}}   )";
  llvm::Expected<SafetensorsFile> file = parseBytes(
      rawSafetensors(header, std::string("\x01\x02\0\0\x05\0\x09", 7)));
  ASSERT_TRUE(bool(file)) << llvm::toString(file.takeError());
  EXPECT_EQ(file->lookup("b")->integer(0), 5);
  EXPECT_EQ(file->lookup("e")->numElements, 0u);
  EXPECT_EQ(file->lookup("s")->numElements, 1u);
  EXPECT_EQ(file->lookup("s")->integer(0), 9);
  EXPECT_TRUE(file->metadata().empty());
}

TEST(SafetensorsTest, EmptyHeaderObjectHasNoTensors) {
  llvm::Expected<SafetensorsFile> file = parseBytes(rawSafetensors("{}", ""));
  ASSERT_TRUE(bool(file)) << llvm::toString(file.takeError());
  EXPECT_TRUE(file->tensors().empty());
}

TEST(SafetensorsTest, RejectsTruncatedFiles) {
  expectError("", "file is 0 bytes long, too short for the 8-byte header");
  expectError(std::string(7, '\0'), "file is 7 bytes long");
  std::string bytes = rawSafetensors("{}", "");
  bytes.pop_back();
  expectError(bytes, "header length 2 is larger than the 1 bytes that follow");
  std::string huge(8, '\0');
  llvm::support::endian::write64le(huge.data(), ~uint64_t(0));
  expectError(huge, "header length 18446744073709551615 exceeds the limit of "
                    "100000000 bytes");
}

TEST(SafetensorsTest, RejectsBadHeaders) {
  expectError(rawSafetensors("{\"a\": ", ""), "header is not valid json");
  expectError(rawSafetensors("[1, 2]", ""), "header is not a json object");
  // Deep nesting would overflow the parser's stack; brackets in strings and
  // escaped quotes do not count.
  expectError(rawSafetensors(std::string(1'000'000, '['), ""),
              "header is not valid json: arrays and objects nest more than "
              "64 levels deep");
  expectError(rawSafetensors(R"({"__metadata__": {"k\")" +
                                 std::string(100, '[') + R"(": "v", "x": 1}})",
                             ""),
              "\"__metadata__\" entry 'x' is not a string");
  expectError(rawSafetensors(R"({"__metadata__": [1]})", ""),
              "\"__metadata__\" is not a json object of strings");
  expectError(rawSafetensors(R"({"__metadata__": {"k": 3}})", ""),
              "\"__metadata__\" entry 'k' is not a string");
}

TEST(SafetensorsTest, RejectsBadTensorEntries) {
  expectError(oneTensor("7"), "tensor 't' is not a json object");
  expectError(oneTensor(R"({"shape": [1], "data_offsets": [0, 1]})"),
              "tensor 't' has no string \"dtype\"");
  expectError(oneTensor(R"({"dtype": "F4", "shape": [1],
                            "data_offsets": [0, 1]})"),
              "tensor 't' has unsupported dtype 'F4'; expected one of BOOL");
  expectError(oneTensor(R"({"dtype": "U8", "data_offsets": [0, 1]})"),
              "tensor 't' has no array \"shape\"");
  expectError(oneTensor(R"({"dtype": "U8", "shape": [-1],
                            "data_offsets": [0, 1]})"),
              "tensor 't' has a shape entry that is not a non-negative "
              "integer");
  expectError(oneTensor(R"({"dtype": "U8", "shape": [1.5],
                            "data_offsets": [0, 1]})"),
              "shape entry that is not a non-negative integer");
  expectError(oneTensor(R"({"dtype": "U8", "shape": [9223372036854775808],
                            "data_offsets": [0, 1]})"),
              "tensor 't' has shape dimension 9223372036854775808, which "
              "does not fit in a signed 64-bit integer");
  expectError(oneTensor(R"({"dtype": "U8", "shape": [1]})"),
              "tensor 't' has no \"data_offsets\" array of two integers");
  expectError(oneTensor(R"({"dtype": "U8", "shape": [1],
                            "data_offsets": [0, 1, 2]})"),
              "no \"data_offsets\" array of two integers");
  expectError(oneTensor(R"({"dtype": "U8", "shape": [1],
                            "data_offsets": [0, "1"]})"),
              "tensor 't' has data_offsets that are not non-negative "
              "integers");
  expectError(oneTensor(R"({"dtype": "U8", "shape": [1],
                            "data_offsets": [2, 1]})"),
              "tensor 't' has data_offsets [2, 1) whose begin is past the "
              "end");
}

TEST(SafetensorsTest, RejectsOverflowingShapes) {
  // 2^32 * 2^32 elements overflow 64 bits.
  expectError(oneTensor(R"({"dtype": "U8", "shape": [4294967296, 4294967296],
                            "data_offsets": [0, 1]})"),
              "tensor 't' has shape [4294967296, 4294967296] of U8, whose "
              "byte size overflows 64 bits");
  // 2^62 elements fit, 2^62 * 4 bytes do not.
  expectError(oneTensor(R"({"dtype": "I32", "shape": [4611686018427387904],
                            "data_offsets": [0, 1]})"),
              "whose byte size overflows 64 bits");
}

TEST(SafetensorsTest, RejectsBadByteRanges) {
  expectError(oneTensor(R"({"dtype": "I32", "shape": [2, 3],
                            "data_offsets": [0, 16]})",
                        32),
              "tensor 't' has shape [2, 3] of I32 (24 bytes) but "
              "data_offsets [0, 16) hold 16 bytes");
  expectError(oneTensor(R"({"dtype": "I32", "shape": [4],
                            "data_offsets": [8, 24]})",
                        16),
              "tensor 't' has data_offsets [8, 24) past the end of the data "
              "section (16 bytes)");
  expectError(
      rawSafetensors(
          R"({"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]},
              "b": {"dtype": "U8", "shape": [4], "data_offsets": [2, 6]}})",
          std::string(8, '\0')),
      "tensor 'b' has data_offsets [2, 6) overlapping tensor 'a' at "
      "[0, 4)");
  // The same range twice overlaps too.
  expectError(
      rawSafetensors(
          R"({"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]},
              "b": {"dtype": "I32", "shape": [1], "data_offsets": [0, 4]}})",
          std::string(8, '\0')),
      "overlapping tensor 'a' at [0, 4)");
}

TEST(SafetensorsTest, OpenNamesMissingFiles) {
  llvm::Expected<SafetensorsFile> file =
      SafetensorsFile::open("/nonexistent/dir/model.safetensors");
  ASSERT_FALSE(file);
  std::string message = llvm::toString(file.takeError());
  EXPECT_EQ(message.find("/nonexistent/dir/model.safetensors: cannot open the "
                         "file: "),
            0u)
      << message;
}

TEST(SafetensorsTest, OpenMapsFiles) {
  TempDir dir;
  std::string path = dir.write(
      "m.safetensors",
      encodeSafetensors(
          {{"x", "F16", {3}, bytesOf<uint16_t>({0, 0x3C00, 0x4000})}}));
  llvm::Expected<SafetensorsFile> file = SafetensorsFile::open(path);
  ASSERT_TRUE(bool(file)) << llvm::toString(file.takeError());
  EXPECT_EQ(file->path(), path);
  EXPECT_EQ(file->lookup("x")->real(2), 2.0);
}

} // namespace
