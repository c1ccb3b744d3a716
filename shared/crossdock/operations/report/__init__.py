"""`crossdock report`: one self-contained HTML page with charts of every job's figures.

model.py (plain data) ← gather.py (reads the stores) → page.py `render` (pure: charts.py, figures.py,
svg.py) → write.py (gather, render, write one file)."""
