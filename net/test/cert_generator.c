#include "net/test/cert_generator.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/is_boringssl.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/mem.h"
#include "net/base/net_errors.h"

#define CN_DAY_S ((int64_t)24 * 60 * 60)

struct cn_test_cert {
  X509 *x509;
  EVP_PKEY *key;
  bool is_ca;
  char *pem;
  char *chain_pem;
  char *key_pem;
};

// Drains a memory BIO into a NUL-terminated heap string.
static char *bio_to_str(BIO *bio) {
  const uint8_t *data;
  size_t len;
  if (!BIO_mem_contents(bio, &data, &len))
    return NULL;
  return cn_xstrndup((const char *)data, len);
}

static EVP_PKEY *new_p256_key(void) {
  EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  EVP_PKEY *key = EVP_PKEY_new();
  if (!ec || !key || !EC_KEY_generate_key(ec) || !EVP_PKEY_assign_EC_KEY(key, ec)) {
    EC_KEY_free(ec);
    EVP_PKEY_free(key);
    return NULL;
  }
  return key;
}

static bool add_name(X509_NAME *name, const char *field, const char *value) {
  return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, (const uint8_t *)value, -1, -1,
                                    0) == 1;
}

static bool set_validity(X509 *x, const cn_test_cert_options *o) {
  int64_t nb = o->not_before_offset_s ? o->not_before_offset_s : -CN_DAY_S;
  int64_t na = o->not_after_offset_s ? o->not_after_offset_s : 365 * CN_DAY_S;
  // X509_gmtime_adj takes a long; the offsets are seconds from now, so days
  // and seconds are split to stay in range even where long is 32 bits.
  return X509_time_adj_ex(X509_getm_notBefore(x), (int)(nb / CN_DAY_S), (long)(nb % CN_DAY_S),
                          NULL) &&
         X509_time_adj_ex(X509_getm_notAfter(x), (int)(na / CN_DAY_S), (long)(na % CN_DAY_S), NULL);
}

static bool add_san(X509 *x, const cn_test_cert_options *o) {
  if (o->num_dns_names == 0 && o->num_ip_addresses == 0)
    return true;
  GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
  bool ok = names != NULL;
  for (size_t i = 0; ok && i < o->num_dns_names; i++) {
    GENERAL_NAME *gn = GENERAL_NAME_new();
    ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
    if (!gn || !ia5 || !ASN1_STRING_set(ia5, o->dns_names[i], -1)) {
      GENERAL_NAME_free(gn);
      ASN1_IA5STRING_free(ia5);
      ok = false;
      break;
    }
    GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
    ok = sk_GENERAL_NAME_push(names, gn) != 0;
    if (!ok)
      GENERAL_NAME_free(gn);
  }
  for (size_t i = 0; ok && i < o->num_ip_addresses; i++) {
    // a2i_IPADDRESS accepts dotted IPv4 and any IPv6 text form; NULL means
    // the caller passed something that is not an address.
    ASN1_OCTET_STRING *ip = a2i_IPADDRESS(o->ip_addresses[i]);
    GENERAL_NAME *gn = ip ? GENERAL_NAME_new() : NULL;
    if (!gn) {
      ASN1_OCTET_STRING_free(ip);
      ok = false;
      break;
    }
    GENERAL_NAME_set0_value(gn, GEN_IPADD, ip);
    ok = sk_GENERAL_NAME_push(names, gn) != 0;
    if (!ok)
      GENERAL_NAME_free(gn);
  }
  ok = ok && X509_add1_ext_i2d(x, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1;
  GENERAL_NAMES_free(names);
  return ok;
}

static bool add_key_usage(X509 *x, bool is_ca) {
  ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
  bool ok = ku != NULL;
  // Bit numbers from RFC 5280 4.2.1.3.
  if (is_ca) {
    ok = ok && ASN1_BIT_STRING_set_bit(ku, 5, 1);  // keyCertSign
    ok = ok && ASN1_BIT_STRING_set_bit(ku, 6, 1);  // cRLSign
  } else {
    ok = ok && ASN1_BIT_STRING_set_bit(ku, 0, 1);  // digitalSignature
  }
  ok = ok && X509_add1_ext_i2d(x, NID_key_usage, ku, 1, X509V3_ADD_DEFAULT) == 1;
  ASN1_BIT_STRING_free(ku);
  return ok;
}

static bool add_basic_constraints(X509 *x, bool is_ca) {
  BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
  if (!bc)
    return false;
  bc->ca = is_ca ? 0xff : 0;
  bool ok = X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, X509V3_ADD_DEFAULT) == 1;
  BASIC_CONSTRAINTS_free(bc);
  return ok;
}

static bool add_eku(X509 *x) {
  EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
  bool ok = eku && sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_server_auth)) &&
            sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_client_auth));
  ok = ok && X509_add1_ext_i2d(x, NID_ext_key_usage, eku, 0, X509V3_ADD_DEFAULT) == 1;
  // OBJ_nid2obj returns static objects; freeing the stack alone is right.
  sk_ASN1_OBJECT_free(eku);
  return ok;
}

static bool set_random_serial(X509 *x) {
  uint64_t serial;
  RAND_bytes((uint8_t *)&serial, sizeof(serial));
  serial >>= 1;  // positive and non-zero as RFC 5280 asks
  if (serial == 0)
    serial = 1;
  ASN1_INTEGER *i = ASN1_INTEGER_new();
  bool ok = i && ASN1_INTEGER_set_uint64(i, serial) && X509_set_serialNumber(x, i);
  ASN1_INTEGER_free(i);
  return ok;
}

static bool make_pems(cn_test_cert *c, const cn_test_cert *issuer) {
  BIO *b = BIO_new(BIO_s_mem());
  bool ok = b && PEM_write_bio_X509(b, c->x509);
  if (ok)
    c->pem = bio_to_str(b);
  BIO_free(b);
  b = BIO_new(BIO_s_mem());
  ok = ok && c->pem && b && PEM_write_bio_PrivateKey(b, c->key, NULL, NULL, 0, NULL, NULL);
  if (ok)
    c->key_pem = bio_to_str(b);
  BIO_free(b);
  if (!ok || !c->key_pem)
    return false;
  // An issuer that is not itself a self-signed root is an intermediate the
  // server must send along; its own chain_pem already lists its intermediates.
  bool issuer_is_root = !issuer || X509_NAME_cmp(X509_get_subject_name(issuer->x509),
                                                 X509_get_issuer_name(issuer->x509)) == 0;
  if (issuer_is_root)
    c->chain_pem = cn_xstrdup(c->pem);
  else
    c->chain_pem = cn_xasprintf("%s%s", c->pem, issuer->chain_pem);
  return true;
}

void cn_test_cert_free(cn_test_cert *c) {
  if (!c)
    return;
  X509_free(c->x509);
  EVP_PKEY_free(c->key);
  free(c->pem);
  free(c->chain_pem);
  free(c->key_pem);
  free(c);
}

cn_test_cert *cn_test_cert_new(const cn_test_cert_options *o, const cn_test_cert *issuer) {
  if (issuer && !issuer->is_ca)
    return NULL;
  cn_test_cert *c = CN_NEW(cn_test_cert);
  c->is_ca = o->is_ca;
  c->key = new_p256_key();
  c->x509 = X509_new();
  bool ok = c->key && c->x509 && X509_set_version(c->x509, X509_VERSION_3) &&
            set_random_serial(c->x509) && set_validity(c->x509, o) &&
            X509_set_pubkey(c->x509, c->key);
  X509_NAME *subject = X509_get_subject_name(c->x509);
  ok = ok && add_name(subject, "O", "cnet test") &&
       add_name(subject, "CN", o->common_name ? o->common_name : "cnet test");
  ok = ok && X509_set_issuer_name(c->x509, issuer ? X509_get_subject_name(issuer->x509) : subject);
  ok = ok && add_basic_constraints(c->x509, o->is_ca) && add_key_usage(c->x509, o->is_ca);
  if (!o->is_ca)
    ok = ok && add_eku(c->x509);
  ok = ok && add_san(c->x509, o);
  ok = ok && X509_sign(c->x509, issuer ? issuer->key : c->key, EVP_sha256()) > 0;
  ok = ok && make_pems(c, issuer);
  if (!ok) {
    cn_test_cert_free(c);
    return NULL;
  }
  return c;
}

cn_test_cert *cn_test_cert_new_ca(const char *common_name) {
  cn_test_cert_options o = {.common_name = common_name, .is_ca = true};
  return cn_test_cert_new(&o, NULL);
}

cn_test_cert *cn_test_cert_new_leaf(const char *host, const cn_test_cert *ca) {
  cn_test_cert_options o = {.common_name = host};
  // An IP literal must be an IP SAN: verifiers never match IPs against DNS
  // names. a2i_IPADDRESS is the same parser add_san() uses.
  ASN1_OCTET_STRING *ip = a2i_IPADDRESS(host);
  if (ip) {
    o.ip_addresses = &host;
    o.num_ip_addresses = 1;
    ASN1_OCTET_STRING_free(ip);
  } else {
    o.dns_names = &host;
    o.num_dns_names = 1;
  }
  return cn_test_cert_new(&o, ca);
}

const char *cn_test_cert_pem(const cn_test_cert *c) { return c->pem; }
const char *cn_test_cert_chain_pem(const cn_test_cert *c) { return c->chain_pem; }
const char *cn_test_cert_key_pem(const cn_test_cert *c) { return c->key_pem; }

int cn_test_write_pem_file(const char *path, const char *pem) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EACCES || errno == EPERM)
      return CN_ERR_ACCESS_DENIED;
    if (errno == ENOENT || errno == ENOTDIR)
      return CN_ERR_FILE_NOT_FOUND;
    return CN_ERR_FAILED;
  }
  size_t len = strlen(pem);
  size_t off = 0;
  while (off < len) {
    ssize_t n = write(fd, pem + off, len - off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      close(fd);
      return errno == ENOSPC ? CN_ERR_FILE_NO_SPACE : CN_ERR_FAILED;
    }
    off += (size_t)n;
  }
  return close(fd) == 0 ? CN_OK : CN_ERR_FAILED;
}
