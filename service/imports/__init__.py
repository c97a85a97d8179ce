"""Roster and inventory import: spreadsheets of people and equipment, checked then committed."""
