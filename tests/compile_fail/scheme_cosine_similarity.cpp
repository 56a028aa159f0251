// Integer schemes score by dot or Hamming similarity; a cosine scheme fails
// at the scheme_similarity constraint.
#include <qmann/qmann.hpp>

int main() {
#ifdef QMANN_COMPILE_FAIL
  using bad = qmann::scheme<qmann::calibrated_fixed<8>, qmann::cosine_similarity>;
#else
  using bad = qmann::scheme<qmann::calibrated_fixed<8>, qmann::dot_similarity>;
#endif
  return bad::hamming ? 1 : 0;
}
