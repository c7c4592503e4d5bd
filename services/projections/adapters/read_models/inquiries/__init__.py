"""The inquiries read model, in its parts."""
