"""`thidua` commands of the audit issue; registered on the sub-apps defined in cli.py."""

from __future__ import annotations
