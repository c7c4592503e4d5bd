"""Service level rules more than one service runs (pure, no I/O).

The SLA monitor runs the clocks live; the projections replay them for deadlines,
compliance and what-if; the supplier service and the supplier read model judge
dependency risk by one rule. Keeping them here, versioned with their tests, is what
lets each service change on its own without two copies of a rule drifting apart.
"""
