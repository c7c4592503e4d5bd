"""The suppliers read model, in its parts."""
