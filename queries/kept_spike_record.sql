-- The spike record the writers kept (watchfloor/spike_record_summary.py) for $hour and
-- $sensitivity, if it was judged on series with $series_key (watchfloor.spike_record.series_key
-- of the page's watched_series frame): one row per spike with the judged grid, or one row with
-- only the grid when the record holds no spike. No row: no such record is kept.
SELECT
    r.first_hour, r.last_hour,
    s.spike_id, s.category, s.surface, s.region, s.level, s.label, s.onset, s.detected_at, s.peak,
    s.end_hour, s.until, s.hours, s.observed, s.expected, s.excess, s.multiplier, s.peak_observed,
    s.peak_expected, s.score, s.severity, s.ongoing, s.state, s.kind, s.burst_cases
FROM summary_spike_records r
LEFT JOIN summary_spikes s ON s.hour = r.hour AND s.sensitivity = r.sensitivity
WHERE r.hour = $hour
  AND r.sensitivity = $sensitivity
  AND r.series_key = $series_key
ORDER BY s.onset, s.category, s.spike_id
