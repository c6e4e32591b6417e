#!/usr/bin/env python3
"""Writes the committed seed corpora of the libFuzzer targets.

Usage: tests/fuzz/make_corpus.py [OUT_DIR]   (default: tests/fuzz/corpus)

One directory per target (tests/fuzz/corpus/<target>/), one small file per
seed, named after what it reaches. The seeds put each fuzzer past its
format's first hurdles from the start: chunked HTTP/1.1 bodies, SPDY/3
header blocks (zlib primed with the SPDY dictionary, read out of
net/spdy/spdy3_zlib.c so there is one copy), HPACK with static, dynamic
and Huffman-coded fields, and every HTTP/2 and SPDY/3 frame type. Each seed
starts with the control byte its fuzzer expects (see each *_fuzzer.c).

The output is deterministic (gzip without a timestamp, fixed inputs), so a
re-run changes no committed file unless this script changed.
"""
import gzip
import os
import re
import shutil
import struct
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPORA = {}


def seed(target, name, data):
    if isinstance(data, str):
        data = data.encode('latin-1')
    CORPORA.setdefault(target, []).append((name, data))


# ---------------------------------------------------------------- url_fuzzer
# A base URL, NUL, a reference to resolve against it.
for name, base, ref in [
    ('plain', 'http://example.test/a/b?q=1#f', '../c?x'),
    ('https_port', 'https://user:pa%40ss@Example.TEST:8443/p', '//other.test/x'),
    ('ipv6', 'http://[0:0::1]:8080/', '/abs'),
    ('ipv4_hex', 'http://0x7f.1/', '?only-query'),
    ('ipv4_octal', 'http://0177.0.0.1./', '#frag'),
    ('ipv4_number', 'http://2130706433/', 'http://127.1:81/'),
    ('ipv4_invalid', 'http://1.2.3.4.5/', 'https://256.1.1.1/'),
    ('percent_host', 'http://%30%78%63%30%2e%30%32%35%30.01/', 'ws://h.test/s'),
    ('ws', 'wss://h.test/chat', ''),
    ('dots', 'http://h.test/a/./b/../../c/%7Euser', 'g;x?y#s'),
]:
    seed('url_fuzzer', name, base + '\0' + ref)

# ---------------------------------------------- http_response_parser_fuzzer
# First byte: bits 0-1 the request kind (0 plain, 1 HEAD, 2 CONNECT), bits
# 2-7 where the input is split in two reads.
def resp(kind, split, text):
    return bytes([kind | (split << 2)]) + text.encode('latin-1')


seed('http_response_parser_fuzzer', 'chunked',
     resp(0, 20, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
                 '5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n'))
seed('http_response_parser_fuzzer', 'chunked_trailers',
     resp(0, 63, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'
                 'A\r\n0123456789\r\n0\r\nX-Trailer: yes\r\nY: 2\r\n\r\n'))
seed('http_response_parser_fuzzer', 'chunked_bad_size',
     resp(0, 0, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n'))
seed('http_response_parser_fuzzer', 'content_length',
     resp(0, 7, 'HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabcEXTRA'))
seed('http_response_parser_fuzzer', 'close_delimited',
     resp(0, 3, 'HTTP/1.0 200 OK\r\nServer: x\r\n\r\nuntil the end'))
seed('http_response_parser_fuzzer', 'interim_100',
     resp(0, 11, 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n'
                 'HTTP/1.1 204 No Content\r\n\r\n'))
seed('http_response_parser_fuzzer', 'head',
     resp(1, 0, 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'))
seed('http_response_parser_fuzzer', 'connect_200',
     resp(2, 5, 'HTTP/1.1 200 Connection established\r\nProxy-Agent: t\r\n\r\n\x16\x03\x01'))
seed('http_response_parser_fuzzer', 'connect_407',
     resp(2, 9, 'HTTP/1.1 407 Proxy Authentication Required\r\n'
                'Proxy-Authenticate: Basic realm="p"\r\nContent-Length: 2\r\n\r\nno'))
seed('http_response_parser_fuzzer', 'folded_and_bare_lf',
     resp(0, 1, 'HTTP/1.1 301 Moved\nLocation: /x\n  continued\nContent-Length: 0\n\n'))
seed('http_response_parser_fuzzer', 'conflicting_lengths',
     resp(0, 0, 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'))

# ------------------------------------------------------ spdy3_framer_fuzzer
def spdy3_dictionary():
    src = open(os.path.join(ROOT, 'net/spdy/spdy3_zlib.c')).read()
    body = src[src.index('cn_spdy3_dictionary[CN_SPDY3_DICTIONARY_LEN] = {'):]
    body = body[body.index('{') + 1:body.index('};')]
    body = re.sub(r'//[^\n]*', '', body)
    data = bytes(int(x, 16) for x in re.findall(r'0x([0-9a-fA-F]{2})', body))
    assert len(data) == 1423, len(data)
    return data


SPDY3_DICT = spdy3_dictionary()


class Spdy3Compressor:
    """One connection's header compression context (SPDY/3 §2.6.10)."""

    def __init__(self):
        self.z = zlib.compressobj(9, zlib.DEFLATED, 11, 8, zlib.Z_DEFAULT_STRATEGY, SPDY3_DICT)

    def block(self, headers):
        raw = struct.pack('>I', len(headers))
        for k, v in headers:
            raw += struct.pack('>I', len(k)) + k.encode() + struct.pack('>I', len(v)) + v.encode()
        return self.z.compress(raw) + self.z.flush(zlib.Z_SYNC_FLUSH)


def spdy3_control(ftype, flags, payload):
    return struct.pack('>HHI', 0x8003, ftype, (flags << 24) | len(payload)) + payload


def spdy3_data(stream, flags, payload):
    return struct.pack('>II', stream, (flags << 24) | len(payload)) + payload


REQ3 = [(':method', 'GET'), (':path', '/index.html'), (':version', 'HTTP/1.1'),
        (':host', 'origin.test:443'), (':scheme', 'https'), ('user-agent', 'cnet'),
        ('accept-encoding', 'gzip, deflate')]
CONNECT3 = [(':method', 'CONNECT'), (':path', 'origin.test:443'), (':version', 'HTTP/1.1'),
            (':host', 'origin.test:443')]
RESP3 = [(':status', '200 OK'), (':version', 'HTTP/1.1'), ('content-type', 'text/html'),
         ('content-length', '5')]


def spdy3_seed(name, split, frames):
    seed('spdy3_framer_fuzzer', name, bytes([split]) + b''.join(frames))


c = Spdy3Compressor()
settings = struct.pack('>I', 2) + struct.pack('>II', (1 << 24) | 4, 100) + struct.pack('>II', 7, 65536)
spdy3_seed('every_frame_type', 40, [
    spdy3_control(4, 0, settings),                                              # SETTINGS
    spdy3_control(9, 0, struct.pack('>II', 0, 1 << 20)),                        # WINDOW_UPDATE
    spdy3_control(1, 0, struct.pack('>IIBB', 1, 0, 0x60, 0) + c.block(REQ3)),   # SYN_STREAM
    spdy3_control(2, 0, struct.pack('>I', 1) + c.block(RESP3)),                 # SYN_REPLY
    spdy3_control(8, 0, struct.pack('>I', 1) + c.block([('x-more', 'headers')])),  # HEADERS
    spdy3_data(1, 0, b'hello'),                                                 # DATA
    spdy3_data(1, 1, b''),                                                      # DATA FIN
    spdy3_control(6, 0, struct.pack('>I', 1)),                                  # PING
    spdy3_control(3, 0, struct.pack('>II', 3, 5)),                              # RST_STREAM
    spdy3_control(7, 0, struct.pack('>II', 1, 0)),                              # GOAWAY
])
c = Spdy3Compressor()
spdy3_seed('connect_tunnel', 255, [
    spdy3_control(1, 0, struct.pack('>IIBB', 1, 0, 0x20, 0) + c.block(CONNECT3)),
    spdy3_control(2, 0, struct.pack('>I', 1) + c.block([(':status', '200'), (':version', 'HTTP/1.1')])),
    spdy3_data(1, 0, b'\x16\x03\x01\x00\x05hello'),
])
c = Spdy3Compressor()
spdy3_seed('push_syn_stream', 7, [
    spdy3_control(2, 0, struct.pack('>I', 1) + c.block(RESP3)),
    spdy3_control(1, 2, struct.pack('>IIBB', 2, 1, 0, 0) +
                  c.block([(':scheme', 'https'), (':host', 'origin.test'), (':path', '/pushed'),
                           (':status', '200'), (':version', 'HTTP/1.1')])),
    spdy3_data(2, 1, b'pushed'),
])
c = Spdy3Compressor()
spdy3_seed('status_forms', 0, [
    spdy3_control(2, 0, struct.pack('>I', 1) + c.block([(':status', '407 Proxy Authentication Required'),
                                                        (':version', 'HTTP/1.1'),
                                                        ('proxy-authenticate', 'Basic realm="x"')])),
    spdy3_control(2, 0, struct.pack('>I', 3) + c.block([(':status', '3xx'), (':version', 'HTTP/1.1')])),
    spdy3_control(2, 1, struct.pack('>I', 5) + c.block([(':status', '200'), ('a', 'b\0c')])),
])
# A header block compressed without the dictionary: the decompressor must
# refuse it.
spdy3_seed('wrong_dictionary', 0, [
    spdy3_control(2, 0, struct.pack('>I', 1) + zlib.compress(struct.pack('>I', 0)))])
# A zlib bomb: a small block that inflates far past the header list limit.
bomb = Spdy3Compressor().z
raw = struct.pack('>I', 1) + struct.pack('>I', 1) + b'x' + struct.pack('>I', 200000) + b'a' * 200000
spdy3_seed('zlib_bomb', 0, [spdy3_control(2, 0, struct.pack('>I', 1) +
                                          bomb.compress(raw) + bomb.flush(zlib.Z_SYNC_FLUSH))])

# ------------------------------------------------------ http2_framer_fuzzer
# RFC 7541 Appendix C: request blocks with Huffman coding (C.4.1-C.4.3,
# which also fill and reuse the dynamic table) and response blocks
# (C.6.1-C.6.3, written for a 256-byte table: prefixed here by a dynamic
# table size update to 256 so that they evict as in the RFC).
HPACK_REQ = [bytes.fromhex(h) for h in [
    '828684418cf1e3c2e5f23a6ba0ab90f4ff',
    '828684be5886a8eb10649cbf',
    '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf',
]]
HPACK_RESP = [bytes.fromhex(h) for h in [
    '488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff'
    '6e919d29ad171863c78f0b97c8e9ae82ae43d3',
    '4883640effc1c0bf',
    '88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b39'
    '60d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007',
]]
# Literal without indexing, never indexed, and an indexed name with a raw
# (non-Huffman) value.
HPACK_LITERALS = bytes([0x00, 3]) + b'foo' + bytes([3]) + b'bar' + \
    bytes([0x10, 6]) + b'secret' + bytes([2]) + b'pw' + bytes([0x01, 4]) + b'test'


def h2(ftype, flags, stream, payload):
    return struct.pack('>I', len(payload))[1:] + bytes([ftype, flags]) + struct.pack('>I', stream) + payload


def h2_seed(name, chunk, frames):
    seed('http2_framer_fuzzer', name, bytes([chunk]) + b''.join(frames))


SETTINGS2 = b''.join(struct.pack('>HI', k, v) for k, v in
                     [(1, 4096), (2, 0), (3, 100), (4, 65535), (5, 16384), (6, 8192)])
# Each side must open with SETTINGS (RFC 9113 §3.4), so every seed does.
FIRST = h2(4, 0, 0, SETTINGS2)
h2_seed('every_frame_type', 0, [
    FIRST,                                                              # SETTINGS
    h2(4, 1, 0, b''),                                                   # SETTINGS ACK
    h2(1, 0x24, 1, struct.pack('>IB', 0x80000000, 15) + HPACK_REQ[0]),  # HEADERS+PRIORITY
    h2(1, 0x00, 3, HPACK_REQ[1][:4]),                                   # HEADERS, split...
    h2(9, 0x04, 3, HPACK_REQ[1][4:]),                                   # ...CONTINUATION
    h2(0, 0x08, 1, bytes([3]) + b'data' + b'\0\0\0'),                   # DATA, padded
    h2(0, 0x01, 1, b''),                                                # DATA END_STREAM
    h2(2, 0, 5, struct.pack('>IB', 3, 200)),                            # PRIORITY
    h2(3, 0, 3, struct.pack('>I', 8)),                                  # RST_STREAM
    h2(6, 0, 0, b'12345678'),                                           # PING
    h2(6, 1, 0, b'87654321'),                                           # PING ACK
    h2(8, 0, 0, struct.pack('>I', 1 << 20)),                            # WINDOW_UPDATE
    h2(8, 0, 1, struct.pack('>I', 1000)),
    h2(0x0a, 0, 0, b'unknown type'),                                    # unknown: ignored
    h2(7, 0, 0, struct.pack('>II', 3, 0) + b'bye'),                     # GOAWAY
])
# What a client reads: responses and a server push (PUSH_PROMISE, which a
# server framer refuses).
h2_seed('push_promise', 5, [
    FIRST,
    h2(1, 0x04, 1, HPACK_RESP[0]),
    h2(5, 0x04, 1, struct.pack('>I', 2) + HPACK_REQ[0]),                # PUSH_PROMISE
    h2(1, 0x04, 2, HPACK_RESP[1]),
    h2(0, 0x01, 2, b'pushed'),
    h2(0, 0x01, 1, b'body'),
])
h2_seed('hpack_requests', 0, [
    FIRST,
    h2(1, 0x05, 1, HPACK_REQ[0]),
    h2(1, 0x05, 3, HPACK_REQ[1]),
    h2(1, 0x05, 5, HPACK_REQ[2]),
])
h2_seed('hpack_responses_evicting', 0, [
    FIRST,
    h2(1, 0x04, 1, bytes([0x3f, 0xe1, 0x01]) + HPACK_RESP[0]),  # table size 256, then C.6.1
    h2(1, 0x04, 3, HPACK_RESP[1]),
    h2(1, 0x05, 5, HPACK_RESP[2]),
])
h2_seed('hpack_literals', 3, [
    FIRST,
    h2(1, 0x05, 1, bytes([0x82, 0x87, 0x84, 0x41, 0x0b]) + b'origin.test' + HPACK_LITERALS),
])
h2_seed('connect_tunnel', 17, [
    FIRST,
    h2(1, 0x04, 1, bytes([0x02, 0x07]) + b'CONNECT' + bytes([0x01, 0x0f]) + b'origin.test:443'),
    h2(1, 0x04, 1, bytes([0x88])),                              # :status 200
    h2(0, 0, 1, b'\x16\x03\x01\x00\x05hello'),
])
h2_seed('continuation_flood', 1, [FIRST, h2(1, 0, 1, bytes([0x82]))] +
        [h2(9, 0, 1, bytes([0x40, 0x01]) + b'a' + bytes([0x01]) + b'b') for _ in range(20)])
h2_seed('bad_huffman_padding', 0, [FIRST, h2(1, 0x05, 1, bytes([0x82, 0x84, 0x41, 0x81, 0x00]))])

# ------------------------------------------------------------ ladder_fuzzer
# Client NetLog lines, NUL, the proxy's lines: the smallest recorded pair.
td = os.path.join(ROOT, 'tools/fetch/testdata')
if os.path.isdir(td):
    def head(path, limit):  # whole lines, at most |limit| bytes
        data = open(path, 'rb').read()[:limit]
        return data[:data.rfind(b'\n') + 1]

    for stem in ['F1', 'F3-h2', 'F5-spdy']:
        client, proxy = os.path.join(td, stem + '.client.jsonl'), os.path.join(td, stem + '.proxy.jsonl')
        seed('ladder_fuzzer', stem, head(client, 6000) + b'\0' + head(proxy, 4000))

# ---------------------------------------------- http_content_decoder_fuzzer
# First byte: the low nibble picks the coding list (see the fuzzer's
# kEncodings), the high one the slice size (16 << n bytes).
TEXT = (b'<html><body>' + b'The quick brown fox jumps over the lazy dog. ' * 40 + b'</body></html>')


def raw_deflate(data):
    z = zlib.compressobj(6, zlib.DEFLATED, -15)
    return z.compress(data) + z.flush()


def gz(data):
    return gzip.compress(data, mtime=0)


for name, ctl, body in [
    ('gzip', 0x20, gz(TEXT)),
    ('gzip_tiny_slices', 0x00, gz(TEXT)),
    ('deflate_zlib', 0x31, zlib.compress(TEXT)),
    ('deflate_raw', 0x41, raw_deflate(TEXT)),
    ('x_gzip_trailing_garbage', 0x52, gz(TEXT) + b'garbage after the member'),
    ('deflate_then_gzip', 0x63, gz(zlib.compress(TEXT))),
    ('gzip_twice', 0x74, gz(gz(TEXT))),
    ('identity_gzip', 0x25, gz(b'')),
    ('truncated_gzip', 0x20, gz(TEXT)[:60]),
    ('corrupt_deflate', 0x21, b'\x78\x9c' + b'\xff' * 40),
    ('bomb_ratio', 0xf0, gz(b'\0' * (3 * 1024 * 1024))),
    ('unknown_coding', 0x08, b'anything'),
]:
    seed('http_content_decoder_fuzzer', name, bytes([ctl]) + body)

# ---------------------------------------------------- http_proxy_auth_fuzzer
# First byte: bit 0 the proxy has credentials, bit 1 they were already sent.
for name, ctl, head in [
    ('basic', 1, 'HTTP/1.1 407 Proxy Authentication Required\r\n'
                 'Proxy-Authenticate: Basic realm="proxy"\r\nContent-Length: 0\r\n\r\n'),
    ('basic_already_sent', 3, 'HTTP/1.1 407 Auth\r\nProxy-Authenticate: basic\r\n\r\n'),
    ('no_credentials', 0, 'HTTP/1.1 407 Auth\r\nProxy-Authenticate: Basic realm=x\r\n\r\n'),
    ('negotiate_then_basic', 1, 'HTTP/1.1 407 Auth\r\nProxy-Authenticate: Negotiate, NTLM\r\n'
                                'Proxy-Authenticate: Digest realm="a, Basic", Basic realm=b\r\n\r\n'),
    ('only_digest', 1, 'HTTP/1.1 407 Auth\r\nProxy-Authenticate: Digest realm="Basic"\r\n\r\n'),
    ('basicx', 1, 'HTTP/1.1 407 Auth\r\nProxy-Authenticate: Basicx\r\nProxy-Authenticate:\t Basic\r\n\r\n'),
    ('redirect', 1, 'HTTP/1.1 302 Found\r\nLocation: http://evil.test/\r\n\r\n'),
    ('server_error', 0, 'HTTP/1.1 503 Unavailable\r\nContent-Length: 4\r\n\r\nbusy'),
]:
    seed('http_proxy_auth_fuzzer', name, bytes([ctl]) + head.encode())

# ----------------------------------------------------------- http_auth_fuzzer
# First byte: the allowed schemes (bit 0 Basic, bit 1 Digest; 0: both); the
# rest a WWW-Authenticate value.
for name, ctl, value in [
    ('rfc7616_sha256', 3, 'Digest realm="http-auth@example.org", qop="auth, auth-int", '
                          'algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", '
                          'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'),
    ('sess_userhash', 2, 'Digest realm="r", nonce="n", qop=auth, algorithm=MD5-sess, userhash=true'),
    ('stale', 0, 'Digest realm="r", nonce="n2", stale=TRUE, qop="auth"'),
    ('basic_and_digest', 1, 'Basic realm="a, Basic b", Digest realm=r, nonce="q\\"x"'),
    ('token68', 0, 'Bearer abc.def==, Negotiate, Basic'),
    ('unterminated', 3, 'Digest realm="x, nonce=y'),
]:
    seed('http_auth_fuzzer', name, bytes([ctl]) + value.encode())

# -------------------------------------------------------- spdy_status_fuzzer
# Names and values separated by NULs.
for name, fields in [
    ('spdy3', [':status', '200 OK', ':version', 'HTTP/1.1']),
    ('http2', [':status', '404']),
    ('later', ['content-type', 'text/plain', ':status', '407 Proxy Auth']),
    ('upper_name', [':STATUS', '301', ':status', '302']),
    ('short', [':status', '20']),
    ('no_space', [':status', '200OK']),
    ('letters', [':status', '2x0']),
    ('missing', ['server', 'x']),
]:
    seed('spdy_status_fuzzer', name, '\0'.join(fields))

# ------------------------------------------------------- proxy_server_fuzzer
for i, text in enumerate([
    'https://proxy.test:443', 'http://proxy:3128', 'http://[::1]:8080', 'proxy:3128',
    'https://proxy.test', 'socks5://127.0.0.1:1080', 'socks5h://u:p@proxy',
    'http://u:p%40ss@proxy:80', 'http://proxy:3128/', 'direct://', 'DIRECT',
    ' \thttp://0x7f.1:8080\t ', 'https://p1:443,https://p2:443,direct://',
    '[https://a.test:443 https://b.test:443]', '[socks5://127.0.0.1:1080 https://p2:443],direct://',
    'socks4://x:1', 'http://proxy:', 'http://proxy/path', 'quic://p:443',
]):
    seed('proxy_server_fuzzer', 'text%02d' % i, text)

# --------------------------------------------------------- pac_result_fuzzer
# A PAC script's answer (docs/pac.md), raw bytes (NUL included).
for i, text in enumerate([
    'PROXY proxy.test:3128; DIRECT',
    'HTTPS p1.test:443; HTTPS [::1]:8443; SOCKS5 s.test:1080; DIRECT',
    'SOCKS s:1; proxy a;;  direct ;PROXY x:99999',
    'PROXY a\0b:1;DIRECT',
]):
    seed('pac_result_fuzzer', 'text%02d' % i, text)

# ------------------------------------------------------- proxy_config_fuzzer
# NUL-separated: rules, bypass list, http_proxy, https_proxy, HTTPS_PROXY,
# all_proxy, ALL_PROXY, no_proxy, NO_PROXY, URL. Fewer fields: the rest unset.
for name, fields in [
    ('list', ['https://p1:443,direct://', '<local>,*.internal.test', '', '', '', '', '', '', '',
              'http://origin.test/']),
    ('per_scheme', ['http=p1:3128;https=https://p2:443;ftp=x:21', '10.0.0.0/8;[::1]', '', '',
                    '', '', '', '', '', 'https://10.1.2.3/']),
    ('env_all', ['', '', 'http://user:secret@p:3128', 'https://p2:443', 'https://P3:443',
                 'socks5h://s:1080', 'socks5://t:1080', '.example.test, localhost', '*',
                 'wss://h.example.test/chat']),
    ('env_upper', ['', '', '', '', 'HTTPS://P:443', '', 'all:8080', '', 'example.test:8080 1.2.3.0/24',
                   'https://x.example.test:8080/']),
    ('env_bad', ['', '', 'socks4://x:1', '', '', '', '', '', '', 'http://h/']),
    ('rules_bad', ['socks=s:1080', 'http://x/y', '', '', '', '', '', '', '', 'http://h/']),
    ('mixed_forms', ['p:1;http=p2:2', '', '', '', '', '', '', '', '', 'http://h/']),
]:
    seed('proxy_config_fuzzer', name, '\0'.join(fields))

# ------------------------------------------------- proxy_bypass_rules_fuzzer
# The rules text, NUL, a URL.
for name, rules, url in [
    ('hosts', 'example.test,*.sub.test;.dot.test', 'http://a.sub.test/'),
    ('glob', '*example*,192.168.1.*', 'https://myexample.org:8443/'),
    ('cidr', '10.0.0.0/8, fd00::/8, 127.0.0.1, [::1]:80', 'http://[fd00::5]/'),
    ('local', '<local>', 'http://intranet/'),
    ('scheme_port', 'https://*.example.test:8443,http://h.test', 'https://a.example.test:8443/'),
    ('all', '*', 'ws://anything.test/'),
    ('no_proxy_style', '.example.test localhost,::1 , 1.2.3.0/24', 'http://www.example.test./'),
    ('bad', '[::1,300.1.1.1/40,*:', 'http://0x7f.1/'),
]:
    seed('proxy_bypass_rules_fuzzer', name, rules + '\0' + url)

# --------------------------------------------------------- hosts_file_fuzzer
# A hosts file: ADDRESS NAME [ALIAS...] # comment, one entry a line.
seed('hosts_file_fuzzer', 'typical',
     '127.0.0.1\tlocalhost\n::1 localhost ip6-localhost\n# comment\n'
     '10.0.0.1 Web.Test www.test  # alias\n10.0.0.1 web.test\r\nfe80::1 web.test\n')
seed('hosts_file_fuzzer', 'bad',
     '300.1.1.1 a\n10.0.0.1\n10.0.0.2 10.0.0.3\nfe80::1%eth0 b\n[::1] c\n1.2.3.4 bad_name! ok.test')

# --------------------------------------------------------- host_rules_fuzzer
# One --resolve entry per line, applied in order.
seed('host_rules_fuzzer', 'add_remove',
     'origin.test:443:127.0.0.1\n+h.test:80:[::1],127.0.0.1\n-origin.test:443\n'
     'origin.test:*:127.0.0.2\n*:443:10.0.0.1\n*:*:::1')
seed('host_rules_fuzzer', 'replace', 'A.Test:80:1.2.3.4\na.test:80:5.6.7.8\n[::1]:8080:127.0.0.1')
seed('host_rules_fuzzer', 'bad', 'h:0:1.2.3.4\nh:80:\nh:80:not-an-ip\n:80:1.1.1.1\nh::1.1.1.1\n-h')
# '>': a --connect-to entry, HOST1:PORT1:ADDR:PORT2 (empty HOST1/PORT1: any).
seed('host_rules_fuzzer', 'connect_to',
     '>origin.test:443:127.0.0.1:8443\n>::[::1]:\n>*:80:10.0.0.1:8080\n'
     '>h.test:443:name.test:1\n>a:b:c\norigin.test:443:127.0.0.2,127.0.0.3')


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'tests/fuzz/corpus')
    if os.path.isdir(out):
        shutil.rmtree(out)
    for target, seeds in sorted(CORPORA.items()):
        d = os.path.join(out, target)
        os.makedirs(d)
        for name, data in seeds:
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data)
    total = sum(len(s) for s in CORPORA.values())
    print('make_corpus: %d seeds for %d targets in %s' % (total, len(CORPORA), out))


if __name__ == '__main__':
    main()
