"""The booking engine: reservations, their lifecycle, blackouts, series, waitlist, quotas."""
