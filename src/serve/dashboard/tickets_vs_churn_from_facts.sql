-- Churn rate by the number of support tickets opened in the month (5 stands for 5 or more).
WITH months AS ({{filtered_months}})
SELECT least(tickets, 5) AS tickets,
       count(*) FILTER (WHERE churned) / nullif(count(*) FILTER (WHERE is_subscriber), 0) AS churn_rate,
       count(*) FILTER (WHERE is_subscriber) AS customers
FROM months
GROUP BY least(tickets, 5)
ORDER BY tickets
