// The umbrella header: everything qmann offers to users.
//
// Layers, each depending only on those above it in this list:
//   number/     the number types (float, fixed<W,F,...>, binary) and their traits
//   container/  aligned vectors and matrices of those types (binary bit-packed)
//   kernels/    the hot loops: a scalar oracle, and SIMD per number type
//   memory/     N slots x D of a number type; write, NTM erase/add
//   addressing/ similarities, softmaxes, content_addressing
//   model/      memn2n: End-To-End Memory Network (float, hand-written backward)
//   train/      SGD training of memn2n with LS, RN, clipping, best-validation
// and beside them:
//   data/       the bAbI reader, vocabulary, encoding, built-in synthetic tasks
#pragma once

#include "qmann/version.hpp"

#include "qmann/number/policies.hpp"
#include "qmann/number/fixed.hpp"
#include "qmann/number/binary.hpp"
#include "qmann/number/traits.hpp"
#include "qmann/number/ostream.hpp"
#include "qmann/number/rescale.hpp"

#include "qmann/container/aligned_buffer.hpp"
#include "qmann/container/vector.hpp"
#include "qmann/container/matrix.hpp"

#include "qmann/kernels/simd.hpp"
#include "qmann/kernels/scalar.hpp"
#include "qmann/kernels/float.hpp"
#include "qmann/kernels/fixed.hpp"
#include "qmann/kernels/binary.hpp"

#include "qmann/memory/memory.hpp"

#include "qmann/addressing/similarity.hpp"
#include "qmann/addressing/softmax.hpp"
#include "qmann/addressing/content.hpp"

#include "qmann/data/babi.hpp"
#include "qmann/data/vocabulary.hpp"
#include "qmann/data/encode.hpp"
#include "qmann/data/synthetic.hpp"

#include "qmann/model/memn2n_config.hpp"
#include "qmann/model/integer_forward.hpp"
#include "qmann/model/memn2n.hpp"
#include "qmann/model/scheme.hpp"
#include "qmann/model/quantized_memn2n.hpp"
#include "qmann/train/trainer.hpp"
