"""FAQ candidates: questions the desk keeps answering without an FAQ entry (pure).

An inquiry is a *candidate* when, by its current state, it was resolved without citing an
FAQ entry, or it was escalated (first line could not answer it). Candidates are grouped by
(category, normalized subject): a group asked often enough is worth an FAQ entry. Subjects
are normalized so that trivial differences in writing do not split a group:

- Unicode NFKC (full-width ``！？（）`` and ``ＡＢＣ１２３`` become ASCII, half-width
  katakana become full-width, the ideographic space becomes a space),
- case folding,
- every punctuation character (Unicode categories ``P*``: ``。、「」『』・！？（）…〜`` and
  ASCII punctuation) and every "other symbol" (``So``: ``★♪※〒``) becomes a space,
- runs of whitespace collapse to one space; leading/trailing spaces go; a space next to
  Japanese (kana, kanji, CJK symbols) goes too, as Japanese does not separate words with
  spaces (``「粗大ごみ」の出し方`` = ``粗大ごみの出し方``, ``PC ログイン`` = ``PCログイン``),
  while ``pc login`` keeps its space.

Polite endings ("について", "を教えてください") are kept: stripping them would need a
dictionary, and grouping by category already catches paraphrases (see
``category_candidates``).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

EXAMPLES = 3


def normalize_subject(subject: str) -> str:
    """The grouping key of a subject (see the module doc for the rules)."""
    text = unicodedata.normalize("NFKC", subject).casefold()
    text = "".join(" " if _is_separator(ch) else ch for ch in text)
    words = text.split()
    if not words:
        return ""
    joined = [words[0]]
    for word in words[1:]:
        if not (_unspaced(joined[-1][-1]) or _unspaced(word[0])):
            joined.append(" ")
        joined.append(word)
    return "".join(joined)


def _is_separator(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category.startswith("P") or category == "So"


# Scripts written without spaces between words: CJK symbols, kana, kanji (and extensions).
_UNSPACED = ((0x2E80, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
             (0xFF66, 0xFF9F), (0x20000, 0x3FFFF))


def _unspaced(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _UNSPACED)


@dataclass(frozen=True)
class CandidateInquiry:
    """What grouping needs to know of one inquiry in the reporting range."""

    inquiry_id: str
    category: str
    subject: str
    received_at: str                  # ISO 8601 UTC text, for a stable example order
    resolved_without_faq: bool
    escalated: bool

    @property
    def is_candidate(self) -> bool:
        return self.resolved_without_faq or self.escalated


@dataclass(frozen=True)
class CandidateGroup:
    """One FAQ candidate: inquiries of one category about one (normalized) subject."""

    category: str
    normalized_subject: str
    count: int
    resolved_without_faq: int
    escalated: int
    sample_subject: str               # the subject as most often written
    example_inquiry_ids: tuple[str, ...]


@dataclass(frozen=True)
class CategoryCandidates:
    """A category's share of candidates, whatever their subjects."""

    category: str
    inquiries: int
    candidates: int
    resolved_without_faq: int
    escalated: int
    distinct_subjects: int
    sample_subject: str
    example_inquiry_ids: tuple[str, ...]


def _ordered(items: Iterable[CandidateInquiry]) -> list[CandidateInquiry]:
    return sorted(items, key=lambda i: (i.received_at, i.inquiry_id))


def _sample(members: list[CandidateInquiry]) -> str:
    """The most frequent spelling; on a tie, the one seen first."""
    counts = Counter(m.subject for m in members)
    best = max(counts.values())
    return next(m.subject for m in members if counts[m.subject] == best)


def group_candidates(inquiries: Iterable[CandidateInquiry], min_count: int = 3
                     ) -> list[CandidateGroup]:
    """Groups of at least ``min_count`` candidates, most frequent first.

    Order: count descending, then category and normalized subject (stable for paging).
    """
    groups: dict[tuple[str, str], list[CandidateInquiry]] = {}
    for inquiry in _ordered(i for i in inquiries if i.is_candidate):
        key = (inquiry.category, normalize_subject(inquiry.subject))
        groups.setdefault(key, []).append(inquiry)
    result = [
        CandidateGroup(
            category=category, normalized_subject=subject, count=len(members),
            resolved_without_faq=sum(m.resolved_without_faq for m in members),
            escalated=sum(m.escalated for m in members),
            sample_subject=_sample(members),
            example_inquiry_ids=tuple(m.inquiry_id for m in members[:EXAMPLES]),
        )
        for (category, subject), members in groups.items() if len(members) >= min_count
    ]
    return sorted(result, key=lambda g: (-g.count, g.category, g.normalized_subject))


def category_candidates(inquiries: Iterable[CandidateInquiry], min_count: int = 3
                        ) -> list[CategoryCandidates]:
    """Categories with at least ``min_count`` candidates, even when every subject differs.

    ``inquiries`` are all inquiries in the range (candidates or not), so the share of
    candidates in the category can be worked out. Order: candidates descending, category.
    """
    everyone: dict[str, int] = {}
    members: dict[str, list[CandidateInquiry]] = {}
    for inquiry in _ordered(inquiries):
        everyone[inquiry.category] = everyone.get(inquiry.category, 0) + 1
        if inquiry.is_candidate:
            members.setdefault(inquiry.category, []).append(inquiry)
    result = [
        CategoryCandidates(
            category=category, inquiries=everyone[category], candidates=len(found),
            resolved_without_faq=sum(m.resolved_without_faq for m in found),
            escalated=sum(m.escalated for m in found),
            distinct_subjects=len({normalize_subject(m.subject) for m in found}),
            sample_subject=_sample(found),
            example_inquiry_ids=tuple(m.inquiry_id for m in found[:EXAMPLES]),
        )
        for category, found in members.items() if len(found) >= min_count
    ]
    return sorted(result, key=lambda c: (-c.candidates, c.category))
