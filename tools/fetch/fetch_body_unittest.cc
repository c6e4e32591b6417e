#include "tools/fetch/fetch_body.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

// A temporary file with |content|, removed at the end of the test.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string &content, const char *suffix = "") {
    char tmpl[] = "/tmp/fetch_body_XXXXXX";
    int fd = mkstemp(tmpl);
    close(fd);
    path = std::string(tmpl) + suffix;
    rename(tmpl, path.c_str());
    FILE *f = fopen(path.c_str(), "wb");
    fwrite(content.data(), 1, content.size(), f);
    fclose(f);
  }
  ~TempFile() { unlink(path.c_str()); }
};

std::string Body(const fetch_body &b) { return std::string(b.data, b.len); }

TEST(FetchBodyTest, DataPiecesJoinWithAmpersandAndReadFiles) {
  TempFile file("line1\r\nline2\n");
  std::string at = "@" + file.path;
  fetch_data data[] = {{FETCH_DATA_ASCII, "a=1"},
                       {FETCH_DATA_ASCII, at.c_str()},
                       {FETCH_DATA_BINARY, at.c_str()},
                       {FETCH_DATA_RAW, "@literal"}};
  fetch_options o = {};
  o.data = data;
  o.num_data = 4;
  fetch_body b;
  char err[256] = "";
  ASSERT_TRUE(fetch_body_build(&o, nullptr, &b, err, sizeof(err))) << err;
  EXPECT_TRUE(b.present);
  EXPECT_STREQ("POST", b.method);
  EXPECT_EQ("a=1&line1line2&line1\r\nline2\n&@literal", Body(b));
  EXPECT_STREQ("application/x-www-form-urlencoded", b.content_type);
  EXPECT_FALSE(b.json);
  fetch_body_free(&b);
}

TEST(FetchBodyTest, JsonPiecesAreConcatenated) {
  fetch_data data[] = {{FETCH_DATA_JSON, "{\"a\":"}, {FETCH_DATA_JSON, "1}"}};
  fetch_options o = {};
  o.data = data;
  o.num_data = 2;
  fetch_body b;
  char err[256] = "";
  ASSERT_TRUE(fetch_body_build(&o, nullptr, &b, err, sizeof(err))) << err;
  EXPECT_EQ("{\"a\":1}", Body(b));
  EXPECT_STREQ("application/json", b.content_type);
  EXPECT_TRUE(b.json);
  fetch_body_free(&b);
}

TEST(FetchBodyTest, MultipartAsCurlWritesIt) {
  TempFile file("hello\n", ".txt");
  TempFile value("from a file");
  std::string f1 = "upload=@" + file.path, f2 = "v=<" + value.path;
  char *forms[] = {const_cast<char *>("name=cnet"), &f1[0], &f2[0]};
  fetch_options o = {};
  o.forms = forms;
  o.num_forms = 3;
  fetch_body b;
  char err[256] = "";
  ASSERT_TRUE(fetch_body_build(&o, "BOUNDARY", &b, err, sizeof(err))) << err;
  std::string base = file.path.substr(file.path.rfind('/') + 1);
  EXPECT_EQ("--BOUNDARY\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\ncnet\r\n"
            "--BOUNDARY\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"" +
                base +
                "\"\r\nContent-Type: text/plain\r\n\r\nhello\n\r\n"
                "--BOUNDARY\r\nContent-Disposition: form-data; name=\"v\"\r\n\r\nfrom a file\r\n"
                "--BOUNDARY--\r\n",
            Body(b));
  EXPECT_STREQ("multipart/form-data; boundary=BOUNDARY", b.content_type);
  fetch_body_free(&b);
}

TEST(FetchBodyTest, UploadFileIsPutAsIs) {
  // NULs inside: the body is kept by length.
  TempFile file(std::string("\0\1\2binary\0end", 13));
  fetch_options o = {};
  o.upload_file = file.path.c_str();
  fetch_body b;
  char err[256] = "";
  ASSERT_TRUE(fetch_body_build(&o, nullptr, &b, err, sizeof(err))) << err;
  EXPECT_STREQ("PUT", b.method);
  EXPECT_EQ(std::string("\0\1\2binary\0end", 13), Body(b));
  EXPECT_STREQ("", b.content_type);
  fetch_body_free(&b);
}

TEST(FetchBodyTest, UnreadableFileIsNamed) {
  fetch_data data[] = {{FETCH_DATA_ASCII, "@/nonexistent/file"}};
  fetch_options o = {};
  o.data = data;
  o.num_data = 1;
  fetch_body b;
  char err[256] = "";
  EXPECT_FALSE(fetch_body_build(&o, nullptr, &b, err, sizeof(err)));
  EXPECT_NE(nullptr, strstr(err, "'/nonexistent/file'")) << err;
}

TEST(FetchBodyTest, NoBodyOptionsNoBody) {
  fetch_options o = {};
  fetch_body b;
  char err[256] = "";
  ASSERT_TRUE(fetch_body_build(&o, nullptr, &b, err, sizeof(err)));
  EXPECT_FALSE(b.present);
  fetch_body_free(&b);
}

TEST(FetchBodyTest, GuessesTypesAsCurl) {
  EXPECT_STREQ("image/png", fetch_body_guess_type("a.PNG"));
  EXPECT_STREQ("text/html", fetch_body_guess_type("index.html"));
  EXPECT_STREQ("application/octet-stream", fetch_body_guess_type("data.bin"));
}

}  // namespace
