"""The wire form of a details record as msgspec Structs: what a well-formed record looks like.

msgspec decodes a record's JSON straight into these (in C, without a dict per object), and a
details body into `msgspec.Raw` per record: each record's bytes stay undecoded until its turn, so
one bad record never hides the others, and the bytes are the raw JSON the drill-down shows.
`WireRecord` is the form a record's bytes are decoded into: its nested objects (the description,
the progress, the build, ...) stay `msgspec.Raw`, because nearly every record of a history
repeats them byte for byte: the parser reads each distinct one once, keyed by its bytes, and the
decoder allocates no strings for them (half the decoding time of `WireJob` at 10,000 records).
A record these types refuse is not necessarily wrong (a number as a message argument, a `params`
that is not an object): `parsing` then reads it field by field, which accepts what the appliance
may send and names the field when it is really wrong.
"""

from __future__ import annotations

from typing import Any

import msgspec


class WireMessage(msgspec.Struct):
    """`std.LocalizableMessage`."""

    id: str | None = None
    default_message: str | None = None
    args: list[str] | None = None
    params: dict[str, Any] | None = None
    localized: str | None = None


class WireProgress(msgspec.Struct):
    total: int
    completed: int
    message: WireMessage


class WireBuild(msgspec.Struct):
    version_name: str | None = None
    version: str | None = None
    build_number: str | None = None


class WireTarget(msgspec.Struct):
    type: str
    id: str


class WireJob(msgspec.Struct):
    """`Details.Info`; absent and null read the same; fields the appliance adds are ignored."""

    status: str
    type: str
    location: str
    description: WireMessage
    location_user: str | None = None
    service: str | None = None
    operation: str | None = None
    cancelable: bool | None = None
    messages: list[WireMessage] | None = None
    start_time: str | None = None
    end_time: str | None = None
    duration: int | None = None
    size: int | None = None
    progress: WireProgress | None = None
    build: WireBuild | None = None
    fast_backup: bool | None = None
    parent: str | None = None
    target: WireTarget | None = None
    error: Any = None  # opaque: kept as it came, read by record_fields.parse_error
    user: str | None = None


#: what an absent optional object of a `WireRecord` reads as (the same as an explicit null)
NULL = msgspec.Raw(b"null")


class WireRecord(msgspec.Struct):
    """`Details.Info` with its nested objects undecoded (`msgspec.Raw`); the scalars as in
    `WireJob`. Each Raw is read by the decoder of its `WireJob` field below, once per distinct
    bytes."""

    status: str
    type: str
    location: str
    description: msgspec.Raw
    location_user: str | None = None
    service: str | None = None
    operation: str | None = None
    cancelable: bool | None = None
    messages: msgspec.Raw = NULL
    start_time: str | None = None
    end_time: str | None = None
    duration: int | None = None
    size: int | None = None
    progress: msgspec.Raw = NULL
    build: msgspec.Raw = NULL
    fast_backup: bool | None = None
    parent: str | None = None
    target: msgspec.Raw = NULL
    error: msgspec.Raw = NULL
    user: str | None = None


class RestEntry(msgspec.Struct):
    """One `{"key": id, "value": record}` entry of a `/rest` map; the record left undecoded."""

    key: str
    value: msgspec.Raw


class RestDetails(msgspec.Struct):
    """A `/rest` details body: `{"value": [{"key", "value"}, ...]}`."""

    value: list[RestEntry]


#: an `/api` details body: a JSON object keyed by job id, each record left undecoded
API_DETAILS = msgspec.json.Decoder(dict[str, msgspec.Raw])
REST_DETAILS = msgspec.json.Decoder(RestDetails)
JOB = msgspec.json.Decoder(WireJob)
RECORD = msgspec.json.Decoder(WireRecord)
#: the decoders of a `WireRecord`'s nested objects, as typed in `WireJob`
MESSAGE = msgspec.json.Decoder(WireMessage)
MESSAGES = msgspec.json.Decoder(list[WireMessage] | None)
PROGRESS = msgspec.json.Decoder(WireProgress | None)
BUILD = msgspec.json.Decoder(WireBuild | None)
TARGET = msgspec.json.Decoder(WireTarget | None)
ANY = msgspec.json.Decoder()
