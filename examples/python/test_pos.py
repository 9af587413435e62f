"""The POS module's tests against gptom-mock, through the pytest plugin's ``gptom_mock`` fixture.

Run with ``pytest --gptom-verify --gptom-junit=contract.xml``: a test also fails when the POS broke
GP tom's protocol, and every test's contract verdict lands in contract.xml.
"""

import pytest

from pos import Pos


@pytest.fixture
def pos(gptom_mock):
    # The POS waits between polls by moving the mock's virtual clock: no real sleeping.
    return Pos(gptom_mock.url, sleep=lambda seconds: gptom_mock.advance(seconds))


def test_an_approved_card_payment(pos):
    payment = pos.pay(1000, reference="order-1")
    assert payment.task_state == "COMPLETED"
    assert payment.result == "ACCEPTED"
    assert payment.transaction["amsID"]


def test_a_declined_card_is_reported_not_retried(gptom_mock, pos):
    gptom_mock.use_scenario("declined")
    payment = pos.pay(1000)
    assert (payment.task_state, payment.result) == ("COMPLETED", "DECLINED")
    creations = [r for r in gptom_mock.requests() if r["method"] == "POST" and r["path"] == "/v1/tasks/TRANSACTION"]
    assert len(creations) == 1
    # Protocol coverage: this test showed the POS a decline, and the POS handled it.
    cases = {case["id"]: case["status"] for case in gptom_mock.coverage()["cases"]}
    assert cases["decline-generic"] == "handled", gptom_mock.coverage_text()


def test_the_last_payment_is_cancelled_by_storno(pos):
    sale = pos.pay(2500)
    storno = pos.cancel_last()
    assert storno.task_state == "COMPLETED"
    assert pos.transaction(sale.transaction["transactionId"])["cancelled"] is True


@pytest.mark.gptom_scenario("customer-cancels")
def test_a_customer_who_walks_away(pos):
    payment = pos.pay(1000)
    assert payment.task_state == "CANCELED"


def test_verify_catches_a_poller_that_hammers_the_api(gptom_mock):
    hasty = Pos(gptom_mock.url, sleep=lambda seconds: gptom_mock.advance(seconds), poll_interval=0.01)
    hasty.pay(1000)
    verdict = gptom_mock.verify()
    assert not verdict["passed"]
    assert "poll-interval" in [rule["id"] for rule in verdict["rules"] if rule["outcome"] == "failed"]
    gptom_mock.reset()  # what this test did on purpose is not held against it by --gptom-verify
