"""Agendas (phase 3): the 1-, 5- and 10-year plans per shortlisted issue, co-drafted by its working group."""
