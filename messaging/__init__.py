"""E-mails (and text messages: `messaging.channels`, `messaging.sms`) owed to people outside the staff alerts,
sent by the task worker with retries, one row per message."""
