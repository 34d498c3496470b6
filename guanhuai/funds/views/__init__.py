"""The funds pages: `funds` (the dashboard, a fund and its statement, and the helpers the others share),
`donors`, `donations` (and receipts), `spending` (allocations, disbursements, transfers, special rounds,
period close) and `io` (PDF, Excel and the donation import, mounted by `urls_io.py`)."""
