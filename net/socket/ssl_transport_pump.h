// Private to net/socket/ssl_socket.c: the TLS socket's transport side, which
// moves ciphertext between BoringSSL and the transport stream socket.
//
// BoringSSL reads and writes through a custom BIO (its method is made by
// ssl_context.c; its read and write are cn_ssl_bio_read_/cn_ssl_bio_write_
// here, declared in ssl_internal.h). The BIO never blocks:
//   read   hands out ciphertext from the socket's read buffer (|rbuf|); when
//          it is empty it first asks the transport for bytes straight into
//          BoringSSL's buffer (cn_stream_socket_read_now: the outer TLS of
//          TLS inside TLS offers it, saving a copy of every inner record),
//          else starts one transport read (17 KiB, then 64 KiB while
//          reads come back full; 4 KiB for an idle client's peek, and over
//          a transport that offers read_now, which then hands over the
//          rest) and asks BoringSSL to retry. While the 64 KiB reads come
//          back full they are 256 KiB, |rbuf| is kept between them, and a read() or read_now that gathers records
//          that already arrived (|no_new_transport_reads|) still starts
//          one: a bulk transfer then costs a quarter of the transport
//          reads, and each read() of ours can fill the caller's buffer;
//   write  appends to a 64 KiB ring (|wbuf|); the socket hands the ring
//          to the transport (cn_ssl_transport_flush) once the SSL_* calls
//          of an operation are done, so the records of one write, or a
//          whole handshake flight (BoringSSL's BIO_flush), go out in one
//          transport write. A full ring is flushed at once; if that leaves
//          it full (the transport's write is pending) it asks BoringSSL to
//          retry.
// A transport read or write that completes later calls cn_ssl_socket_pump_,
// which retries what waited. Transport errors and EOF are kept in the socket
// (|transport_read_error|, |transport_eof|, |transport_write_error|) for
// the socket's error mapping.
//
// Ownership: the buffers belong to the socket; a pending transport read or
// write holds its own reference to the buffer (or slice) it uses, so they
// may be dropped while it is pending only after the transport was
// disconnected or destroyed (cn_ssl_transport_drop_buffers).
#ifndef CNET_NET_SOCKET_SSL_TRANSPORT_PUMP_H_
#define CNET_NET_SOCKET_SSL_TRANSPORT_PUMP_H_

#include <stddef.h>

#include "net/socket/ssl_socket_internal.h"

#ifdef __cplusplus
extern "C" {
#endif

// The largest record's data (SSL3_RT_MAX_PLAIN_LENGTH, BoringSSL's default).
#define CN_SSL_FULL_RECORD 16384
// Ciphertext read size while reads come back full: several full records per
// transport read, so a bulk transfer costs one transport read per ~4
// records.
#define CN_SSL_READ_CHUNK (64 * 1024)
// Ciphertext read size while the 64 KiB reads come back full, and while
// these do (a bulk transfer arriving faster than we take it): a quarter of
// the reads (and of the body pieces above, each a write of fetch's). The
// buffer is kept between reads only then; the first short read gives it
// back.
#define CN_SSL_STREAMING_READ_CHUNK (256 * 1024)
// Ciphertext write ring for a write of a full record or more: room for
// several records, so SSL_write rarely waits and one transport write
// carries many records.
#define CN_SSL_WRITE_RING (64 * 1024)
// The first read of a burst, and the ring of a small write: one full record
// with any cipher's overhead (16,384 + header, IV, MAC and padding < 17
// KiB), as Chromium's transport buffers. A request/response exchange
// (workload b: a 115-byte request, a 1.3 KB answer) then never takes and
// gives back 64 KiB blocks: malloc serves those from the top of the heap,
// and giving them back per exchange made glibc shrink and regrow the heap
// (brk, page faults, a TLB flush) three times per request — about 40 % of
// fetch's CPU in b.
#define CN_SSL_SMALL_CHUNK (17 * 1024)
// Read size of the background read an idle client keeps pending: enough for
// TLS 1.3 session tickets or an alert, small for an idle connection.
#define CN_SSL_PEEK_CHUNK (4 * 1024)

// Hands the ring's bytes to the transport, until they are all out or a
// transport write is pending (or failed). Call after every SSL_* call that
// may have written, before reporting the operation's result.
void cn_ssl_transport_flush(ssl_socket *s);
// Room left in the write ring (a full ring's worth when there is none yet).
size_t cn_ssl_transport_ring_room(const ssl_socket *s);
// Frees the buffers that are empty and not in use by a transport operation,
// so an idle connection holds none.
void cn_ssl_transport_trim_buffers(ssl_socket *s);
// Frees both buffers and forgets the transport's pending operations. Only
// after the transport was disconnected or destroyed (which cancelled them).
void cn_ssl_transport_drop_buffers(ssl_socket *s);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_SSL_TRANSPORT_PUMP_H_
