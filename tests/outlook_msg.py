"""A small Outlook .msg writer for tests: nothing on PyPI writes .msg files, so the fixture is built here.

A .msg is a Compound File (MS-CFB, version 3: 512-byte sectors, streams under 4096 bytes in 64-byte mini
sectors) holding MAPI properties as MS-OXMSG lays them out: `__properties_version1.0` with the fixed-size
values, one `__substg1.0_<tag>` stream per string or binary value, one storage per attachment.
"""
from __future__ import annotations

import struct
from email.utils import parsedate_to_datetime

FREE, END, FAT_SECTOR, NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR, MINI, CUTOFF = 512, 64, 4096
STRING, BINARY, LONG, TIME = 0x001F, 0x0102, 0x0003, 0x0040


def _entry_key(name: str) -> tuple[int, str]:
    return len(name), name.upper()  # the order MS-CFB keeps siblings in


class _Node:
    def __init__(self, name: str, data: bytes | None = None):
        self.name, self.data, self.children = name, data, []  # data None: a storage
        self.id = 0
        self.start, self.size = END, 0


def _tree(items: dict) -> list[_Node]:
    nodes = []
    for name, value in items.items():
        node = _Node(name, None if isinstance(value, dict) else value)
        if isinstance(value, dict):
            node.children = _tree(value)
        nodes.append(node)
    return nodes


def write_cfb(items: dict) -> bytes:
    """A compound file from {name: bytes (a stream) or dict (a storage)}."""
    root = _Node("Root Entry")
    root.children = _tree(items)
    order: list[_Node] = []

    def number(node):
        node.id = len(order)
        order.append(node)
        for child in node.children:
            number(child)

    number(root)
    # small streams go to the mini stream (held in the root entry's own stream), large ones to sectors
    mini_data, mini_fat = bytearray(), []
    big: list[_Node] = []
    for node in order:
        if node.data is None:
            continue
        node.size = len(node.data)
        if node.size == 0:
            node.start = END
        elif node.size < CUTOFF:
            first = len(mini_data) // MINI
            count = -(-node.size // MINI)
            mini_data += node.data.ljust(count * MINI, b"\0")
            mini_fat += [first + i + 1 for i in range(count - 1)] + [END]
            node.start = first
        else:
            big.append(node)
    blobs: list[tuple[str, bytes]] = []  # sector runs in file order: (what, bytes)
    if mini_data:
        blobs.append(("ministream", bytes(mini_data)))
    for node in big:
        blobs.append((f"node{node.id}", node.data))
    blobs.append(("minifat", b"".join(struct.pack("<I", v) for v in mini_fat)) if mini_fat else ("minifat", b""))
    dir_entries = b"".join(_dir_entry(n) for n in order)  # placeholders first, filled below
    blobs.append(("dir", dir_entries))
    # lay the runs out in sectors after the FAT sectors
    runs, cursor = {}, 0
    for what, data in blobs:
        count = -(-len(data) // SECTOR) if data else 0
        runs[what] = (cursor, count)
        cursor += count
    data_sectors = cursor
    fat_count = 1
    while fat_count * (SECTOR // 4) < data_sectors + fat_count:
        fat_count += 1
    fat = [FAT_SECTOR] * fat_count
    shift = fat_count

    for what, (start, count) in runs.items():
        fat += [shift + start + i + 1 for i in range(count - 1)] + ([END] if count else [])
    fat += [FREE] * (fat_count * (SECTOR // 4) - len(fat))

    def start_of(what):
        start, count = runs[what]
        return shift + start if count else END

    if mini_data:
        root.start, root.size = start_of("ministream"), len(mini_data)
    for node in big:
        node.start = start_of(f"node{node.id}")
    dir_entries = b"".join(_dir_entry(n) for n in order)
    body = b""
    for what, data in blobs:
        data = dir_entries if what == "dir" else data
        if data:
            body += data.ljust(runs[what][1] * SECTOR, b"\0")
    difat = [shift - fat_count + i for i in range(fat_count)] + [FREE] * (109 - fat_count)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16, 0x3E, 3,
                         0xFFFE, 9, 6, b"\0" * 6, 0, fat_count, start_of("dir"), 0, CUTOFF,
                         start_of("minifat"), runs["minifat"][1], END, 0)
    header += b"".join(struct.pack("<I", v) for v in difat)
    return header + b"".join(struct.pack("<I", v) for v in fat) + body


def _dir_entry(node: _Node) -> bytes:
    name = node.name.encode("utf-16-le") + b"\0\0"
    kind = 5 if node.name == "Root Entry" else (1 if node.data is None else 2)
    child = NONE
    kids = sorted(node.children, key=lambda n: _entry_key(n.name))
    # siblings as a chain through the right pointers: a valid (if unbalanced) binary search tree, all black
    for a, b in zip(kids, kids[1:]):
        a.right = b.id
    if kids:
        child = kids[0].id
    right = getattr(node, "right", NONE)
    return struct.pack("<64sHBBIII16sIQQIII", name.ljust(64, b"\0"), len(name), kind, 1, NONE, right, child,
                       b"\0" * 16, 0, 0, 0, node.start if node.data is not None or kind == 5 else 0,
                       node.size, 0)


def _string(tag: int, text: str) -> tuple[str, bytes]:
    return f"__substg1.0_{tag:04X}{STRING:04X}", text.encode("utf-16-le")


def _props(fixed: list[tuple[int, int, int]], variable: dict[str, bytes], header: bytes) -> bytes:
    """`__properties_version1.0`: the header, then 16 bytes per property (tag, flags, value or size)."""
    out = header
    for tag, ptype, value in fixed:
        out += struct.pack("<IIQ", (tag << 16) | ptype, 6, value)
    for name, data in variable.items():
        tag, ptype = int(name[12:16], 16), int(name[16:20], 16)
        out += struct.pack("<IIII", (tag << 16) | ptype, 6, len(data) + (2 if ptype == STRING else 0), 0)
    return out


def write_msg(sender: str, to: str, subject: str, date: str, body: str,
              attachments: list[tuple[str, bytes]] = ()) -> bytes:
    """An Outlook e-mail: sender and recipients as in the transport headers, a plain body, attachments."""
    headers = f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMIME-Version: 1.0\r\n\r\n"
    streams = dict([_string(0x001A, "IPM.Note"), _string(0x0037, subject), _string(0x0E04, to),
                    _string(0x0C1A, sender.split("<")[0].strip()), _string(0x1000, body),
                    _string(0x007D, headers)])
    items: dict = {"__nameid_version1.0": {"__substg1.0_00020102": b"", "__substg1.0_00030102": b"",
                                           "__substg1.0_00040102": b""}}
    for i, (name, data) in enumerate(attachments):
        att = dict([_string(0x3707, name), _string(0x3704, name[:12]), _string(0x3703, "." + name.rsplit(".", 1)[-1])])
        att[f"__substg1.0_3701{BINARY:04X}"] = data
        att["__properties_version1.0"] = _props([(0x3705, LONG, 1), (0x0E21, LONG, i)], att, b"\0" * 8)
        items[f"__attach_version1.0_#{i:08X}"] = att
    count = len(attachments)
    header = struct.pack("<8sIIII8s", b"\0" * 8, 0, count, 0, count, b"\0" * 8)
    items.update(streams)
    sent = int((parsedate_to_datetime(date).timestamp() + 11644473600) * 10_000_000)  # a FILETIME
    items["__properties_version1.0"] = _props([(0x0E07, LONG, 1), (0x0039, TIME, sent), (0x0E06, TIME, sent)],
                                              streams, header)
    return write_cfb(items)
