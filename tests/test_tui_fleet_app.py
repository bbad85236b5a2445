"""The fleet app over real simulators (Pilot): a row per state, Enter opens an appliance's monitor
with its whole history and Esc comes back with the cursor where it was, a refused password is
asked for when opened (and never retried on its own), toasts name the appliance, and quitting
logs out of every appliance. Waits on the fleet's rows and the simulators' counts, never on time."""

from __future__ import annotations

from collections.abc import Callable

from pilot_waits import prompt_ready, wait_until
from screen_text import screen_text
from textual.binding import Binding
from textual.widgets import Input

from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.profile_model import RefreshIntervals
from backuptui.core.settings.resolution import Resolution
from backuptui.core.settings.target import ConnectionTarget
from backuptui.core.watch.fleet_row import MemberState
from backuptui.simulator import Simulator
from backuptui.tui.fleet_app import FleetApp, fleet_app
from backuptui.tui.password import PasswordScreen
from backuptui.tui.screens.fleet import FleetScreen
from backuptui.tui.screens.member import MemberScreen

Factory = Callable[..., Simulator]


def resolution(sim: Simulator, name: str, *, password: str | None = "VMware1!") -> Resolution:
    secret = Secret(password) if password is not None else None
    target = ConnectionTarget(sim.url, sim.user, secret, credentials_from="test", name=name)
    return Resolution(target, RefreshIntervals(idle=30.0, running=2.0))


def unreachable(name: str) -> Resolution:
    """Port 9 on loopback: nothing listens there, the connection is refused at once."""
    target = ConnectionTarget("http://127.0.0.1:9", "administrator@vsphere.local", Secret("x"), name=name)
    return Resolution(target, RefreshIntervals(idle=30.0, running=2.0))


def shown(app: FleetApp) -> list[str]:
    return [line.key for line in app.fleet_screen.table.lines]


def cell(app: FleetApp, name: str, cell_id: str) -> str:
    line = next(line for line in app.fleet_screen.table.lines if line.key == name)
    return line.cells[cell_id]


async def test_a_row_per_state_worst_first_and_counted(simulator_factory: Factory) -> None:
    healthy = simulator_factory(scenario="healthy", seed=1)
    failed = simulator_factory(scenario="latest-failed", seed=2)
    refused = simulator_factory(seed=3, password="something else")
    waiting = simulator_factory(seed=4)
    app = fleet_app(
        {
            "healthy": resolution(healthy, "healthy"),
            "failed": resolution(failed, "failed"),
            "refused": resolution(refused, "refused"),
            "waiting": resolution(waiting, "waiting", password=None),
            "gone": unreachable("gone"),
        }
    )
    async with app.run_test(size=(120, 40)) as pilot:
        fleet = app.fleet

        def settled() -> bool:
            return (
                fleet.row("healthy").state is MemberState.LIVE
                and fleet.row("failed").state is MemberState.LIVE
                and fleet.row("refused").login_refused
                and fleet.row("gone").state is MemberState.UNREACHABLE
                and len(shown(app)) == 5
                and cell(app, "failed", "verdict") == "✖ CRITICAL"
            )

        await wait_until(pilot, settled, "every appliance in its state")
        await pilot.pause(1.1)  # one tick: the rows as the app shows them
        assert shown(app)[0] == "failed"  # CRITICAL first
        assert shown(app)[-1] == "healthy"  # the only OK one last
        assert cell(app, "healthy", "verdict") == "✔ OK"
        assert cell(app, "refused", "state") == "login refused"
        assert cell(app, "waiting", "state") == "password needed"
        assert cell(app, "gone", "state") == "unreachable"
        assert cell(app, "gone", "verdict") == "? UNKNOWN"
        assert cell(app, "failed", "cause")  # the failure's own words
        header = str(app.fleet_screen.query_one("#fleet-header").render())
        assert header.startswith("5 appliances: 1 OK, 1 CRITICAL, 3 UNKNOWN")
        stats = waiting.stats()  # asks only whether it answers before a password is typed
        assert stats["requests"] == {"/": 1} and stats["logins"] == stats["failed_logins"] == 0
        assert refused.stats()["failed_logins"] == 1


async def test_enter_opens_the_monitor_and_escape_returns_to_the_same_row(simulator_factory: Factory) -> None:
    sims = [simulator_factory(scenario="healthy", seed=i, jobs=120) for i in range(3)]
    app = fleet_app({f"vcsa-{i}": resolution(sim, f"vcsa-{i}") for i, sim in enumerate(sims)})
    async with app.run_test(size=(120, 40)) as pilot:
        fleet = app.fleet
        await wait_until(
            pilot, lambda: all(row.state is MemberState.LIVE for row in fleet.rows()), "all live"
        )
        await pilot.press("j")
        assert app.fleet_screen.selected == "vcsa-1"
        light = fleet.member("vcsa-1").snapshot
        assert light is not None and len(light.jobs) < 120  # the fleet polls lightly
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MemberScreen), "the monitor opened")
        screen = app.screen
        assert isinstance(screen, MemberScreen) and screen.name_shown == "vcsa-1"
        # the whole history, on the monitor's own job list
        await wait_until(pilot, lambda: screen.job_list.total_count >= 120, "the full history")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.fleet_screen, "back at the fleet")
        assert app.fleet_screen.selected == "vcsa-1"
        assert app.member_screen is None


async def test_a_refused_login_asks_when_opened_and_is_never_retried_alone(
    simulator_factory: Factory,
) -> None:
    refused = simulator_factory(seed=3, password="the real one")
    other = simulator_factory(seed=4)
    app = fleet_app({"refused": resolution(refused, "refused"), "other": resolution(other, "other")})
    async with app.run_test(size=(120, 40)) as pilot:
        fleet = app.fleet
        await wait_until(pilot, lambda: fleet.row("refused").login_refused, "the refusal")
        await wait_until(pilot, lambda: other.stats()["requests_total"] >= 4, "the other polls on")
        assert refused.stats()["failed_logins"] == 1
        app.fleet_screen.table.select("refused")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PasswordScreen), "the prompt")
        problem = str(app.screen.query_one("#password-problem").render())
        assert problem  # it says the login was refused
        await pilot.press("escape")  # not now: nothing is tried
        await wait_until(pilot, lambda: app.screen is app.fleet_screen, "back at the fleet")
        assert refused.stats()["failed_logins"] == 1 and refused.stats()["logins"] == 0
        await pilot.press("enter")
        await wait_until(pilot, lambda: prompt_ready(app), "the prompt again")
        app.screen.query_one(Input).value = "the real one"
        await pilot.press("enter")
        await wait_until(pilot, lambda: fleet.row("refused").state is MemberState.LIVE, "logged in")
        assert refused.stats()["failed_logins"] == 1 and refused.stats()["logins"] == 1
        await wait_until(pilot, lambda: isinstance(app.screen, MemberScreen), "its monitor")


async def test_a_password_is_asked_for_only_once_the_appliance_answers(simulator_factory: Factory) -> None:
    silent = simulator_factory(seed=5)
    silent.set_fault(drop=2)  # its first two answers never come
    app = fleet_app({"silent": resolution(silent, "silent", password=None)})
    async with app.run_test(size=(120, 40)) as pilot:
        fleet = app.fleet
        await wait_until(pilot, lambda: fleet.row("silent").state is MemberState.UNREACHABLE, "no answer")
        app.fleet_screen.table.select("silent")
        await pilot.press("enter")
        said = [n.message for n in app._notifications if "once it answers" in n.message]
        assert said and said[0].startswith("silent: ")  # the appliance's error, then what comes
        assert app.screen is app.fleet_screen  # no prompt for an appliance that does not answer
        await wait_until(pilot, lambda: prompt_ready(app), "the prompt, once it answers")
        stats = silent.stats()
        assert stats["logins"] == stats["failed_logins"] == 0 and set(stats["requests"]) == {"/"}
        app.screen.query_one(Input).value = "VMware1!"
        await pilot.press("enter")
        await wait_until(pilot, lambda: fleet.row("silent").state is MemberState.LIVE, "logged in")
        assert silent.stats()["logins"] == 1


async def test_quit_logs_out_of_every_appliance(simulator_factory: Factory) -> None:
    sims = [simulator_factory(scenario="healthy", seed=i) for i in range(3)]
    app = fleet_app({f"vcsa-{i}": resolution(sim, f"vcsa-{i}") for i, sim in enumerate(sims)})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(
            pilot, lambda: all(sim.stats()["logins"] == 1 for sim in sims), "logged in everywhere"
        )
        await pilot.press("q")
        await wait_until(
            pilot, lambda: all(sim.stats()["logouts"] == 1 for sim in sims), "logged out everywhere"
        )
    assert app.return_code == 0


def quiet_app() -> FleetApp:
    """A fleet that never polls (nothing listens on port 9): the keys, the help, the palette."""
    return fleet_app({f"vcsa-{i}": unreachable(f"vcsa-{i}") for i in range(3)})


async def test_every_fleet_key_has_an_id_and_can_be_remapped() -> None:
    app = FleetApp(quiet_app().fleet, start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for binding in [*FleetApp.BINDINGS, *FleetScreen.BINDINGS, *MemberScreen.BINDINGS]:
            assert isinstance(binding, Binding) and binding.id, binding
        app.set_keymap({"fleet-sort": "S"})
        await pilot.pause()
        await pilot.press("S")
        await pilot.pause()
        assert app.fleet_screen.order_name == "by name"
        assert app.key_lookup()["fleet-sort"] == ("S",)
        assert "switch-appliance" not in app.key_lookup()  # the fleet is where another one is picked
        footer = screen_text(app).splitlines()[-1]
        assert "Open" in footer and "Sort" in footer and "Quit" in footer
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert "The fleet" in text and "S  " in text  # the help shows the remapped key
        assert "switch to another appliance" not in text


async def test_the_palette_offers_the_fleet_commands() -> None:
    app = FleetApp(quiet_app().fleet, start=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.fleet_screen)]
        assert {"Open appliance", "Filter appliances", "Sort appliances", "Refresh every appliance"} <= set(
            titles
        )
        help_text = next(
            c.help for c in app.get_system_commands(app.fleet_screen) if c.title == "Sort appliances"
        )
        assert help_text.endswith("(o)")


async def test_refused_logins_are_one_toast_that_counts_them(simulator_factory: Factory) -> None:
    """Refusals arriving poll after poll update one toast instead of stacking one per appliance."""
    refused = {f"vcsa-{i}": simulator_factory(seed=10 + i, password="not this one") for i in range(4)}
    healthy = simulator_factory(scenario="healthy", seed=20)
    resolutions = {name: resolution(sim, name) for name, sim in refused.items()}
    app = fleet_app({**resolutions, "healthy": resolution(healthy, "healthy")})
    async with app.run_test(size=(120, 40)) as pilot:
        fleet = app.fleet
        await wait_until(pilot, lambda: all(fleet.row(name).login_refused for name in refused), "4 refusals")
        await pilot.pause()
        toasts = [n for n in app._notifications if n.title == "Login refused"]
        assert len(toasts) == 1, [n.message for n in toasts]
        assert toasts[0].message.startswith("Login refused by 4 appliances: vcsa-")
        assert "see their rows" in toasts[0].message
        assert all(sim.stats()["failed_logins"] == 1 for sim in refused.values())  # never retried
