"""A small point-of-sale module paying through GP tom's Cloud API: what an integrator writes.

It logs in once per terminal, creates a sale or a storno, polls the task no faster than every
half second until it is final, and reads the transaction. Time is injected (``sleep``), so tests
can move the mock's virtual clock instead of waiting.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional

POLL_INTERVAL_S = 0.5
FINAL_STATES = {"COMPLETED", "CANCELED", "ERROR"}


@dataclass
class Payment:
    task_state: str
    result: Optional[str]  # ACCEPTED / DECLINED / CANCELLED, or None when no transaction exists
    transaction: Optional[Dict[str, Any]]


class Pos:
    def __init__(
        self,
        base_url: str,
        *,
        client_id: str = "atom",
        client_secret: str = "ashfuf4e5fa",
        username: str = "jan.novak@example.com",
        password: str = "ABCDEFGHIJKL",
        tid: str = "999888",
        currency: str = "CZK",
        sleep: Callable[[float], None] = time.sleep,
        poll_interval: float = POLL_INTERVAL_S,
    ):
        self.base_url = base_url.rstrip("/")
        self.client = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self.login = {"grant_type": "password", "username": username, "password": password, "tid": tid}
        self.currency = currency
        self.sleep = sleep
        self.poll_interval = poll_interval
        self._token: Optional[str] = None

    def pay(self, amount: int, reference: Optional[str] = None) -> Payment:
        body = {"transactionType": "SALE", "amount": amount, "currencyCode": self.currency, "paymentMethod": "CARD"}
        if reference:
            body["originReferenceNum"] = reference
        return self._run(body)

    def cancel_last(self) -> Payment:
        return self._run({"transactionType": "CANCEL", "currencyCode": self.currency, "cancelMode": "LAST_TRANSACTION"})

    def transaction(self, transaction_id: str) -> Dict[str, Any]:
        return self._api("GET", f"/v1/transactions/{transaction_id}")

    def _run(self, body: Dict[str, Any]) -> Payment:
        task = self._api("POST", "/v1/tasks/TRANSACTION", body)
        while task["state"] not in FINAL_STATES:
            self.sleep(self.poll_interval)
            task = self._api("GET", f"/v1/tasks/{task['taskId']}")
        transaction_id = task.get("transactionId")
        if not transaction_id:
            return Payment(task["state"], None, None)
        transaction = self.transaction(transaction_id)
        return Payment(task["state"], transaction["result"], transaction)

    def _token_value(self) -> str:
        if self._token is None:
            request = urllib.request.Request(
                self.base_url + "/cloud/oauth/token",
                data=urllib.parse.urlencode(self.login).encode(),
                headers={"Authorization": f"Basic {self.client}"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=10) as answer:
                self._token = json.load(answer)["access_token"]
        return self._token

    def _api(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._token_value()}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)
