// The umbrella header: everything qmann offers to users.
//
// Layers, each depending only on those above it in this list:
//   number/     the number types (float, fixed<W,F,...>, binary) and their traits
//   container/  aligned vectors and matrices of those types (binary bit-packed)
#pragma once

#include "qmann/version.hpp"

#include "qmann/number/policies.hpp"
#include "qmann/number/fixed.hpp"
#include "qmann/number/binary.hpp"
#include "qmann/number/traits.hpp"
#include "qmann/number/ostream.hpp"

#include "qmann/container/aligned_buffer.hpp"
#include "qmann/container/vector.hpp"
#include "qmann/container/matrix.hpp"
