"""`make load` and `make faults` at tiny scale (issue 22): the load users are prepared once with a
second factor the load generator can compute, and the pages are read the way a browser submits
them — so the measured runs do not rot as the UI changes."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.generate import generate
from cordee.accounts.models import User
from cordee.careteam.access import visible_dossiers
from cordee.core.actor import Actor
from cordee.core.middleware import ACTING_STRUCTURE_KEY
from loadtest import pages, users
from loadtest.prepare import prepare
from loadtest.serving import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return generate(40, seed=3, out=io.StringIO())


def test_prepare_gives_each_load_user_the_dac_and_a_known_second_factor(region) -> None:
    assert prepare(count=4) == 4
    assert prepare(count=4) == 0  # idempotent
    user = User.objects.get(username=users.username(2))
    assert user.check_password(users.PASSWORD)
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.verify_token(totp(users.totp_key(user.username)))
    membership = user.memberships.get()
    assert membership.structure == region.big_structure
    assert visible_dossiers(Actor(user=user, membership=membership)).exists()


def _signed_in(region) -> Client:
    prepare(count=1)
    user = User.objects.get(username=users.username(1))
    client = Client()
    client.force_login(user)
    session = client.session
    session[ACTING_STRUCTURE_KEY] = str(region.big_structure.public_id)
    session["otp_device_id"] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


class _Http:
    """`serving.sign_in`'s client (get and post on paths, Locust's `name=`) over Django's test
    client, following redirects as requests does."""

    class Answer:
        def __init__(self, response) -> None:
            self.text = response.content.decode()
            self.url = response.request["PATH_INFO"]

    def __init__(self) -> None:
        self.client = Client()

    def get(self, url: str, name: str = "") -> Answer:
        return self.Answer(self.client.get(url, follow=True))

    def post(self, url: str, data: dict[str, str], name: str = "") -> Answer:
        return self.Answer(self.client.post(url, data, follow=True))


def test_a_load_user_signs_in_with_the_second_factor_and_acts_as_the_dac(region) -> None:
    # The faults run broke when "Agir en tant que" became a menu of buttons: the sign-in of the
    # load users is driven here through the real pages, second factor and menu included.
    prepare(count=3)
    http = _Http()
    sign_in(http, users.username(2))
    listing = http.get("/patients/").text
    assert pages.dossier_ids(listing), "the DAC's dossiers, once acting as the DAC"
    assert region.big_structure.name in listing


def test_named_submit_buttons_are_choices_of_their_form() -> None:
    form = pages.forms(
        '<form method="post" action="/agir/"><button type="submit" name="structure" value="">Moi</button>'
        '<button name="structure" value="s1">DAC</button><button type="button" name="x" value="y">'
        '</button><input type="submit" name="go" value="ok"></form>'
    )[0]
    assert form.options == {"structure": ["", "s1"], "go": ["ok"]}
    assert form.data() == {}


def test_pages_are_read_as_a_browser_submits_them(region) -> None:
    client = _signed_in(region)
    listing = client.get("/patients/").content.decode()
    dossiers = pages.dossier_ids(listing)
    assert dossiers
    task_page = client.get(f"/patients/{dossiers[0]}/taches/nouvelle/").content.decode()
    form = pages.form_with(task_page, "task_type")
    assert form is not None and form.method == "post"
    assert [value for value in form.options["task_type"] if value], "the task types offered"
    assert form.fields["csrfmiddlewaretoken"] == [pages.csrf(task_page)]
    assert "documents" not in form.fields  # a file input is not a value


def test_a_questionnaire_form_is_filled_by_its_items_names(region) -> None:
    from django.core.management import call_command

    call_command("load_questionnaires", stdout=io.StringIO())
    client = _signed_in(region)
    dossier = pages.dossier_ids(client.get("/patients/").content.decode())[0]
    new = pages.evaluation_link(client.get(f"/patients/{dossier}/parcours/").content.decode())
    assert new
    form = pages.form_with(client.get(new).content.decode(), "version")
    assert form is not None
    assert form.named("motif").endswith("-motif") and form.named("absent") == ""
    # An item hidden by its condition is disabled: a browser does not send it, neither do we.
    assert not form.named("nb_chutes") or form.named("nb_chutes") not in form.fields


def test_disabled_controls_and_templates_are_not_submitted() -> None:
    form = pages.forms(
        '<form method="post" action="/x/"><input name="a" value="1"><input name="b" value="2" disabled>'
        '<template><input name="c" value="3"></template><select name="s"><option value="">—</option>'
        '<option value="k" selected>K</option></select><textarea name="t">texte</textarea>'
        '<input type="checkbox" name="box" value="v"><input type="file" name="f"></form>'
    )[0]
    assert form.action == "/x/"
    assert form.data() == {"a": ["1"], "s": ["k"], "t": ["texte"]}
    assert form.options == {"s": ["", "k"], "box": ["v"]}
    assert form.data(box="v", a=["4", "5"]) == {"a": ["4", "5"], "s": ["k"], "t": ["texte"], "box": ["v"]}
