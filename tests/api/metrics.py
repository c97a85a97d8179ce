"""Reading /metrics as Prometheus does: the client library's own parser, sample by sample."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "scrape-token-for-tests"

# Every family /metrics answers, by the name the parser gives it (counters without _total).
FAMILIES = {
    "benchshare_http_requests": "counter",
    "benchshare_http_request_duration_seconds": "histogram",
    "benchshare_bookings": "counter",
    "benchshare_refusals": "counter",
    "benchshare_job_runs": "counter",
    "benchshare_job_failures": "counter",
    "benchshare_job_duration_seconds": "histogram",
    "benchshare_db_pool_checked_out": "gauge",
    "benchshare_db_pool_size": "gauge",
    "benchshare_notifications": "gauge",
    "benchshare_notifications_oldest_age_seconds": "gauge",
    "benchshare_notifications_expired_leases": "gauge",
    "benchshare_scheduler_leader": "gauge",
    "benchshare_scheduler_leader_since_timestamp_seconds": "gauge",
    "benchshare_scheduler_is_leader": "gauge",
    "benchshare_replica_lag_seconds": "gauge",
    "benchshare_metrics_source_up": "gauge",
}


def parse(text: str) -> dict:
    """Family name -> family; raises on anything the text format does not allow."""
    return {family.name: family for family in text_string_to_metric_families(text)}


def scrape(client, token: str = TOKEN) -> dict:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse(response.get_data(as_text=True))


def value(families: dict, sample: str, **labels) -> float:
    """The value of the sample named `sample` with exactly these labels; 0 when absent."""
    family = sample.removesuffix("_total").removesuffix("_count").removesuffix("_bucket")
    for name in (family, sample):
        for each in families.get(name, ()).samples if name in families else ():
            if each.name == sample and each.labels == {k: str(v) for k, v in labels.items()}:
                return each.value
    return 0.0
