"""A realistic day of a municipal contact centre (市役所コールセンター), sent through the API.

``plan_day`` is pure and seeded: it turns a date into scenarios (one inquiry, or one
abandoned call, each with its ordered API steps) in Asia/Tokyo business hours, 08:30 to
20:30. ``run_demo`` sends them to the intake service in time order so a newcomer can watch
the read model fill. Creating calls carry idempotency keys derived from (day, seed, size,
scenario index, step); the other commands have no key in the API, so a re-run skips the
steps an inquiry's stored version shows are already there. Running the demo twice for the
same day therefore stores nothing new for that day.

Then the suppliers (``madoguchi_cli.demo.suppliers``): an outsourced operator and a
maintenance vendor with fiscal-year contracts take four escalated inquiries of the same
day through their own portal calls; one acknowledges late, so its supplier SLA breaches
and the contract's penalty accrues. Skipped when no supplier service answers.

Then, live: ``plan_live`` turns the run's start time into three inquiries received *now*
under the ``demo-fast`` agreement (24×7, first response 1 min, resolution 3 min, warnings
at 50 % and 90 %): one stays unanswered (warnings at 30 s and 54 s, breach at 60 s), one
is answered after 15 s and resolved after 40 s (targets met), one is answered and then put
on hold awaiting the customer (its resolution clock pauses). ``run_demo`` sends them, sends
their later steps when they fall due, and meanwhile follows the SLA monitor's
``WatchAlerts`` stream, printing what concerns them until the first breach. Their
idempotency keys carry the run's start time (UTC, to the second), which also is their
``contacted_at``: a retried call within the run stores nothing twice, and each new run adds
three new live inquiries, because they must happen now to show live alerts. (A coarser key,
say the start minute, would make a re-run within the same minute fail with ALREADY_EXISTS,
since the receipt time is part of the request.) Without a reachable SLA monitor the live
inquiries are still sent and the watch is skipped.

    python -m madoguchi_cli.demo --intake 127.0.0.1:50051 --day 2025-06-02
"""
