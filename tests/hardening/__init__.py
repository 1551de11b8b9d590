"""Hardening: attacks, slow and idle clients, faults of the process and of the disk,
runaway queries."""
