"""Arithmetic a question asks for, computed from cited figures and marked 推算.

A librarian reads 一共/合计 as a sum, 相差/比…多 as a difference, 还差/缺口 as
what is left to a target, 占…比重 as a share, 平均每天 as a value over days,
and 按同比倒推 as last year's value from this year's and its change. The
operation is read from such general wording; each operand is the figure whose
own words (its clause in a retrieved passage, or its name in the metrics
table) fit the question's words for it. When an operand is missing, or two
different figures fit it equally, nothing is computed and the ordinary answer
stands: a computed answer is never a guess.

``wording`` reads the operation; ``operands`` the figures stated; ``matching`` which figure the
question's words name; ``sums``, ``differences``, ``shares``, ``averages`` and ``worked_back`` compute;
``calculation`` runs the whole (``compute``); ``rendering`` states the result, marked 推算.
"""

from .calculation import compute
from .durations import spanned_events
from .wording import operation

__all__ = ["compute", "operation", "spanned_events"]
