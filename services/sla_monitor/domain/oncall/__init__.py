"""On call: who is told about an SLA alert, when, and in how many messages (pure; no I/O).

The concepts are those of PagerDuty, Grafana OnCall and Prometheus Alertmanager:

* ``Rotation`` (a schedule layer): participants take turns in fixed-length shifts. Hand-offs
  are meant in local wall-clock time, so a daily 09:00 hand-off stays at 09:00 when
  daylight saving time starts or ends.
* ``Team`` with ``EscalationLevel``s (an escalation policy): level 0 is told at once, each
  further level a number of minutes after the alert was raised unless it was acknowledged.
* ``RouteRule`` and ``route`` (a routing tree): the first matching rule names the team.
* ``Grouper`` (Alertmanager's ``group_wait``): a burst of alerts for one team becomes one
  ``Notification``, whose ``key`` is the same whoever builds it, so retries and other
  instances send it under the same idempotency key.

Constructors validate; a bad value raises ``OnCallError`` (a ``ValueError`` and an
``InvalidField``, so the API reports INVALID_ARGUMENT) naming the field. Times must be
timezone-aware; they are kept and compared in UTC.
"""
