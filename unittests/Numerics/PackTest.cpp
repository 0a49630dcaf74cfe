//===- PackTest.cpp - Tests of packing low-bit codes into words -----------===//
//
// Hand-computed packings, and on fresh random codes: pack agrees bit for bit
// with a reference that builds each row as an explicit bit array, and unpack
// inverts it, for every width, word width and element order; likewise for
// bit-plane layouts against a reference that assembles their bytes.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Pack.h"

#include "TestRandom.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <numeric>

using namespace lowbit::numerics;

namespace {

using Words = std::vector<uint64_t>;

PackLayout plainLayout(unsigned bits, unsigned wordBits) {
  PackLayout layout;
  layout.bits = bits;
  layout.wordBits = wordBits;
  return layout;
}

TEST(PackTest, HandComputedExamples) {
  std::vector<uint32_t> oneToEight = {1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(pack(oneToEight, 1, 8, plainLayout(4, 32)), Words{0x87654321});

  // Even elements in the low half-word, odd ones in the high half-word.
  PackLayout interleaved = interleavedLayout(4, 32);
  EXPECT_EQ(interleaved.order, (std::vector<unsigned>{0, 4, 1, 5, 2, 6, 3, 7}));
  EXPECT_EQ(pack(oneToEight, 1, 8, interleaved), Words{0x86427531});

  // 2-bit codes in bytes, interleaved as [0, 2, 1, 3]: 1 | 3 << 2 | 2 << 4.
  EXPECT_EQ(pack({1, 2, 3, 0}, 1, 4, interleavedLayout(2, 8)), Words{0x2d});

  // 3-bit codes straddle bytes: 5 | 3 << 3 | 7 << 6 spills one bit over.
  EXPECT_EQ(pack({5, 3, 7}, 1, 3, plainLayout(3, 8)), (Words{0xdd, 0x01}));

  // Each row starts on a word boundary and its last word is zero-padded.
  EXPECT_EQ(pack({1, 2, 3, 4, 5, 6}, 2, 3, plainLayout(4, 8)),
            (Words{0x21, 0x03, 0x54, 0x06}));

  // Aligned 3-bit codes never straddle: two per byte, the top two bits zero.
  PackLayout aligned3 = plainLayout(3, 8);
  aligned3.aligned = true;
  EXPECT_EQ(pack({5, 3, 7}, 1, 3, aligned3), (Words{0x1d, 0x07}));
  EXPECT_EQ(aligned3.wordsPerRow(5), 3);

  // Lanes: element j in word j % 2 at position j / 2.
  std::vector<uint32_t> zeroToFifteen(16);
  std::iota(zeroToFifteen.begin(), zeroToFifteen.end(), 0u);
  EXPECT_EQ(pack(zeroToFifteen, 1, 16, laneLayout(4, 32, 2)),
            (Words{0xeca86420, 0xfdb97531}));
  // 3-bit codes in 16 lanes of 32-bit words: 10 per word, period 160.
  PackLayout lanes3 = laneLayout(3, 32, 16);
  EXPECT_EQ(lanes3.period(), 160u);
  EXPECT_EQ(lanes3.wordsPerRow(161), 32);

  EXPECT_EQ(pack(oneToEight, 1, 8, plainLayout(8, 64)),
            Words{0x0807060504030201ull});
  EXPECT_EQ(pack({0x7f, 0x01}, 1, 2, plainLayout(7, 8)), (Words{0xff, 0x00}));
}

TEST(PackTest, WordsPerRowPadsToWholePeriodsAndWords) {
  EXPECT_EQ(plainLayout(3, 32).wordsPerRow(100), 10);
  EXPECT_EQ(plainLayout(3, 32).wordsPerRow(0), 0);
  EXPECT_EQ(plainLayout(3, 32).wordsPerRow(1), 1);
  EXPECT_EQ(plainLayout(8, 64).wordsPerRow(9), 2);
  EXPECT_EQ(interleavedLayout(4, 32).wordsPerRow(7), 1);
  EXPECT_EQ(interleavedLayout(4, 32).wordsPerRow(8), 1);
  EXPECT_EQ(interleavedLayout(4, 32).wordsPerRow(9), 2);
  PackLayout period3 = plainLayout(5, 8);
  period3.order = {2, 0, 1};
  EXPECT_EQ(period3.period(), 3u);
  EXPECT_EQ(period3.wordsPerRow(4), 4); // Two periods: 30 bits.
}

TEST(PackTest, InterleavedLayouts) {
  for (unsigned bits : {1u, 2u, 4u, 8u}) {
    for (unsigned wordBits : {8u, 16u, 32u, 64u}) {
      unsigned perWord = wordBits / bits;
      if (perWord % 2 != 0)
        continue;
      PackLayout layout = interleavedLayout(bits, wordBits);
      EXPECT_EQ(verifyLayout(layout), "");
      ASSERT_EQ(layout.period(), perWord);
      for (unsigned element = 0; element < perWord; ++element)
        EXPECT_EQ(layout.order[element],
                  element % 2 == 0 ? element / 2 : perWord / 2 + element / 2);
    }
  }
}

TEST(PackTest, VerifyLayoutErrors) {
  EXPECT_EQ(verifyLayout(plainLayout(4, 32)), "");
  EXPECT_EQ(verifyLayout(plainLayout(0, 32)),
            "the code width 0 is out of range; expected 1 to 8 bits");
  EXPECT_EQ(verifyLayout(plainLayout(9, 32)),
            "the code width 9 is out of range; expected 1 to 8 bits");
  EXPECT_EQ(verifyLayout(plainLayout(4, 12)),
            "the word width 12 is not supported; expected 8, 16, 32 or 64 "
            "bits");
  PackLayout outOfRange = plainLayout(4, 32);
  outOfRange.order = {0, 2};
  EXPECT_EQ(verifyLayout(outOfRange),
            "the slot 2 of element 1 is out of range; expected a slot below "
            "the period 2");
  PackLayout repeated = plainLayout(4, 32);
  repeated.order = {1, 0, 1};
  EXPECT_EQ(verifyLayout(repeated),
            "the slot 1 is given to both element 0 and element 2; expected a "
            "permutation of 0..2");
}

/// Reference packing: each row as an explicit array of bits, element j of
/// period p at bit (p * P + order[j]) * bits, then cut into words.
Words referencePack(const std::vector<uint32_t> &codes, int64_t rows,
                    int64_t rowLength, const PackLayout &layout) {
  int64_t period = layout.order.empty() ? 1 : layout.order.size();
  int64_t periods = (rowLength + period - 1) / period;
  int64_t perWord = layout.wordBits / layout.bits;
  int64_t wordsPerRow =
      layout.aligned ? (periods * period + perWord - 1) / perWord
                     : (periods * period * layout.bits + layout.wordBits - 1) /
                           layout.wordBits;
  Words words;
  for (int64_t row = 0; row < rows; ++row) {
    std::vector<bool> stream(wordsPerRow * layout.wordBits, false);
    for (int64_t j = 0; j < rowLength; ++j) {
      int64_t slot = layout.order.empty() ? 0 : layout.order[j % period];
      int64_t index = j / period * period + slot;
      int64_t position = layout.aligned ? index / perWord * layout.wordBits +
                                              index % perWord * layout.bits
                                        : index * layout.bits;
      for (unsigned bit = 0; bit < layout.bits; ++bit)
        stream[position + bit] = (codes[row * rowLength + j] >> bit) & 1;
    }
    for (int64_t word = 0; word < wordsPerRow; ++word) {
      uint64_t value = 0;
      for (unsigned bit = 0; bit < layout.wordBits; ++bit)
        if (stream[word * layout.wordBits + bit])
          value |= uint64_t(1) << bit;
      words.push_back(value);
    }
  }
  return words;
}

/// Plain, interleaved (where defined), a random permutation with a random
/// period, and aligned layouts: lanes, and the random permutation aligned.
std::vector<PackLayout> layoutsFor(unsigned bits, unsigned wordBits,
                                   std::mt19937_64 &rng) {
  std::vector<PackLayout> layouts = {plainLayout(bits, wordBits)};
  if (wordBits % bits == 0 && (wordBits / bits) % 2 == 0)
    layouts.push_back(interleavedLayout(bits, wordBits));
  PackLayout permuted = plainLayout(bits, wordBits);
  permuted.order.resize(std::uniform_int_distribution<unsigned>(2, 12)(rng));
  std::iota(permuted.order.begin(), permuted.order.end(), 0u);
  std::shuffle(permuted.order.begin(), permuted.order.end(), rng);
  layouts.push_back(permuted);
  for (unsigned lanes : {1u, 3u, 16u})
    layouts.push_back(laneLayout(bits, wordBits, lanes));
  PackLayout alignedPermuted = permuted;
  alignedPermuted.aligned = true;
  layouts.push_back(alignedPermuted);
  return layouts;
}

TEST(PackTest, UnpackInvertsPackForEveryWidthWordAndOrder) {
  LOWBIT_SEEDED_RNG(rng);
  int checked = 0;
  for (unsigned bits = 1; bits <= 8; ++bits) {
    std::uniform_int_distribution<uint32_t> anyCode(0, (1u << bits) - 1);
    for (unsigned wordBits : {8u, 16u, 32u, 64u}) {
      for (const PackLayout &layout : layoutsFor(bits, wordBits, rng)) {
        ASSERT_EQ(verifyLayout(layout), "");
        for (int64_t rowLength : {1, 7, 33, 100}) {
          for (int64_t rows : {1, 3}) {
            SCOPED_TRACE(::testing::Message()
                         << bits << "-bit codes in " << wordBits
                         << "-bit words, period " << layout.period() << ", "
                         << rows << " rows of " << rowLength);
            std::vector<uint32_t> codes(rows * rowLength);
            for (uint32_t &code : codes)
              code = anyCode(rng);
            codes[0] = (1u << bits) - 1; // Never all zeros.

            Words words = pack(codes, rows, rowLength, layout);
            ASSERT_EQ(int64_t(words.size()),
                      rows * layout.wordsPerRow(rowLength));
            EXPECT_EQ(words, referencePack(codes, rows, rowLength, layout));
            for (uint64_t word : words)
              if (wordBits < 64)
                EXPECT_EQ(word >> wordBits, 0u);
            EXPECT_EQ(unpack(words, rows, rowLength, layout), codes);

            // Bits above wordBits are not part of the storage.
            if (wordBits < 64) {
              for (uint64_t &word : words)
                word |= ~uint64_t(0) << wordBits;
              EXPECT_EQ(unpack(words, rows, rowLength, layout), codes);
            }
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 8 * 4 * 6 * 4 * 2);
}

TEST(PackTest, StripedLayoutHandComputed) {
  // 8-bit codes in 32-bit words: chunks of 8 codes (2 words), pieces of one
  // word, runs of 2 chunks. A row of 40 codes is 10 words: chunks 0-1 and
  // 2-3 form full runs, chunk 4 a run of one.
  PackLayout striped = stripedLayout(plainLayout(8, 32), 2, 8, 1);
  ASSERT_EQ(verifyLayout(striped), "");
  EXPECT_EQ(striped.wordsPerRow(40), 10);
  // Run 0: chunk 0 = words 0, 1 and chunk 1 = words 2, 3 are stored as
  // piece 0 of chunks 0 and 1, then piece 1 of chunks 0 and 1.
  std::vector<int64_t> expected = {0, 2, 1, 3, 4, 6, 5, 7, 8, 9};
  for (int64_t word = 0; word < 10; ++word)
    EXPECT_EQ(striped.storedWord(word, 10), expected[word]) << word;
  std::vector<uint32_t> codes(40);
  std::iota(codes.begin(), codes.end(), 0u);
  Words words = pack(codes, 1, 40, striped);
  EXPECT_EQ(words[0], 0x03020100u); // codes 0..3: chunk 0, piece 0
  EXPECT_EQ(words[1], 0x0b0a0908u); // codes 8..11: chunk 1, piece 0
  EXPECT_EQ(words[2], 0x07060504u); // codes 4..7: chunk 0, piece 1
  EXPECT_EQ(words[9], 0x27262524u); // the lone last chunk stays in place
  EXPECT_EQ(unpack(words, 1, 40, striped), codes);

  // The GPU kernels' layout: runs of 4 chunks of 128 codes in 16-byte
  // pieces. With 3-bit codes a chunk is 12 words, 3 pieces; piece 1 of
  // chunk 2 of the first run lands in piece slot 1 * 4 + 2.
  PackLayout gpu = stripedLayout(plainLayout(3, 32), 4, 128, 4);
  int64_t rowWords = gpu.wordsPerRow(128 * 6); // runs of 4 and 2 chunks
  EXPECT_EQ(rowWords, 72);
  EXPECT_EQ(gpu.storedWord(2 * 12 + 4 + 1, rowWords), (1 * 4 + 2) * 4 + 1);
  // Chunk 5 is chunk 1 of the second run, which holds two chunks.
  EXPECT_EQ(gpu.storedWord(5 * 12 + 4, rowWords), 48 + (1 * 2 + 1) * 4);
}

TEST(PackTest, StripedLayoutErrors) {
  PackLayout layout = plainLayout(3, 32);
  layout.stripe = 1;
  layout.stripeChunk = 128;
  layout.stripePiece = 4;
  EXPECT_EQ(verifyLayout(layout),
            "a stripe needs a run of at least 2 chunks and nonzero chunk "
            "codes and piece words, got run 1, chunk 128, piece 4");
  layout.stripe = 4;
  layout.stripeChunk = 96; // 288 bits: not whole 128-bit pieces
  EXPECT_EQ(verifyLayout(layout),
            "a stripe chunk of 96 codes of 3 bits is not a whole number of "
            "pieces of 4 32-bit words");
  PackLayout planes = planeLayout(2);
  planes.stripe = 4;
  planes.stripeChunk = 128;
  planes.stripePiece = 4;
  EXPECT_EQ(verifyLayout(planes), "a bit-plane layout cannot be striped");
}

TEST(PackTest, StripedLayoutsRoundTripAndPermuteWords) {
  LOWBIT_SEEDED_RNG(rng);
  int checked = 0;
  for (unsigned bits = 1; bits <= 8; ++bits) {
    std::uniform_int_distribution<uint32_t> anyCode(0, (1u << bits) - 1);
    for (unsigned wordBits : {8u, 32u}) {
      for (PackLayout base : layoutsFor(bits, wordBits, rng)) {
        // Chunks of `bits` pieces: the stripe moves words whatever order
        // or alignment filled them.
        unsigned pieceWords = 2, run = 3, chunk = pieceWords * wordBits;
        PackLayout striped = stripedLayout(base, run, chunk, pieceWords);
        ASSERT_EQ(verifyLayout(striped), "");
        for (int64_t rowLength : {int64_t(chunk), int64_t(7 * chunk + 5)}) {
          int64_t rows = 3;
          SCOPED_TRACE(::testing::Message()
                       << bits << "-bit codes in " << wordBits
                       << "-bit words, period " << base.period()
                       << (base.aligned ? ", aligned" : "") << ", rows of "
                       << rowLength);
          std::vector<uint32_t> codes(rows * rowLength);
          for (uint32_t &code : codes)
            code = anyCode(rng);
          Words plain = pack(codes, rows, rowLength, base);
          Words words = pack(codes, rows, rowLength, striped);
          int64_t rowWords = striped.wordsPerRow(rowLength);
          ASSERT_EQ(rowWords, base.wordsPerRow(rowLength));
          ASSERT_EQ(int64_t(words.size()), rows * rowWords);
          // The same words, moved within their row by storedWord.
          std::vector<bool> hit(rowWords, false);
          for (int64_t word = 0; word < rowWords; ++word) {
            int64_t stored = striped.storedWord(word, rowWords);
            ASSERT_LT(stored, rowWords);
            EXPECT_FALSE(hit[stored]) << "two words stored at " << stored;
            hit[stored] = true;
            for (int64_t row = 0; row < rows; ++row)
              EXPECT_EQ(words[row * rowWords + stored],
                        plain[row * rowWords + word]);
          }
          EXPECT_EQ(unpack(words, rows, rowLength, striped), codes);
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 8 * 2 * 5 * 2);
}

TEST(PackTest, PlaneLayoutHandComputed) {
  // 2-bit codes, tiles of 2 rows, bytes: row 0 and 1 share a tile, row 2
  // is the short last tile. Row 0 = 1,2,3,0, 0,3,2,1: plane 0 has bits
  // 1010 0101 (element 0 first), i.e. low nibble 0x5 and high nibble 0xa.
  std::vector<uint32_t> codes = {1, 2, 3, 0, 0, 3, 2, 1,  // row 0
                                 3, 3, 3, 3, 0, 0, 0, 0,  // row 1
                                 0, 0, 0, 1, 2, 0, 0, 0}; // row 2
  PackLayout bytes = planeLayout(2, 2, 8);
  EXPECT_EQ(verifyLayout(bytes), "");
  EXPECT_EQ(bytes.wordsPerRow(8), 2);
  // Tile 0: plane 0 of rows 0, 1; plane 1 of rows 0, 1. Tile 1: row 2.
  Words expected = {0xa5, 0x0f, 0x66, 0x0f, 0x08, 0x10};
  EXPECT_EQ(pack(codes, 3, 8, bytes), expected);
  EXPECT_EQ(unpack(expected, 3, 8, bytes), codes);

  // In 32-bit words rows are padded to 32 elements: each tile holds four
  // byte columns per plane, three of them zero.
  PackLayout words = planeLayout(2, 2, 32);
  EXPECT_EQ(words.wordsPerRow(8), 2);
  EXPECT_EQ(pack(codes, 3, 8, words), (Words{0x0f660fa5, 0, 0, 0, 0x1008, 0}));

  // The kernels' layout: 32-row tiles in 32-bit words.
  PackLayout kernel = planeLayout(3);
  EXPECT_EQ(kernel.planeRows, 32u);
  EXPECT_EQ(kernel.wordBits, 32u);
  EXPECT_EQ(kernel.wordsPerRow(4160), 3 * 130);
  EXPECT_EQ(kernel.wordsPerRow(33), 6);

  PackLayout ordered = planeLayout(4);
  ordered.order = {1, 0};
  EXPECT_EQ(verifyLayout(ordered),
            "a bit-plane layout takes no element order and is not aligned");
}

/// Reference bit-plane packing: assembles each byte of each tile from the
/// definition in Pack.h, then cuts the byte stream into words.
Words referencePlanePack(const std::vector<uint32_t> &codes, int64_t rows,
                         int64_t rowLength, const PackLayout &layout) {
  int64_t padded =
      (rowLength + layout.wordBits - 1) / layout.wordBits * layout.wordBits;
  std::vector<uint8_t> stream;
  for (int64_t first = 0; first < rows; first += layout.planeRows) {
    int64_t tileRows = std::min<int64_t>(layout.planeRows, rows - first);
    for (int64_t column = 0; column < padded / 8; ++column)
      for (unsigned plane = 0; plane < layout.bits; ++plane)
        for (int64_t r = 0; r < tileRows; ++r) {
          uint8_t byte = 0;
          for (int64_t j = 0; j < 8; ++j) {
            int64_t index = column * 8 + j;
            if (index < rowLength &&
                (codes[(first + r) * rowLength + index] >> plane & 1))
              byte |= uint8_t(1u << j);
          }
          stream.push_back(byte);
        }
  }
  Words words(stream.size() / (layout.wordBits / 8), 0);
  for (size_t i = 0; i < stream.size(); ++i)
    words[i / (layout.wordBits / 8)] |= uint64_t(stream[i])
                                        << (8 * (i % (layout.wordBits / 8)));
  return words;
}

TEST(PackTest, PlaneLayoutsRoundTripAndMatchTheReference) {
  LOWBIT_SEEDED_RNG(rng);
  int checked = 0;
  for (unsigned bits = 1; bits <= 8; ++bits) {
    std::uniform_int_distribution<uint32_t> anyCode(0, (1u << bits) - 1);
    for (unsigned wordBits : {8u, 32u, 64u}) {
      for (unsigned tile : {1u, 3u, 32u}) {
        PackLayout layout = planeLayout(bits, tile, wordBits);
        ASSERT_EQ(verifyLayout(layout), "");
        for (int64_t rowLength : {1, 8, 37, 64}) {
          for (int64_t rows : {1, 5, 37}) {
            SCOPED_TRACE(::testing::Message()
                         << bits << "-bit planes in " << wordBits
                         << "-bit words, tiles of " << tile << " rows, " << rows
                         << " rows of " << rowLength);
            std::vector<uint32_t> codes(rows * rowLength);
            for (uint32_t &code : codes)
              code = anyCode(rng);
            codes[0] = (1u << bits) - 1; // Never all zeros.
            Words words = pack(codes, rows, rowLength, layout);
            ASSERT_EQ(int64_t(words.size()),
                      rows * layout.wordsPerRow(rowLength));
            EXPECT_EQ(words,
                      referencePlanePack(codes, rows, rowLength, layout));
            EXPECT_EQ(unpack(words, rows, rowLength, layout), codes);
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 8 * 3 * 3 * 4 * 3);
}

} // namespace
