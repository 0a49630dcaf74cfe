//===- Pack.cpp - Packing low-bit codes into storage words ----------------===//
//
// Each row is a little-endian bit stream over its words: a code's position
// in the stream follows from its period and slot alone, so packing and
// unpacking are the same address computation run in opposite directions.
// A striped layout is a permutation of each row's words applied after that.
// Bit-plane layouts address each bit of a code separately, over the whole
// tensor's stream of tiles.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Pack.h"

#include <algorithm>
#include <cassert>

using namespace lowbit::numerics;

int64_t PackLayout::wordsPerRow(int64_t rowLength) const {
  if (planes())
    return bits * ((rowLength + wordBits - 1) / wordBits);
  int64_t periods = (rowLength + period() - 1) / period();
  int64_t slots = periods * period();
  if (aligned)
    return (slots + slotsPerWord() - 1) / slotsPerWord();
  return (slots * bits + wordBits - 1) / wordBits;
}

int64_t PackLayout::storedWord(int64_t word, int64_t rowWords) const {
  if (!striped())
    return word;
  int64_t chunkWords = stripeChunkWords();
  int64_t chunks = rowWords / chunkWords;
  int64_t chunk = word / chunkWords;
  if (chunk >= chunks)
    return word;
  int64_t runStart = chunk / stripe * stripe;
  int64_t runLength = std::min<int64_t>(stripe, chunks - runStart);
  int64_t within = word % chunkWords;
  return runStart * chunkWords +
         (within / stripePiece * runLength + chunk - runStart) * stripePiece +
         within % stripePiece;
}

std::string lowbit::numerics::verifyLayout(const PackLayout &layout) {
  if (layout.bits < 1 || layout.bits > 8)
    return "the code width " + std::to_string(layout.bits) +
           " is out of range; expected 1 to 8 bits";
  if (layout.wordBits != 8 && layout.wordBits != 16 && layout.wordBits != 32 &&
      layout.wordBits != 64)
    return "the word width " + std::to_string(layout.wordBits) +
           " is not supported; expected 8, 16, 32 or 64 bits";
  if (layout.planes() && (!layout.order.empty() || layout.aligned))
    return "a bit-plane layout takes no element order and is not aligned";
  if (layout.striped() || layout.stripeChunk || layout.stripePiece) {
    if (layout.planes())
      return "a bit-plane layout cannot be striped";
    if (layout.stripe < 2 || layout.stripeChunk == 0 || layout.stripePiece == 0)
      return "a stripe needs a run of at least 2 chunks and nonzero chunk "
             "codes and piece words, got run " +
             std::to_string(layout.stripe) + ", chunk " +
             std::to_string(layout.stripeChunk) + ", piece " +
             std::to_string(layout.stripePiece);
    if (uint64_t(layout.stripeChunk) * layout.bits %
            (uint64_t(layout.stripePiece) * layout.wordBits) !=
        0)
      return "a stripe chunk of " + std::to_string(layout.stripeChunk) +
             " codes of " + std::to_string(layout.bits) +
             " bits is not a whole number of pieces of " +
             std::to_string(layout.stripePiece) + " " +
             std::to_string(layout.wordBits) + "-bit words";
  }
  size_t period = layout.order.size();
  std::vector<int64_t> elementOfSlot(period, -1);
  for (size_t element = 0; element < period; ++element) {
    unsigned slot = layout.order[element];
    if (slot >= period)
      return "the slot " + std::to_string(slot) + " of element " +
             std::to_string(element) +
             " is out of range; expected a slot "
             "below the period " +
             std::to_string(period);
    if (elementOfSlot[slot] >= 0)
      return "the slot " + std::to_string(slot) + " is given to both element " +
             std::to_string(elementOfSlot[slot]) + " and element " +
             std::to_string(element) + "; expected a permutation of 0.." +
             std::to_string(period - 1);
    elementOfSlot[slot] = element;
  }
  return "";
}

PackLayout lowbit::numerics::interleavedLayout(unsigned bits,
                                               unsigned wordBits) {
  assert(bits >= 1 && wordBits % bits == 0 && (wordBits / bits) % 2 == 0 &&
         "interleaving needs an even number of codes per word");
  PackLayout layout;
  layout.bits = bits;
  layout.wordBits = wordBits;
  unsigned perWord = wordBits / bits;
  for (unsigned element = 0; element < perWord; ++element)
    layout.order.push_back((element % 2) * (perWord / 2) + element / 2);
  return layout;
}

PackLayout lowbit::numerics::laneLayout(unsigned bits, unsigned wordBits,
                                        unsigned lanes) {
  assert(bits >= 1 && bits <= wordBits && lanes >= 1 && "bad lane layout");
  PackLayout layout;
  layout.bits = bits;
  layout.wordBits = wordBits;
  layout.aligned = true;
  unsigned perWord = wordBits / bits;
  for (unsigned element = 0; element < lanes * perWord; ++element)
    layout.order.push_back((element % lanes) * perWord + element / lanes);
  return layout;
}

PackLayout lowbit::numerics::stripedLayout(PackLayout base, unsigned run,
                                           unsigned chunkCodes,
                                           unsigned pieceWords) {
  assert(!base.planes() && "bit planes cannot be striped");
  base.stripe = run;
  base.stripeChunk = chunkCodes;
  base.stripePiece = pieceWords;
  assert(verifyLayout(base).empty() && "bad stripe");
  return base;
}

PackLayout lowbit::numerics::planeLayout(unsigned bits, unsigned rows,
                                         unsigned wordBits) {
  assert(bits >= 1 && rows >= 1 && "bad plane layout");
  PackLayout layout;
  layout.bits = bits;
  layout.wordBits = wordBits;
  layout.planeRows = rows;
  return layout;
}

/// Position of bit `plane` of element `index` of row `row` in the stream of
/// a bit-plane layout of `rows` rows of `rowLength` codes.
static int64_t planeBitOffset(const PackLayout &layout, int64_t rows,
                              int64_t rowLength, int64_t row, int64_t index,
                              unsigned plane) {
  int64_t bytesPerRow = layout.wordsPerRow(rowLength) * layout.wordBits / 8;
  int64_t tile = row / layout.planeRows;
  int64_t tileRows =
      std::min<int64_t>(layout.planeRows, rows - tile * layout.planeRows);
  int64_t byte = tile * layout.planeRows * bytesPerRow +
                 (index / 8 * layout.bits + plane) * tileRows +
                 row % layout.planeRows;
  return byte * 8 + index % 8;
}

/// Position of element `index` of a row in the row's bit stream.
static int64_t bitOffsetOf(const PackLayout &layout, int64_t index) {
  int64_t period = layout.period();
  int64_t slot = index / period * period +
                 (layout.order.empty() ? 0 : layout.order[index % period]);
  if (layout.aligned)
    return slot / layout.slotsPerWord() * layout.wordBits +
           slot % layout.slotsPerWord() * layout.bits;
  return slot * layout.bits;
}

static uint64_t wordMask(unsigned wordBits) {
  return wordBits == 64 ? ~uint64_t(0) : (uint64_t(1) << wordBits) - 1;
}

/// ORs a code into a row's words; a code may straddle two words.
static void depositCode(uint64_t *row, int64_t bitOffset, uint32_t code,
                        const PackLayout &layout) {
  int64_t word = bitOffset / layout.wordBits;
  unsigned shift = bitOffset % layout.wordBits;
  row[word] |= (uint64_t(code) << shift) & wordMask(layout.wordBits);
  if (shift + layout.bits > layout.wordBits)
    row[word + 1] |= uint64_t(code) >> (layout.wordBits - shift);
}

/// Reads a code from a row's words, ignoring bits above wordBits.
static uint32_t extractCode(const uint64_t *row, int64_t bitOffset,
                            const PackLayout &layout) {
  int64_t word = bitOffset / layout.wordBits;
  unsigned shift = bitOffset % layout.wordBits;
  uint64_t mask = wordMask(layout.wordBits);
  uint64_t value = (row[word] & mask) >> shift;
  if (shift + layout.bits > layout.wordBits)
    value |= (row[word + 1] & mask) << (layout.wordBits - shift);
  return value & ((uint32_t(1) << layout.bits) - 1);
}

std::vector<uint64_t> lowbit::numerics::pack(const std::vector<uint32_t> &codes,
                                             int64_t rows, int64_t rowLength,
                                             const PackLayout &layout) {
  assert(verifyLayout(layout).empty() && "pack needs a valid layout");
  assert(int64_t(codes.size()) == rows * rowLength &&
         "codes do not match rows * rowLength");
  int64_t wordsPerRow = layout.wordsPerRow(rowLength);
  std::vector<uint64_t> words(rows * wordsPerRow, 0);
  if (layout.planes()) {
    for (int64_t row = 0; row < rows; ++row)
      for (int64_t index = 0; index < rowLength; ++index)
        for (unsigned plane = 0; plane < layout.bits; ++plane) {
          int64_t offset =
              planeBitOffset(layout, rows, rowLength, row, index, plane);
          uint64_t bit = (codes[row * rowLength + index] >> plane) & 1;
          words[offset / layout.wordBits] |= bit << (offset % layout.wordBits);
        }
    return words;
  }
  // Codes fill a row in stream order; a striped layout then moves words.
  std::vector<uint64_t> stream(layout.striped() ? wordsPerRow : 0);
  for (int64_t row = 0; row < rows; ++row) {
    uint64_t *target = &words[row * wordsPerRow];
    uint64_t *fill = layout.striped() ? stream.data() : target;
    if (layout.striped())
      std::fill(stream.begin(), stream.end(), 0);
    for (int64_t index = 0; index < rowLength; ++index) {
      uint32_t code = codes[row * rowLength + index];
      assert(code < (uint32_t(1) << layout.bits) && "code wider than bits");
      // Masking keeps a too-wide code from corrupting its neighbours.
      depositCode(fill, bitOffsetOf(layout, index),
                  code & ((uint32_t(1) << layout.bits) - 1), layout);
    }
    if (layout.striped())
      for (int64_t word = 0; word < wordsPerRow; ++word)
        target[layout.storedWord(word, wordsPerRow)] = stream[word];
  }
  return words;
}

std::vector<uint32_t>
lowbit::numerics::unpack(const std::vector<uint64_t> &words, int64_t rows,
                         int64_t rowLength, const PackLayout &layout) {
  assert(verifyLayout(layout).empty() && "unpack needs a valid layout");
  int64_t wordsPerRow = layout.wordsPerRow(rowLength);
  assert(int64_t(words.size()) == rows * wordsPerRow &&
         "words do not match rows * wordsPerRow(rowLength)");
  std::vector<uint32_t> codes(rows * rowLength);
  if (layout.planes()) {
    for (int64_t row = 0; row < rows; ++row)
      for (int64_t index = 0; index < rowLength; ++index)
        for (unsigned plane = 0; plane < layout.bits; ++plane) {
          int64_t offset =
              planeBitOffset(layout, rows, rowLength, row, index, plane);
          uint64_t bit =
              (words[offset / layout.wordBits] >> (offset % layout.wordBits)) &
              1;
          codes[row * rowLength + index] |= uint32_t(bit) << plane;
        }
    return codes;
  }
  std::vector<uint64_t> stream(layout.striped() ? wordsPerRow : 0);
  for (int64_t row = 0; row < rows; ++row) {
    const uint64_t *source = &words[row * wordsPerRow];
    if (layout.striped()) {
      for (int64_t word = 0; word < wordsPerRow; ++word)
        stream[word] = source[layout.storedWord(word, wordsPerRow)];
      source = stream.data();
    }
    for (int64_t index = 0; index < rowLength; ++index)
      codes[row * rowLength + index] =
          extractCode(source, bitOffsetOf(layout, index), layout);
  }
  return codes;
}
