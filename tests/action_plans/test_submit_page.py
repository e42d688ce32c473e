"""The check before submitting says in words how much the stage holds."""

import re
from datetime import date
from html.parser import HTMLParser

import pytest

from action_plans import services
from action_plans.enums import VoiceMethod
from tests.action_plans.builders import announced_organisation, complete, lead_of, started

pytestmark = pytest.mark.django_db


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def _text(response) -> str:
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join("".join(parser.parts).split())


def _ready_sentence(client, submission) -> str:
    response = client.get(f"{submission.get_absolute_url()}submit/")
    assert response.status_code == 200
    return re.search(r"The self-assessment covers [^.]*\.", _text(response)).group(0)


@pytest.mark.parametrize(
    ("evidence", "said"),
    [
        (1, "and 1 piece of technician voice evidence is recorded."),
        (3, "and 3 pieces of technician voice evidence are recorded."),
    ],
)
def test_the_evidence_is_counted_in_good_english(client, evidence, said):
    organisation = announced_organisation()
    lead = lead_of(organisation)
    submission = complete(started(organisation, lead), lead)  # one piece of evidence
    for number in range(evidence - 1):
        services.voice_evidence_add(
            actor=lead,
            submission=submission,
            method=VoiceMethod.FOCUS_GROUP,
            held_on=date(2025, 4, 1 + number),
            participants=12,
            description="A focus group of workshop technicians.",
            what_changed="Rotas are agreed with the team.",
        )
    client.force_login(lead)

    sentence = _ready_sentence(client, submission)

    assert sentence == ("The self-assessment covers 4 themes, the plan has 4 actions, " + said)
