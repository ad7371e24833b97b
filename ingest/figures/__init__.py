"""Figure extraction: every number with a unit, read with its meaning and its source.

A figure is an Arabic-digit number with a unit (or %) that measures the
library's work. It is read with the indicator it measures (mapped to a
canonical name through ``indicators.yaml``), the year it is about, its kind
(actual, target, cumulative, as-of), its scope, a stated change and any
qualifier (近/超/约/多/余/不少于), and the exact span it was read from.

Prose is read clause by clause; tables are read from their cells, never
guessed back from text. Dates, ordinals, numbers inside titles or quoted
names, and change percentages are not figures.

Modules: ``model`` (the ``Figure``), ``patterns`` (units and the number pattern), ``naming`` (the
indicator a figure measures), ``period`` (its year, kind and scope), ``orgs`` (the library it is of),
``changes`` (stated changes and the prior-year figures they imply), ``prose`` and ``tables`` (the two
readers) and ``extract`` (``extract_figures``, the entry point).
"""
