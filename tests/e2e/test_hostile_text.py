"""Text from data and links is shown as text, in Chromium against a running server: a warehouse
whose categories, queues, verticals, vendors, incidents, notes, classifiers, accounts and a case's
details hold markdown images and links, bare URLs, HTML and `javascript:` links, and links whose
every parameter holds them too, opened on every page. No page may hold an `<img>` or `<a>` that
points away from the app (or at `javascript:`), and the attacker's server, which the hostile
values point at, must never be asked for anything (nor any host but the dashboard's)."""

from __future__ import annotations

import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlparse

import duckdb
import pytest

from tests.e2e import support
from watchfloor import roles
from watchfloor.cli import main as cli_main

pytestmark = pytest.mark.e2e

END = datetime(2026, 11, 18, 12, 0)

# Every element that could fetch or link something; resolved against the page and judged in Python.
_LINKS_JS = """() => {
  const found = [];
  const add = (el, attr) => {
    const raw = el.getAttribute(attr) || el.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
    if (raw === null || raw === undefined) return;
    let resolved = raw;
    try { resolved = new URL(raw, document.baseURI).href; } catch (e) {}
    const where = el.closest('[data-testid]');
    found.push({tag: el.tagName.toLowerCase(), raw, resolved, where: where ? where.dataset.testid : ''});
  };
  for (const el of document.querySelectorAll('img, image, iframe, video, audio, source')) add(el, 'src');
  for (const el of document.querySelectorAll('image')) add(el, 'href');
  for (const el of document.querySelectorAll('a')) add(el, 'href');
  return found;
}"""


class _Attacker(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Attacker.hits.append(self.path)
        self.send_response(200)
        self.send_header("content-type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def attacker():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Attacker)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Attacker.hits = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def corpus(site: str) -> list[str]:
    return [
        f"![x]({site}/md-image.png)",
        f"[Your session expired - sign in again]({site}/phish)",
        f"see {site}/bare and www.attacker.invalid",
        f"<img src='{site}/html.png'><a href='{site}/html-link'>click</a>",
        "[js](javascript:alert(document.cookie)) <a href='javascript:alert(1)'>js</a>",
        f"<{site}/autolink> mail bob@attacker.invalid :material/home:",
    ]


@pytest.fixture(scope="module")
def hostile(e2e_dir, users_file, attacker):
    """A demo warehouse whose free-text values are the corpus; the server on it; what to open."""
    path = e2e_dir / "hostile.duckdb"
    assert cli_main(["seed", "--demo", "--warehouse", str(path), "--days", "15", "--cases-per-day", "800",
                     "--seed", "5", "--end", END.isoformat(), "--no-progress"]) == 0
    h = corpus(attacker)
    with duckdb.connect(str(path)) as con:
        rename = {"spam": h[0], "hate": h[1], "privacy": h[2], "ip": h[3], "impersonation": h[4], "cbrn": h[5],
                  "fraud_scams": h[1]}
        for old, new in rename.items():
            for table in ("cases", "incidents", "sim_spikes"):
                con.execute(f"UPDATE {table} SET category = ? WHERE category = ?", [new, old]).fetchall()
        con.execute("UPDATE queues SET name = name || ' ' || ?, vertical = ? WHERE region = 'EMEA'", [h[0], h[2]]).fetchall()
        con.execute("UPDATE queues SET vertical = ? WHERE region = 'APAC'", [h[3]]).fetchall()
        for i, (vendor_id,) in enumerate(con.execute("SELECT vendor_id FROM vendors ORDER BY 1").fetchall()):
            con.execute("UPDATE vendors SET name = ? WHERE vendor_id = ?", [h[i % len(h)], vendor_id]).fetchall()
        con.execute("UPDATE incidents SET title = ?, summary = ?, commander = ?", [h[1], h[2] + " " + h[0], h[3]]).fetchall()
        con.execute("UPDATE incident_events SET note = ?, actor = ?", [h[0], h[5]]).fetchall()
        con.execute("UPDATE cases SET surface = ? WHERE surface = 'api'", [h[4]]).fetchall()
        (case_id,), = con.execute(
            "SELECT case_id FROM cases WHERE category = ? AND created_at < ? ORDER BY created_at DESC LIMIT 1",
            [h[0], END]).fetchall()
        con.execute("""UPDATE cases SET subcategory = ?, classifier_name = ?, account_id = ?, org_id = ?
                       WHERE case_id IN (SELECT case_id FROM cases WHERE category = ? ORDER BY created_at DESC LIMIT 60)""",
                    [h[3], h[1], h[2], h[5], h[0]]).fetchall()
        con.execute("UPDATE cases SET classifier_score = 'nan'::DOUBLE WHERE case_id = ?", [case_id]).fetchall()
        con.execute("UPDATE case_events SET detail = ?, actor_id = ? WHERE case_id = ?", [h[4], h[0], case_id]).fetchall()
    server = support.start_server(e2e_dir / "hostile_server", str(path), END, users_file)
    yield {"server": server, "case_id": case_id, "corpus": h, "site": attacker}
    server.stop()


def _query(h: list[str]) -> str:
    params = {"from": h[0], "to": h[1], "region": h[2], "vertical": h[3], "priority": h[4], "vendor": h[5]}
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())


def _offending(page, server_url: str) -> list[dict]:
    origin = urlparse(server_url)
    bad = []
    for link in page.evaluate(_LINKS_JS):
        url = urlparse(link["resolved"])
        if url.scheme == "data":
            continue
        if url.scheme not in ("http", "https") or (url.hostname, url.port) != (origin.hostname, origin.port):
            bad.append(link)
    return bad


def _visits(hostile_data) -> list[tuple[str, str]]:
    h, query = hostile_data["corpus"], _query(hostile_data["corpus"])
    visits = [(spec.key, f"/{spec.key}?{query}") for spec in roles.PAGES]
    visits += [
        ("incidents (one incident)", "/incidents"),
        ("incidents (?incident=)", f"/incidents?incident={quote(h[1], safe='')}"),
        ("case (stored)", f"/case?case_id={quote(hostile_data['case_id'], safe='')}"),
        ("case (?case_id=)", f"/case?case_id={quote(h[0], safe='')}"),
        ("trends by surface", "/trends"),
    ]
    return visits


def test_no_page_links_or_loads_anything_from_hostile_text(page, hostile, e2e_users):
    server = hostile["server"]
    elsewhere: list[str] = []  # every request the browser makes to a host other than the dashboard's
    page.on("request", lambda request: urlparse(request.url).hostname not in ("localhost", None)
            and request.url.split(":", 1)[0] in ("http", "https") and elsewhere.append(request.url))
    # A failed sign-in with a hostile user name puts the corpus into the audit log too.
    page.goto(server.url + "/")
    support.submit_login(page, hostile["corpus"][1], "wrong password!!", server)
    support.open_logged_in(page, server, e2e_users["admin"])
    failures = []
    for name, path in _visits(hostile):
        page.goto(server.url + path)
        page.get_by_text("Signed in as").wait_for()
        support.wait_for_app(page, quiet_s=1.0)
        support.assert_no_exception(page, server, name)
        bad = _offending(page, server.url)
        if bad:
            failures.append(f"{name} ({path[:60]}…): {bad[:5]}")
        text = support.body_text(page).replace("\u2060", "")
        # A page without sidebar filters reads nothing of the hostile query string; its visit still
        # checks that nothing links or loads.
        echoes = not name.isidentifier() or roles.page(name).scope or roles.page(name).date_range
        if echoes and not any(mark in text for mark in ("attacker", "Your session expired", hostile["site"].split("//")[1])):
            failures.append(f"{name}: no hostile text shown at all (the test would prove nothing)")
        slug = name.split(" ")[0]
        support.screenshot(page, f"hostile__{slug}__{len(failures)}")
    assert not failures, "\n".join(failures)
    assert _Attacker.hits == [], f"the attacker's server was asked for {_Attacker.hits}"
    assert elsewhere == [], f"the browser fetched from other hosts: {sorted(set(elsewhere))[:5]}"


def test_the_stored_incident_reads_as_text(page, hostile, e2e_users):
    server = hostile["server"]
    support.open_logged_in(page, server, e2e_users["admin"], "/incidents")
    page.get_by_role("heading", name="One incident").wait_for()
    support.wait_for_app(page, quiet_s=1.0)
    text = support.body_text(page).replace("\u2060", "")
    # the title and the commander exactly as stored, shown as text
    assert hostile["corpus"][1] in text and hostile["corpus"][3] in text
    assert _offending(page, server.url) == []
    for width in (1440, 800):
        page.set_viewport_size({"width": width, "height": 900})
        support.wait_for_app(page)
        support.screenshot(page, f"hostile__incident_{width}")
