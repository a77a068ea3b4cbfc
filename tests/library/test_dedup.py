"""Near-duplicate grouping: wire copies are grouped, different stories on one topic are not."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from dyadwatch.errors import ConfigError, StoreError
from dyadwatch.library.dedup import (
    DEFAULT_THRESHOLD,
    NUM_PERM,
    DuplicateIndex,
    from_bytes,
    jaccard,
    signature,
    to_bytes,
)

# Three wire stories. Each outlet's copy below changes the headline, the dateline and
# attribution, a word or two, and adds a sentence, as outlets do with agency copy.
TALKS = (
    "Russia hosts Taliban for talks on Afghan security\n\n"
    "MOSCOW, Oct 20 (Reuters) - Russia hosted senior Taliban officials for talks in Moscow "
    "on Wednesday, the first such meeting since the group seized power in Kabul in August, "
    "and urged them to form a more inclusive government. Foreign Minister Sergei Lavrov told "
    "the delegation, led by Deputy Prime Minister Abdul Salam Hanafi, that Moscow would not "
    'rush to recognise the new authorities. "Official recognition of the new Afghan '
    'authorities is not being discussed for now," Lavrov said after the meeting. The talks, '
    "known as the Moscow format, also brought together envoys from China, Pakistan, Iran, "
    "India and the five Central Asian states. In a joint statement the participants said "
    "they would push for a United Nations donor conference to rebuild Afghanistan, and "
    "called on the Taliban to prevent any militant group from using Afghan territory "
    "against its neighbours. Russia has repeatedly warned that Islamic State fighters could "
    "slip across the border into Tajikistan and Uzbekistan, former Soviet republics where "
    "Moscow keeps military bases. Hanafi said the Taliban government posed no threat to "
    "any country in the region and asked for help to pay state salaries."
)
TALKS_COPIES = [
    TALKS.replace(
        "Russia hosts Taliban for talks on Afghan security",
        "Lavrov tells Taliban: inclusive government first",
    )
    .replace("MOSCOW, Oct 20 (Reuters) - ", "MOSCOW (AP) — ")
    .replace("Lavrov said after the meeting", "Lavrov told reporters")
    + " The United States declined to attend the meeting, citing logistical reasons.",
    TALKS.replace(
        "Russia hosts Taliban for talks on Afghan security",
        "Moscow format talks: Russia urges Taliban to share power",
    )
    .replace("MOSCOW, Oct 20 (Reuters) - ", "Moscow, 20 October (TASS) - ")
    .replace("the first such meeting", "the first meeting of its kind")
    .replace(
        "The talks, known",
        "Earlier this month a Taliban spokesman said the group wanted good relations with all "
        "its neighbours. The talks, known",
    ),
]

AID = (
    "Russian plane delivers aid to Kabul\n\n"
    "KABUL, Oct 28 (Reuters) - A Russian Emergencies Ministry plane carrying 36 tonnes of "
    "food and medicine landed in Kabul on Thursday, the first Russian aid delivery since the "
    "Taliban took over the country, the ministry said. The cargo included flour, sugar, "
    "vegetable oil, blankets and medical kits, and was to be handed to the Afghan Red "
    "Crescent for distribution in the capital and in the northern provinces. Russia's "
    "ambassador in Kabul, Dmitry Zhirnov, who has kept the embassy open throughout the "
    "crisis, met the plane at the airport together with Taliban officials. On its return "
    "flight the aircraft was to evacuate more than 100 citizens of Russia, Belarus, "
    "Kyrgyzstan and Ukraine who had asked to leave. The United Nations has warned that more "
    "than half of Afghanistan's 39 million people face acute hunger this winter as the "
    "economy collapses and foreign aid dries up. Taliban officials thanked Moscow and said "
    "they hoped other countries would follow its example."
)
AID_COPIES = [
    AID.replace(
        "Russian plane delivers aid to Kabul",
        "Moscow flies food and medicine to Taliban-run Afghanistan",
    )
    .replace("KABUL, Oct 28 (Reuters) - ", "KABUL (AFP) - ")
    .replace("the ministry said", "the ministry said in a statement")
    + " A second flight is planned for next month, the ministry added.",
    AID.replace(
        "Russian plane delivers aid to Kabul",
        "Russia sends 36 tonnes of humanitarian aid to Afghanistan",
    )
    .replace("KABUL, Oct 28 (Reuters) - ", "")
    .replace("more than 100 citizens", "over 100 citizens")
    .replace(
        "The United Nations has warned",
        "The Red Crescent said the flour alone would feed several thousand families for a "
        "month. The United Nations has warned",
    ),
]

DRILLS = (
    "Russia holds drills near Afghan border\n\n"
    "DUSHANBE, Oct 22 (Reuters) - Russian and Tajik troops began military exercises near "
    "Tajikistan's border with Afghanistan on Friday, Russia's Central Military District "
    "said, as Moscow seeks to reassure its allies after the Taliban takeover. About 1,200 "
    "servicemen, 300 armoured vehicles and helicopters from Russia's 201st military base "
    "in Tajikistan are taking part in the drills at the Harb-Maidon range, 20 km from the "
    "Afghan frontier. The exercises rehearse the destruction of armed groups that cross "
    "the border, the district said. Russia has stepped up arms deliveries to Tajikistan "
    "and promised to defend it under the Collective Security Treaty Organization if "
    "militants attack from Afghanistan. Tajikistan has refused to recognise the Taliban "
    "government and has criticised the treatment of ethnic Tajiks in the Panjshir valley. "
    "The drills will run until the end of the month."
)
DRILLS_COPIES = [
    DRILLS.replace(
        "Russia holds drills near Afghan border",
        "Russian, Tajik forces rehearse repelling militants",
    )
    .replace("DUSHANBE, Oct 22 (Reuters) - ", "DUSHANBE, Tajikistan (AP) — ")
    .replace("the district said", "the district said in a statement")
    + " Uzbekistan held separate exercises with Russian troops in August.",
]

# Different events with the same actors, places and much of the same vocabulary.
SAME_TOPIC = [
    "Taliban delegation attends Moscow forum\n\n"
    "MOSCOW, Nov 12 (Reuters) - A Taliban delegation attended an economic forum in Moscow on "
    "Friday to seek Russian investment in Afghan mining and energy, Russia's trade ministry "
    "said. The delegation, led by the Taliban's acting commerce minister, met Russian "
    "business leaders and discussed wheat and fuel supplies for the winter. Moscow has not "
    "recognised the Taliban government, and Foreign Minister Sergei Lavrov said this week "
    "that recognition would depend on the group keeping its promises on human rights. "
    "Russian officials said any deal would need payment arrangements that avoid Western "
    "sanctions.",
    "Lavrov says Taliban must keep promises\n\n"
    "NEW YORK, Sept 25 (Reuters) - Russian Foreign Minister Sergei Lavrov said on Saturday "
    "that the Taliban must keep their promises to form an inclusive government and to "
    "prevent militants from using Afghan soil, speaking to reporters at the United Nations "
    "General Assembly. Lavrov said Russia, China, Pakistan and the United States were "
    "working together to make sure the Taliban did so. He said Moscow had no plans to "
    "recognise the new government for now and that Russia's embassy in Kabul was working "
    "normally.",
    "Russia to hold more drills with Tajikistan\n\n"
    "DUSHANBE, Apr 5 (Reuters) - Russia will hold three more rounds of military exercises "
    "with Tajikistan this year near the Afghan border, the commander of Russia's 201st "
    "military base said on Tuesday, citing the threat from Islamic State fighters in "
    "northern Afghanistan. The base will also receive new air defence systems and drones. "
    "Tajikistan and Russia are members of the Collective Security Treaty Organization, "
    "which has pledged to defend the border if it is attacked.",
    "Russian aid reaches northern Afghanistan\n\n"
    "MAZAR-I-SHARIF, Jan 14 (Reuters) - A convoy of Russian humanitarian aid crossed from "
    "Uzbekistan into northern Afghanistan on Friday, carrying wheat flour and medicine for "
    "the provinces of Balkh and Jawzjan, Taliban officials said. The convoy is the third "
    "Russian aid shipment since the Taliban takeover in August. Aid agencies say millions "
    "of Afghans face hunger this winter after foreign funding was cut and the banking "
    "system froze.",
]


def _corpus() -> list[tuple[str, str, str]]:
    """(doc_id, story, text), the originals first, then the copies, then the others."""
    docs = [
        ("reuters-talks", "talks", TALKS),
        ("reuters-aid", "aid", AID),
        ("reuters-drills", "drills", DRILLS),
    ]
    for story, copies in (("talks", TALKS_COPIES), ("aid", AID_COPIES), ("drills", DRILLS_COPIES)):
        docs += [(f"copy-{story}-{i}", story, text) for i, text in enumerate(copies)]
    docs += [(f"other-{i}", f"other-{i}", text) for i, text in enumerate(SAME_TOPIC)]
    return docs


def test_signature_is_uint32_array_and_ignores_case_punctuation_and_spacing() -> None:
    sig = signature(TALKS)
    assert sig.dtype == np.uint32 and sig.shape == (NUM_PERM,)
    messy = TALKS.upper().replace(",", " ,").replace(" ", "   \n")
    assert np.array_equal(signature(messy), sig)
    assert not np.array_equal(signature(AID), sig)


def test_short_and_empty_texts() -> None:
    assert jaccard(signature("Talks resumed"), signature("talks resumed!")) == 1.0
    assert jaccard(signature("Talks resumed"), signature("Talks collapsed")) < 0.5
    empty = signature("  -- ")
    index = DuplicateIndex()
    assert index.assign("e1", empty) == "e1"
    assert index.assign("e2", empty) == "e2"  # texts without words are not one story
    assert index.find(empty) == []


def test_bytes_round_trip_and_damage() -> None:
    sig = signature(AID)
    blob = to_bytes(sig)
    assert isinstance(blob, bytes) and len(blob) == 6 + 4 * NUM_PERM
    back = from_bytes(blob)
    assert back.dtype == np.uint32 and np.array_equal(back, sig)
    assert np.array_equal(from_bytes(memoryview(blob)), sig)
    for bad in (b"", blob[:-4], b"XXXX" + blob[4:]):
        with pytest.raises(StoreError, match="E104"):
            from_bytes(bad)
    with pytest.raises(ConfigError):
        to_bytes(sig.astype(np.uint64))


def test_copies_are_grouped_and_same_topic_stories_are_not() -> None:
    """Pairwise on the small corpus: every copy pair is grouped, no other pair is."""
    docs = _corpus()
    index = DuplicateIndex()
    groups = {doc_id: index.assign(doc_id, signature(text)) for doc_id, _, text in docs}
    story_of = {doc_id: story for doc_id, story, _ in docs}
    true_pos = false_pos = false_neg = 0
    for a, b in itertools.combinations(story_of, 2):
        same_story = story_of[a] == story_of[b]
        same_group = groups[a] == groups[b]
        true_pos += same_story and same_group
        false_pos += same_group and not same_story
        false_neg += same_story and not same_group
    assert (true_pos, false_pos, false_neg) == (7, 0, 0)
    # the group is the id of the oldest copy, which is its own group
    assert groups["copy-talks-1"] == groups["reuters-talks"] == "reuters-talks"
    assert all(groups[f"other-{i}"] == f"other-{i}" for i in range(len(SAME_TOPIC)))


def test_similarity_margins() -> None:
    """The estimated similarities sit well clear of the default threshold on both sides."""
    copies = [jaccard(signature(TALKS), signature(c)) for c in TALKS_COPIES]
    copies += [jaccard(signature(AID), signature(c)) for c in AID_COPIES]
    copies += [jaccard(signature(DRILLS), signature(c)) for c in DRILLS_COPIES]
    others = [
        jaccard(signature(original), signature(other))
        for original in (TALKS, AID, DRILLS)
        for other in SAME_TOPIC
    ]
    assert min(copies) >= DEFAULT_THRESHOLD + 0.1
    assert max(others) <= DEFAULT_THRESHOLD - 0.4


def test_assign_follows_the_oldest_duplicate_and_existing_groups() -> None:
    index = DuplicateIndex()
    assert index.assign("a", signature(TALKS)) == "a"
    assert index.assign("b", signature(TALKS_COPIES[0])) == "a"
    assert index.assign("b", signature(TALKS_COPIES[0])) == "a"  # assigning twice changes nothing
    assert len(index) == 2 and "b" in index
    assert index.find(signature(TALKS_COPIES[1])) == ["a", "b"]
    # the store's current group wins (here a hand correction moved "a" into "x")
    assert index.assign("c", signature(TALKS_COPIES[1]), existing_group={"a": "x"}.get) == "x"
    assert index.group("c") == "x"


def test_rebuilt_index_groups_like_the_original() -> None:
    """What the store does on open: add stored (id, bytes, group) oldest first, then assign."""
    first = DuplicateIndex()
    stored = []
    for doc_id, _, text in _corpus()[:6]:
        sig = signature(text)
        stored.append((doc_id, first.assign(doc_id, sig), to_bytes(sig)))
    reopened = DuplicateIndex()
    for doc_id, group, blob in stored:
        reopened.add(doc_id, from_bytes(blob), group=group)
    assert reopened.assign("late-copy", signature(DRILLS_COPIES[0])) == "reuters-drills"
    assert (
        reopened.assign("late-aid", signature(AID_COPIES[1] + " More flights are due."))
        == "reuters-aid"
    )


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="threshold"):
        DuplicateIndex(threshold=0)
    with pytest.raises(ConfigError, match="128 values"):
        DuplicateIndex().find(np.zeros(64, dtype=np.uint32))
