#!/usr/bin/env python3
# What does an HTTP/2 proxy do with DATA sent on a CONNECT stream before its
# 200 (the optimistic tunnel over HTTP/2, issue #13)? This probe speaks just
# enough HTTP/2 (no library: preface, SETTINGS, one HEADERS with literal
# HPACK fields, DATA) over TLS (ALPN h2) to PROXY, sends
#   HEADERS :method CONNECT :authority TARGET   (END_HEADERS)
#   DATA    a TLS ClientHello for TARGET's name  (in the same flight)
# and reports what comes back on the stream: the status, and whether DATA
# after it carries a TLS ServerHello (the early bytes reached the origin) or
# the stream is reset / the session goes away.
#
#   h2_early_data_probe.py PROXY_HOST PROXY_PORT TARGET_HOST:PORT SNI
# Prints one line: "status=S early_data=answered|reset(CODE)|goaway(CODE)|none".
import socket, ssl, struct, sys, time

def frame(ftype, flags, stream, payload):
    return struct.pack("!I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack("!I", stream) + payload

def literal(name, value):  # literal header field without indexing, new name, no Huffman
    n, v = name.encode(), value.encode()
    assert len(n) < 127 and len(v) < 127
    return b"\x00" + bytes([len(n)]) + n + bytes([len(v)]) + v

def main():
    host, port, target, sni = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    raw = socket.create_connection((host, port), timeout=5)
    s = ctx.wrap_socket(raw, server_hostname="proxy.test")
    assert s.selected_alpn_protocol() == "h2", s.selected_alpn_protocol()
    # The origin's ClientHello, made in memory.
    inner = ssl.create_default_context()
    inner.check_hostname = False
    inner.verify_mode = ssl.CERT_NONE
    bio_in, bio_out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = inner.wrap_bio(bio_in, bio_out, server_hostname=sni)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = bio_out.read()
    block = literal(":method", "CONNECT") + literal(":authority", target)
    s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b"") +
              frame(1, 0x4, 1, block) + frame(0, 0, 1, hello))
    buf, status, result, deadline = b"", None, "none", time.time() + 5
    while time.time() < deadline and result == "none":
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            result = "closed"
            break
        buf += chunk
        while len(buf) >= 9:
            length = int.from_bytes(buf[:3], "big")
            if len(buf) < 9 + length:
                break
            ftype, flags, sid = buf[3], buf[4], struct.unpack("!I", buf[5:9])[0] & 0x7FFFFFFF
            payload, buf = buf[9:9 + length], buf[9 + length:]
            if ftype == 4 and not flags & 1:
                s.sendall(frame(4, 1, 0, b""))  # SETTINGS ACK
            elif ftype == 1 and sid == 1:
                # The status: nghttpx sends ":status" as an indexed field
                # (0x88 = 200) or a literal with an indexed name (0x08 ...).
                if payload[:1] == b"\x88":
                    status = 200
                else:
                    i = payload.find(b"\x08")
                    status = payload[i + 2:i + 2 + payload[i + 1]].decode(errors="replace") if i >= 0 else "?"
            elif ftype == 0 and sid == 1 and payload:
                result = "answered" if payload[0] == 0x16 else "data(%02x)" % payload[0]
            elif ftype == 3 and sid == 1:
                result = "reset(%d)" % struct.unpack("!I", payload[:4])[0]
            elif ftype == 7:
                result = "goaway(%d)" % struct.unpack("!I", payload[4:8])[0]
    print("status=%s early_data=%s" % (status, result))

if __name__ == "__main__":
    main()
