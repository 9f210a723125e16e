-- Vendors: each vendor's name, kind, hourly cost and contract targets (null: the contract sets none).
SELECT
    vendor_id, name, kind, cost_per_hour_usd,
    target_throughput_per_hour, target_accuracy, target_sla_adherence,
    target_aht_seconds, target_occupancy, target_overturn_rate
FROM vendors
ORDER BY name
