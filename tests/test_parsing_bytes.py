"""The bytes path of the details parser: a record's nested objects read once per distinct bytes.

`parse_job(id, None, text)` decodes a record with its description, messages, progress, build,
target and error left as bytes (`wire.WireRecord`) and reads each distinct one once per response.
It must give exactly what the field-by-field path gives, share what repeats, and never let one
record's bad nested object touch another record.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from backuptui.core.appliance.details_text import parse_details_text
from backuptui.core.appliance.models import ApiFlavor, BackupJob, JobStatus, Message, RecordError
from backuptui.core.appliance.parsing import parse_details, parse_job, parse_job_shared
from tests.test_models import ODD_RECORDS, checked, info

JOB_ID = "20240316-020004-22617221"


@pytest.mark.parametrize("record", ODD_RECORDS, ids=range(len(ODD_RECORDS)))
def test_the_bytes_path_gives_what_the_checked_path_gives(record: dict[str, Any]) -> None:
    text = json.dumps(record)
    try:
        fast: Any = parse_job(JOB_ID, None, text)
    except RecordError as exc:
        fast = ("error", exc.record_id, exc.field_path, exc.reason)
    slow = checked(JOB_ID, copy.deepcopy(record))
    assert fast == slow
    if not isinstance(slow, tuple):
        assert fast.raw == record and fast.description.params == slow.description.params
        assert [m.text for m in fast.messages] == [m.text for m in slow.messages]
        assert fast.error == slow.error


def test_repeated_nested_objects_are_one_object_in_a_response() -> None:
    records = {f"2024031{n}-020004-22617221": info("FAILED", error={"messages": []}) for n in range(3)}
    result = parse_details_text(json.dumps(records), ApiFlavor.API)
    one, two, three = result.jobs
    assert one.description is two.description is three.description
    assert one.progress is two.progress and one.build is two.build and one.error is two.error
    assert one.messages is two.messages


def test_a_bad_nested_object_spoils_only_its_own_record() -> None:
    good = info("SUCCEEDED")
    bad = info("SUCCEEDED", progress={"total": "all", "completed": 1, "message": {"id": "p"}})
    also_bad = info("SUCCEEDED", description={"id": 5, "default_message": "y"})
    records = {
        "20240317-020004-22617221": good,
        "20240316-020004-22617221": bad,
        "20240315-020004-22617221": copy.deepcopy(good),
        "20240314-020004-22617221": also_bad,
        "20240313-020004-22617221": copy.deepcopy(good),
    }
    for flavor, body in (
        (ApiFlavor.API, records),
        (ApiFlavor.REST, {"value": [{"key": k, "value": v} for k, v in records.items()]}),
    ):
        result = parse_details_text(json.dumps(body), flavor)
        assert [job.id for job in result.jobs] == [
            "20240317-020004-22617221",
            "20240315-020004-22617221",
            "20240313-020004-22617221",
        ]
        assert [(p.record_id, p.field_path) for p in result.problems] == [
            ("20240316-020004-22617221", "progress.total"),
            ("20240314-020004-22617221", "description.id"),
        ]
        decoded = parse_details(json.loads(json.dumps(body)), flavor)
        assert result.jobs == decoded.jobs
        assert [str(p) for p in result.problems] == [str(p) for p in decoded.problems]


def test_the_same_bytes_in_different_fields_are_read_as_each_field() -> None:
    # `{}` is a valid description (an empty message) and a valid build, but not a progress
    shared: dict[Any, Any] = {}
    first = parse_job_shared(JOB_ID, None, json.dumps(info(description={}, build={})), shared)
    assert first.description == Message("", "") and first.build is not None
    with pytest.raises(RecordError) as caught:
        parse_job_shared(JOB_ID, None, json.dumps(info(progress={})), shared)
    assert caught.value.field_path.startswith("progress")


def test_a_job_is_a_value_without_its_raw_record() -> None:
    text = json.dumps(info("FAILED", error=None))  # an error keeps its dict: not hashable
    one, two = parse_job(JOB_ID, None, text), parse_job(JOB_ID, json.loads(text))
    assert one == two and hash(one) == hash(two) and one.raw == two.raw
    assert "raw" not in repr(one) and repr(one).startswith("BackupJob(id='20240316-020004-22617221'")
    changed = one.replace(status=JobStatus.SUCCEEDED, raw={})
    assert changed != one and changed.status is JobStatus.SUCCEEDED and one.status is JobStatus.FAILED
    assert one.replace(raw={}) == one  # the raw record takes no part in equality
    with pytest.raises(AttributeError):
        one.status = JobStatus.SUCCEEDED  # type: ignore[misc]
    assert isinstance(one, BackupJob) and one != (one.id,)
