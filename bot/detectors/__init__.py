"""Detectors that read a message's text and files: contact details, hazardous at-home activities and
session recordings. Standard library only; explainable word lists and small regexes; never raise.

One module per detector (`contact_details`, with `phone_numbers`; `hazardous_activity`; `recordings`),
and `text` for the Slack markup and links all three read."""

from bot.detectors.contact_details import ContactDetail, find_contact_details
from bot.detectors.hazardous_activity import HazardMatch, find_hazardous_activity
from bot.detectors.recordings import RecordingMatch, find_recordings

__all__ = [
    "ContactDetail",
    "HazardMatch",
    "RecordingMatch",
    "find_contact_details",
    "find_hazardous_activity",
    "find_recordings",
]
