'use strict'
// A SPDY/3.1 HTTPS proxy for tests/interop/spdy_node_test.sh, on node-spdy
// 4.0.2 / spdy-transport 3.0.0 (ALPN spdy/3.1 only).
//
//   node proxy.js --cert FILE --key FILE --port-file FILE [--map HOST=ADDR]...
//                 [--auth USER:PASS]
//
// Per stream (one SYN_STREAM each):
//   :method CONNECT, :path host:port  (seed flows F5, F6)
//       Handled on the spdy-transport stream itself, before node-spdy's HTTP
//       layer (which cannot do CONNECT): TCP to host:port, SYN_REPLY
//       ":status 200", then bytes both ways. A FIN from either side is passed
//       on as a half-close (allowHalfOpen on both); an RST_STREAM from the
//       client destroys the TCP connection; a reset or error on the TCP side
//       resets the stream (RST_STREAM CANCEL). Connect failure: SYN_REPLY 502.
//   :method GET (any), :path http://host:port/path  (seed flow F4)
//       Through node-spdy's HTTP layer: forwarded over HTTP/1.1 with Node's
//       http module, the response relayed (hop-by-hop fields dropped).
//   anything else: 400.
// --map sends HOST to ADDR (the origins' test names to 127.0.0.1). --auth
// makes every stream without "proxy-authorization: Basic base64(USER:PASS)"
// answer 407 with "proxy-authenticate: Basic realm=cnet".
// Logs on stderr: "session N" per TLS connection, and per stream
// "session N stream ID METHOD PATH -> STATUS".

require('./handle_thing_shim')
const spdy = require('spdy')
const http = require('http')
const net = require('net')
const fs = require('fs')

const kWindow = 64 * 1024

function parseArgs (argv) {
  const opts = { map: new Map() }
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]
    const value = argv[i + 1]
    if (value === undefined) throw new Error('proxy.js: ' + name + ' needs a value')
    if (name === '--map') {
      const eq = value.indexOf('=')
      if (eq <= 0) throw new Error('proxy.js: --map wants HOST=ADDR, got ' + value)
      opts.map.set(value.slice(0, eq).toLowerCase(), value.slice(eq + 1))
    } else if (['--cert', '--key', '--port-file', '--auth'].includes(name)) {
      opts[name.slice(2)] = value
    } else {
      throw new Error('proxy.js: unknown argument ' + name)
    }
  }
  for (const need of ['cert', 'key', 'port-file']) {
    if (!opts[need]) throw new Error('proxy.js: --' + need + ' is required')
  }
  return opts
}

const opts = parseArgs(process.argv.slice(2))
const resolve = (host) => opts.map.get(host.toLowerCase()) || host
const log = (line) => process.stderr.write(line + '\n')
const kCredentials = opts.auth ? 'Basic ' + Buffer.from(opts.auth).toString('base64') : null
const kChallenge = { 'proxy-authenticate': 'Basic realm="cnet"', 'content-length': 0 }
// True when --auth is off or |headers| carry its credentials.
const authorized = (headers) => !kCredentials || headers['proxy-authorization'] === kCredentials

// "host:port" or "[v6]:port" -> { host, port }, or null.
function parseAuthority (s) {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(s || '')
  if (!m || Number(m[3]) < 1 || Number(m[3]) > 65535) return null
  return { host: m[1] || m[2], port: Number(m[3]) }
}

// CONNECT on one SPDY stream: the tunnel.
function tunnel (stream, tag) {
  if (!authorized(stream.headers)) {
    log(tag + ' -> 407')
    stream.respond(407, kChallenge)
    stream.end()
    return stream.resume()
  }
  const target = parseAuthority(stream.path)
  if (!target) {
    log(tag + ' -> 400 (bad CONNECT target)')
    stream.respond(400, {})
    stream.end()
    return stream.resume()
  }
  const upstream = net.connect({ host: resolve(target.host), port: target.port, allowHalfOpen: true })
  let replied = false
  upstream.once('connect', () => {
    replied = true
    log(tag + ' -> 200')
    stream.respond(200, {})
    // pipe() passes each side's end on as end(): a DATA FIN becomes a TCP
    // FIN to the origin, the origin's FIN becomes DATA with FIN.
    stream.pipe(upstream)
    upstream.pipe(stream)
  })
  upstream.on('error', (err) => {
    if (!replied) {
      replied = true
      log(tag + ' -> 502 (' + err.code + ')')
      stream.respond(502, {})
      stream.end()
      stream.resume()
    } else {
      log(tag + ' upstream error ' + err.code + ': RST_STREAM')
      stream.abort()
    }
  })
  // RST_STREAM from the client: CANCEL closes with an error, others emit
  // 'error' first. Either way the TCP connection goes.
  stream.on('error', () => upstream.destroy())
  stream.on('close', (err) => { if (err) upstream.destroy() })
}

// GET http://origin/path on one stream (node-spdy's http layer): F4.
const kHopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding',
  'upgrade', 'te', 'trailer', 'proxy-authenticate', 'proxy-authorization'])
const agent = new http.Agent({ keepAlive: true })

function forward (req, res) {
  const tag = streamTag(req.spdyStream)
  if (!authorized(req.headers)) {
    log(tag + ' -> 407')
    res.writeHead(407, kChallenge)
    return res.end()
  }
  let url
  try {
    url = new URL(req.url)
  } catch (e) {
    url = null
  }
  if (!url || url.protocol !== 'http:') {
    log(tag + ' -> 400 (not an absolute http:// URL)')
    res.writeHead(400, { 'content-length': 0 })
    return res.end()
  }
  const headers = {}
  for (const [k, v] of Object.entries(req.headers)) {
    if (!kHopByHop.has(k) && k !== 'host') headers[k] = v  // proxy-authorization is hop-by-hop
  }
  headers.host = url.host
  const up = http.request({
    agent,
    host: resolve(url.hostname),
    port: url.port || 80,
    method: req.method,
    path: url.pathname + url.search,
    headers
  }, (upRes) => {
    log(tag + ' -> ' + upRes.statusCode)
    const out = {}
    for (const [k, v] of Object.entries(upRes.headers)) {
      if (!kHopByHop.has(k)) out[k] = v
    }
    res.writeHead(upRes.statusCode, out)
    upRes.pipe(res)
  })
  up.on('error', (err) => {
    log(tag + ' -> 502 (' + err.code + ')')
    if (!res.headersSent) {
      res.writeHead(502, { 'content-length': 0 })
      res.end()
    } else {
      res.destroy()
    }
  })
  req.pipe(up)
}

const server = spdy.createServer({
  key: fs.readFileSync(opts.key),
  cert: fs.readFileSync(opts.cert),
  spdy: {
    protocols: ['spdy/3.1'],
    // SPDY/3.1's default windows (node-spdy announces 1 MB): a 100 kB upload
    // then needs WINDOW_UPDATEs from node-spdy before cnet may send it all.
    connection: { windowSize: kWindow }
  }
}, forward)

// One number per TLS connection (= SPDY session), for the log.
let sessions = 0
const sessionOf = new WeakMap()
server.on('secureConnection', (socket) => {
  sessionOf.set(socket, ++sessions)
  log('session ' + sessions + ' alpn ' + socket.alpnProtocol)
})
const streamTag = (stream) =>
  'session ' + sessionOf.get(stream.connection.socket) + ' stream ' + stream.id + ' ' +
  stream.method + ' ' + stream.path

// node-spdy calls this._onStream(stream) for every SYN_STREAM of a session:
// CONNECT streams stay on spdy-transport, the rest go to the HTTP layer.
const onStream = server._onStream
server._onStream = function (stream) {
  if (stream.method === 'CONNECT') return tunnel(stream, streamTag(stream))
  return onStream.call(this, stream)
}

server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(opts['port-file'] + '.tmp', String(server.address().port) + '\n')
  fs.renameSync(opts['port-file'] + '.tmp', opts['port-file'])
})
