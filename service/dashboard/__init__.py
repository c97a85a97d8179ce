"""The administrators' dashboard: one page at /dashboard that signs in and draws the reports
API's answers with plotly.js, served from the `plotly` package (no CDN, no build step)."""
