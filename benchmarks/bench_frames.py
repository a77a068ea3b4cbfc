"""Frames: agreement with hand labels, labelling reliability, speed, and frame shares of the example.

- Agreement of the frame classifier with the bundled hand-labelled sentences
  (src/dyadwatch/study/data/frames/russia-afghanistan.gold.jsonl: 172 sentences, 102 from the
  example library and 70 written for the project; split dev 57 / test 115). The defaults
  (threshold, lexicon weight, top_k) and some lexicon terms were chosen on the dev split; the
  figures below are on the held-out test split. Per frame: precision, recall, F1 and Cohen's
  kappa; pooled: micro and macro F1, mean kappa. Trivial baselines beside them.
- Supervised mode: one-vs-rest logistic regression on the embeddings (and lexicon hits),
  trained on the dev split's labels plus the seed sentences, scored on the test split.
- Inter-pass agreement: 50 sentences labelled a second time from their text alone.
- Speed: sentences classified per second (embedding included, then from the in-memory cache).
- frame_shares over the example library (Russia–Afghanistan, by quarter, 2017–2025), with the
  H3 figures: the threat frames' share of the dyad's framed sentences, and the terrorism share
  before and after the 2022 embassy bombing and the 2024 Crocus attack (descriptive only).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PROJECT_ROOT, figure  # noqa: E402

import dyadwatch  # noqa: E402
from dyadwatch.study.frames import (  # noqa: E402
    FrameAgreement,
    FrameClassifier,
    FrameSet,
    agreement,
    evaluate_frames,
    frame_shares,
    interpass_agreement,
    load_gold,
)

LIBRARY = PROJECT_ROOT / "examples" / "russia-afghanistan" / "library" / "briefs.jsonl"


def show(name: str, result: FrameAgreement, target: str) -> None:
    figure(f"frames {name} macro F1", result.macro_f1, target)
    figure(f"frames {name} micro F1", result.micro_f1, "-")
    figure(f"frames {name} mean kappa", result.mean_kappa, "-")


def per_frame_table(result: FrameAgreement) -> None:
    print(f"   {'frame':<14}{'support':>8}{'pred':>6}{'P':>8}{'R':>8}{'F1':>8}{'kappa':>8}")
    for frame, row in result.per_frame.items():
        print(f"   {frame:<14}{row['support']:>8}{row['predicted']:>6}{row['precision']:>8.3f}"
              f"{row['recall']:>8.3f}{row['f1']:>8.3f}{row['kappa']:>8.3f}")


def main() -> None:
    frames = FrameSet.load("russia-afghanistan")
    gold = load_gold(frames.gold, frames)  # type: ignore[arg-type]
    dev = [g for g in gold if g.split == "dev"]
    test = [g for g in gold if g.split == "test"]
    truth = [list(g.frames) for g in test]
    print(f"   gold: {len(gold)} sentences, dev {len(dev)}, test {len(test)}")

    started = time.perf_counter()
    default = FrameClassifier(frames).fit()
    result = evaluate_frames(frames, default, split="test")
    seconds = time.perf_counter() - started
    show("lexicon+embeddings (test)", result, ">= 0.70")
    per_frame_table(result)
    show("lexicon only (test)", evaluate_frames(frames, FrameClassifier(frames, method="lexicon").fit()), "-")
    show("embeddings only (test)", evaluate_frames(frames, FrameClassifier(frames, method="embeddings").fit()), "-")
    supervised = FrameClassifier(frames).fit([g.text for g in dev], [list(g.frames) for g in dev])
    show("supervised on dev labels (test)", evaluate_frames(frames, supervised), "-")
    figure("frames baseline: no frame, macro F1", agreement(frames.ids, truth, [[]] * len(test)).macro_f1, "-")
    figure("frames baseline: every frame, macro F1",
           agreement(frames.ids, truth, [frames.ids] * len(test)).macro_f1, "-")
    prevalence = [sum(f in t for t in truth) / len(truth) for f in frames.ids]
    figure("frames baseline: random at prevalence, E[F1]", sum(prevalence) / len(prevalence), "-")
    figure("frames dev split macro F1 (defaults chosen)", evaluate_frames(frames, default, split="dev").macro_f1, "-")
    figure("frames all 172 macro F1", evaluate_frames(frames, default, split=None).macro_f1, "-")

    passes = interpass_agreement(frames)
    figure("frames inter-pass mean kappa (50 sent.)", passes.mean_kappa, "report")
    figure("frames inter-pass exact match", passes.exact_match, "-")
    figure("frames evaluation time (fit + 115 sent.)", seconds, "-", "s")

    with tempfile.TemporaryDirectory() as folder:
        lib = dyadwatch.open(Path(folder) / "example.duckdb")
        lib.ingest(str(LIBRARY))
        texts = lib.sentences()["text"].tolist()
        started = time.perf_counter()
        default.predict(texts)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        default.predict(texts)
        warm = time.perf_counter() - started
        figure("frames classify, embedding (sent/s)", len(texts) / cold, ">= 50", "sent/s")
        figure("frames classify, cached vectors (sent/s)", len(texts) / warm, ">= 500", "sent/s")

        started = time.perf_counter()
        shares = frame_shares(lib.store, source_codes=["RUS"], target_codes=["AFG"], unit="quarter",
                              start=dt.date(2017, 1, 1), end=dt.date(2025, 12, 31), frames=frames,
                              classifier=default)
        figure("frames frame_shares, example library", time.perf_counter() - started, "< 10", "s")
        totals = shares.drop_duplicates("period")["n_sentences"].sum()
        figure("frames dyad sentences (RUS-AFG, deduped)", float(totals), "-", "sent.")
        framed = shares.groupby("frame")["n_framed"].sum()
        threat = int(sum(framed[f] for f in frames.threats))
        other = int(sum(framed[f] for f in frames.ids if f not in frames.threats))
        figure("frames H3 threat-frame labels", float(threat), "> other", "labels")
        figure("frames H3 other-frame labels", float(other), "-", "labels")
        terror = shares[shares["frame"] == "terrorism"]
        # quarters: the embassy bombing (2022-09-05) falls in 2022Q3, the Crocus attack (2024-03-22) in 2024Q1
        for label, start, end in [("2017Q1-2022Q2", dt.date(2017, 1, 1), dt.date(2022, 7, 1)),
                                  ("2022Q3-2023Q4", dt.date(2022, 7, 1), dt.date(2024, 1, 1)),
                                  ("2024Q1-2025Q4", dt.date(2024, 1, 1), dt.date(2026, 1, 1))]:
            part = terror[(terror["period"] >= start) & (terror["period"] < end)]
            n = part["n_sentences"].sum()
            figure(f"frames terrorism share {label}", part["n_framed"].sum() / n if n else float("nan"), "-")
        lib.close()


if __name__ == "__main__":
    main()
