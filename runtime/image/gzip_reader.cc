#include "runtime/image/gzip_reader.h"

#include <isa-l/igzip_lib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"

namespace podagent {
namespace {

constexpr size_t kInputBytes = 128 * 1024;

const char* InflateError(int r) {
  switch (r) {
    case ISAL_INVALID_BLOCK: return "invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK: return "invalid deflate distance";
    case ISAL_INVALID_WRAPPER: return "not a gzip stream (bad header)";
    case ISAL_UNSUPPORTED_METHOD: return "unsupported gzip compression method";
    case ISAL_INCORRECT_CHECKSUM: return "gzip CRC-32 or length does not match the data";
    case ISAL_NEED_DICT: return "deflate stream needs a preset dictionary";
    default: return "inflate failed";
  }
}

}  // namespace

struct GzipReader::State {
  struct inflate_state inflate;
  unsigned char in[kInputBytes];
  bool input_ended = false;
  bool ended = false;        // the last member's trailer was read and no member follows
  bool in_member = false;    // a member's header was started and its trailer not yet read
  int members = 0;           // members read to their trailer
};

GzipReader::GzipReader(Source source) : source_(std::move(source)), s_(std::make_unique<State>()) {
  isal_inflate_init(&s_->inflate);
  s_->inflate.crc_flag = ISAL_GZIP;
  s_->inflate.avail_in = 0;
}

GzipReader::~GzipReader() = default;

absl::Status GzipReader::Refill() {
  ASSIGN_OR_RETURN(size_t n, source_(reinterpret_cast<char*>(s_->in), sizeof s_->in));
  if (n == 0) s_->input_ended = true;
  s_->inflate.next_in = s_->in;
  s_->inflate.avail_in = static_cast<uint32_t>(n);
  return absl::OkStatus();
}

// After a member's trailer: another member follows only when the next byte is gzip's first magic byte.
absl::Status GzipReader::NextMemberOrEnd() {
  s_->in_member = false;
  ++s_->members;
  if (s_->inflate.avail_in == 0 && !s_->input_ended) RETURN_IF_ERROR(Refill());
  if (s_->inflate.avail_in == 0 || s_->inflate.next_in[0] != 0x1f) {
    s_->ended = true;
    return absl::OkStatus();
  }
  uint8_t* next = s_->inflate.next_in;
  uint32_t avail = s_->inflate.avail_in;
  isal_inflate_reset(&s_->inflate);
  s_->inflate.crc_flag = ISAL_GZIP;
  s_->inflate.next_in = next;
  s_->inflate.avail_in = avail;
  return absl::OkStatus();
}

absl::StatusOr<size_t> GzipReader::Read(char* out, size_t cap) {
  while (!s_->ended) {
    if (s_->inflate.block_state == ISAL_BLOCK_FINISH) {  // a member's trailer was checked
      RETURN_IF_ERROR(NextMemberOrEnd());
      continue;
    }
    if (s_->inflate.avail_in == 0 && !s_->input_ended) RETURN_IF_ERROR(Refill());
    if (s_->inflate.avail_in == 0 && s_->input_ended && !s_->in_member) {
      if (s_->members == 0) return absl::InvalidArgumentError("empty gzip stream");
      s_->ended = true;  // the input ended where another member could have started
      break;
    }
    s_->in_member = true;
    s_->inflate.next_out = reinterpret_cast<uint8_t*>(out);
    s_->inflate.avail_out = static_cast<uint32_t>(cap);
    uint32_t avail_in = s_->inflate.avail_in;
    int r = isal_inflate(&s_->inflate);
    if (r < 0 || r == ISAL_NEED_DICT) return absl::InvalidArgumentError(InflateError(r));
    size_t produced = cap - s_->inflate.avail_out;
    if (produced > 0) return produced;
    if (s_->inflate.block_state != ISAL_BLOCK_FINISH && s_->inflate.avail_in == avail_in && (avail_in > 0 || s_->input_ended)) {
      // Nothing consumed and nothing produced: the input ended inside a member.
      return absl::InvalidArgumentError("gzip stream cut short");
    }
  }
  return size_t{0};
}

GzipReader::Source FdSource(int fd) {
  return [fd](char* buf, size_t cap) -> absl::StatusOr<size_t> {
    for (;;) {
      ssize_t n = ::read(fd, buf, cap);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return ErrnoError("read the layer blob");
    }
  };
}

GzipReader::Source MemorySource(const std::string& data) {
  size_t pos = 0;
  return [&data, pos](char* buf, size_t cap) mutable -> absl::StatusOr<size_t> {
    size_t n = std::min(cap, data.size() - pos);
    std::memcpy(buf, data.data() + pos, n);
    pos += n;
    return n;
  };
}

}  // namespace podagent
