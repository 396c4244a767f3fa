"""Stage 4, the apply: a saved Plan run against WeCom, journaled and resumable.

`apply` is the entry point (`apply_plan`, `check_drift`, `plan_and_apply`); `runner` runs
steps one by one, `execute` sends one step and reconciles an unknown outcome, `bulk` and
`bulk_rows` run groups of user steps through import jobs, `journal` is the SQLite record of
done steps, and `report` is what a run returns.
"""
