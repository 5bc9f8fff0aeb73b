"""What is measured: the analytics counters, satisfaction ratings and the nudge experiment's arms (pure rules,
shared by the functions that count and the ones that report)."""
