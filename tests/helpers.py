"""Helpers shared by the tests."""

import re
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.db import connection
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.test import Client
from django_otp.oath import TOTP

from accounts.middleware import SESSION_EPOCH, SESSION_STARTED
from casework.models import Consent, EmbassyDisclosure, Recruitment
from casework.views.workspace import TABS


def signed_in_client(user, client=None):
    """A client signed in as `user` without the two-step sign-in, its session stamped as
    the real sign-in does (SessionPolicyMiddleware ends a session without the stamps)."""
    client = client or Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_STARTED] = int(time.time())
    session[SESSION_EPOCH] = user.session_epoch
    session.save()
    return client


def case_page_tabs(client: Client, case, *tabs: str) -> str:
    """The case page with each of `tabs` open (every tab if none is named), one request
    each, as one text: a staff case page shows one tab at a time (views.workspace)."""
    url = case.get_absolute_url()
    pages = []
    for tab in tabs or TABS:
        response = client.get(url, {"tab": tab})
        assert response.status_code == 200, (tab, response.status_code)
        pages.append(response.content.decode())
    return "\n".join(pages)


def share_with_embassy(case, recorded_by, approved_by, country: str = "KE") -> None:
    """Record the person's written consent and a supervisor's approval to share `case`
    with `country`'s embassy, as a caseworker and a supervisor do."""
    Consent.objects.create(
        case=case,
        scope="share_with_embassy",
        country=country,
        method="written",
        recorded_by=recorded_by,
    )
    EmbassyDisclosure.objects.create(case=case, country=country, approved_by=approved_by)


def totp_code(device):
    """The current code of a django-otp TOTP device."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@dataclass
class HtmlForm:
    """One <form> of a page as a browser sees it: where it goes and what it would send."""

    action: str
    method: str
    # (name, value) pairs a browser submits when nothing is touched, in document order.
    data: list[tuple[str, str]] = field(default_factory=list)
    # Every named control, submitted or not (unchecked boxes, unselected options).
    names: list[str] = field(default_factory=list)
    # The type of each named control: an <input>'s type, or "select", "textarea".
    types: dict[str, str] = field(default_factory=dict)
    # The options of each <select>, in order.
    options: dict[str, list[str]] = field(default_factory=dict)

    def as_post_data(self) -> dict[str, list[str]]:
        """The data in the shape Django's test client posts (a list per name)."""
        grouped: dict[str, list[str]] = {}
        for name, value in self.data:
            grouped.setdefault(name, []).append(value)
        return grouped


# What a browser keeps of an input's value (HTML's value sanitization algorithm): anything
# else it shows as empty and submits as "", as it does with a localised date.
VALID_VALUES = {
    "date": re.compile(r"\d{4,}-\d{2}-\d{2}"),
    "month": re.compile(r"\d{4,}-\d{2}"),
    "week": re.compile(r"\d{4,}-W\d{2}"),
    "time": re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"),
    "datetime-local": re.compile(r"\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"),
    "number": re.compile(r"-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?"),
}


def browser_value(kind: str, value: str) -> str:
    """The value a browser submits for an <input type=kind value=value> left untouched."""
    pattern = VALID_VALUES.get(kind)
    return value if pattern is None or pattern.fullmatch(value) else ""


class _FormParser(HTMLParser):
    """Collects the forms of a page and what a browser would submit for each (HTML's
    "constructing the entry list"): no buttons, no files, no disabled controls."""

    NOT_SUBMITTED = {"submit", "button", "reset", "image", "file"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def _name(self, name: str, kind: str) -> None:
        if name not in self._form.types:
            self._form.names.append(name)
            self._form.types[name] = kind

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self._form = HtmlForm(
                action=attributes.get("action") or "",
                method=(attributes.get("method") or "get").lower(),
            )
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attributes.get("name")
        disabled = "disabled" in attributes
        if tag == "input" and name and not disabled:
            kind = (attributes.get("type") or "text").lower()
            if kind in self.NOT_SUBMITTED:
                return
            self._name(name, kind)
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self._form.data.append((name, attributes.get("value") or "on"))
            else:
                self._form.data.append((name, browser_value(kind, attributes.get("value") or "")))
        elif tag == "select" and name and not disabled:
            self._name(name, "select")
            self._form.options[name] = []
            self._select = {"name": name, "multiple": "multiple" in attributes, "chosen": []}
        elif tag == "option" and self._select is not None:
            self._option = {
                "value": attributes.get("value"),
                "text": "",
                "selected": "selected" in attributes,
            }
        elif tag == "textarea" and name and not disabled:
            self._name(name, "textarea")
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        elif self._textarea is not None:
            self._textarea["text"] += data

    def _end_option(self) -> None:
        option, self._option = self._option, None
        value = option["value"] if option["value"] is not None else option["text"].strip()
        self._form.options[self._select["name"]].append(value)
        if option["selected"]:
            self._select["chosen"].append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option" and self._option is not None:
            self._end_option()
        elif tag == "select" and self._select is not None:
            if self._option is not None:
                self._end_option()
            select, self._select = self._select, None
            chosen = select["chosen"]
            options = self._form.options[select["name"]]
            if not select["multiple"]:
                # A single select always submits one option: the last selected, or the first.
                chosen = chosen[-1:] or options[:1]
            self._form.data.extend((select["name"], value) for value in chosen)
        elif tag == "textarea" and self._textarea is not None:
            textarea, self._textarea = self._textarea, None
            # HTML drops one newline right after <textarea>.
            text = textarea["text"].removeprefix("\r\n").removeprefix("\n")
            self._form.data.append((textarea["name"], text))


def page_forms(html: str | bytes) -> list[HtmlForm]:
    """The forms of a page, each with what a browser would submit if nothing were touched."""
    if isinstance(html, bytes):
        html = html.decode()
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def submit_unchanged(client: Client, url: str, action: str | None = None) -> HttpResponse:
    """GET `url`, then submit its POST form that goes to `action` (by default, the form
    posting back to the page itself) exactly as a browser would if the user pressed its
    button without touching anything."""
    page = client.get(url)
    assert page.status_code == 200, f"{url}: {page.status_code}"
    target = action or url
    forms = [
        form
        for form in page_forms(page.content)
        if form.method == "post" and (form.action or url) == target
    ]
    assert len(forms) == 1, f"{url}: {len(forms)} forms post to {target}"
    return client.post(target, forms[0].as_post_data())


# Fields a save may legitimately move: bookkeeping, not what the user typed.
BOOKKEEPING = ["updated_at", "last_activity_at"]


def stored_case_values(case) -> dict[str, object]:
    """Every value the edit forms of `case` can write, read afresh from the database and
    flattened to "part.field": the case, its person, recruitment and contacts."""
    case.refresh_from_db()
    person = case.person
    person.refresh_from_db()
    recruitment = Recruitment.objects.get(case=case)
    objects = {
        "case": case,
        "person": person,
        "recruitment": recruitment,
        **{f"contact{c.pk}": c for c in case.contacts.order_by("pk")},
    }
    values = {
        f"{label}.{key}": value
        for label, instance in objects.items()
        for key, value in model_to_dict(instance, exclude=BOOKKEEPING).items()
    }
    values["person.nationalities"] = sorted(n.country.code for n in person.nationalities.all())
    values["person.aliases"] = sorted(a.name for a in person.aliases.all())
    values["person.documents"] = sorted(
        (d.doc_type, d.number, d.status) for d in person.identity_documents.all()
    )
    values["recruitment.means"] = sorted(
        recruitment.means_of_control.values_list("means", flat=True)
    )
    return values


def changed_values(before: dict, after: dict) -> dict[str, tuple]:
    """(before, after) of each value that differs between two `stored_case_values`."""
    return {key: (before[key], after.get(key)) for key in before if before[key] != after.get(key)}


def run_threads(count: int, target) -> list[Exception]:
    """Run `target(n)` in `count` threads released together, each on its own database
    connection; the errors they raised."""
    errors = []
    barrier = threading.Barrier(count)

    def run(n):
        try:
            barrier.wait(timeout=30)
            target(n)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return errors


REGISTER_URL = "/cases/new/"


def register_in_steps(client: Client, data: dict, *, until: str | None = None) -> HttpResponse:
    """Send `data` (registration fields by their prefixed names, e.g. "person-given_name")
    through the registration's steps as a browser would, each step's form with its own
    fields filled from `data`. Returns the first answer that is not the next step (the
    registered case's redirect, a step with errors, a duplicate warning), or the page of
    step `until` ("origin", ..., "confirm")."""
    page = client.get(REGISTER_URL)
    while True:
        assert page.status_code == 200, f"{REGISTER_URL}: {page.status_code}"
        [form] = [f for f in page_forms(page.content) if f.action == REGISTER_URL]
        step = dict(form.data)["step"]
        if step == until:
            return page
        posted = form.as_post_data()
        for name in [*form.names, "not_a_duplicate"]:
            if name in data:
                value = data[name]
                posted[name] = list(value) if isinstance(value, list | tuple) else [value]
        response = client.post(REGISTER_URL, posted)
        if response.status_code != 302 or not response.url.startswith(REGISTER_URL):
            return response
        page = client.get(response.url)
