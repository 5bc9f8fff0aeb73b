"""One construct per capability; infra/stack.py composes them. Every list of things (tables, functions,
routes, rules, schedules) comes from infra/topology.py: nothing here re-lists them."""
