"""Value evidence across columns: what a column's samples mean beside the other columns of the
same rows.

Two rules, both stronger than any header:

- **The work email is on the company's domain.** A column of addresses at the lead's own
  company domain is the work email, whatever its header says. A row's company domain is the
  host of its website column (``Website``, ``Company Domain``...) or, when the table has none,
  the domain most of the row's non-free-mail addresses share. Role mailboxes (``info@``,
  ``sales@``) are at the domain but are no one's work address, so they do not count.
- **People's names are no company.** A column whose values mostly look like people's names
  (``Sam Rivera``, ``Dr. Anna Kowalska``: two to four capitalized words, the first a known
  given name or the row's own first name, no legal form such as ``GmbH`` or ``Inc``) never
  feeds the company name, even under a header such as ``Account``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Final

import attrs

from instantly_columns.domain.mapping import _aliases as data
from instantly_columns.domain.mapping._text import _as_text, _strip_accents
from instantly_columns.domain.mapping.values import (
    _SALUTATIONS,
    _email_domain,
    _is_freemail,
    _url_host,
    normalize_email,
)

_MIN_SAMPLES: Final = 3
_GIVEN_NAMES: Final = frozenset(data.GIVEN_NAMES.split())
_COMPANY_MARKERS: Final = frozenset(data.COMPANY_MARKERS.split())
_PARTICLES: Final = frozenset(data.NAME_PARTICLES.split())
_ROLE_MAILBOXES: Final = frozenset(data.ROLE_MAILBOXES.split())
_NAME_PUNCTUATION: Final = frozenset("-'’.")

OWN_DOMAIN_BONUS: Final = 0.15
"""Added to the email score of a column at the company's own domain (from at least 1.0)."""

PEOPLE_FACTOR: Final = 0.4
"""The company-name score of a column of people's names is multiplied by this, which keeps it
below `MIN_SCORE` whatever the header."""


@attrs.frozen
class OwnDomain:
    """Addresses of one column checked against the company domain of their rows."""

    own: int
    """How many are at the company's domain."""
    known: int
    """How many have a row whose company domain is known."""
    source: str
    """Where the company domain came from, for the reason."""

    def note(self) -> str:
        return (
            f"{self.own} of {self.known} samples at the company's own domain ({self.source}) "
            f"+{OWN_DOMAIN_BONUS:.2f}"
        )


def _fold(word: str) -> str:
    return _strip_accents(word.casefold())


def _same_site(domain: str, hosts: Collection[str]) -> bool:
    return any(domain == h or domain.endswith("." + h) or h.endswith("." + domain) for h in hosts)


def own_domain_columns(
    emails: Mapping[int, Sequence[object]],
    sites: Mapping[str, Sequence[object]],
) -> dict[int, OwnDomain]:
    """The email columns whose addresses are at the company's own domain.

    `emails` maps a column index to its sample values (columns whose values are mostly
    addresses, none of them vetoed); `sites` maps a website column's header to its values
    (the same rows). Returned only when it decides something: when at least one other email
    column is not at the company's domain.
    """
    domains = {
        index: [_email_domain(_as_text(v)) for v in values] for index, values in emails.items()
    }
    roles = {
        index: [_is_role_mailbox(_as_text(v)) for v in values] for index, values in emails.items()
    }
    rows = max((len(v) for v in domains.values()), default=0)
    site_hosts: list[set[str]] = [set() for _ in range(rows)]
    for values in sites.values():
        for row, value in enumerate(values[:rows]):
            host = _url_host(_as_text(value))
            if host is not None:
                site_hosts[row].add(host)
    company: list[frozenset[str]] = []
    from_site = False
    for row in range(rows):
        if site_hosts[row]:
            company.append(frozenset(site_hosts[row]))
            from_site = True
            continue
        cells = [column[row] for column in domains.values() if row < len(column)]
        work = [d for d in cells if d is not None and not _is_freemail(d)]
        top = Counter(work).most_common(1)
        company.append(frozenset({top[0][0]}) if top and top[0][1] * 2 > len(work) else frozenset())
    if from_site:
        source = "the domain of " + " / ".join(repr(h) for h in sites)
    else:
        source = "the domain most of the row's work addresses share"
    found: dict[int, OwnDomain] = {}
    for index, column in domains.items():
        known = [
            (d, company[row], roles[index][row])
            for row, d in enumerate(column)
            if d and company[row]
        ]
        own = sum(
            1 for d, hosts, role in known if d is not None and not role and _same_site(d, hosts)
        )
        if len(known) >= _MIN_SAMPLES and own * 2 >= len(known):
            found[index] = OwnDomain(own, len(known), source)
    return found if len(found) < len(domains) else {}


def _is_role_mailbox(value: str) -> bool:
    address = normalize_email(value)
    if address is None:
        return False
    local = address.rsplit("@", 1)[0].split("+", 1)[0]
    return local in _ROLE_MAILBOXES or local.rstrip("0123456789") in _ROLE_MAILBOXES


def _name_words(value: str) -> list[str] | None:
    """The words of a value shaped like a person's name, or None."""
    words = value.replace(",", " ").split()
    while len(words) > 2 and words[0].casefold().replace(".", "") in _SALUTATIONS:
        words.pop(0)
    if not 2 <= len(words) <= 4:
        return None
    for word in words:
        folded = _fold(word).replace(".", "")
        if folded in _COMPANY_MARKERS or not word[0].isalpha():
            return None
        if not all(ch.isalpha() or ch in _NAME_PUNCTUATION for ch in word):
            return None
        if not word[0].isupper() and folded not in _PARTICLES:
            return None
    return words


def people_share(
    values: Sequence[object],
    given_names: Iterable[str],
    full_names: Sequence[str] = (),
) -> tuple[int, int]:
    """How many of the non-empty `values` look like people's names, and how many there are.

    A name-shaped value counts when its first word is a common given name or one of
    `given_names` (the table's first-name column), or when it equals the row's own full name
    from `full_names` (first and last name joined, aligned with `values`).
    """
    given = _GIVEN_NAMES | {_fold(g) for g in given_names}
    count = n = 0
    for row, raw in enumerate(values):
        value = _as_text(raw)
        if not value:
            continue
        n += 1
        words = _name_words(value)
        if words is None:
            continue
        own = row < len(full_names) and full_names[row] != "" and _fold(value) == full_names[row]
        if own or _fold(words[0]) in given:
            count += 1
    return count, n


def looks_like_people(count: int, n: int) -> bool:
    return n >= _MIN_SAMPLES and count / n >= 0.6
