"""Council (gemeenteraad): its positions and decisions, the checkpoints in a process, and the public council page.

Principle 7 of the pilot: democratic decisions lie with the council, so it gets a clear place in the
process and joint decisions of the college and partners are not overruled afterwards. The blueprint
lives in views.py, as in the other domains.
"""
