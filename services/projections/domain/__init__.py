"""Pure read-model logic: how each event changes a view."""
