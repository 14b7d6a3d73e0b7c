"""onnx_writer.py: a minimal ONNX protobuf writer (the fields of
lang/onnx.proto), so hostile models can be made without the onnx package.
Each function returns the encoded message as bytes."""
import struct


def _varint(v):
    v &= (1 << 64) - 1          # negative int64: ten bytes, as protobuf does
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _key(field, wire):
    return _varint(field << 3 | wire)


def f_int(field, v):
    return _key(field, 0) + _varint(v)


def f_bytes(field, b):
    if isinstance(b, str):
        b = b.encode()
    return _key(field, 2) + _varint(len(b)) + b


def f_float(field, v):
    return _key(field, 5) + struct.pack("<f", v)


def f_packed_int(field, vals):
    return f_bytes(field, b"".join(_varint(v) for v in vals))


def tensor(name, dims, floats=None, raw=None, dtype=1, location=None, external=None):
    m = b"".join(f_int(1, d) for d in dims) + f_int(2, dtype) + f_bytes(8, name)
    if floats is not None:
        m += f_bytes(4, struct.pack("<%df" % len(floats), *floats))
    if raw is not None:
        m += f_bytes(9, raw)
    for k, v in (external or {}).items():
        m += f_bytes(13, f_bytes(1, k) + f_bytes(2, v))
    if location is not None:
        m += f_int(14, location)
    return m


def attr_int(name, v):
    return f_bytes(1, name) + f_int(20, 2) + f_int(3, v)


def attr_ints(name, vals):
    return f_bytes(1, name) + f_int(20, 7) + b"".join(f_int(8, v) for v in vals)


def attr_float(name, v):
    return f_bytes(1, name) + f_int(20, 1) + f_float(2, v)


def node(op, inputs, outputs, name=None, attrs=()):
    m = b"".join(f_bytes(1, i) for i in inputs) + b"".join(f_bytes(2, o) for o in outputs)
    if name is not None:
        m += f_bytes(3, name)
    m += f_bytes(4, op)
    for a in attrs:
        m += f_bytes(5, a)
    return m


def value_info(name, dims):
    dm = b"".join(f_bytes(1, f_int(1, d) if isinstance(d, int) else f_bytes(2, d)) for d in dims)
    tt = f_int(1, 1) + f_bytes(2, dm)
    return f_bytes(1, name) + f_bytes(2, f_bytes(1, tt))


def graph(nodes, inputs, outputs, initializers=()):
    m = b"".join(f_bytes(1, n) for n in nodes) + f_bytes(2, "g")
    m += b"".join(f_bytes(5, t) for t in initializers)
    m += b"".join(f_bytes(11, v) for v in inputs)
    m += b"".join(f_bytes(12, v) for v in outputs)
    return m


def model(g, opset=13):
    return (f_int(1, 8) + f_bytes(2, "onnx_writer") + f_bytes(7, g)
            + f_bytes(8, f_bytes(1, "") + f_int(2, opset)))
