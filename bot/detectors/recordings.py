"""The recordings detector: audio and video files, and links to recordings of meetings, shared in a
message."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.detectors.text import _mask, _on, _plain, _split_url, _urls, _words
from bot.model import SharedFile


@dataclass(frozen=True, slots=True)
class RecordingMatch:
    """An audio or video file, or a link to a meeting recording, shared in a message."""

    kind: str  # "file" | "link"
    value: str  # file name or the URL


_MEDIA_TYPES = _words(
    """mp4 m4v mov qt quicktime m4a mp3 wav wave webm mkv avi aac ogg oga ogv opus flac 3gp 3g2 3gpp wma wmv
    flv mpg mpeg mpeg4 m2ts mts vob asf aiff aif aifc amr caf weba mka"""
)
_MEDIA_EXTENSION = re.compile(
    r"\.(?:" + "|".join(sorted(_MEDIA_TYPES - {"quicktime", "mpeg4", "wave"}, key=len, reverse=True)) + r")"
    r"(?=$|[?#&/\s]|%3F)",
    re.IGNORECASE,
)
_MEDIA_FILE_NAME = re.compile(
    r"(?<![\w./-])[\w.-]+\.(?:" + "|".join(sorted(_MEDIA_TYPES, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
_SESSION = r"(?:session|class|meeting|call|lesson|workshop|zoom|huddle|webinar|office\s+hours|seminar|lab|tutoring)"
_WHEN = (
    r"(?:today'?s?|yesterday'?s?|tonight'?s?|this|last|our|the|this\s+week'?s|last\s+week'?s|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day'?s?)"
)
#: The text says the link is a recording of the program's own session.
_SESSION_RECORDING_CUE = re.compile(
    rf"\b(?:{_WHEN}\s+){{0,3}}{_SESSION}(?:\s+#?\d+)?(?:'s)?\s+(?:recordings?|video|vid|replay)\b|"
    rf"\b(?:recordings?|video|replay)\s+(?:of|from)\s+(?:{_WHEN}\s+){{0,3}}(?:{_SESSION}|today|yesterday|tonight|"
    rf"this\s+morning|last\s+night|week\s+\d+)\b|"
    rf"\brecorded\s+(?:{_WHEN}\s+){{0,3}}{_SESSION}s?\b|\b{_SESSION}(?:\s+#?\d+)?\s+(?:was|were|is|got)\s+recorded\b|"
    rf"\b(?:youtube|vimeo|vid|clip|upload)\s+(?:of|from)\s+(?:{_WHEN}\s+){{0,3}}{_SESSION}\b|"
    rf"\b(?:missed|miss)\s+(?:{_WHEN}\s+){{0,3}}{_SESSION}\b|\bunlisted\b|"
    rf"\b(?:uploaded|posted|put)\s+(?:{_WHEN}\s+){{0,3}}{_SESSION}\s+(?:to|on)\s+(?:youtube|vimeo)\b",
    re.IGNORECASE,
)
#: The text says the link is some recording (for file-sharing links: Drive, Dropbox, Box…).
_RECORDING_CUE = re.compile(
    r"\brecordings?\b|\brecorded\s+(?:video|lecture|talk|session|class|meeting|call|lesson|workshop|zoom|"
    r"huddle|webinar)s?\b|\bvideo\s+of\s+(?:the|our|today'?s|this|last)\b",
    re.IGNORECASE,
)
_FILE_SHARING_HOSTS = tuple(
    _words(
        "drive.google.com photos.google.com photos.app.goo.gl dropbox.com db.tt box.com onedrive.live.com 1drv.ms "
        "icloud.com sharepoint.com wetransfer.com we.tl"
    )
)
_VIDEO_SITES = tuple(_words("youtube.com youtu.be vimeo.com wistia.com wistia.net"))
_CUE_NEGATED = re.compile(r"(?:\bno|\bnot|n't|\bnever|\bwithout|\bwon't)\b(?:\s+\w+){0,3}\s*$", re.IGNORECASE)


#: Slack's file subtypes of the clips recorded in Slack (audio and video clips in a message).
_CLIP_SUBTYPES = _words("slack_audio slack_video")


def _is_media_file(file: SharedFile) -> bool:
    """True for an audio or video file, by Slack's subtype for a clip recorded in Slack
    ("slack_audio", "slack_video", which may come with no useful name or mimetype), mimetype
    ("video/mp4", "audio/x-m4a"), Slack filetype ("mp4", "mov", "m4a") or, when those are empty or
    generic ("binary"), the name's extension. Photos, PDFs and documents are not recordings.
    """
    if (getattr(file, "subtype", "") or "").lower() in _CLIP_SUBTYPES:
        return True
    mimetype = (getattr(file, "mimetype", "") or "").lower()
    filetype = (getattr(file, "filetype", "") or "").lower().lstrip(".")
    name = getattr(file, "name", "") or ""
    if mimetype.startswith(("audio/", "video/")) or filetype in _MEDIA_TYPES:
        return True
    unknown = mimetype in ("", "application/octet-stream") and filetype in ("", "binary")
    return unknown and _MEDIA_EXTENSION.search(name) is not None


def _recording_link_kind(url: str) -> str:
    """What a link says about being a recording: "recording" (a meeting-recording service or a media
    file), "file" (a file-sharing link, a recording only if the text says so), "video" (a video
    site, a session recording only if the text says so), or "".

    Zoom "/rec/…" and Zoom Clips, Webex recording pages and RCID links, SharePoint "Recordings" folders and
    ":v:" video shares, Microsoft Stream, Loom and meeting recorders (Otter, Fathom, Fireflies,
    tl;dv, Grain) are recordings; a Teams meeting recap is one when the text says so. A Zoom, Teams
    or Meet join link is not.
    Example: "https://mit.zoom.us/rec/share/abc" -> "recording"; "https://mit.zoom.us/j/123" -> "".
    """
    host, segs, query = _split_url(url)
    path = "/" + "/".join(segs).lower()
    first = segs[0].lower() if segs else ""
    decoded = url.replace("%2F", "/").replace("%2f", "/")
    if _MEDIA_EXTENSION.search(decoded.split("://", 1)[-1]):
        return "recording"
    recording = (
        (_on(host, "zoom.us", "zoom.com", "zoomgov.com") and first in {"rec", "recording", "recordings"})
        or (
            _on(host, "webex.com")
            and ("recording" in path or "ldr.php" in path or "lsr.php" in path or "rcid=" in query.lower())
        )
        or (_on(host, "sharepoint.com") and ("/recordings/" in path + "/" or first == ":v:" or "stream.aspx" in path))
        or (_on(host, "microsoftstream.com") and "video" in path)
        or _on(host, "stream.microsoft.com")
        or (_on(host, "loom.com") and first in {"share", "embed"})
        or (_on(host, "zoom.us", "zoom.com") and first == "clips")
        or (_on(host, "otter.ai") and first in {"u", "s", "note"})
        or (_on(host, "fathom.video") and first in {"share", "calls"})
        or (_on(host, "fireflies.ai") and first == "view")
        or (_on(host, "tldv.io") and bool(segs))
        or (_on(host, "grain.com") and first == "share")
    )
    if recording:
        return "recording"
    if _on(host, *_FILE_SHARING_HOSTS) or (_on(host, "docs.google.com") and first == "file"):
        return "file"
    if _on(host, "teams.microsoft.com") and "meetingrecap" in path:
        return "file"  # a meeting's recap: its recording when the message says so
    if _on(host, *_VIDEO_SITES):
        return "video"
    return ""


def _says(pattern: re.Pattern[str], text: str) -> bool:
    """True when `pattern` occurs in `text` and is not negated just before ("no recording today")."""
    return any(not _CUE_NEGATED.search(text[max(0, m.start() - 30) : m.start()]) for m in pattern.finditer(text))


def find_recordings(text: str, files: Iterable[SharedFile] = ()) -> list[RecordingMatch]:
    """Audio and video files, and links to recordings of meetings, in a message.

    Files: any audio or video (see `_is_media_file`). Links: meeting-recording services always
    (see `_recording_link_kind`); a file-sharing link (Drive, Dropbox, Box, OneDrive) when the
    message calls it a recording or names a media file; a video-site link (YouTube, Vimeo) only when
    the message says it is a recording of the session, class or meeting, since most such links are
    public videos. A join link, a photo, a PDF and the words "record"/"recorded" alone are not.
    Why: recording sessions with minors needs a release signed by a parent or guardian.
    Example: "recording: https://mit.zoom.us/rec/share/abc" -> [RecordingMatch("link", "https://…")].
    """
    found = [
        RecordingMatch("file", getattr(f, "name", "") or getattr(f, "id", "") or "(unnamed file)")
        for f in files or ()
        if _is_media_file(f)
    ]
    flat = _plain(text)
    urls = _urls(flat)
    kinds = [(url, _recording_link_kind(url)) for _, _, url in urls]
    if not any(kind for _, kind in kinds):
        return list(dict.fromkeys(found))  # no link that could be a recording: the words do not matter
    prose = _mask(flat, urls)
    session = any(kind in ("file", "video") for _, kind in kinds) and _says(_SESSION_RECORDING_CUE, prose)
    some = session or _says(_RECORDING_CUE, prose) or _MEDIA_FILE_NAME.search(prose) is not None
    for url, kind in kinds:
        if kind == "recording" or (kind == "file" and some) or (kind == "video" and session):
            found.append(RecordingMatch("link", url))
    return list(dict.fromkeys(found))
