"""The KPI read model, in its parts."""
