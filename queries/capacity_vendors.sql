-- Capacity: each vendor's hourly cost and contracted reviewer-hours per week (null: the contract
-- sets none). SELECT * so a warehouse made before the contract column existed still answers.
SELECT * FROM vendors ORDER BY name
