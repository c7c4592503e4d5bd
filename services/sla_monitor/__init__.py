"""SLA monitor: agreements, business-time clocks, real-time warnings and breach alerts."""
