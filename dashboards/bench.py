"""Dashboard scenarios for `manage.py bench` (reports/management/commands/bench.py EXTRA_SCENARIOS)."""


def scenarios(county, subject) -> list:
    return []
