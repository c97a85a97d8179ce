"""Idle equipment, named: items whose utilisation stayed low for weeks, with a suggestion."""
