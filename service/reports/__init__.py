"""Utilisation reports: per item and period, available, booked and used hours, kept once built."""
