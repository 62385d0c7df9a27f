#!/usr/bin/env python3
"""Check a TensorBoard event file written by Medulla, with the standard library only.

    read_events.py <write_tensorboard_sample> <out_dir>

Runs the writer (tests/engine/write_tensorboard_sample.cpp) into a fresh folder under
<out_dir>, then decodes the file independently of the C++ code: TFRecord framing
(uint64 length, masked CRC-32C of the length, data, masked CRC-32C of the data; the
CRC from a table built here), then the tensorflow.Event protobuf wire format
(wall_time 1:double, step 2:int64, file_version 3:string, summary 5:Summary with
Value{tag 1:string, simple_value 2:float}). The tensorboard package is not installed
on the CI machines; where it is, EventFileLoader reads the same file (see
bench/README.md).
"""
import os
import shutil
import struct
import subprocess
import sys


def crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


TABLE = crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def records(blob):
    pos = 0
    while pos < len(blob):
        header = blob[pos:pos + 8]
        if len(header) < 8:
            raise ValueError("truncated length at %d" % pos)
        (n,) = struct.unpack("<Q", header)
        (len_crc,) = struct.unpack("<I", blob[pos + 8:pos + 12])
        if len_crc != masked_crc(header):
            raise ValueError("bad length CRC at %d" % pos)
        data = blob[pos + 12:pos + 12 + n]
        if len(data) != n:
            raise ValueError("truncated record at %d" % pos)
        (data_crc,) = struct.unpack("<I", blob[pos + 12 + n:pos + 16 + n])
        if data_crc != masked_crc(data):
            raise ValueError("bad data CRC at %d" % pos)
        yield data
        pos += 16 + n


def varint(buf, pos):
    value, shift = 0, 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7


def fields(buf):
    """(field number, wire type, value) of one message."""
    pos = 0
    while pos < len(buf):
        key, pos = varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            n, pos = varint(buf, pos)
            value, pos = buf[pos:pos + n], pos + n
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError("unexpected wire type %d" % wire)
        yield field, wire, value


def decode_event(data):
    event = {"values": []}
    for field, wire, value in fields(data):
        if (field, wire) == (1, 1):
            event["wall_time"] = struct.unpack("<d", value)[0]
        elif (field, wire) == (2, 0):
            event["step"] = value - (1 << 64) if value >= 1 << 63 else value
        elif (field, wire) == (3, 2):
            event["file_version"] = value.decode("utf-8")
        elif (field, wire) == (5, 2):
            for f, w, v in fields(value):
                if (f, w) != (1, 2):
                    raise ValueError("Summary: unexpected field %d" % f)
                tag, simple = None, None
                for vf, vw, vv in fields(v):
                    if (vf, vw) == (1, 2):
                        tag = vv.decode("utf-8")
                    elif (vf, vw) == (2, 5):
                        simple = struct.unpack("<f", vv)[0]
                    else:
                        raise ValueError("Summary.Value: unexpected field %d" % vf)
                event["values"].append((tag, simple))
        else:
            raise ValueError("Event: unexpected field %d" % field)
    return event


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def expected():
    """What write_tensorboard_sample writes after the version record."""
    out = [(1700000000.0 + s, s, "train/loss", f32(1.0 / (s + 1))) for s in range(10)]
    out += [
        (1700000100.5, 9, "val/mean_dice", 0.8125),
        (1700000100.5, 9, "lr", f32(1e-4)),
        (1.0, -1, "Dice/\u00b5", -2.5),
        (2.0, 1 << 40, "big_step", 3.0),
    ]
    return out


def main():
    writer, out_dir = sys.argv[1], sys.argv[2]
    log_dir = os.path.join(out_dir, "tensorboard_sample")
    shutil.rmtree(log_dir, ignore_errors=True)
    path = subprocess.run([writer, log_dir], check=True, capture_output=True,
                          text=True).stdout.strip()
    name = os.path.basename(path)
    assert os.path.dirname(path) == log_dir, path
    assert name.startswith("events.out.tfevents."), name
    assert os.listdir(log_dir) == [name], os.listdir(log_dir)
    with open(path, "rb") as f:
        events = [decode_event(r) for r in records(f.read())]
    first = events[0]
    assert first.get("file_version") == "brain.Event:2", first
    assert first["values"] == [] and first["wall_time"] > 1.6e9, first
    want = expected()
    assert len(events) == 1 + len(want), len(events)
    for event, (wall, step, tag, value) in zip(events[1:], want):
        got = (event["wall_time"], event["step"], event["values"])
        assert got == (wall, step, [(tag, value)]), (got, (wall, step, tag, value))
    print("OK: %s: %d events, CRCs and fields as written" % (name, len(events)))


if __name__ == "__main__":
    main()
