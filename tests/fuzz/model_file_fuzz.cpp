// libFuzzer harness: bytes as a qmann model file (see targets.hpp).
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  qmann::fuzz::model_file_input(data, size);
  return 0;
}
