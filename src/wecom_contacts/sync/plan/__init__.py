"""Stage 3, the plan: a pure function from (desired, live, options) to an ordered, checked Plan.

`make` is the entry point (`make_plan`); `departments`, `users`, `tags` and `handoffs` plan
each kind of record on a shared `build.Builder`; `types` holds Plan / PlanOptions / Step and
the plan file format; `scope` decides which live records the plan may touch; `render` prints a
plan for a person. Nothing here does I/O.
"""
