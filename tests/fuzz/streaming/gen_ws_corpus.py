#!/usr/bin/env python3
"""Writes the WebSocket seed corpus (ws_fuzz.h's input format) into ws_corpus/. Run from this folder."""
import json
import struct
import zlib

EXEC, EXEC_TTY, ATTACH, PORT_FORWARD = 0, 1, 2, 3
ATTACH_TTY, BACKEND_ERROR = 4, 8
BINARY, TEXT, CLOSE, PING, PONG, CONT = 2, 1, 8, 9, 10, 0
NOT_FIN, UNMASKED, RAW = 0x10, 0x20, 0xFF


def rec(tag, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    return bytes([tag]) + struct.pack("<H", len(payload)) + payload


def seed(mode, protocols, query, frames):
    out = bytes([mode]) + rec(0, protocols) + rec(0, query)
    for tag, payload in frames:
        out += rec(tag, payload)
    return out


def ch(channel, data):
    if isinstance(data, str):
        data = data.encode()
    return bytes([channel]) + data


def resize(w, h):
    return ch(4, json.dumps({"Width": w, "Height": h}))


def spdy_syn(sid, headers):
    raw = struct.pack(">I", len(headers))
    for k, v in headers:
        raw += struct.pack(">I", len(k)) + k.encode() + struct.pack(">I", len(v)) + v.encode()
    block = zlib.compress(raw)  # not the SPDY dictionary: the server must refuse it cleanly
    body = struct.pack(">IIBB", sid, 0, 0, 0) + block
    return struct.pack(">HHI", 0x8003, 1, len(body)) + body


SEEDS = {
    # v5: stdin echoed by cat on channel 1, then stdin closed by [255, 0].
    "exec-v5-echo": seed(EXEC, "v5.channel.k8s.io", "", [
        (BINARY, ch(0, "hello from stdin\n")), (BINARY, bytes([255, 0]))]),
    "exec-v4-resize-ignored": seed(EXEC, "v4.channel.k8s.io", "", [
        (BINARY, resize(80, 24)), (BINARY, ch(0, "x")), (CLOSE, b"\x03\xe8bye")]),
    "exec-tty-resizes": seed(EXEC_TTY, "v5.channel.k8s.io,v4.channel.k8s.io", "", [
        (BINARY, resize(120, 40)), (BINARY, ch(4, '{"Width":1')), (BINARY, ch(4, '0,"Height":5}')),
        (BINARY, ch(4, '{"Width":-1,"Height":1e99}')), (BINARY, ch(4, "[]")), (BINARY, ch(0, "ls\n"))]),
    "exec-v1-fragmented": seed(EXEC, "channel.k8s.io", "", [
        (BINARY | NOT_FIN, ch(0, "frag")), (PING, b"p"), (CONT | NOT_FIN, b"ment"), (CONT, b"ed\n")]),
    "exec-no-protocol": seed(EXEC, "", "", [(BINARY, ch(0, "a")), (TEXT, ch(0, "text")), (BINARY, b"")]),
    "exec-unknown-protocol": seed(EXEC, "v9.channel.k8s.io, base64.channel.k8s.io", "", []),
    "exec-unmasked": seed(EXEC, "v4.channel.k8s.io", "", [(BINARY | UNMASKED, ch(0, "no mask"))]),
    "exec-raw-garbage": seed(EXEC, "v4.channel.k8s.io", "", [(RAW, b"\x82\xff" + b"\xff" * 8 + b"zz")]),
    "exec-bad-opcodes": seed(EXEC, "v5.channel.k8s.io", "", [
        (3, b"reserved"), (0x0b, b"ctl"), (CLOSE, b"\x03"), (PONG, b"unsolicited")]),
    "exec-close-signals": seed(EXEC, "v5.channel.k8s.io", "", [
        (BINARY, bytes([255])), (BINARY, bytes([255, 1])), (BINARY, bytes([255, 0, 0])),
        (BINARY, bytes([255, 0])), (BINARY, ch(0, "after close"))]),
    "attach-v4": seed(ATTACH, "v4.channel.k8s.io", "", [(BINARY, ch(0, "in")), (BINARY, resize(3, 4))]),
    "attach-tty-v5": seed(ATTACH | ATTACH_TTY, "v5.channel.k8s.io", "", [
        (BINARY, ch(0, "ls\n")), (BINARY, resize(200, 50)), (BINARY, bytes([255, 0]))]),
    "attach-gone": seed(ATTACH | BACKEND_ERROR, "v4.channel.k8s.io", "", [(BINARY, ch(0, "x"))]),
    "pf-two-ports": seed(PORT_FORWARD, "v4.channel.k8s.io", "port=80&port=8080", [
        (BINARY, ch(0, "GET / HTTP/1.0\r\n\r\n")), (BINARY, ch(2, "second")), (BINARY, ch(1, "to error")),
        (BINARY, ch(7, "no such port"))]),
    "pf-comma-list-refused-port": seed(PORT_FORWARD, "portforward.k8s.io", "port=9,443", [
        (BINARY, ch(0, "refused")), (BINARY, ch(2, "ok"))]),
    "pf-bad-port": seed(PORT_FORWARD, "v4.channel.k8s.io", "port=70000", []),
    "pf-bad-queries": seed(PORT_FORWARD, "v4.channel.k8s.io", "x=1&port=&port=-1", []),
    "pf-no-query": seed(PORT_FORWARD, "v4.channel.k8s.io", "", []),
    "pf-spdy-tunnel": seed(PORT_FORWARD, "SPDY/3.1+portforward.k8s.io", "", [
        (BINARY, spdy_syn(1, [("streamtype", "error"), ("port", "80"), ("requestid", "0")])),
        (BINARY, b"\x80\x03\x00\x06\x00\x00\x00\x04\x00\x00\x00\x01")]),
}

for name, data in SEEDS.items():
    with open(f"ws_corpus/{name}", "wb") as f:
        f.write(data)
