"""Signals the documents app sends; other apps react without documents knowing them.

Both are sent inside the service's transaction with ``document``; receivers
do their own work through ``transaction.on_commit``.
"""

from django.dispatch import Signal

# A concept was offered for signature (its content is fixed from now on).
document_signatures_requested = Signal()

# The last party signed (or a kind nobody signs became final): the stored PDF
# and its sha256 exist from now on.
document_signed = Signal()
