"""The calendar: BenchShare's bottom floor of time (wall clocks, spans, periods, statuses).

Every domain reads local time, period bounds and the named status sets from here, in Python
(`wallclock`, `spans`, `grid`) and in SQL (`sql`), so one question has one answer. The package
imports no domain package; domains import it downward.
"""
