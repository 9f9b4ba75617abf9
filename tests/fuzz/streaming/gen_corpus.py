#!/usr/bin/env python3
"""Writes the SPDY/3.1 seed corpus (binary files) into corpus/. Run from this folder."""
import struct
import zlib

WORDS = ("options head post put delete trace accept accept-charset accept-encoding accept-language "
         "accept-ranges age allow authorization cache-control connection content-base content-encoding "
         "content-language content-length content-location content-md5 content-range content-type date etag "
         "expect expires from host if-match if-modified-since if-none-match if-range if-unmodified-since "
         "last-modified location max-forwards pragma proxy-authenticate proxy-authorization range referer "
         "retry-after server te trailer transfer-encoding upgrade user-agent vary via warning www-authenticate "
         "method get status").split() + ["200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie",
                                          "keep-alive", "origin"]
TAIL = (b"100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
        b"203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
        b"403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
        b"Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
        b"chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
        b"text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.")
DICT = b"".join(struct.pack(">I", len(w)) + w.encode() for w in WORDS) + TAIL
assert zlib.adler32(DICT) == 0xE3C6A7C2


def control(ftype, flags, payload):
    return struct.pack(">HHI", 0x8003, ftype, (flags << 24) | len(payload)) + payload


def data(sid, payload, fin=False):
    return struct.pack(">II", sid, ((1 if fin else 0) << 24) | len(payload)) + payload


class Deflater:
    def __init__(self):
        self.z = zlib.compressobj(zdict=DICT)

    def block(self, headers):
        raw = struct.pack(">I", len(headers))
        for k, v in headers:
            raw += struct.pack(">I", len(k)) + k.encode() + struct.pack(">I", len(v)) + v.encode()
        return self.z.compress(raw) + self.z.flush(zlib.Z_SYNC_FLUSH)


def syn(d, sid, headers, fin=False):
    return control(1, 1 if fin else 0, struct.pack(">IIH", sid, 0, 0) + d.block(headers))


def write(name, blob):
    with open("corpus/" + name, "wb") as f:
        f.write(blob)


d = Deflater()
exec_tty = (syn(d, 1, [("streamtype", "error")]) + syn(d, 3, [("streamtype", "stdin")]) +
            syn(d, 5, [("streamtype", "stdout")]) + syn(d, 7, [("streamtype", "resize")]) +
            data(7, b'{"Width":100,"Height":30}\n') + data(3, b"stty size\n") + data(3, b"", True) +
            control(6, 0, struct.pack(">I", 1)))
write("exec-tty", exec_tty)
d = Deflater()
write("exec-pipes", syn(d, 1, [("streamtype", "error")]) + syn(d, 3, [("streamtype", "stdout")]) +
      syn(d, 5, [("streamtype", "stderr")]) + control(7, 0, struct.pack(">II", 5, 0)))
d = Deflater()
write("portforward", syn(d, 1, [("streamtype", "error"), ("port", "80"), ("requestid", "0")], fin=True) +
      syn(d, 3, [("streamtype", "data"), ("port", "80"), ("requestid", "0")]) +
      data(3, b"GET / HTTP/1.0\r\n\r\n", True) + control(3, 0, struct.pack(">II", 3, 5)))
write("control-mix", control(4, 0, struct.pack(">IIIII", 2, 0x00000007, 65536, 0x00000004, 100)) +
      control(9, 0, struct.pack(">II", 0, 65536)) + control(6, 0, struct.pack(">I", 7)) +
      control(0x42, 0, b"ignored") + control(7, 0, struct.pack(">I", 0)))
d = Deflater()
write("header-bomb", syn(d, 1, [("x", "a" * (1 << 20))]))
write("header-garbage", control(1, 0, struct.pack(">IIH", 1, 0, 0) + b"not zlib at all"))
write("lying-settings", control(4, 0, struct.pack(">III", 5, 1, 2)))
write("huge-length", struct.pack(">II", 1, 0xFFFFFF) + b"x" * 64)
write("wrong-version", struct.pack(">HHI", 0x8002, 1, 10) + b"\0" * 10)
