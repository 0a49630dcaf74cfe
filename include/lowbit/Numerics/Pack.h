//===- Pack.h - Packing low-bit codes into storage words --------*- C++ -*-===//
//
// A packed layout stores the codes of each row (the innermost dimension) as a
// bit stream in words of 8, 16, 32 or 64 bits. Codes are taken in periods of
// P elements; within a period, the element with logical index j goes to slot
// order[j], and slots fill the bit stream from the least significant bit of
// the first word upward (a slot may straddle two words for widths that do not
// divide the word). In an aligned layout codes never straddle: each word holds
// floor(wordBits / bits) slots in its low bits and the rest is zero. Each row
// starts on a word boundary; the last period of a row is padded with zero
// codes up to whole periods and whole words.
//
// A striped layout (PackLayout::stripe != 0) then moves whole words within
// a row: see stripedLayout.
//
// A bit-plane layout (PackLayout::planeRows != 0, the CPU table-lookup
// kernels') instead splits codes into their bits and interleaves rows in
// tiles; see planeLayout.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_PACK_H
#define LOWBIT_NUMERICS_PACK_H

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit::numerics {

struct PackLayout {
  unsigned bits = 4;      ///< Code width, 1..8.
  unsigned wordBits = 32; ///< 8, 16, 32 or 64.
  /// Slot of each element of a period. Empty means plain order with period 1
  /// (a pure bit stream). Otherwise a permutation of 0..P-1.
  std::vector<unsigned> order;
  /// Codes never straddle words: each word holds slotsPerWord() codes.
  bool aligned = false;
  /// Nonzero: a bit-plane layout with tiles of this many rows (see
  /// planeLayout); `order` is then empty and `aligned` false.
  unsigned planeRows = 0;
  /// Nonzero: a striped layout (see stripedLayout) over runs of `stripe`
  /// chunks of `stripeChunk` codes, in pieces of `stripePiece` words.
  unsigned stripe = 0;
  unsigned stripeChunk = 0;
  unsigned stripePiece = 0;

  bool planes() const { return planeRows != 0; }
  bool striped() const { return stripe != 0; }
  /// Words of one stripe chunk.
  unsigned stripeChunkWords() const { return stripeChunk * bits / wordBits; }
  bool operator==(const PackLayout &other) const {
    return bits == other.bits && wordBits == other.wordBits &&
           order == other.order && aligned == other.aligned &&
           planeRows == other.planeRows && stripe == other.stripe &&
           stripeChunk == other.stripeChunk && stripePiece == other.stripePiece;
  }
  bool operator!=(const PackLayout &other) const { return !(*this == other); }
  /// Where word `word` of a row of `rowWords` words (in the order the
  /// unstriped layout fills them) is stored: itself unless striped.
  int64_t storedWord(int64_t word, int64_t rowWords) const;

  unsigned period() const { return order.empty() ? 1 : order.size(); }
  /// Codes one word holds in an aligned layout.
  unsigned slotsPerWord() const { return wordBits / bits; }
  /// Words one packed row of `rowLength` codes occupies (with padding).
  int64_t wordsPerRow(int64_t rowLength) const;
};

/// Checks bits, wordBits and that order is a permutation. Returns "" when
/// valid, else a full sentence naming the bad value and what was expected.
std::string verifyLayout(const PackLayout &layout);

/// The interleaved order that puts element j of a word of 32/bits codes into
/// slot (j % 2) * (n / 2) + j / 2, i.e. even elements in the low half-word
/// slots and odd elements in the high ones ([0,2,4,6,1,3,5,7] as a gather for
/// 4-bit codes in 32 bits, the order fast GPU decoders expect). Requires
/// bits to divide wordBits and wordBits/bits to be even.
PackLayout interleavedLayout(unsigned bits, unsigned wordBits);

/// The aligned layout that deals the elements of a row round-robin over
/// `lanes` words: element j of a period of P = lanes * (wordBits / bits)
/// goes to word j % lanes, at code position j / lanes within that word. A
/// vector register holding the `lanes` words then yields `lanes` consecutive
/// elements per shift and mask (the CPU kernels' layout).
PackLayout laneLayout(unsigned bits, unsigned wordBits, unsigned lanes);

/// The bit-plane layout of the CPU table-lookup kernels. Rows are padded
/// with zero codes to a multiple of `wordBits` elements and split into bit
/// planes: plane i holds bit i of every code. Rows go in tiles of `rows`
/// rows (the last tile holds the remaining N mod rows rows, stored as
/// compactly). A tile of R rows is a byte stream, column-major over bytes
/// of nibbles:
///
///   byte (c * bits + i) * R + r = bits i of the codes of elements
///     8c..8c+3 of row r in its low nibble (element 8c + j at bit j) and of
///     elements 8c+4..8c+7 in its high nibble,
///
/// so one load of R bytes gives the plane-i index nibbles of R rows for two
/// groups of four elements. Tiles follow each other; bytes fill words from
/// the least significant byte up. A row occupies bits * ceil(length /
/// wordBits) words on average, as many as a plain bit stream of the padded
/// row; rows do not start on word boundaries.
PackLayout planeLayout(unsigned bits, unsigned rows = 32,
                       unsigned wordBits = 32);

/// `base` (a bit-stream layout, not bit planes) with its words striped:
/// each row's words are cut into chunks of `chunkCodes` codes (whole pieces
/// of `pieceWords` words) and every run of `run` consecutive chunks (the
/// last run of a row may hold fewer, r) stores its pieces interleaved:
///
///   piece v of chunk q of a run goes to piece v * r + q of the run,
///
/// so `run` lanes that each stream one chunk of a run read `run` adjacent
/// pieces with each load. Words after the last whole chunk stay in place.
/// The GPU kernels' layout: chunks of 128 codes, 16-byte pieces, runs of 4
/// (docs/gpu-kernels.md). Requires chunkCodes * bits to be a multiple of
/// pieceWords * wordBits.
PackLayout stripedLayout(PackLayout base, unsigned run, unsigned chunkCodes,
                         unsigned pieceWords);

/// Packs `rows` rows of `rowLength` codes (row-major, each code < 2^bits)
/// into rows * wordsPerRow(rowLength) words (low wordBits bits of each
/// uint64_t used).
std::vector<uint64_t> pack(const std::vector<uint32_t> &codes, int64_t rows,
                           int64_t rowLength, const PackLayout &layout);

/// Inverse of pack: returns rows * rowLength codes, dropping padding.
std::vector<uint32_t> unpack(const std::vector<uint64_t> &words, int64_t rows,
                             int64_t rowLength, const PackLayout &layout);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_PACK_H
