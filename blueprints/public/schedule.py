"""The leaders' weekly work schedule for readers: GET /schedule?week=YYYY-Www."""

from flask import abort, request

from bantin import schedule
from bantin.clock import local_today
from bantin.reader import render_page
from bantin.sidebar import site_layout
from blueprints.public.blueprint import bp


@bp.get("/schedule")
def schedule_page():
    """One ISO week (this week without `week`); a week not yet published says so politely.

    A malformed or non-existent week (2025-W53) is a 400; `print=1` gives the print view.
    """
    try:
        week = schedule.week_arg(request.args.get("week"))
    except ValueError:
        abort(400)
    printing = request.args.get("print") == "1"
    return render_page(
        "public/schedule_print.html" if printing else "public/schedule.html",
        # Today is highlighted, and "this week" moves at local midnight.
        key_extra=local_today(),
        view=schedule.week_view(week),
        note=site_layout().settings.schedule_note,
        printing=printing,
    )
