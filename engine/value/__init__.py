"""Customer value: each customer's expected spend over the next days (with a range), the date
of their next order (with a range) and their churn risk, checked on the shop's own past
(``engine.tasks.value``)."""
