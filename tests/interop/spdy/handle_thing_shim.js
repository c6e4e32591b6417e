'use strict'
// A require-time fix for handle-thing 2.0.1 (node-spdy's fake libuv handle
// under each request's net.Socket) on Node.js 20. Load it before 'spdy'.
//
// Node's stream_base_commons drives a handle's writes like this: it calls
// handle.writeUtf8String/writeBuffer/writev(req, ...), then reads the outcome
// from the shared streamBaseState array, not from req: kLastWriteWasAsync
// says whether to wait for req.oncomplete() or to run the callback now, and
// kBytesWritten is the byte count. handle-thing gets two things wrong there:
//
//  1. writev(req, chunks, allBuffers) writes the chunks and never completes
//     req. Node's http layer corks the socket on res.write() and uncorks on
//     the next tick, so several writes in one tick (writeHead + write + end)
//     arrive as one writev: the write callback never runs, the Writable never
//     finishes, res.end() never ends the SPDY stream (no DATA with FIN), and
//     the client waits for a body that never ends.
//  2. writev reads chunks as (chunk, encoding) pairs, but with allBuffers
//     Node passes a flat array of buffers: every second buffer is dropped.
//  3. The write methods leave streamBaseState as the last real socket left
//     it: if that write was synchronous, Node runs the callback at once and
//     handle-thing's later req.oncomplete() runs it a second time.
//
// The fix: writev joins its chunks and goes through writeEnc like a single
// write (queued, completed once via req.oncomplete), and every write reports
// "asynchronous, N bytes" in streamBaseState, which is what handle-thing
// actually does.
const Handle = require('handle-thing')
const { streamBaseState, kLastWriteWasAsync, kBytesWritten } = process.binding('stream_wrap')

const writeEnc = Handle.prototype.writeEnc
Handle.prototype.writeEnc = function writeEncAsync (req, data, enc) {
  const rc = writeEnc.call(this, req, data, enc)
  streamBaseState[kBytesWritten] = typeof data === 'string' ? Buffer.byteLength(data, enc || 'utf8') : data.length
  streamBaseState[kLastWriteWasAsync] = 1
  return rc
}

Handle.prototype.writev = function writevAsOneWrite (req, chunks, allBuffers) {
  const buffers = []
  const step = allBuffers ? 1 : 2
  for (let i = 0; i < chunks.length; i += step) {
    const chunk = chunks[i]
    buffers.push(typeof chunk === 'string' ? Buffer.from(chunk, chunks[i + 1]) : chunk)
  }
  return this.writeEnc(req, Buffer.concat(buffers), null)
}
