"""Shared test settings: hypothesis profiles.

``ci`` extends hypothesis's built-in CI profile (derandomized, no deadline) and
is chosen automatically when CI is set; ``dev`` is the quicker local default.
"""

import os

from hypothesis import settings

settings.register_profile("ci", parent=settings.get_profile("ci"), max_examples=60)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
