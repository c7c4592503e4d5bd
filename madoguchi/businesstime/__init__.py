"""Business time shared by the services that measure it: calendars (SLA monitor, supplier)."""
