"""The review station's parts that are not widgets: stream buffering, edits and scores the log refused.

The station itself is `ui/screens/review.py` (`ReviewScreen`); these modules hold state and logic it owns, as plain
classes and functions with explicit inputs, so the screen file stays about what is on screen.
"""
