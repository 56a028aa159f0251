# Peer benchmarks (peer_bench.cpp): the libraries people use today, run in the
# same executable as qmann's addressing benchmarks so ratios come from one run.
#
#   qmann_add_peer_benchmarks(<target>)
#
# Adds peer_bench.cpp to <target> (which must link benchmark::benchmark), then,
# for each peer library found, links it and defines on <target>:
#   QMANN_HAVE_OPENBLAS  OpenBLAS with cblas.h (Debian: libopenblas-dev), by the
#                        `openblas` pkg-config module, else find_path/find_library
#   QMANN_HAVE_FAISS     FAISS's CMake package (Debian: libfaiss-dev) and OpenMP,
#                        which that package's target links without finding it
# Nothing is required: a missing library only leaves its peer/... benchmarks
# unregistered, with a STATUS message. peer/stream_read needs nothing.
include_guard(GLOBAL)

function(qmann_add_peer_benchmarks target)
  target_sources(${target} PRIVATE "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/peer_bench.cpp")

  # OpenBLAS. Its cblas.h declares the openblas_* calls; the pkg-config module
  # gives the matching include folder (Debian keeps one per threading flavour).
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(QMANN_OPENBLAS QUIET IMPORTED_TARGET openblas)
  endif()
  if(TARGET PkgConfig::QMANN_OPENBLAS)
    target_link_libraries(${target} PRIVATE PkgConfig::QMANN_OPENBLAS)
    set(_openblas "OpenBLAS ${QMANN_OPENBLAS_VERSION} (pkg-config)")
  else()
    find_path(QMANN_OPENBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas)
    find_library(QMANN_OPENBLAS_LIBRARY openblas)
    if(QMANN_OPENBLAS_INCLUDE_DIR AND QMANN_OPENBLAS_LIBRARY)
      target_include_directories(${target} SYSTEM PRIVATE "${QMANN_OPENBLAS_INCLUDE_DIR}")
      target_link_libraries(${target} PRIVATE "${QMANN_OPENBLAS_LIBRARY}")
      set(_openblas "OpenBLAS ${QMANN_OPENBLAS_LIBRARY}")
    endif()
  endif()
  if(_openblas)
    target_compile_definitions(${target} PRIVATE QMANN_HAVE_OPENBLAS)
    message(STATUS "qmann peer benchmarks: ${_openblas}")
  else()
    message(STATUS "qmann peer benchmarks: OpenBLAS not found (libopenblas-dev), "
                   "peer/openblas_* not built")
  endif()

  # FAISS. Only its header Hamming computers are timed; the library provides a
  # lookup table they reference. Debian's faiss target links OpenMP::OpenMP_CXX
  # without finding OpenMP, so find it first.
  find_package(OpenMP QUIET COMPONENTS CXX)
  if(TARGET OpenMP::OpenMP_CXX)
    find_package(faiss CONFIG QUIET)
  endif()
  if(TARGET faiss)
    target_link_libraries(${target} PRIVATE faiss)
    target_compile_definitions(${target} PRIVATE QMANN_HAVE_FAISS)
    message(STATUS "qmann peer benchmarks: FAISS ${faiss_VERSION} (${faiss_DIR})")
  else()
    message(STATUS "qmann peer benchmarks: FAISS or OpenMP not found (libfaiss-dev), "
                   "peer/faiss_* not built")
  endif()
endfunction()
