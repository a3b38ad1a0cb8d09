"""Column vocabulary of the canonical survey frame and the service-ticket log.

The ingest layer turns every supported export into **one canonical frame**: one row per
respondent, one column per variable. Column names are stable English identifiers:

* metadata: :data:`RESPONDENT_ID`, :data:`CUSTOMER_ID`, :data:`ORDER_ID`, :data:`SUBMITTED_AT`
  (``datetime64``), :data:`DURATION_SEC` (float seconds), :data:`CATEGORY`, and the optional
  survey weight :data:`WEIGHT`;
* every codebook question by its id (items, traps, outcomes: float codes with ``NaN`` for a
  skipped / not-shown answer; open answers: text; segments: their level codes as text).

The ticket log (one row per service ticket) uses :data:`TICKET_COLUMNS`.

The instrument's vocabulary is defined here once too: the five service :data:`DIMENSIONS` and the
data-quality screening rules (:data:`QUALITY_RULES`, :data:`DEFAULT_RULE_ACTIONS`).
"""

from __future__ import annotations

RESPONDENT_ID = "respondent_id"
CUSTOMER_ID = "customer_id"
ORDER_ID = "order_id"
SUBMITTED_AT = "submitted_at"
DURATION_SEC = "duration_sec"
CATEGORY = "category"
WEIGHT = "weight"

#: The five service dimensions of the instrument, in report order.
DIMENSIONS = ("efficiency", "quality", "communication", "after_sales", "digital")

#: The data-quality screening rules, in report order, and what each does by default.
QUALITY_RULES = ("trap", "reverse_contradiction", "straightline", "speeder", "duplicate_id", "repeat_customer")
RULE_ACTIONS = ("flag", "exclude")
DEFAULT_RULE_ACTIONS = {
    "trap": "exclude",
    "reverse_contradiction": "flag",
    "straightline": "exclude",
    "speeder": "exclude",
    "duplicate_id": "exclude",
    "repeat_customer": "exclude",
}

#: Metadata columns of the canonical frame, in order (``WEIGHT`` is optional).
METADATA_COLUMNS = (RESPONDENT_ID, CUSTOMER_ID, ORDER_ID, SUBMITTED_AT, DURATION_SEC, CATEGORY)

#: Service-ticket log columns -> meaning. One row per ticket, joined to the survey on
#: ``customer_id`` / ``order_id``.
TICKET_COLUMNS = {
    "ticket_id": "unique ticket id (text)",
    "customer_id": "customer id (text), as in the survey",
    "order_id": "order id (text), as in the survey",
    "created_at": "ticket creation time (datetime)",
    "channel": "wechat | app | web | phone",
    "issue_type": "logistics | refund | return | product | other",
    "handled_by": "bot | human | bot_to_human",
    "handoff_min": "minutes from bot start to a human taking over (NaN unless bot_to_human)",
    "first_response_min": "minutes to the first reply (float)",
    "resolution_hours": "hours to resolution (NaN if unresolved)",
    "first_contact_resolution": "resolved at the first contact (bool)",
    "repeat_contact": "customer contacted again about the same issue within 7 days (bool)",
    "escalated": "escalated to a higher tier (bool)",
    "severity": "high | normal (high: damaged goods, stuck parcels: 15-minute response)",
}
