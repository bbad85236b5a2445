"""The profile store: round trips, validation errors with line and key, comments kept, safe writes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from backuptui.core.settings import config as config_module
from backuptui.core.settings import profiles as profiles_module
from backuptui.core.settings.config import ConfigError, KeyLocator, config_path
from backuptui.core.settings.profiles import (
    AppSettings,
    Profile,
    ProfileStore,
    RefreshIntervals,
    check_url,
    parse_config,
    profile_with,
)
from backuptui.core.settings.secrets import PasswordSource


@pytest.fixture
def store() -> ProfileStore:
    return ProfileStore()


def full_profile(name: str = "prod", command: str | tuple[str, ...] = "pass show vcsa/prod") -> Profile:
    return Profile(
        name=name,
        url="https://vcsa01.example.com:8443",
        username="backup-viewer@vsphere.local",
        verify_tls=False,
        ca_bundle="~/certs/prod-ca.pem",
        password_source=PasswordSource.COMMAND,
        password_command=command,
        flavor="rest",
        refresh=RefreshIntervals(idle=45.0, running=1.5),
    )


# --- location ------------------------------------------------------------------------------------


def test_path_honours_xdg_config_home(tmp_path: Path) -> None:
    assert config_path() == tmp_path / "xdg-config" / "backuptui" / "config.toml"
    assert ProfileStore().path == config_path()


def test_backuptui_config_overrides_the_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BACKUPTUI_CONFIG", str(tmp_path / "elsewhere" / "bt.toml"))
    assert config_path() == tmp_path / "elsewhere" / "bt.toml"
    ProfileStore().add_profile(Profile("lab", "lab.example.com", "u"))
    assert (tmp_path / "elsewhere" / "bt.toml").is_file()
    assert not (tmp_path / "xdg-config" / "backuptui" / "config.toml").exists()


def test_missing_file_is_an_empty_config(store: ProfileStore) -> None:
    config = store.load()
    assert not config.exists
    assert config.profiles == {}
    assert config.default is None
    assert config.settings == AppSettings()
    assert not store.path.exists()  # reading never creates anything


# --- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", ["pass show vcsa/prod | head -1", ("op", "read", "op://vault/vcsa/password")]
)
def test_every_profile_field_round_trips(store: ProfileStore, command: str | tuple[str, ...]) -> None:
    profile = full_profile(command=command)
    minimal = Profile("lab", "http://127.0.0.1:8080", "administrator@vsphere.local")
    store.add_profile(minimal)
    config = store.add_profile(profile, make_default=True)
    assert config.profiles["prod"] == profile
    assert config.profiles["lab"] == minimal
    assert config.default_profile == "prod"
    assert ProfileStore(store.path).load().profiles == {"lab": minimal, "prod": profile}
    # and every field changes back through update
    changed = Profile(
        name="prod",
        url="vcsa02.example.com",
        username="administrator@vsphere.local",
        verify_tls=True,
        ca_bundle=None,
        password_source=PasswordSource.ENV,
        password_command=None,
        flavor=None,
        refresh=RefreshIntervals(idle=10.0),
    )
    assert store.update_profile(changed).profiles["prod"] == changed
    assert store.load().profiles["prod"] == changed


@pytest.mark.parametrize("source", list(PasswordSource))
def test_every_password_source_round_trips(store: ProfileStore, source: PasswordSource) -> None:
    profile = Profile("p", "h.example.com", "u", password_source=source, password_command="true")
    assert store.add_profile(profile).profiles["p"] == profile


def test_app_settings_are_read(store: ProfileStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(
        textwrap.dedent(
            """\
            default_profile = "lab"
            mouse = false
            theme = "gruvbox"
            refresh = { idle = 60, running = 1.5 }

            [profiles.lab]
            url = "lab.example.com"
            username = "u"
            refresh.idle = 20
            """
        )
    )
    config = store.load()
    assert config.settings == AppSettings(RefreshIntervals(60.0, 1.5), mouse=False, theme="gruvbox")
    lab = config.profiles["lab"]
    assert lab.refresh == RefreshIntervals(idle=20.0)
    assert lab.refresh.over(config.settings.refresh) == RefreshIntervals(20.0, 1.5)
    assert config.default == lab


def test_first_profile_becomes_the_default_and_removing_it_clears_it(store: ProfileStore) -> None:
    store.add_profile(Profile("lab", "lab.example.com", "u"))
    assert store.add_profile(Profile("prod", "prod.example.com", "u")).default_profile == "lab"
    assert store.set_default("prod").default_profile == "prod"
    config = store.remove_profile("prod")
    assert config.default_profile is None
    assert list(config.profiles) == ["lab"]
    config = store.remove_profile("lab")
    assert config.profiles == {}
    assert "profiles" not in store.path.read_text()


def test_adding_an_existing_name_is_refused(store: ProfileStore) -> None:
    store.add_profile(Profile("lab", "lab.example.com", "u"))
    before = store.path.read_bytes()
    with pytest.raises(ConfigError, match="already exists"):
        store.add_profile(Profile("lab", "other.example.com", "v"))
    assert store.path.read_bytes() == before


def test_unknown_profile_suggests_a_close_name(store: ProfileStore) -> None:
    store.add_profile(Profile("prod-east", "e.example.com", "u"))
    with pytest.raises(ConfigError) as info:
        store.load().profile("prod-eats")
    assert "no profile named 'prod-eats'" in str(info.value)
    assert "did you mean 'prod-east'" in str(info.value)


# --- comments and layout survive ------------------------------------------------------------------

HAND_WRITTEN = """\
# My appliances. Ask Sam before changing prod.
default_profile = "lab"   # the one I watch most

mouse = true

[profiles.lab]
# the lab box under my desk
url = "http://127.0.0.1:8080"     # simulator, really
username = "administrator@vsphere.local"
verify_tls = true

# prod: read-only account
[profiles.prod]
url = "vcsa01.example.com"
username = "backup-viewer@vsphere.local"
password_source = "command"
password_command = "pass show vcsa/prod"   # from the team store
"""


def test_comments_and_layout_survive_edits(store: ProfileStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(HAND_WRITTEN)
    lab = store.load().profiles["lab"]
    store.update_profile(profile_with(lab, url="http://127.0.0.1:9090", verify_tls=False))
    text = store.path.read_text()
    expected = HAND_WRITTEN.replace('"http://127.0.0.1:8080"', '"http://127.0.0.1:9090"').replace(
        "verify_tls = true", "verify_tls = false"
    )
    assert text == expected  # exactly two values changed, every comment and blank line kept

    store.add_profile(Profile("site-b", "vcsa-b.example.com", "u"))
    store.set_default("prod")
    text = store.path.read_text()
    for line in HAND_WRITTEN.splitlines():
        if "#" in line:
            assert line.split("#", 1)[1] in text
    assert 'default_profile = "prod"   # the one I watch most' in text
    assert text.index("[profiles.prod]") < text.index("[profiles.site-b]")

    store.remove_profile("site-b")
    assert "site-b" not in store.path.read_text()
    assert "# prod: read-only account" in store.path.read_text()


def test_a_new_key_goes_beside_its_siblings(store: ProfileStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(HAND_WRITTEN)
    lab = store.load().profiles["lab"]
    store.update_profile(profile_with(lab, ca_bundle="/etc/ssl/lab.pem"))
    lines = store.path.read_text().splitlines()
    assert lines[lines.index("verify_tls = true") + 1] == 'ca_bundle = "/etc/ssl/lab.pem"'


# --- permissions and atomic writes ---------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_file_is_0600_in_a_0700_directory_whatever_the_umask(store: ProfileStore) -> None:
    old = os.umask(0o002)
    try:
        store.add_profile(Profile("lab", "lab.example.com", "u"))
    finally:
        os.umask(old)
    assert _mode(store.path) == 0o600
    assert _mode(store.path.parent) == 0o700


def test_a_loose_file_and_directory_are_tightened_on_save(store: ProfileStore) -> None:
    store.path.parent.mkdir(parents=True, mode=0o755)
    os.chmod(store.path.parent, 0o755)
    store.path.write_text(HAND_WRITTEN)
    os.chmod(store.path, 0o644)
    store.set_default("prod")
    assert _mode(store.path) == 0o600
    assert _mode(store.path.parent) == 0o700


def test_a_symlinked_config_is_followed_not_replaced(store: ProfileStore, tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "backuptui.toml"
    real.parent.mkdir()
    real.write_text(HAND_WRITTEN)
    store.path.parent.mkdir(parents=True)
    store.path.symlink_to(real)
    store.set_default("prod")
    assert store.path.is_symlink()
    assert 'default_profile = "prod"' in real.read_text()


def _temp_files(directory: Path) -> list[str]:
    return [name for name in os.listdir(directory) if name.endswith(".tmp")]


@pytest.mark.parametrize("failing", ["fsync", "replace", "write"])
def test_an_interrupted_save_leaves_the_old_file(
    store: ProfileStore, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(HAND_WRITTEN)
    before = store.path.read_bytes()

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if failing == "write":
        real_fdopen = os.fdopen

        def fdopen(*args: object, **kwargs: object) -> object:
            handle = real_fdopen(*args, **kwargs)  # type: ignore[call-overload]

            class HalfWriter:
                def __enter__(self) -> HalfWriter:
                    return self

                def __exit__(self, *exc: object) -> None:
                    handle.close()

                def write(self, text: str) -> None:
                    handle.write(text[: len(text) // 2])  # half the bytes reach the temp file
                    handle.flush()
                    raise OSError(28, "No space left on device")

            return HalfWriter()

        monkeypatch.setattr(config_module.os, "fdopen", fdopen)
    else:
        monkeypatch.setattr(config_module.os, failing, boom)
    with pytest.raises(ConfigError, match="could not be saved: No space left on device"):
        store.add_profile(Profile("site-b", "vcsa-b.example.com", "u"))
    monkeypatch.undo()
    assert store.path.read_bytes() == before
    assert _temp_files(store.path.parent) == []
    assert store.add_profile(Profile("site-b", "vcsa-b.example.com", "u")).profiles["site-b"]


def test_a_crash_before_the_rename_leaves_the_old_file(store: ProfileStore, tmp_path: Path) -> None:
    """A process killed between writing the temp file and renaming it (os._exit: no cleanup at all)."""
    store.path.parent.mkdir(parents=True)
    store.path.write_text(HAND_WRITTEN)
    before = store.path.read_bytes()
    script = textwrap.dedent(
        """
        import os
        from backuptui.core.settings import config
        from backuptui.core.settings.profiles import Profile, ProfileStore

        def crash(src, dst):
            assert open(src).read().count("[profiles.") == 3  # the whole new file was written
            os._exit(9)

        config.os.replace = crash
        ProfileStore().add_profile(Profile("site-b", "vcsa-b.example.com", "u"))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], env=os.environ.copy(), check=False)
    assert result.returncode == 9
    assert store.path.read_bytes() == before
    assert len(_temp_files(store.path.parent)) == 1  # the orphan of the crash, never read
    assert "site-b" not in store.load().profiles
    assert store.add_profile(Profile("site-b", "vcsa-b.example.com", "u")).profiles["site-b"]


def test_a_save_that_completes_replaces_the_whole_file(store: ProfileStore) -> None:
    store.add_profile(full_profile())
    inode = store.path.stat().st_ino
    store.add_profile(Profile("lab", "lab.example.com", "u"))
    assert store.path.stat().st_ino != inode  # renamed over, not rewritten in place
    assert set(store.load().profiles) == {"prod", "lab"}


# --- corrupt and invalid files --------------------------------------------------------------------


def _broken(store: ProfileStore, text: str) -> bytes:
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text(text)
    return store.path.read_bytes()


def _load_error(store: ProfileStore) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        store.load()
    return info.value


CORRUPT_CASES = [
    # (what to replace in HAND_WRITTEN, with what, line, key, words in the message)
    ("verify_tls = true", "verify_tls = yes", 10, "profiles.lab.verify_tls", "invalid TOML"),
    ("verify_tls = true", 'verify_tls = "yes"', 10, "profiles.lab.verify_tls", "must be true or false"),
    ("verify_tls = true", "verfy_tls = true", 10, "profiles.lab.verfy_tls", "did you mean 'verify_tls'"),
    (
        'password_source = "command"',
        'password_source = "comand"',
        16,
        "profiles.prod.password_source",
        "'command'",
    ),
    ('url = "vcsa01.example.com"', 'url = "https://vcsa01/ui/"', 14, "profiles.prod.url", "without a path"),
    ('url = "vcsa01.example.com"', 'url = "ftp://vcsa01"', 14, "profiles.prod.url", "http or https"),
    ('url = "vcsa01.example.com"', 'url = "vcsa01:99999"', 14, "profiles.prod.url", "invalid port"),
    ("mouse = true", "mouse = true\nrefresh = { idle = -5 }", 5, "refresh.idle", "between 0.2"),
    ("mouse = true", "mouse = true\nrefresh = { idle = 0 }", 5, "refresh.idle", "between 0.2"),
    ("mouse = true", "mose = true", 4, "mose", "did you mean 'mouse'"),
    ('default_profile = "lab"', 'default_profile = "labb"', 2, "default_profile", "did you mean 'lab'"),
    ('username = "administrator@vsphere.local"\n', "", 6, "profiles.lab", "has no 'username'"),
    ("[profiles.prod]", "[profiles.prod]\n[profiles.prod]", 14, "profiles.prod", "invalid TOML"),
    ('url = "http://127.0.0.1:8080"', 'url = "http://127.0.0.1:8080', 8, "profiles.lab.url", "invalid TOML"),
    ("[profiles.lab]", "[profile.lab]", 6, "profile", "did you mean 'profiles'"),
    ("[profiles.lab]", "[profiles.lab", 6, "profiles.lab", "expected ']'"),
    ("verify_tls = true", 'password = "Hunter2pw"', 10, "profiles.lab.password", "never stored in this file"),
]


@pytest.mark.parametrize(("old", "new", "line", "key", "words"), CORRUPT_CASES)
def test_an_invalid_file_names_line_and_key_and_is_left_untouched(
    store: ProfileStore, old: str, new: str, line: int, key: str, words: str
) -> None:
    assert old in HAND_WRITTEN
    before = _broken(store, HAND_WRITTEN.replace(old, new, 1))
    error = _load_error(store)
    assert error.line == line
    assert error.key == key
    message = str(error)
    assert str(store.path) in message
    assert f"line {line}" in message
    assert f"'{key}'" in message
    assert words in message
    assert "Hunter2pw" not in message  # a value is never repeated
    # every kind of edit refuses to touch the file
    for edit in (
        lambda: store.add_profile(Profile("new", "new.example.com", "u")),
        lambda: store.set_default(None),
        lambda: store.remove_profile("lab"),
    ):
        with pytest.raises(ConfigError):
            edit()
        assert store.path.read_bytes() == before
    assert _temp_files(store.path.parent) == []


def test_a_file_that_is_not_utf8_names_its_line(store: ProfileStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(b'default_profile = "lab"\n\n[profiles.lab]\nurl = "caf\xe9"\n')
    error = _load_error(store)
    assert error.line == 4
    assert "UTF-8" in str(error)


def test_a_directory_in_place_of_the_file(store: ProfileStore) -> None:
    store.path.mkdir(parents=True)
    assert "is a directory" in str(_load_error(store))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_never_overwritten(store: ProfileStore) -> None:
    before = _broken(store, HAND_WRITTEN)
    os.chmod(store.path, 0)
    try:
        assert "permission denied" in str(_load_error(store))
        with pytest.raises(ConfigError):
            store.add_profile(Profile("new", "new.example.com", "u"))
    finally:
        os.chmod(store.path, 0o600)
    assert store.path.read_bytes() == before


def test_a_read_error_is_never_followed_by_a_write(
    store: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same as above where root can read everything: the read fails, so nothing is written."""
    before = _broken(store, HAND_WRITTEN)
    real_read_bytes = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self == store.path:
            raise PermissionError(13, "Permission denied")
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    monkeypatch.setattr(profiles_module, "atomic_write", pytest.fail)
    assert "permission denied" in str(_load_error(store))
    with pytest.raises(ConfigError, match="permission denied"):
        store.add_profile(Profile("new", "new.example.com", "u"))
    monkeypatch.undo()
    assert store.path.read_bytes() == before


def test_a_password_in_the_url_is_refused_and_not_echoed(store: ProfileStore) -> None:
    _broken(store, '[profiles.lab]\nurl = "https://root:Hunter2pw@vcsa"\nusername = "u"\n')
    message = str(_load_error(store))
    assert "Hunter2pw" not in message
    assert "must not contain a user name or password" in message


def test_password_source_command_needs_a_command(store: ProfileStore) -> None:
    _broken(store, '[profiles.lab]\nurl = "h"\nusername = "u"\npassword_source = "command"\n')
    error = _load_error(store)
    assert (error.line, error.key) == (4, "profiles.lab.password_source")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("42", "must be a string"),
        ('""', "must not be empty"),
        ("[]", "non-empty strings"),
        ('["pass", 3]', "non-empty strings"),
    ],
)
def test_password_command_types(store: ProfileStore, value: str, problem: str) -> None:
    _broken(store, f'[profiles.lab]\nurl = "h"\nusername = "u"\npassword_command = {value}\n')
    error = _load_error(store)
    assert (error.line, error.key) == (4, "profiles.lab.password_command")
    assert problem in str(error)


def test_quoted_profile_names_and_inline_tables_are_located() -> None:
    text = '[profiles."site a"]\nurl = "h"\n\n[profiles.b]\nrefresh = { idle = 1 }\nx.y = 2\n'
    locator = KeyLocator(text)
    assert locator.line_of(("profiles", "site a")) == 1
    assert locator.line_of(("profiles", "b", "refresh", "idle")) == 5
    assert locator.line_of(("profiles", "b", "x", "y")) == 6
    with pytest.raises(ConfigError) as info:
        parse_config(Path("c.toml"), text)
    assert info.value.key == 'profiles."site a"'
    assert info.value.line == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vcsa01.example.com", "vcsa01.example.com"),
        ("vcsa01.example.com:8443", "vcsa01.example.com:8443"),
        ("https://vcsa01.example.com/", "https://vcsa01.example.com"),
        (" http://127.0.0.1:8080 ", "http://127.0.0.1:8080"),
        ("https://[::1]:8443", "https://[::1]:8443"),
    ],
)
def test_valid_urls(text: str, expected: str) -> None:
    assert check_url(text) == expected


@pytest.mark.parametrize("text", ["", "  ", "ftp://h", "https://", "https://h/api", "h?x=1", "a b", "h:port"])
def test_invalid_urls(text: str) -> None:
    with pytest.raises(ValueError):
        check_url(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30", RefreshIntervals(30.0)),
        ("30,2", RefreshIntervals(30.0, 2.0)),
        (" 0.5 , 1 ", RefreshIntervals(0.5, 1.0)),
    ],
)
def test_refresh_parses(text: str, expected: RefreshIntervals) -> None:
    assert RefreshIntervals.parse(text) == expected


@pytest.mark.parametrize("text", ["", "0", "-1", "x", "1,2,3", "1,", "nan", "inf"])
def test_refresh_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        RefreshIntervals.parse(text)


def test_a_save_leaves_nothing_but_the_file(store: ProfileStore) -> None:
    store.add_profile(Profile("lab", "lab.example.com", "u"))
    store.remove_profile("lab")
    assert os.listdir(store.path.parent) == ["config.toml"]


def test_concurrent_edits_from_two_processes_lose_nothing(store: ProfileStore) -> None:
    script = textwrap.dedent(
        """
        import sys
        from backuptui.core.settings.profiles import Profile, ProfileStore
        for index in range(8):
            name = f"{sys.argv[1]}-{index}"
            ProfileStore().add_profile(Profile(name, f"{name}.example.com", "u"))
        """
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", script, prefix], env=os.environ.copy())
        for prefix in ("a", "b")
    ]
    assert [process.wait(timeout=120) for process in processes] == [0, 0]
    assert len(store.load().profiles) == 16
