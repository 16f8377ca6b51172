"""E-mails owed to people outside the staff alerts, sent by the task worker with retries, one row per message."""
