"""A job's record as the appliance sent it, kept as compressed JSON instead of a decoded tree.

A 10,000-job history holds every record for the raw JSON view and the export; as the bytes that
came (the `msgspec.Raw` of each record), zlib-compressed in blocks of consecutive records, that is
~0.6 MB instead of ~8 MB of bytes or ~16 MB of dicts.
"""

from __future__ import annotations

import json
import zlib
from array import array
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import Any


class _Block:
    """The JSON of consecutive records of one response, zlib-compressed together (about a
    fourteenth of their size); `offsets[i]:offsets[i + 1]` is record i's place in it."""

    __slots__ = ("compressed", "offsets")

    def __init__(self, compressed: bytes, offsets: array[int]) -> None:
        self.compressed = compressed
        self.offsets = offsets

    def data(self) -> bytes:
        cached = _last_block
        if cached is not None and cached[0] is self:
            return cached[1]
        data = zlib.decompress(self.compressed)
        _set_last_block((self, data))
        return data


_last_block: tuple[_Block, bytes] | None = None  # the block read last, decompressed (records in a row)


def _set_last_block(value: tuple[_Block, bytes] | None) -> None:
    global _last_block
    _last_block = value


_BLOCK_RECORDS = 64  # records per compressed block: ~50 kB of text, ~40 us to decompress


def _pack(pending: list[RawRecord]) -> None:
    """Move the bytes of `pending` records into one compressed block."""
    if not pending:
        return
    pieces = [record._data for record in pending]
    offsets = array("I", [0])
    end = 0
    for piece in pieces:
        end += len(piece)
        offsets.append(end)
    block = _Block(zlib.compress(b"".join(pieces), 1), offsets)
    for index, record in enumerate(pending):
        record._block, record._index, record._data = block, index, b""
    pending.clear()


class RawRecord(Mapping[str, Any]):
    """A job's record as the appliance sent it, kept as its JSON and decoded on each access.

    The JSON (UTF-8 bytes), not a tree of dicts, lists and strings; records parsed from a details
    response keep it zlib-compressed in blocks of consecutive records (a 10,000-job history:
    ~0.6 MB instead of ~16 MB of decoded records). It reads like the decoded record
    (`raw["status"]`, `dict(raw)`, `json.dumps(dict(raw))`); `decoded()` gives a fresh dict, key
    order as sent; `data` the JSON bytes as they came, `text` the same as text. Two are equal when
    their bytes are, or else when their decoded values are (as two dicts would be).
    """

    __slots__ = ("_block", "_data", "_index")  # no start and end: 10,000 records, 64 B less each

    def __init__(self, text: str | bytes) -> None:
        self._data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
        self._block: _Block | None = None
        self._index = 0  # its place in the block (< 64: a cached small int)

    @property
    def data(self) -> bytes:
        block = self._block
        if block is None:
            return self._data
        offsets, index = block.offsets, self._index
        return block.data()[offsets[index] : offsets[index + 1]]

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "surrogatepass")

    def decoded(self) -> dict[str, Any]:
        value = json.loads(self.text)
        return value if isinstance(value, dict) else {}

    def __getitem__(self, key: str) -> Any:
        return self.decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.decoded())

    def __len__(self) -> int:
        return len(self.decoded())

    def __contains__(self, key: object) -> bool:
        return key in self.decoded()

    def keys(self) -> KeysView[str]:  # one decode, not one per key
        return self.decoded().keys()

    def items(self) -> ItemsView[str, Any]:
        return self.decoded().items()

    def values(self) -> ValuesView[Any]:
        return self.decoded().values()

    def get(self, key: str, default: Any = None) -> Any:
        return self.decoded().get(key, default)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RawRecord) and other.data == self.data:
            return True
        if not isinstance(other, Mapping):
            return NotImplemented
        return self.decoded() == dict(other.items())

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RawRecord({self.text!r})"
