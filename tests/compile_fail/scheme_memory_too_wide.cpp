// A scheme whose memory number is not an integer memory type of at most 8
// bits (here fixed<12,3>) fails at the scheme_memory constraint.
#include <qmann/qmann.hpp>

int main() {
#ifdef QMANN_COMPILE_FAIL
  using bad = qmann::scheme<qmann::fixed<12, 3>, qmann::hamming_similarity>;
#else
  using bad = qmann::scheme<qmann::fixed<6, 3>, qmann::hamming_similarity>;
#endif
  return bad::memory_width == 6 ? 0 : 1;
}
