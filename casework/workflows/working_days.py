"""Working days: deadlines follow an organisation's weekend days and holidays."""

import datetime


class WorkingCalendar:
    """An organisation's working days: weekdays not in its weekend, not its holidays."""

    def __init__(self, weekend_days, holidays):
        self.weekend = set(weekend_days)
        self.holidays = set(holidays)

    @classmethod
    def of(cls, organisation):
        return cls(organisation.weekend_days, organisation.holidays.values_list("date", flat=True))

    def is_working(self, day):
        return day.isoweekday() not in self.weekend and day not in self.holidays

    def _next_working(self, day):
        day += datetime.timedelta(days=1)
        for _attempt in range(366):
            if self.is_working(day):
                return day
            day += datetime.timedelta(days=1)
        raise ValueError("No working day within a year: check the weekend and holidays.")

    def _previous_working(self, day):
        day -= datetime.timedelta(days=1)
        for _attempt in range(366):
            if self.is_working(day):
                return day
            day -= datetime.timedelta(days=1)
        raise ValueError("No working day within a year: check the weekend and holidays.")

    def add(self, moment, days):
        """`days` working days after `moment`, same time of day.

        A moment on a non-working day counts from the start of the next working day.
        """
        day, time = moment.date(), moment.timetz()
        if not self.is_working(day):
            day, time = self._next_working(day), datetime.time(tzinfo=moment.tzinfo)
        for _step in range(days):
            day = self._next_working(day)
        return datetime.datetime.combine(day, time)

    def cutoff(self, now, days):
        """The latest moment whose deadline `add(moment, days)` has passed at `now`."""
        if days == 0:
            return now
        day = now.date()
        if self.is_working(day):
            time = now.timetz()
        else:
            day = self._previous_working(day)
            time = datetime.time.max.replace(tzinfo=now.tzinfo)
        for _step in range(days):
            day = self._previous_working(day)
        return datetime.datetime.combine(day, time)
