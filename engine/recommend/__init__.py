"""Recommendations: what each customer is likely to want next."""
