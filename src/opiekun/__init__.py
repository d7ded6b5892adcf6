"""Opiekun: caretakers (account managers) of contractors, effective-dated."""
