-- summary_settled_scores for the (creation day, settle day) pairs in the temp table summary_settle_days,
-- from summary_case_routes: its settled cases flagged by a classifier counted per pair, filter columns,
-- classifier, category, score bands (routing_figures' threshold band 0.01 wide from 0.50, scores below
-- in 0.49; automation_classifier's drift band 0.05 wide, a score of 1 in 0.95, NULL for no score), and
-- the case's automation, decision, awaiting-first-action and breach as of any instant from settled_at.
INSERT INTO summary_settled_scores
SELECT
    r.created_day, r.settled_day, r.queue_id, r.priority, r.region, r.vendor_id, r.classifier_no, r.category_no,
    r.score_band, r.drift_band, r.automated, r.decision_no, r.awaiting_first_action, r.breached,
    count(*) AS cases,
    coalesce(sum(r.review_s), 0) AS review_s,
    min(r.classifier_score) AS lowest_score,
    coalesce(sum(r.qa_checked), 0) AS qa_checked,
    coalesce(sum(r.qa_violating), 0) AS qa_violating,
    coalesce(sum(r.golden_checked), 0) AS golden_checked,
    coalesce(sum(r.golden_violating), 0) AS golden_violating
FROM (
    SELECT
        date_trunc('day', c.created_at) AS created_day, date_trunc('day', c.settled_at) AS settled_day,
        c.queue_id, c.priority, c.region, c.vendor_id, c.classifier_no, c.category_no, c.classifier_score,
        wf_score_band(c.classifier_score) AS score_band,
        CASE WHEN c.classifier_score IS NOT NULL THEN wf_drift_band(c.classifier_score) END AS drift_band,
        c.automated,
        CASE WHEN c.resolved_at IS NOT NULL THEN c.decision_no END AS decision_no,
        c.first_action_at IS NULL AND c.resolved_at IS NULL AS awaiting_first_action,
        coalesce((c.fa_stopped_at IS NOT NULL AND c.fa_breached) OR c.res_breached, false) AS breached,
        c.review_s,
        c.qa_checked, c.qa_violating, c.golden_checked, c.golden_violating
    FROM summary_case_routes c
    JOIN summary_settle_days d
      ON d.created_day = date_trunc('day', c.created_at) AND d.settled_day = date_trunc('day', c.settled_at)
    WHERE c.settled_at IS NOT NULL AND c.classifier_no IS NOT NULL
      AND c.created_at >= $created_from AND c.created_at < $created_to
) r
GROUP BY r.created_day, r.settled_day, r.queue_id, r.priority, r.region, r.vendor_id, r.classifier_no, r.category_no,
         r.score_band, r.drift_band, r.automated, r.decision_no, r.awaiting_first_action, r.breached
ORDER BY r.created_day, r.settled_day, r.queue_id, r.priority, r.region, r.vendor_id, r.classifier_no, r.category_no,
         r.score_band, r.drift_band, r.automated, r.decision_no, r.awaiting_first_action, r.breached
