-- Fragment (not a query): the CTE "banded_pending", included with a line "-- include: banded_pending" after
-- "-- include: pending" and a comma. THE age band rule: each pending item with age_band, its SLA band as of the bound
-- :red_before and :amber_before (dashboard.moderation.config.sla_bounds: now minus 72 h and minus 24 h): 'gt72'
-- created before :red_before, '24to72' before :amber_before, else 'lt24' (also with no creation time). The band
-- names are dashboard.moderation.config.AGE_BANDS (a test checks this file against them). Columns: those of pending,
-- plus age_band.
banded_pending AS NOT MATERIALIZED (
  SELECT q.*,
         CASE WHEN q.created_at < CAST(:red_before AS TIMESTAMPTZ) THEN 'gt72'
              WHEN q.created_at < CAST(:amber_before AS TIMESTAMPTZ) THEN '24to72' ELSE 'lt24' END AS age_band
  FROM pending AS q
)
