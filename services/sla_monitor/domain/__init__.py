"""Pure SLA domain: calendars, agreements, clocks, on-call; no I/O."""
