"""make bench: the portal measured under load at 10 and 100,000 articles (bench/README.md)."""
