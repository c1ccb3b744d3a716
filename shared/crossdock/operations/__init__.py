"""Operations: what an operator reads about the whole system — the status screen, the daily digest,
the HTML report. A reader of every job's stores; no job imports it."""
