"""find_recordings: audio and video files, and links to meeting recordings, against a corpus that
must fire and one that must stay silent (photos, documents, join links, the word "record")."""

import pytest

from bot.detectors import RecordingMatch, find_recordings
from bot.model import SharedFile


def upload(name, mimetype="", filetype=""):
    return SharedFile(id="F0" + name[:6].upper(), name=name, mimetype=mimetype, filetype=filetype)


def file_match(name):
    return RecordingMatch("file", name)


def link_match(url):
    return RecordingMatch("link", url)


ZOOM_REC = "https://mit.zoom.us/rec/share/abcDEF123"
DRIVE = "https://drive.google.com/file/d/1AbC/view"

FILES_THAT_FIRE = [
    pytest.param(upload("session-3.mp4", "video/mp4", "mp4"), id="mp4"),
    pytest.param(upload("clip.m4a", "audio/x-m4a", "m4a"), id="m4a"),
    pytest.param(upload("demo.mov", "video/quicktime", "mov"), id="mov"),
    pytest.param(upload("talk.mp3", "audio/mpeg", "mp3"), id="mp3"),
    pytest.param(upload("voice.wav", "audio/wav", "wav"), id="wav"),
    pytest.param(upload("screen.webm", "video/webm", "webm"), id="webm"),
    pytest.param(upload("huddle.webm", "audio/webm", "webm"), id="slack-audio-clip"),
    pytest.param(upload("game.mkv", "", "mkv"), id="filetype-only-mkv"),
    pytest.param(upload("old.avi", "", "avi"), id="filetype-only-avi"),
    pytest.param(upload("voice-memo.aac"), id="name-only-aac"),
    pytest.param(upload("song.ogg", "application/ogg", "ogg"), id="ogg-application-mimetype"),
    pytest.param(upload("take.flac", "audio/flac", "flac"), id="flac"),
    pytest.param(upload("phone.m4v", "video/x-m4v", "m4v"), id="m4v"),
    pytest.param(upload("old-phone.3gp", "video/3gpp", "3gp"), id="3gp"),
    pytest.param(upload("capture", "", "quicktime"), id="filetype-quicktime"),
    pytest.param(upload("session.MP4", "application/octet-stream", "binary"), id="generic-binary-by-name"),
    pytest.param(upload("interview", "audio/mp4", ""), id="mimetype-only"),
    pytest.param(
        SharedFile(id="F0CLIP1", name="audio_message", subtype="slack_audio"), id="slack-audio-clip-by-subtype-only"
    ),
    pytest.param(
        SharedFile(
            id="F0CLIP2", name="clip", mimetype="application/octet-stream", filetype="binary", subtype="slack_video"
        ),
        id="slack-video-clip-with-generic-type",
    ),
    pytest.param(SharedFile(id="F0CLIP3", name="Recording", subtype="SLACK_VIDEO"), id="subtype-in-any-case"),
]

LINKS_THAT_FIRE = [
    pytest.param(f"recording: {ZOOM_REC}", ZOOM_REC, id="zoom-rec-share"),
    pytest.param(
        "https://mit.zoom.us/rec/play/xyz?startTime=1720280000000",
        "https://mit.zoom.us/rec/play/xyz?startTime=1720280000000",
        id="zoom-rec-play",
    ),
    pytest.param("mit.zoom.us/rec/share/abc", "mit.zoom.us/rec/share/abc", id="zoom-without-scheme"),
    pytest.param(f"<{ZOOM_REC}|Session 3>", ZOOM_REC, id="slack-wrapped-zoom"),
    pytest.param(
        "https://mit.webex.com/recordingservice/sites/mit/recording/abc/playback",
        "https://mit.webex.com/recordingservice/sites/mit/recording/abc/playback",
        id="webex-recording-service",
    ),
    pytest.param(
        "<https://mit.webex.com/mit/ldr.php?AT=pb&amp;RCID=abc123|watch>",
        "https://mit.webex.com/mit/ldr.php?AT=pb&RCID=abc123",
        id="webex-rcid-slack-escaped",
    ),
    pytest.param(
        "https://mit-my.sharepoint.com/personal/sam/Documents/Recordings/Meeting-20260706.mp4",
        "https://mit-my.sharepoint.com/personal/sam/Documents/Recordings/Meeting-20260706.mp4",
        id="teams-recording-in-onedrive",
    ),
    pytest.param(
        "https://mit-my.sharepoint.com/:v:/g/personal/sam/EAbC",
        "https://mit-my.sharepoint.com/:v:/g/personal/sam/EAbC",
        id="sharepoint-video-share",
    ),
    pytest.param(
        "https://web.microsoftstream.com/video/abc-123",
        "https://web.microsoftstream.com/video/abc-123",
        id="microsoft-stream-classic",
    ),
    pytest.param("https://stream.microsoft.com/#/video/abc", "https://stream.microsoft.com/#/video/abc", id="stream"),
    pytest.param("https://www.loom.com/share/abc123", "https://www.loom.com/share/abc123", id="loom"),
    pytest.param("https://otter.ai/u/abc123", "https://otter.ai/u/abc123", id="otter"),
    pytest.param(f"here's the recording {DRIVE}", DRIVE, id="drive-called-a-recording"),
    pytest.param(f"<{DRIVE}|session-3.mp4>", DRIVE, id="drive-labelled-with-a-video-name"),
    pytest.param("session 3 recording https://youtu.be/abc", "https://youtu.be/abc", id="youtube-session-recording"),
    pytest.param("recording of today's session: https://vimeo.com/123", "https://vimeo.com/123", id="vimeo-session"),
    pytest.param(
        "we recorded our class: https://www.youtube.com/watch?v=abc",
        "https://www.youtube.com/watch?v=abc",
        id="youtube-recorded-our-class",
    ),
    pytest.param(
        "https://example.org/files/session3.mp4?dl=1", "https://example.org/files/session3.mp4?dl=1", id="mp4-url"
    ),
    pytest.param(
        "Dropbox: https://www.dropbox.com/s/abc/class.mov?dl=0",
        "https://www.dropbox.com/s/abc/class.mov?dl=0",
        id="dropbox-mov",
    ),
    pytest.param("https://mit.zoom.us/clips/share/AbC123", "https://mit.zoom.us/clips/share/AbC123", id="zoom-clip"),
    pytest.param(
        "the recording is in the recap https://teams.microsoft.com/l/meetingrecap?driveId=b1",
        "https://teams.microsoft.com/l/meetingrecap?driveId=b1",
        id="teams-recap-called-a-recording",
    ),
    pytest.param(
        "if you missed class: https://youtu.be/abcdEFGH123", "https://youtu.be/abcdEFGH123", id="missed-class"
    ),
]

FILES_THAT_STAY_SILENT = [
    pytest.param(upload("robot.png", "image/png", "png"), id="photo"),
    pytest.param(upload("IMG_0001.HEIC", "image/heic", "heic"), id="heic-photo"),
    pytest.param(upload("dance.gif", "image/gif", "gif"), id="animated-gif"),
    pytest.param(upload("logo.svg", "image/svg+xml", "svg"), id="svg"),
    pytest.param(upload("notes.pdf", "application/pdf", "pdf"), id="pdf"),
    pytest.param(upload("essay.docx", "application/vnd.openxmlformats-officedocument", "docx"), id="doc"),
    pytest.param(upload("slides.pptx", "application/vnd.ms-powerpoint", "pptx"), id="slides"),
    pytest.param(upload("notes.txt", "text/plain", "text"), id="text"),
    pytest.param(upload("data.json", "application/json", "json"), id="json"),
    pytest.param(upload("code.zip", "application/zip", "zip"), id="zip"),
    pytest.param(upload("main.ts", "text/plain", "typescript"), id="typescript-is-not-a-transport-stream"),
    pytest.param(upload("", "", ""), id="empty-file"),
]

TEXT_THAT_STAYS_SILENT = [
    pytest.param("notes: https://teams.microsoft.com/l/meetingrecap?driveId=b1", id="teams-recap-alone"),
    pytest.param(
        "I posted the class rules; this video is fun https://youtu.be/abcdEFGH123", id="posted-the-class-rules"
    ),
    pytest.param("join at https://mit.zoom.us/j/123456789", id="zoom-join-link"),
    pytest.param("my room: https://mit.zoom.us/my/alice", id="zoom-personal-room"),
    pytest.param("https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc", id="teams-join-link"),
    pytest.param("https://meet.google.com/abc-defg-hij", id="meet-join-link"),
    pytest.param("https://mit.webex.com/meet/alice", id="webex-personal-room"),
    pytest.param("we will not record", id="will-not-record"),
    pytest.param("that's a world record!", id="world-record"),
    pytest.param("send it by recorded delivery", id="recorded-delivery"),
    pytest.param("I recorded my score in the sheet", id="recorded-my-score"),
    pytest.param("Recording consent forms are due Friday", id="consent-forms-no-link"),
    pytest.param(f"No recording today, slides: {DRIVE}", id="no-recording-today"),
    pytest.param(f"This session won't have a recording; slides: {DRIVE}", id="wont-have-a-recording"),
    pytest.param(f"here are the slides {DRIVE}", id="drive-slides"),
    pytest.param("https://youtu.be/abc great video!", id="youtube-video"),
    pytest.param("a great recording of Beethoven's 5th https://youtu.be/abc", id="youtube-public-recording"),
    pytest.param("the video of the rocket launch https://youtu.be/abc", id="youtube-launch"),
    pytest.param("please record your answers https://docs.google.com/spreadsheets/d/abc", id="spreadsheet"),
    pytest.param("https://mit.sharepoint.com/:w:/g/abc", id="sharepoint-document"),
    pytest.param("https://www.loom.com/pricing", id="loom-pricing"),
    pytest.param("The session will not be recorded: https://mit.zoom.us/j/123", id="not-recorded-join"),
    pytest.param("Recording policy: https://example.org/policy.pdf", id="policy-pdf"),
    pytest.param("look at session3.mp4 in the shared folder", id="file-name-without-link-or-upload"),
]


@pytest.mark.parametrize("shared", FILES_THAT_FIRE)
def test_media_files_fire(shared):
    assert find_recordings("", [shared]) == [file_match(shared.name)]


@pytest.mark.parametrize(("text", "url"), LINKS_THAT_FIRE)
def test_recording_links_fire(text, url):
    assert find_recordings(text) == [link_match(url)]


@pytest.mark.parametrize("shared", FILES_THAT_STAY_SILENT)
def test_other_files_stay_silent(shared):
    assert find_recordings("our robot!", [shared]) == []


@pytest.mark.parametrize("text", TEXT_THAT_STAYS_SILENT)
def test_other_text_stays_silent(text):
    assert find_recordings(text) == []


def test_corpora_are_large_enough():
    assert len(FILES_THAT_FIRE) + len(LINKS_THAT_FIRE) >= 30
    assert len(FILES_THAT_STAY_SILENT) + len(TEXT_THAT_STAYS_SILENT) >= 30


def test_files_come_first_then_links_in_text_order_each_once():
    video, photo = upload("session-3.mp4", "video/mp4", "mp4"), upload("robot.png", "image/png", "png")
    text = f"{ZOOM_REC} and again <{ZOOM_REC}|{ZOOM_REC}>, plus https://www.loom.com/share/x"
    assert find_recordings(text, [photo, video, video]) == [
        file_match("session-3.mp4"),
        link_match(ZOOM_REC),
        link_match("https://www.loom.com/share/x"),
    ]


def test_a_file_without_a_name_is_named_by_its_id():
    assert find_recordings("", [SharedFile(id="F123", mimetype="video/mp4")]) == [file_match("F123")]


def test_files_may_be_any_iterable():
    assert find_recordings("", (f for f in [upload("a.mp3", "audio/mpeg", "mp3")])) == [file_match("a.mp3")]


@pytest.mark.parametrize(
    ("text", "files"),
    [
        pytest.param("", (), id="empty"),
        pytest.param(None, None, id="none"),
        pytest.param("😀🎥🎙️ 日本語 ñ", (), id="unicode-and-emoji"),
        pytest.param("<<<|||>>> <@U1> <!here> http://[::1", (), id="broken-markup-and-url"),
    ],
)
def test_odd_input_never_raises(text, files):
    assert find_recordings(text, files) == []


def test_emoji_around_a_recording_link():
    assert find_recordings(f"🎥 {ZOOM_REC} 🙌") == [link_match(ZOOM_REC)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a" * 100_000, id="letters"),
        pytest.param("a." * 50_000, id="dots"),
        pytest.param("a.mp4." * 16_000, id="media-suffixes"),
        pytest.param("recording of this " * 5_500, id="cue-words"),
        pytest.param("this " * 20_000, id="determiners"),
        pytest.param("http://" * 14_000, id="schemes"),
        pytest.param("<a|" * 33_000, id="open-links"),
        pytest.param(f"{ZOOM_REC} " * 2_500, id="many-links"),
    ],
)
def test_adversarial_100k_text_completes(text):
    assert isinstance(find_recordings(text, [upload(text[:40])]), list)
