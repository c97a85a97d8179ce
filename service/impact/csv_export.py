"""The impact answer and the contribution statement as CSV."""

from __future__ import annotations

from flask import Response

from ..csv_export import csv_response

IMPACT_COLUMNS = ("from", "to", "offer_id", "offer_status", "school_id", "school_name",
                  "equipment_id", "equipment_name", "timezone", "value_per_hour",
                  "hours_offered", "hours_booked", "hours_used", "sessions", "students_trained",
                  "no_shows", "outcomes_received", "top_skills", "valued_hours_booked",
                  "valued_hours_used")
CONTRIBUTION_COLUMNS = ("month", "school_id", "school_name", "hours_offered", "hours_booked",
                        "hours_used", "valued_hours_booked", "valued_hours_used", "status",
                        "confirmed_by_name", "confirmed_at")


def impact_csv(document: dict, *, bom: bool = True) -> Response:
    """The impact answer, one line per offer and item (top skills as `tag:count; ...`)."""
    rows = []
    for offer in document["offers"]:
        for item in offer["items"]:
            line = {**item, "from": document["from"], "to": document["to"],
                    "offer_id": offer["offer_id"], "offer_status": offer["status"],
                    "school_id": offer["school_id"], "school_name": offer["school_name"],
                    "top_skills": "; ".join(f"{s['tag']}:{s['count']}"
                                            for s in item["top_skills"])}
            rows.append([line[name] for name in IMPACT_COLUMNS])
    name = f"impact-{document['organisation_id']}-{document['from']}-{document['to']}.csv"
    return csv_response(IMPACT_COLUMNS, rows, name, bom=bom)


def contribution_csv(document: dict, *, bom: bool = True) -> Response:
    """The contribution statement, one line per month and school."""
    rows = [[f"{row['month']:%Y-%m}" if name == "month" else
             row[name].isoformat() if name == "confirmed_at" and row[name] else row[name]
             for name in CONTRIBUTION_COLUMNS] for row in document["rows"]]
    name = f"contribution-{document['organisation_id']}-{document['year']}.csv"
    return csv_response(CONTRIBUTION_COLUMNS, rows, name, bom=bom)
