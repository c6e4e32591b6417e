#include "net/http/http_content_decoder.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>

#include "net/base/net_errors.h"

namespace {

enum Format { kGzip, kZlib, kRaw };

// Compresses with zlib itself, so the decoder is tested against the real
// encoder's output.
std::string Compress(const std::string &in, Format format, int level = Z_DEFAULT_COMPRESSION) {
  z_stream zs{};
  int bits = format == kGzip ? 16 + MAX_WBITS : format == kZlib ? MAX_WBITS : -MAX_WBITS;
  EXPECT_EQ(Z_OK, deflateInit2(&zs, level, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY));
  std::string out(deflateBound(&zs, in.size()) + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef *>(&out[0]);
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(Z_STREAM_END, deflate(&zs, Z_FINISH));
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string SampleText(size_t n) {
  std::string s;
  std::mt19937 rng(42);
  const char *words[] = {"cnet ", "proxy ", "tunnel ", "session ", "stream ", "\n"};
  while (s.size() < n)
    s += words[rng() % 6];
  s.resize(n);
  return s;
}

// Decodes |in| fed in pieces of |in_step| into outputs of |out_step| bytes,
// draining at the end. Returns the decoded bytes; |*rv| gets CN_OK or the
// first error (decode or finish).
std::string Decode(cn_http_content_decoder *d, const std::string &in, size_t in_step,
                   size_t out_step, int *rv) {
  std::string out;
  std::string buf(out_step, '\0');
  *rv = CN_OK;
  size_t pos = 0;
  while (pos < in.size()) {
    size_t n = std::min(in_step, in.size() - pos);
    const uint8_t *p = reinterpret_cast<const uint8_t *>(in.data()) + pos;
    size_t used = 0;
    int got = cn_http_content_decoder_decode(d, p, n, &used, reinterpret_cast<uint8_t *>(&buf[0]),
                                             out_step);
    if (got < 0) {
      *rv = got;
      return out;
    }
    out.append(buf.data(), static_cast<size_t>(got));
    EXPECT_TRUE(got > 0 || used == n) << "no output and input left";
    pos += used;
  }
  while (true) {
    size_t used = 0;
    int got = cn_http_content_decoder_decode(d, nullptr, 0, &used,
                                             reinterpret_cast<uint8_t *>(&buf[0]), out_step);
    if (got < 0) {
      *rv = got;
      return out;
    }
    if (got == 0)
      break;
    out.append(buf.data(), static_cast<size_t>(got));
  }
  *rv = cn_http_content_decoder_finish(d);
  return out;
}

std::string DecodeWith(const char *encoding, const std::string &in, int *rv,
                       size_t in_step = 1 << 20, size_t out_step = 1 << 16,
                       const cn_http_content_decoder_options *opts = nullptr) {
  cn_http_content_decoder *d = nullptr;
  int create = cn_http_content_decoder_create(encoding, opts, &d);
  EXPECT_EQ(CN_OK, create);
  EXPECT_NE(nullptr, d);
  if (!d) {
    *rv = CN_ERR_UNEXPECTED;
    return "";
  }
  std::string out = Decode(d, in, in_step, out_step, rv);
  cn_http_content_decoder_destroy(d);
  return out;
}

TEST(HttpContentDecoderTest, RoundTripsEveryFormatAndSplit) {
  const std::string text = SampleText(200000);
  struct {
    const char *encoding;
    Format format;
  } cases[] = {{"gzip", kGzip}, {"x-gzip", kGzip}, {"GZIP", kGzip},
               {"deflate", kZlib}, {"deflate", kRaw}};
  for (const auto &c : cases) {
    std::string wire = Compress(text, c.format);
    ASSERT_LT(wire.size(), text.size() / 3);
    for (size_t in_step : {size_t(1), size_t(7), size_t(4096), wire.size()}) {
      for (size_t out_step : {size_t(1), size_t(100), size_t(65536)}) {
        if (in_step == 1 && out_step == 1)
          continue;  // slow and adds nothing over (1, 100)
        SCOPED_TRACE(std::string(c.encoding) + " format " + std::to_string(c.format) + " in " +
                     std::to_string(in_step) + " out " + std::to_string(out_step));
        int rv;
        std::string out = DecodeWith(c.encoding, wire, &rv, in_step, out_step);
        EXPECT_EQ(CN_OK, rv);
        EXPECT_TRUE(out == text) << "decoded " << out.size() << " bytes";
      }
    }
  }
}

TEST(HttpContentDecoderTest, MultipleCodingsAreUndoneInReverseOrder) {
  const std::string text = SampleText(50000);
  // "deflate, gzip": deflate was applied first, then gzip.
  std::string wire = Compress(Compress(text, kRaw), kGzip, Z_NO_COMPRESSION);
  int rv;
  EXPECT_EQ(text, DecodeWith("deflate, gzip", wire, &rv, 333, 1000));
  EXPECT_EQ(CN_OK, rv);
  // The wrong order fails.
  std::string out = DecodeWith("gzip, deflate", wire, &rv);
  EXPECT_EQ(CN_ERR_CONTENT_DECODING_FAILED, rv);
  // identity and empty elements are skipped.
  EXPECT_EQ(text, DecodeWith("identity, deflate,, gzip ,identity", wire, &rv, 4096, 4096));
  EXPECT_EQ(CN_OK, rv);
  std::string triple = Compress(Compress(Compress(text, kGzip), kZlib), kGzip);
  EXPECT_EQ(text, DecodeWith("gzip,deflate,gzip", triple, &rv, 5000, 777));
  EXPECT_EQ(CN_OK, rv);
}

TEST(HttpContentDecoderTest, NothingToDecode) {
  cn_http_content_decoder *d = reinterpret_cast<cn_http_content_decoder *>(1);
  EXPECT_EQ(CN_OK, cn_http_content_decoder_create(nullptr, nullptr, &d));
  EXPECT_EQ(nullptr, d);
  EXPECT_EQ(CN_OK, cn_http_content_decoder_create("", nullptr, &d));
  EXPECT_EQ(nullptr, d);
  EXPECT_EQ(CN_OK, cn_http_content_decoder_create(" identity ", nullptr, &d));
  EXPECT_EQ(nullptr, d);
}

TEST(HttpContentDecoderTest, UnknownOrTooManyCodingsFail) {
  cn_http_content_decoder *d = nullptr;
  EXPECT_EQ(CN_ERR_CONTENT_DECODING_FAILED, cn_http_content_decoder_create("br", nullptr, &d));
  EXPECT_EQ(nullptr, d);
  EXPECT_EQ(CN_ERR_CONTENT_DECODING_FAILED,
            cn_http_content_decoder_create("gzip, zstd", nullptr, &d));
  EXPECT_EQ(CN_ERR_CONTENT_DECODING_FAILED,
            cn_http_content_decoder_create("gzip, gzip, gzip, gzip, gzip", nullptr, &d));
  EXPECT_EQ(nullptr, d);
  EXPECT_EQ(CN_OK, cn_http_content_decoder_create("gzip, gzip, gzip, gzip", nullptr, &d));
  EXPECT_NE(nullptr, d);
  cn_http_content_decoder_destroy(d);
}

TEST(HttpContentDecoderTest, CorruptInputFails) {
  const std::string text = SampleText(10000);
  int rv;
  std::string gz = Compress(text, kGzip);
  std::string bad = gz;
  bad[bad.size() / 2] ^= 0x55;
  bad[bad.size() / 2 + 1] ^= 0xaa;
  DecodeWith("gzip", bad, &rv);
  EXPECT_EQ(CN_ERR_CONTENT_DECODING_FAILED, rv);
  // Not gzip at all.
  DecodeWith("gzip", "this is plain text, not gzip", &rv);
  EXPECT_EQ(CN_ERR_CONTENT_DECODING_FAILED, rv);
  // A bad gzip trailer (CRC).
  std::string crc = gz;
  crc[crc.size() - 6] ^= 1;
  DecodeWith("gzip", crc, &rv);
  EXPECT_EQ(CN_ERR_CONTENT_DECODING_FAILED, rv);
  // Truncated streams fail at finish.
  DecodeWith("gzip", gz.substr(0, gz.size() - 4), &rv);
  EXPECT_EQ(CN_ERR_CONTENT_DECODING_FAILED, rv);
  std::string raw = Compress(text, kRaw);
  DecodeWith("deflate", raw.substr(0, raw.size() / 2), &rv);
  EXPECT_EQ(CN_ERR_CONTENT_DECODING_FAILED, rv);
  DecodeWith("deflate", raw.substr(0, 1), &rv);
  EXPECT_EQ(CN_ERR_CONTENT_DECODING_FAILED, rv);
}

TEST(HttpContentDecoderTest, EmptyBodyAndTrailingBytes) {
  int rv;
  EXPECT_EQ("", DecodeWith("gzip", "", &rv));
  EXPECT_EQ(CN_OK, rv);
  // Bytes after the end of the gzip stream are ignored, as browsers do.
  std::string gz = Compress("payload", kGzip) + "trailing garbage";
  EXPECT_EQ("payload", DecodeWith("gzip", gz, &rv, 3, 5));
  EXPECT_EQ(CN_OK, rv);
}

TEST(HttpContentDecoderTest, OutputLimitStopsABomb) {
  std::string zeros(10 * 1024 * 1024, '\0');
  std::string bomb = Compress(zeros, kGzip, 9);
  ASSERT_LT(bomb.size(), 20000u);
  cn_http_content_decoder_options opts{};
  opts.max_output_bytes = 1024 * 1024;
  int rv;
  std::string out = DecodeWith("gzip", bomb, &rv, 4096, 65536, &opts);
  EXPECT_EQ(CN_ERR_CONTENT_DECODING_FAILED, rv);
  EXPECT_LE(out.size(), opts.max_output_bytes);
  // Exactly at the limit is fine.
  opts.max_output_bytes = zeros.size();
  out = DecodeWith("gzip", bomb, &rv, 4096, 65536, &opts);
  EXPECT_EQ(CN_OK, rv);
  EXPECT_EQ(zeros.size(), out.size());
}

TEST(HttpContentDecoderTest, RatioLimitStopsABomb) {
  std::string zeros(10 * 1024 * 1024, '\0');
  std::string bomb = Compress(zeros, kZlib, 9);
  cn_http_content_decoder_options opts{};
  opts.max_ratio = 100;
  int rv;
  std::string out = DecodeWith("deflate", bomb, &rv, 1024, 65536, &opts);
  EXPECT_EQ(CN_ERR_CONTENT_DECODING_FAILED, rv);
  EXPECT_LT(out.size(), zeros.size());
  // Ordinary text stays well under the ratio.
  const std::string text = SampleText(3 * 1024 * 1024);
  out = DecodeWith("deflate", Compress(text, kZlib), &rv, 4096, 65536, &opts);
  EXPECT_EQ(CN_OK, rv);
  EXPECT_TRUE(out == text);
}

TEST(HttpContentDecoderTest, CountsBytes) {
  std::string wire = Compress("hello hello hello", kGzip);
  cn_http_content_decoder *d = nullptr;
  ASSERT_EQ(CN_OK, cn_http_content_decoder_create("gzip", nullptr, &d));
  int rv;
  EXPECT_EQ("hello hello hello", Decode(d, wire, 5, 4, &rv));
  EXPECT_EQ(CN_OK, rv);
  EXPECT_EQ(wire.size(), cn_http_content_decoder_bytes_in(d));
  EXPECT_EQ(17u, cn_http_content_decoder_bytes_out(d));
  cn_http_content_decoder_destroy(d);
}

}  // namespace
