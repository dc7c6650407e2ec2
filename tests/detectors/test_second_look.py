"""The contact detector's second look (`bot.detectors.second_look`): contact details hidden from a bot
on purpose are found where a contact cue offers them, and a spaced-out or spelled message without one
stays alone."""

import pytest

from bot.detectors import find_contact_details


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("ok my digits r 2one2 5five5 0one9eight", id="digits-glued-to-words"),
        pytest.param("txt me 2I2-55S-0I98 lol", id="look-alike-letters"),
        pytest.param("call me when ur free:\n212\n555\n0198", id="one-part-a-line"),
        pytest.param("hmu, area code 212 then 555 0198", id="area-code-then"),
        pytest.param("my cell is two one two five five five oh one nine eight", id="all-words"),
        pytest.param("first part 212-555 and then the rest is 0198, text me", id="cut-in-two"),
        pytest.param("s n a p c h a t : rosie_k22", id="letters-spaced-out"),
        pytest.param("e m a i l me : r o s i e . k 2 2 @ y a h o o . c o m", id="address-spaced-out"),
        pytest.param("my insta is @ rosie . k22 lol", id="handle-with-spaced-dots"),
        pytest.param("add me on steam, friend code 55120934", id="friend-code"),
        pytest.param("telegram? username bluejay.44", id="username-on-a-platform"),
        pytest.param("does anybody have sam's number", id="asking-for-someone-elses"),
    ],
)
def test_hidden_contact_details_are_found(text):
    assert find_contact_details(text, ("mit.edu",), regions=("US",))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("count with me: 1 2 3 4 5 6 7 8 9 10, then call out the next one", id="counting"),
        pytest.param("the bridge held 2 1 2 5 5 5 0 1 9 8 grams in total, text me the average", id="a-measurement"),
        pytest.param("in the game you text the code two one two five five five to win", id="a-game-code"),
        pytest.param("meet @ 4 . see you there", id="an-at-sign-and-a-dot"),
        pytest.param("cc @ Ms. Rivera . thanks!", id="a-cc"),
        pytest.param("s p e l l i t o u t: b r i d g e", id="a-spelling-game"),
        pytest.param("text me if the username on the worksheet is wrong", id="a-username-without-a-platform"),
        pytest.param("call Poison Control at 1-800-222-1222 right away", id="a-crisis-line-as-written"),
    ],
)
def test_a_second_look_without_a_hidden_detail_stays_silent(text):
    assert find_contact_details(text, ("mit.edu",), regions=("US",)) == []
