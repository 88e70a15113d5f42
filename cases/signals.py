"""Signals the cases app sends; other apps react without cases knowing them."""

from django.dispatch import Signal

# Sent inside the transaction that changed the facts of a case (ziekmelding,
# hersteldmelding, employment end, ...), with ``case`` (an AbsenceCase).
# Receivers must do their own work through ``transaction.on_commit``.
case_facts_changed = Signal()

# Sent inside the transaction that changed who runs a case, with ``case`` and
# ``changes``: {role: (old user id or None, new user id or None)}.
case_people_changed = Signal()

# Sent inside the transaction of a new ziekmelding, with ``case``, after
# ``case_facts_changed``. Receivers work through ``transaction.on_commit``.
case_reported = Signal()

# Sent inside the transaction of a hersteldmelding, with ``case`` and
# ``change`` (the WorkabilityChange; ``case.status`` tells whether the
# recovery was full). Receivers work through ``transaction.on_commit``.
case_recovered = Signal()

# Sent inside the transaction of a bulk write of employees (import, API,
# AFAS), which sends no model signals, with ``employer`` and ``since``: the
# earliest day whose absence figures the written employment dates, contract
# hours or departments can change.
employees_changed = Signal()
