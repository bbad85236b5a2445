"""Parsing the details and schedules responses of both URL flavours into the backup-job model."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backuptui.core.appliance.models import (
    ApiFlavor,
    BuildInfo,
    DayOfWeek,
    DynamicID,
    JobStatus,
    JobType,
    Message,
    Progress,
    ResponseShapeError,
)
from backuptui.core.appliance.parsing import parse_details, parse_job
from backuptui.core.appliance.record_fields import format_time, parse_error, parse_time
from backuptui.core.appliance.schedules import parse_schedules

# The example of the original endpoint document (reference/000_574a023a91b47837.txt, GET
# /rest/appliance/recovery/backup/job/details), transcribed with the colons the page lost.
DOCUMENT_EXAMPLE: dict[str, Any] = {
    "value": [
        {
            "key": "obj-103",
            "value": {
                "cancelable": True,
                "description": {"args": ["string", "string"], "default_message": "string", "id": "string"},
                "duration": 1,
                "end_time": "2015-01-01T22:13:05.651Z",
                "error": {},
                "location": "http://myurl.com",
                "location_user": "string",
                "messages": [
                    {"args": ["string", "string"], "default_message": "string", "id": "string"},
                    {"args": ["string", "string"], "default_message": "string", "id": "string"},
                ],
                "operation": "obj-103",
                "parent": "obj-103",
                "progress": {
                    "completed": 1,
                    "message": {"args": ["string", "string"], "default_message": "string", "id": "string"},
                    "total": 1,
                },
                "service": "obj-103",
                "size": 1,
                "start_time": "2015-01-01T22:13:05.651Z",
                "status": "PENDING",
                "target": {"id": "obj-103", "type": "string"},
                "type": "SCHEDULED",
                "user": "string",
            },
        }
    ]
}


def test_the_original_documents_example_parses_every_field() -> None:
    result = parse_details(DOCUMENT_EXAMPLE, ApiFlavor.REST)
    assert result.problems == ()
    (job,) = result.jobs
    when = datetime(2015, 1, 1, 22, 13, 5, 651000, tzinfo=UTC)
    string_message = Message(id="string", default_message="string", args=("string", "string"))
    assert job.id == "obj-103"
    assert job.status is JobStatus.PENDING and job.type is JobType.SCHEDULED
    assert job.cancelable is True
    assert job.description == string_message
    assert job.messages == (string_message, string_message)
    assert (job.duration, job.size) == (1, 1)
    assert (job.start_time, job.end_time) == (when, when)
    assert job.location == "http://myurl.com" and job.location_user == "string"
    assert (job.service, job.operation, job.parent, job.user) == ("obj-103", "obj-103", "obj-103", "string")
    assert job.progress == Progress(total=1, completed=1, message=string_message)
    assert job.progress.percent == 100.0
    assert job.target == DynamicID(type="string", id="obj-103")
    assert job.error is not None and job.error.raw == {} and job.error.messages == ()
    assert job.build is None and job.fast_backup is None
    assert job.is_active and not job.is_finished


def info(status: str = "SUCCEEDED", **fields: Any) -> dict[str, Any]:
    """A details record that obeys the union rules of the official bindings for `status`."""
    record: dict[str, Any] = {
        "location": "sftp://192.0.2.10/backups/vcsa01/vCenter/sn_vcsa01.example.com/S_8.0.2.00100_20240316-020004_",
        "location_user": "backupuser",
        "type": "SCHEDULED",
        "status": status,
        "cancelable": status == "RUNNING",
        "messages": [],
        "description": {
            "id": "com.vmware.appliance.recovery.backup.job",
            "default_message": "Backup job",
            "args": [],
        },
        "service": "com.vmware.appliance.recovery.backup.job",
        "operation": "create",
        "build": {"version_name": "8.0.2 GA", "version": "8.0.2.00100", "build_number": "22617221"},
        "fast_backup": False,
    }
    progress = {"total": 100, "completed": 100, "message": {"id": "p", "default_message": "Done", "args": []}}
    if status in ("SUCCEEDED", "FAILED", "RUNNING"):
        record.update(duration=54, size=734003200, progress=progress, start_time="2024-03-16T02:00:04.000Z")
    if status in ("SUCCEEDED", "FAILED"):
        record["end_time"] = "2024-03-16T02:00:58.512Z"
    if status == "BLOCKED":
        record["start_time"] = "2024-03-16T02:00:04.000Z"
    if status == "FAILED":
        record["messages"] = [
            {
                "id": "com.vmware.applmgmt.backup.job.failed",
                "default_message": "BackupManager encountered an exception. Please check logs for details.",
                "args": [],
            }
        ]
        record["error"] = {"error_type": "ERROR", "messages": record["messages"]}
    record.update(fields)
    return record


def as_rest(records: dict[str, Any]) -> dict[str, Any]:
    return {"value": [{"key": key, "value": value} for key, value in records.items()]}


def test_both_flavours_give_the_same_jobs() -> None:
    records = {
        "20240316-020004-22617221": info("FAILED"),
        "20240317-020003-22617221": info("RUNNING", end_time=None),
        "20240315-020003-22617221": info("SUCCEEDED"),
    }
    from_api = parse_details(records, ApiFlavor.API)
    from_rest = parse_details(as_rest(records), ApiFlavor.REST)
    assert from_api == from_rest
    assert parse_details(as_rest(records)) == from_api  # flavour None recognises the wrapper
    assert [job.id for job in from_api.jobs] == [
        "20240317-020003-22617221",
        "20240316-020004-22617221",
        "20240315-020003-22617221",
    ]


def test_newest_first_puts_a_pending_job_above_started_ones() -> None:
    records = {
        "20240316-020004-1": info("SUCCEEDED"),
        "20240317-020003-1": info("PENDING"),
        "20240315-020003-1": info("FAILED", start_time="2024-03-17T02:00:03.000Z"),
        "20240318-020003-1": info("BLOCKED", start_time="2024-03-16T02:00:04.000Z"),
    }
    order = [job.id for job in parse_details(records, ApiFlavor.API).jobs]
    assert order == ["20240317-020003-1", "20240315-020003-1", "20240318-020003-1", "20240316-020004-1"]


@pytest.mark.parametrize("status", ["SUCCEEDED", "FAILED", "RUNNING", "BLOCKED", "PENDING"])
def test_each_status_with_its_union_fields(status: str) -> None:
    job = parse_job("20240316-020004-22617221", info(status))
    assert job.status is JobStatus(status) and job.status.is_known
    union = {"duration": job.duration, "size": job.size, "progress": job.progress, "end_time": job.end_time}
    if status in ("SUCCEEDED", "FAILED", "RUNNING"):
        assert job.duration == 54 and job.size == 734003200
        assert job.progress is not None and job.progress.message.text == "Done"
        assert job.start_time == datetime(2024, 3, 16, 2, 0, 4, tzinfo=UTC)
    else:
        assert union["duration"] is None and union["size"] is None and union["progress"] is None
    if status in ("SUCCEEDED", "FAILED"):
        assert job.end_time == datetime(2024, 3, 16, 2, 0, 58, 512000, tzinfo=UTC)
        assert job.is_finished and not job.is_active
    else:
        assert job.end_time is None
        assert job.is_active and not job.is_finished
    assert job.start_time is (None if status == "PENDING" else job.start_time)
    assert job.is_running is (status == "RUNNING")
    if status == "FAILED":
        assert job.error is not None and job.error.error_type == "ERROR"
        assert job.problem == "BackupManager encountered an exception. Please check logs for details."
    else:
        assert job.error is None and job.problem is None
    assert job.build == BuildInfo(version_name="8.0.2 GA", version="8.0.2.00100", build_number="22617221")


OPTIONAL = (
    "duration",
    "size",
    "progress",
    "build",
    "fast_backup",
    "parent",
    "target",
    "error",
    "start_time",
    "end_time",
    "user",
)


def test_absent_and_null_optional_fields_are_the_same() -> None:
    absent = info("PENDING")
    for name in OPTIONAL:
        absent.pop(name, None)
    null = dict(absent, **dict.fromkeys(OPTIONAL))
    assert parse_job("j", absent) == parse_job("j", null)
    job = parse_job("j", null)
    assert all(getattr(job, name) is None for name in OPTIONAL)


def test_extra_fields_are_ignored() -> None:
    assert parse_job("j", info(something_new={"a": 1})) == parse_job("j", info())


def test_unknown_status_and_type_are_kept_as_they_are() -> None:
    job = parse_job("j", info("PAUSED_BY_OPERATOR", type="SNAPSHOT_TO_CLOUD"))
    assert job.status == "PAUSED_BY_OPERATOR" and str(job.status) == "PAUSED_BY_OPERATOR"
    assert not job.status.is_known and not job.type.is_known
    assert job.type == "SNAPSHOT_TO_CLOUD"
    assert JobType("LOCAL_BACKUP").is_known
    assert not job.is_active and not job.is_finished


@pytest.mark.parametrize(
    ("change", "field_path", "reason"),
    [
        ({"size": "734003200"}, "size", "expected an integer"),
        ({"duration": 5.5}, "duration", "expected an integer"),
        ({"cancelable": "yes"}, "cancelable", "expected true or false"),
        ({"status": 3}, "status", "expected a string"),
        ({"status": None}, "status", "null where a value is required"),
        ({"location": None}, "location", "null where a value is required"),
        ({"start_time": "2024-03-15 02:00:03"}, "start_time", "not an RFC 3339 date-time"),
        ({"progress": {"total": 100, "completed": "half", "message": {}}}, "progress.completed", "integer"),
        ({"messages": [{"id": "a", "default_message": "b", "args": []}, "oops"]}, "messages[1]", "object"),
        (
            {"messages": [{"id": "a", "default_message": "b", "args": [{"x": 1}]}]},
            "messages[0].args[0]",
            "string",
        ),
        ({"target": {"type": "t"}}, "target.id", "missing"),
        ({"build": ["8.0.2"]}, "build", "expected an object"),
    ],
)
def test_a_wrong_typed_field_in_one_record_names_job_and_field(
    change: dict[str, Any], field_path: str, reason: str
) -> None:
    records = {f"2024031{day}-020003-22617221": info() for day in range(5)}
    records["20240312-020003-22617221"].update(change)
    result = parse_details(as_rest(records), ApiFlavor.REST)
    assert len(result.jobs) == 4
    assert "20240312-020003-22617221" not in {job.id for job in result.jobs}
    (problem,) = result.problems
    assert problem.record_id == "20240312-020003-22617221"
    assert problem.field_path == field_path
    assert reason in problem.reason
    assert str(problem).startswith(f"job 20240312-020003-22617221: field '{field_path}': ")


def test_a_record_that_is_not_an_object() -> None:
    result = parse_details({"a": info(), "b": ["not", "a", "record"]}, ApiFlavor.API)
    assert [job.id for job in result.jobs] == ["a"]
    assert result.problems[0].record_id == "b" and "expected an object" in result.problems[0].reason


@pytest.mark.parametrize(
    ("body", "flavor", "says"),
    [
        ([], ApiFlavor.API, ""),
        ("text", ApiFlavor.API, "expected a map of job ids"),
        ({"values": []}, ApiFlavor.REST, "without 'value'"),
        ({"value": [{"key": "a"}]}, ApiFlavor.REST, "entry 0"),
        ({"value": 7}, ApiFlavor.REST, "expected a map of job ids"),
    ],
)
def test_response_shapes(body: Any, flavor: ApiFlavor, says: str) -> None:
    if not says:
        assert parse_details(body, flavor).jobs == ()  # an empty key/value list is an empty map
        return
    with pytest.raises(ResponseShapeError, match=says):
        parse_details(body, flavor)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-15T02:00:03Z", datetime(2024, 3, 15, 2, 0, 3, tzinfo=UTC)),
        ("2024-03-15T02:00:03.123Z", datetime(2024, 3, 15, 2, 0, 3, 123000, tzinfo=UTC)),
        ("2024-03-15T02:00:03.5z", datetime(2024, 3, 15, 2, 0, 3, 500000, tzinfo=UTC)),
        ("2024-03-15T02:00:03.123456789Z", datetime(2024, 3, 15, 2, 0, 3, 123456, tzinfo=UTC)),
        ("2024-03-15T04:00:03+02:00", datetime(2024, 3, 15, 2, 0, 3, tzinfo=UTC)),
        ("2024-03-14T21:30:03.250-04:30", datetime(2024, 3, 15, 2, 0, 3, 250000, tzinfo=UTC)),
        ("2024-03-15T02:00:03+00:00", datetime(2024, 3, 15, 2, 0, 3, tzinfo=UTC)),
    ],
)
def test_times_become_aware_utc(text: str, expected: datetime) -> None:
    parsed = parse_time(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text", ["2024-03-15", "2024-03-15T02:00:03", "2024-03-15 02:00:03Z", "yesterday", ""]
)
def test_times_that_are_not_rfc3339(text: str) -> None:
    with pytest.raises(ValueError, match="RFC 3339"):
        parse_time(text)


def test_format_time_is_the_wire_form() -> None:
    when = datetime(2024, 3, 15, 4, 0, 3, 123999, tzinfo=UTC) + timedelta(hours=0)
    assert format_time(when) == "2024-03-15T04:00:03.123Z"
    assert parse_time(format_time(when)) == when.replace(microsecond=123000)


def test_markup_and_escape_sequences_are_kept_verbatim() -> None:
    nasty = "[bold red]Backup[/] \x1b[2J\x1b]0;pwned\x07 {0} [link=file:///etc]x[/link]"
    record = info(
        "FAILED",
        location_user="[b]root[/b]",
        messages=[{"id": "m", "default_message": nasty, "args": ["[/]"]}],
        error={"messages": [{"id": "e", "default_message": nasty, "args": []}]},
    )
    job = parse_job("20240316-020004-22617221", record)
    assert job.location_user == "[b]root[/b]"
    assert job.messages[0].default_message == nasty
    assert job.messages[0].text == nasty.replace("{0}", "[/]")
    assert job.problem == nasty


def test_message_text_prefers_localized_and_substitutes_args() -> None:
    assert Message("i", "Copied {0} of {1}", ("3", "7")).text == "Copied 3 of 7"
    assert Message("i", "Copied {0}", ("3",), localized="3 kopiert").text == "3 kopiert"
    assert Progress(total=0, completed=0, message=Message("i", "")).percent is None
    assert Progress(total=200, completed=50, message=Message("i", "")).percent == 25.0


MESSAGE = {
    "id": "com.vmware.applmgmt.backup.job.failed",
    "default_message": "No space left on device",
    "args": [],
}


@pytest.mark.parametrize(
    ("raw", "error_type"),
    [
        ({"error_type": "ERROR", "messages": [MESSAGE]}, "ERROR"),  # /api std error
        ({"messages": [MESSAGE]}, None),  # a bare nested ErrorValue (cleanjson)
        (
            {"type": "com.vmware.vapi.std.errors.error", "value": {"messages": [MESSAGE]}},
            "com.vmware.vapi.std.errors.error",
        ),
    ],
)
def test_the_error_in_its_three_wire_shapes(raw: dict[str, Any], error_type: str | None) -> None:
    job = parse_job("20240316-020004-22617221", info("FAILED", messages=[], error=copy.deepcopy(raw)))
    assert job.error is not None
    assert job.error.raw == raw
    assert job.error.error_type == error_type
    assert [m.text for m in job.error.messages] == ["No space left on device"]
    assert job.problem == "No space left on device"
    assert parse_error(raw) == job.error


def test_an_error_without_messages_falls_back_to_the_job_messages() -> None:
    job = parse_job("j", info("FAILED", error={"data": 1}))
    assert job.error is not None and job.error.summary is None
    assert job.problem == "BackupManager encountered an exception. Please check logs for details."
    assert parse_error("garbage").messages == ()
    assert parse_error({"messages": "not a list"}).messages == ()


SCHEDULE = {
    "parts": ["seat"],
    "location": "sftp://192.0.2.10/backups/vcsa01",
    "location_user": "backupuser",
    "enable": True,
    "recurrence_info": {"minute": 0, "hour": 2, "days": ["MONDAY", "THURSDAY"]},
    "retention_info": {"max_count": 7},
    "fast_backup": False,
}


def test_schedules_in_both_flavours() -> None:
    api = parse_schedules({"default": SCHEDULE}, ApiFlavor.API)
    rest = parse_schedules({"value": [{"key": "default", "value": SCHEDULE}]}, ApiFlavor.REST)
    assert api == rest
    (schedule,) = api
    assert schedule.id == "default" and schedule.enabled
    assert schedule.recurrence is not None
    assert (schedule.recurrence.hour, schedule.recurrence.minute) == (2, 0)
    assert schedule.recurrence.days == (DayOfWeek.MONDAY, DayOfWeek.THURSDAY)
    assert schedule.retention_max_count == 7 and schedule.parts == ("seat",)


def test_schedule_without_days_retention_or_recurrence() -> None:
    every_day = dict(SCHEDULE, recurrence_info={"minute": 30, "hour": 23}, retention_info=None)
    (schedule,) = parse_schedules({"default": every_day}, ApiFlavor.API)
    assert schedule.recurrence is not None and schedule.recurrence.days is None
    assert schedule.retention_max_count is None
    (unscheduled,) = parse_schedules(
        {"default": {k: v for k, v in SCHEDULE.items() if k != "recurrence_info"}}
    )
    assert unscheduled.recurrence is None
    assert parse_schedules({}, ApiFlavor.API) == ()


# -- the msgspec path (wire Structs, a Raw per record) against the checked path (rows 7 and 8) --

from backuptui.core.appliance import details_text as details_text_module  # noqa: E402
from backuptui.core.appliance import models as models_module  # noqa: E402
from backuptui.core.appliance import parsing as parsing_module  # noqa: E402
from backuptui.core.appliance.details_text import parse_details_text  # noqa: E402
from backuptui.core.appliance.models import DetailsResult  # noqa: E402
from backuptui.core.appliance.raw_records import RawRecord  # noqa: E402

JSON_INFO = __import__("json").dumps(info())


def outcome(result: DetailsResult) -> tuple[Any, ...]:
    """A result's jobs and its problems' texts (exceptions compare by identity)."""
    return result.jobs, [str(problem) for problem in result.problems]


def checked(job_id: str, record: Any) -> Any:
    """What the field-by-field path alone makes of a record (a job, or the RecordError)."""
    try:
        return parsing_module._checked_job(job_id, record, record)
    except models_module.RecordError as exc:
        return ("error", exc.record_id, exc.field_path, exc.reason)


def both_paths(job_id: str, record: Any) -> tuple[Any, Any]:
    try:
        fast: Any = parse_job(job_id, record)
    except models_module.RecordError as exc:
        fast = ("error", exc.record_id, exc.field_path, exc.reason)
    return fast, checked(job_id, record)


ODD_RECORDS: list[dict[str, Any]] = [
    info("SUCCEEDED"),
    info("FAILED"),
    info("RUNNING", end_time=None, cancelable=True),
    info("PENDING"),
    info("BLOCKED"),
    info("PAUSED_BY_OPERATOR", type="SNAPSHOT_TO_CLOUD"),  # unknown enums are kept
    info(location_user=None, service=None, operation=None, cancelable=None, messages=None),  # null == absent
    {k: v for k, v in info().items() if k not in ("location_user", "service", "messages", "build")},
    info(size=True),  # bool is not int
    info(duration=54.0),
    info(fast_backup=1),
    info(cancelable="yes"),
    info(location=None),
    {**info(), "status": None},
    {**info(), "status": 3},
    info(type=["SCHEDULED"]),
    info(start_time="2024-03-16T02:00:04Z"),  # other RFC 3339 forms: the checked path
    info(start_time="2024-03-16T04:00:04.123456+02:00"),
    info(start_time="2024-02-31T02:00:04.000Z"),  # no such day
    info(start_time="yesterday"),
    info(end_time=17),
    info(description=None),
    info(description="Backup job"),
    info(description={"id": None, "default_message": None, "args": None}),
    info(description={"id": "x", "default_message": "size {0}", "args": [1]}),  # number args
    info(description={"id": "x", "default_message": "y", "args": [True]}),
    info(description={"id": "x", "default_message": "y", "localized": "z"}),
    info(description={"id": "x", "default_message": "y", "params": {"a": {"s": "1"}}}),
    info(description={"id": 5, "default_message": "y"}),
    info(messages=[{"id": "m", "default_message": "{0} and {1}", "args": ["a", "b"]}, "text"]),
    info(messages={"id": "m"}),
    info(progress={"total": 100, "completed": 42, "message": {"id": "p", "default_message": "Copying"}}),
    info(progress={"total": 100.0, "completed": 42, "message": {"id": "p", "default_message": "x"}}),
    info(progress={"total": 100, "completed": 42}),
    info(progress=[1, 2]),
    info(build={}),
    info(build={"version": 8}),
    info(build="8.0.2"),
    info(target={"type": "vm", "id": "vm-1"}),
    info(target={"type": "vm"}),
    info(error={}),
    info(error="boom"),
    info(error={"type": "com.vmware.vapi.std.errors.error", "value": {"messages": []}}),
    info(parent=7),
    info(user="root@localhost", something_new={"a": 1}),
]


@pytest.mark.parametrize("record", ODD_RECORDS, ids=range(len(ODD_RECORDS)))
def test_the_wire_structs_give_what_the_checked_path_gives(record: dict[str, Any]) -> None:
    fast, slow = both_paths("20240316-020004-22617221", copy.deepcopy(record))
    assert fast == slow
    if not isinstance(slow, tuple):
        assert fast.raw == record and fast.description.params == slow.description.params
        assert [m.text for m in fast.messages] == [m.text for m in slow.messages]


def test_the_records_of_one_response_share_repeated_values() -> None:
    import json

    records = {"a": info("SUCCEEDED"), "b": info("SUCCEEDED")}
    for result in (
        parse_details(records, ApiFlavor.API),
        parse_details_text(json.dumps(records), ApiFlavor.API),
    ):
        one, two = result.jobs
        assert one.description is two.description and one.progress is two.progress
        assert one.build is two.build and one.location_user is two.location_user
        assert one.service is two.service


def test_records_as_text_parse_as_the_decoded_body_does() -> None:
    import json

    records = {f"2024031{n}-020004-22617221": record for n, record in enumerate(ODD_RECORDS[:10])}
    for flavor, body in ((ApiFlavor.API, records), (ApiFlavor.REST, as_rest(records))):
        for text in (json.dumps(body), json.dumps(body, indent=3), json.dumps(body, separators=(",", ":"))):
            expected = parse_details(json.loads(text), flavor)
            result = parse_details_text(text, flavor)
            assert outcome(result) == outcome(expected)
            for job in result.jobs:
                assert isinstance(job.raw, RawRecord)
                assert job.raw == records[job.id] and list(job.raw) == list(records[job.id])  # key order too
                assert json.loads(job.raw.text) == records[job.id]


def test_unchanged_record_text_gives_the_previous_job_without_decoding_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    records = {"b": info("SUCCEEDED"), "a": info("FAILED")}
    for flavor, body in ((ApiFlavor.API, records), (ApiFlavor.REST, as_rest(records))):
        first = parse_details_text(json.dumps(body), flavor)
        previous = {job.id: job for job in first.jobs}
        changed = {"b": info("SUCCEEDED", size=1), "a": info("FAILED")}
        changed_body = changed if flavor is ApiFlavor.API else as_rest(changed)
        parsed: list[str] = []

        def counting(
            job_id: str, *args: Any, _real: Any = details_text_module.parse_job_shared, _seen: Any = parsed
        ) -> Any:
            _seen.append(job_id)
            return _real(job_id, *args)

        monkeypatch.setattr(details_text_module, "parse_job_shared", counting)
        again = parse_details_text(json.dumps(changed_body), flavor, previous)
        monkeypatch.undo()
        assert parsed == ["b"]  # "a" was neither decoded nor parsed
        assert again.jobs[1] is previous["a"] and again.jobs[0].size == 1
        # the same value in other whitespace is parsed again, to the same job
        pretty = parse_details_text(json.dumps(body, indent=1), flavor, previous)
        assert pretty == first and all(new is not previous[new.id] for new in pretty.jobs)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": {"status": "PENDING"}, "a": ' + JSON_INFO + "}",  # duplicate id: the last one counts
        '{"value": [{"value": ' + JSON_INFO + ', "key": "a"}]}',  # value before key
        '{"value": [{"key": "a", "value": ' + JSON_INFO + ', "extra": 1}]}',
        '{"value": {"a": ' + JSON_INFO + "}}",  # a map in the wrapper
        '{"value": [], "other": 1}',
        "[]",
        ' \n{"value": [ ] } \n',
    ],
)
def test_bodies_in_other_shapes_parse_as_the_decoded_body_does(text: str) -> None:
    import json

    for flavor in ApiFlavor:
        try:
            expected: Any = outcome(parse_details(json.loads(text), flavor))
        except ResponseShapeError as exc:
            expected = ("shape", str(exc))
        try:
            result: Any = outcome(parse_details_text(text, flavor))
        except ResponseShapeError as exc:
            result = ("shape", str(exc))
        assert result == expected


@pytest.mark.parametrize(
    "text",
    [
        '{"a": {"status": "PENDING"},}',
        '{"a":{},}',
        '{"a":{},"b"}',
        '{"value": [{"key": "a", "value": {}},]}',
        '{"value":[{"key":"a","value":{}},]}',
        '{"value":[{"key":"a","value":{}},{]}',
        '{"a": {}} x',
        "",
        '{"a":{',
    ],
)
def test_text_that_is_not_json_raises_as_json_loads_does(text: str) -> None:
    import json

    for flavor in ApiFlavor:
        with pytest.raises(json.JSONDecodeError):
            parse_details_text(text, flavor)


def test_a_raw_record_reads_like_the_decoded_record() -> None:
    record = info("FAILED")
    raw = RawRecord(__import__("json").dumps(record))
    assert raw == record and record == raw and dict(raw) == record and raw["status"] == "FAILED"
    assert "error" in raw and raw.get("nope", 1) == 1 and len(raw) == len(record)
    assert list(raw.items()) == list(record.items()) and list(raw.keys()) == list(record)
    assert raw == RawRecord(__import__("json").dumps(record, indent=2))  # same value, other text
    assert raw != RawRecord("{}") and raw != 1


def test_records_keep_their_exact_text_in_compressed_blocks() -> None:
    import json

    records = {
        job_id: info("SUCCEEDED", start_time=f"2024-03-16T02:{n // 60:02d}:{n % 60:02d}.000Z", size=n)
        for n, job_id in enumerate(f"20240316-02{n:04d}-1" for n in range(150))
    }
    records["20240316-020999-1"] = info("FAILED", description={"id": "é", "default_message": "ünï 😀"})
    pieces = {key: json.dumps(value, indent=1, ensure_ascii=False) for key, value in records.items()}
    text = "{" + ", ".join(f"{json.dumps(key)}:  {piece}" for key, piece in pieces.items()) + "}"
    result = parse_details_text(text, ApiFlavor.API)
    assert len(result.jobs) == 151 and result.problems == ()
    blocks = {id(job.raw._block) for job in result.jobs}  # type: ignore[attr-defined]
    assert len(blocks) == 3  # 64 records a block
    for job in result.jobs:
        assert job.raw.text == pieces[job.id]  # type: ignore[attr-defined]  # as sent, whitespace too
        assert job.raw == records[job.id]
    # unchanged records are recognised from their compressed text, block after block
    again = parse_details_text(text, ApiFlavor.API, {job.id: job for job in result.jobs})
    assert all(new is old for new, old in zip(again.jobs, result.jobs, strict=True))
