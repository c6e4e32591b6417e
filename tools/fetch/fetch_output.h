// How fetch writes a body (to an -o file or stdout) without costing more
// system calls or copies than the bytes need.
#ifndef CNET_TOOLS_FETCH_FETCH_OUTPUT_H_
#define CNET_TOOLS_FETCH_FETCH_OUTPUT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

// A piece at least this large bypasses the stdio buffer (see
// fetch_output_write). Below it, pieces are small enough that gathering them
// in the buffer saves system calls.
#define FETCH_OUTPUT_DIRECT_MIN (16 * 1024)

// Writes |len| bytes of |data| to |f|, after everything written to |f|
// before. A small piece goes through |f|'s stdio buffer. A large one (at
// least FETCH_OUTPUT_DIRECT_MIN bytes) flushes what the buffer holds, then
// goes straight to |f|'s descriptor with write(2), in one call when the
// descriptor takes it all: stdio would first copy a buffer's worth into its
// buffer and write it, then write the rest (two calls and a copy per piece;
// a bulk download reads 64 KiB pieces). Interrupted and short writes go on
// until all is written. Returns false on a write error (errno says which);
// |f| is not closed.
bool fetch_output_write(FILE *f, const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_FETCH_FETCH_OUTPUT_H_
