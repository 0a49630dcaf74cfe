//===- TestRandom.h - Reproducible fresh random data for unit tests -*- C++
//-*-//
//
// Numeric tests draw fresh random inputs on every run; the seed goes into
// every failure message, and LOWBIT_TEST_SEED replays it.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_UNITTESTS_NUMERICS_TESTRANDOM_H
#define LOWBIT_UNITTESTS_NUMERICS_TESTRANDOM_H

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

namespace lowbit::numerics::testing {

/// LOWBIT_TEST_SEED when set (to replay a failure), else a fresh seed.
inline uint64_t testSeed() {
  if (const char *fixed = std::getenv("LOWBIT_TEST_SEED"))
    return std::strtoull(fixed, nullptr, 10);
  std::random_device device;
  return (uint64_t(device()) << 32) | device();
}

inline std::string seedMessage(uint64_t seed) {
  return "random seed " + std::to_string(seed) +
         " (replay with LOWBIT_TEST_SEED=" + std::to_string(seed) + ")";
}

} // namespace lowbit::numerics::testing

/// Declares `std::mt19937_64 name` with a fresh seed that every failure in
/// the enclosing scope reports.
#define LOWBIT_SEEDED_RNG(name)                                                \
  const uint64_t name##Seed = ::lowbit::numerics::testing::testSeed();         \
  SCOPED_TRACE(::lowbit::numerics::testing::seedMessage(name##Seed));          \
  std::mt19937_64 name(name##Seed)

#endif // LOWBIT_UNITTESTS_NUMERICS_TESTRANDOM_H
