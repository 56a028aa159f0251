// qmann: quantized memory-augmented neural networks, header-only C++20.
// The version is defined here once; CMakeLists.txt reads it from this file.
#pragma once

#define QMANN_VERSION_MAJOR 0
#define QMANN_VERSION_MINOR 1
#define QMANN_VERSION_PATCH 0

namespace qmann {

struct version_info {
  int major;
  int minor;
  int patch;
};

inline constexpr version_info version{QMANN_VERSION_MAJOR, QMANN_VERSION_MINOR,
                                      QMANN_VERSION_PATCH};

}  // namespace qmann
