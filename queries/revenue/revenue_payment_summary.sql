-- Returns: one row per period ('current' = [cur_start, cur_end], 'previous' = [prev_start, prev_end]) × currency
--          × stream × detail × payment_method × provider × status, with payments (count), amount (what buyers
--          paid), platform_share (the platform's part of it) and third_party (ticket vendors' commission), summed in
--          that row's currency, over the revenue lines of queries/shared/revenue_lines.sql (each donation counted
--          once), read from their rollup revenue_daily (dashboard/rollups.py keeps it equal to them).
--          dashboard/metrics/revenue.py turns these rows into gross, refunds, net, the platform's share, payouts and
--          failed payments.
-- Params: :cur_start, :cur_end (date, inclusive) the period; :prev_start, :prev_end (date, inclusive) the equal
--         period right before it (prev_end < cur_start)
SELECT CASE WHEN day BETWEEN CAST(:cur_start AS DATE) AND CAST(:cur_end AS DATE) THEN 'current' ELSE 'previous' END
         AS period,
       currency, stream, detail, payment_method, provider, status,
       CAST(SUM(lines) AS BIGINT) AS payments,
       SUM(amount) AS amount,
       SUM(platform_share) AS platform_share,
       SUM(third_party) AS third_party
FROM revenue_daily
WHERE day BETWEEN CAST(:cur_start AS DATE) AND CAST(:cur_end AS DATE)
   OR day BETWEEN CAST(:prev_start AS DATE) AND CAST(:prev_end AS DATE)
GROUP BY 1, currency, stream, detail, payment_method, provider, status
HAVING SUM(lines) <> 0
ORDER BY period, currency, stream, detail, payment_method, provider, status
