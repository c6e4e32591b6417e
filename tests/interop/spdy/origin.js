'use strict'
// An origin server for tests/interop/spdy_node_test.sh: node-spdy 4.0.2 over
// TLS (ALPN spdy/3.1, else http/1.1) and, optionally, the same routes over
// plain HTTP/1.1.
//
//   node origin.js --cert FILE --key FILE --tls-port-file FILE
//                  [--plain-port-file FILE] [--name NAME]
//
// Listens on free 127.0.0.1 ports and writes each port number to its file
// once listening. Routes (any method):
//   /bytes/N   N bytes, byte i = (i*31+7) & 0xff, in groups of writes per tick
//   /chunked/N the same without content-length (HTTP/1.1: chunked)
//   /echo      the request body, with its length in x-received-bytes
//   /headers   the request's fields as lines; two set-cookie and a 20 kB field back
//   /push      (spdy) pushes /bytes/5, then answers "pushed"
//   /close     (http/1.1) answers "closed" and closes the connection
//   /abort     (http/1.1) 5000 of 10000 bytes, then a TCP reset
//   /slow/MS   "slow", after MS milliseconds
//   /ping      (spdy) PINGs the client; "pong" when it answers, else 504
//   /whoami    "NAME PROTOCOL METHOD" (PROTOCOL: spdy/3.1 or http/1.1)
//   anything else: 404
// Logs one line per request on stderr: "NAME PROTOCOL METHOD URL", and
// "NAME PING" per PING received on a SPDY session.

require('./handle_thing_shim')
const spdy = require('spdy')
const http = require('http')
const fs = require('fs')

const kWindow = 64 * 1024

function parseArgs (argv) {
  const opts = { name: 'origin' }
  const known = ['--cert', '--key', '--tls-port-file', '--plain-port-file', '--name']
  for (let i = 0; i < argv.length; i += 2) {
    if (!known.includes(argv[i]) || argv[i + 1] === undefined) {
      throw new Error('origin.js: bad argument ' + argv[i] + ' (want ' + known.join(', ') + ' VALUE)')
    }
    opts[argv[i].slice(2)] = argv[i + 1]
  }
  for (const need of ['cert', 'key', 'tls-port-file']) {
    if (!opts[need]) throw new Error('origin.js: --' + need + ' is required')
  }
  return opts
}

const kMaxBytes = 64 * 1024 * 1024
const kWriteSize = 4 * 1024
const kWritesPerTick = 4

function pattern (start, len) {
  const b = Buffer.alloc(len)
  for (let i = 0; i < len; i++) b[i] = ((start + i) * 31 + 7) & 0xff
  return b
}

// Writes /bytes/N as groups of kWritesPerTick writes of kWriteSize bytes in
// one tick, then waits for 'drain'. Node's http layer corks the socket for
// the tick, so each group reaches node-spdy's handle as one writev of
// buffers: the path handle_thing_shim.js fixes.
function sendBytes (res, n, withLength) {
  const head = { 'content-type': 'application/octet-stream' }
  if (withLength) head['content-length'] = n
  res.writeHead(200, head)
  let sent = 0
  function more () {
    while (sent < n) {
      let ok = true
      for (let k = 0; k < kWritesPerTick && sent < n; k++) {
        const len = Math.min(kWriteSize, n - sent)
        ok = res.write(pattern(sent, len))
        sent += len
      }
      if (!ok) return res.once('drain', more)
    }
    res.end()
  }
  more()
}

function protocolOf (req) {
  return req.isSpdy ? 'spdy/3.' + (req.spdyVersion === 3.1 ? '1' : '0') : 'http/' + req.httpVersion
}

// Logs "NAME PING" for each PING a SPDY session receives (spdy-transport
// answers it); a session is known from its first request.
const watched = new WeakSet()
function logPings (name, req) {
  const connection = req.spdyStream && req.spdyStream.connection
  if (!connection || watched.has(connection)) return
  watched.add(connection)
  connection.on('ping', () => process.stderr.write(name + ' PING\n'))
}

function handler (name) {
  return function (req, res) {
    const proto = protocolOf(req)
    process.stderr.write(name + ' ' + proto + ' ' + req.method + ' ' + req.url + '\n')
    logPings(name, req)
    const m = /^\/(bytes|chunked)\/(\d+)$/.exec(req.url)
    if (m && Number(m[2]) <= kMaxBytes) return sendBytes(res, Number(m[2]), m[1] === 'bytes')
    if (req.url === '/echo') {
      const chunks = []
      req.on('data', (c) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        res.writeHead(200, { 'content-length': body.length, 'x-received-bytes': body.length })
        res.end(body)
      })
      return
    }
    if (req.url === '/headers') {
      // The request's header fields as "name: value" lines (sorted), and two
      // set-cookie fields plus a long one in the response.
      const body = Object.keys(req.headers).sort().map((k) => k + ': ' + req.headers[k] + '\n').join('')
      res.writeHead(200, {
        'content-type': 'text/plain',
        'content-length': Buffer.byteLength(body),
        'set-cookie': ['a=1', 'b=2'],
        'x-long': 'L'.repeat(20000)
      })
      return res.end(body)
    }
    if (req.url === '/push' && res.push) {
      // A server push (SYN_STREAM with Associated-To-Stream-ID) the client
      // has to refuse or take, then the response itself.
      const pushed = res.push('/bytes/5', { request: { accept: '*/*' }, response: { 'content-length': 5 } })
      pushed.on('error', () => {})
      pushed.end(pattern(0, 5))
      res.writeHead(200, { 'content-length': 6 })
      return res.end('pushed')
    }
    if (req.url === '/abort' && !req.isSpdy) {
      // HTTP/1.1 only: half the promised body, then a TCP reset (RST) of the
      // connection. Through a tunnel the proxy turns it into RST_STREAM.
      res.writeHead(200, { 'content-length': 10000 })
      res.write(pattern(0, 5000))
      // Over TLS the TCP socket is the TLSSocket's _parent.
      const tcp = req.socket._parent || req.socket
      setTimeout(() => tcp.resetAndDestroy(), 50)
      return
    }
    if (req.url === '/close' && !req.isSpdy) {
      // HTTP/1.1 only: the origin closes its connection after this response
      // (through a tunnel, the proxy passes that on as the stream's FIN).
      res.writeHead(200, { connection: 'close', 'content-length': 6 })
      return res.end('closed')
    }
    const slow = /^\/slow\/(\d+)$/.exec(req.url)
    if (slow && Number(slow[1]) <= 60000) {
      // Answers "slow" after N ms: the client's other sessions sit idle meanwhile.
      setTimeout(() => {
        res.writeHead(200, { 'content-length': 4 })
        res.end('slow')
      }, Number(slow[1]))
      return
    }
    if (req.spdyStream && req.url === '/late-headers') {
      // A HEADERS frame after the first DATA (SPDY/3 trailing fields).
      res.writeHead(200, { 'content-length': 8 })
      res.write('late')
      req.spdyStream.sendHeaders({ 'x-late': 'yes' })
      return res.end('-hdr')
    }
    if (req.spdyStream && req.url === '/reset') {
      // Half the promised body, then RST_STREAM (CANCEL).
      res.writeHead(200, { 'content-length': 10000 })
      res.write(pattern(0, 5000))
      setTimeout(() => req.spdyStream.abort(), 50)
      return
    }
    if (req.spdyStream && req.url === '/goaway') {
      // The answer, then, once its stream is closed, GOAWAY (OK): the session
      // takes no new streams and node-spdy closes the connection. (Not
      // sooner: GOAWAY with the stream still open makes spdy-transport drop
      // the stream's queued DATA FIN when it closes the connection.)
      const connection = req.spdyStream.connection
      req.spdyStream.on('close', () => connection.end())
      res.writeHead(200, { 'content-length': 6 })
      return res.end('goaway')
    }
    if (req.spdyStream && req.url === '/ping') {
      // node-spdy PINGs the client (an even id) and answers once the PING
      // comes back, or 504 after 2 s without it.
      let answered = false
      const answer = (status, body) => {
        if (answered) return
        answered = true
        res.writeHead(status, { 'content-length': Buffer.byteLength(body) })
        res.end(body)
      }
      const timer = setTimeout(() => answer(504, 'no pong\n'), 2000)
      req.spdyStream.connection.ping(() => {
        clearTimeout(timer)
        answer(200, 'pong\n')
      })
      return
    }
    if (req.url === '/whoami') {
      const body = name + ' ' + proto + ' ' + req.method + '\n'
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) })
      return res.end(body)
    }
    const body = 'no route for ' + req.url + '\n'
    res.writeHead(404, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  }
}

function listen (server, portFile) {
  server.listen(0, '127.0.0.1', () => {
    // Write then rename: the test polls for a non-empty file.
    fs.writeFileSync(portFile + '.tmp', String(server.address().port) + '\n')
    fs.renameSync(portFile + '.tmp', portFile)
  })
}

const opts = parseArgs(process.argv.slice(2))
const tls = spdy.createServer({
  key: fs.readFileSync(opts.key),
  cert: fs.readFileSync(opts.cert),
  spdy: {
    protocols: ['spdy/3.1', 'http/1.1'],
    // SPDY/3.1's default windows (node-spdy announces 1 MB): a 100 kB upload
    // then needs WINDOW_UPDATEs from node-spdy before cnet may send it all.
    connection: { windowSize: kWindow }
  }
}, handler(opts.name))
listen(tls, opts['tls-port-file'])
if (opts['plain-port-file']) listen(http.createServer(handler(opts.name)), opts['plain-port-file'])
