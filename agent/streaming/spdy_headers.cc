#include "agent/streaming/spdy_headers.h"

#include <strings.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace podagent::spdy {
namespace {

// The dictionary of the SPDY/3 draft (section 2.6.10.1): these words, each preceded by its
// length as a 32-bit big-endian integer, then the tail below as it is.
constexpr const char* kDictWords[] = {
    "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding",
    "accept-language", "accept-ranges", "age", "allow", "authorization", "cache-control", "connection",
    "content-base", "content-encoding", "content-language", "content-length", "content-location", "content-md5",
    "content-range", "content-type", "date", "etag", "expect", "expires", "from", "host", "if-match",
    "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified", "location",
    "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer", "retry-after",
    "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning",
    "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie",
    "keep-alive", "origin"};

constexpr const char* kDictTail =
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
    "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
    "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
    "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
    "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

void Put32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

std::string BuildDictionary() {
  std::string d;
  for (const char* w : kDictWords) {
    std::string_view s(w);
    Put32(d, static_cast<uint32_t>(s.size()));
    d.append(s);
  }
  d.append(kDictTail);
  return d;
}

// Reads a length-prefixed string at `pos`; false when it does not fit.
bool ReadString(std::string_view raw, size_t& pos, std::string& out) {
  if (raw.size() - pos < 4) return false;
  const auto* b = reinterpret_cast<const unsigned char*>(raw.data() + pos);
  size_t n = (size_t{b[0]} << 24) | (size_t{b[1]} << 16) | (size_t{b[2]} << 8) | size_t{b[3]};
  pos += 4;
  if (n > raw.size() - pos) return false;
  out.assign(raw.substr(pos, n));
  pos += n;
  return true;
}

const Bytef* DictBytes() { return reinterpret_cast<const Bytef*>(HeaderDictionary().data()); }
uInt DictSize() { return static_cast<uInt>(HeaderDictionary().size()); }

}  // namespace

const std::string& HeaderDictionary() {
  static const std::string* dict = new std::string(BuildDictionary());
  return *dict;
}

std::string EncodeHeaderBlock(const HeaderList& headers) {
  std::string out;
  Put32(out, static_cast<uint32_t>(headers.size()));
  for (const auto& [name, value] : headers) {
    Put32(out, static_cast<uint32_t>(name.size()));
    out.append(absl::AsciiStrToLower(name));
    Put32(out, static_cast<uint32_t>(value.size()));
    out.append(value);
  }
  return out;
}

absl::StatusOr<HeaderList> DecodeHeaderBlock(std::string_view raw) {
  if (raw.size() < 4) return absl::InvalidArgumentError("spdy: header block shorter than its count");
  const auto* b = reinterpret_cast<const unsigned char*>(raw.data());
  size_t count = (size_t{b[0]} << 24) | (size_t{b[1]} << 16) | (size_t{b[2]} << 8) | size_t{b[3]};
  if (count > kMaxHeaderPairs) return absl::InvalidArgumentError(absl::StrCat("spdy: header block of ", count, " pairs"));
  HeaderList out;
  size_t pos = 4;
  for (size_t i = 0; i < count; ++i) {
    std::string name, value;
    if (!ReadString(raw, pos, name) || !ReadString(raw, pos, value)) {
      return absl::InvalidArgumentError(absl::StrCat("spdy: header block truncated at pair ", i));
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  if (pos != raw.size()) return absl::InvalidArgumentError("spdy: trailing bytes after the header block");
  return out;
}

std::string HeaderValue(const HeaderList& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (n.size() == name.size() && ::strncasecmp(n.data(), name.data(), n.size()) == 0) {
      return v.substr(0, v.find('\0'));
    }
  }
  return "";
}

HeaderCompressor::HeaderCompressor() {
  ok_ = deflateInit(&z_, Z_DEFAULT_COMPRESSION) == Z_OK;
  if (ok_) ok_ = deflateSetDictionary(&z_, DictBytes(), DictSize()) == Z_OK;
}

HeaderCompressor::~HeaderCompressor() { deflateEnd(&z_); }

absl::StatusOr<std::string> HeaderCompressor::Compress(const HeaderList& headers) {
  if (!ok_) return absl::InternalError("spdy: zlib deflate init failed");
  std::string in = EncodeHeaderBlock(headers);
  std::string out;
  z_.next_in = reinterpret_cast<Bytef*>(in.data());
  z_.avail_in = static_cast<uInt>(in.size());
  char buf[4096];
  do {
    z_.next_out = reinterpret_cast<Bytef*>(buf);
    z_.avail_out = sizeof buf;
    if (deflate(&z_, Z_SYNC_FLUSH) == Z_STREAM_ERROR) return absl::InternalError("spdy: deflate failed");
    out.append(buf, sizeof buf - z_.avail_out);
  } while (z_.avail_out == 0);
  return out;
}

HeaderDecompressor::HeaderDecompressor() { ok_ = inflateInit(&z_) == Z_OK; }

HeaderDecompressor::~HeaderDecompressor() { inflateEnd(&z_); }

absl::StatusOr<HeaderList> HeaderDecompressor::Decompress(std::string_view block) {
  if (!ok_) return absl::InternalError("spdy: zlib inflate init failed");
  std::string out;
  z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
  z_.avail_in = static_cast<uInt>(block.size());
  char buf[4096];
  for (;;) {
    z_.next_out = reinterpret_cast<Bytef*>(buf);
    z_.avail_out = sizeof buf;
    int rc = inflate(&z_, Z_SYNC_FLUSH);
    if (rc == Z_NEED_DICT) {
      if (inflateSetDictionary(&z_, DictBytes(), DictSize()) != Z_OK) {
        ok_ = false;
        return absl::InvalidArgumentError("spdy: header block wants a dictionary other than SPDY/3's");
      }
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) {
      ok_ = false;  // the stream state is lost: the connection cannot continue
      return absl::InvalidArgumentError(absl::StrCat("spdy: inflate header block: ", z_.msg ? z_.msg : "error ", rc));
    }
    out.append(buf, sizeof buf - z_.avail_out);
    if (out.size() > kMaxHeaderBlock) {
      ok_ = false;
      return absl::InvalidArgumentError("spdy: header block exceeds 64 KiB");
    }
    if (rc != Z_OK || (z_.avail_in == 0 && z_.avail_out != 0)) break;
  }
  return DecodeHeaderBlock(out);
}

}  // namespace podagent::spdy
