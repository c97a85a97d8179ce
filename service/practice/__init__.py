"""Practice hours: what each student practised on the equipment, per category and period."""
