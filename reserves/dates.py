import datetime


def shift_years_back(on: datetime.date, years: int) -> datetime.date:
    """`on` moved `years` back; 29 February becomes 28 February in a common year."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def add_years_forward(day: datetime.date, years: int) -> datetime.date:
    """`day` moved `years` on; 29 February becomes 1 March in a common year (a period is not cut short)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, month=3, day=1)
