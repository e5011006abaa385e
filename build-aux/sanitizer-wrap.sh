#!/bin/sh
# Runs one test of the sanitizer build. GnuTLS is loaded at start-up: when the
# GIO TLS module brings it in later with dlopen(), its thread-local variables
# live in dynamic TLS, where LeakSanitizer's tracer (GCC 12, LLVM 14) crashes
# with SIGSEGV at exit. Loaded first, they sit in static TLS, which it reads.
asan=$(${CC:-cc} -print-file-name=libasan.so)
LD_PRELOAD="$asan${LD_PRELOAD:+ $LD_PRELOAD} libgnutls.so.30"
export LD_PRELOAD
exec "$@"
