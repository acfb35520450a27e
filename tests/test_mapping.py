from __future__ import annotations

import ast
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from instantly_columns.domain.mapping import (
    FULL_NAME,
    LEAD_FIELDS,
    MIN_SCORE,
    RESERVED_VARIABLE_NAMES,
    Decision,
    FieldMapping,
    _aliases,
    detect_field_mapping,
    sanitize_variable_name,
    split_full_name,
)
from instantly_columns.domain.mapping.names import _HONORIFICS, _NAME_SUFFIXES
from instantly_columns.errors import MappingError

ALL_FIELDS = (*LEAD_FIELDS, FULL_NAME)
VALID_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
RESERVED_FOLDED = {n.casefold() for n in RESERVED_VARIABLE_NAMES}


def standard(mapping: FieldMapping) -> dict[str, str | None]:
    return {field: getattr(mapping, field) for field in ALL_FIELDS}


def expect(**fields: str) -> dict[str, str | None]:
    out: dict[str, str | None] = dict.fromkeys(ALL_FIELDS)
    out.update(fields)
    return out


def check_invariants(mapping: FieldMapping, headers: Sequence[str]) -> None:
    """What every detected mapping must satisfy, whatever the headers."""
    used = [h for h in standard(mapping).values() if h is not None]
    used += list(mapping.custom_variables.values())
    assert len(used) == len(set(used)), "a header is used twice"
    assert set(used) <= set(headers)
    names = list(mapping.custom_variables)
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert VALID_NAME.fullmatch(name), name
        assert name.replace("_", "").casefold() not in RESERVED_FOLDED
    assert [d.column for d in mapping.decisions] == list(range(len(headers)))
    assert [d.header for d in mapping.decisions] == list(headers)
    for d in mapping.decisions:
        assert 0.0 <= d.confidence <= 1.0
        assert d.field == (mapping.field_of(d.header) if d.field else None)
    # every distinct header with a letter or digit is sent, exactly once
    sendable = {h for h in headers if any(ch.isalnum() for ch in unicodedata.normalize("NFKC", h))}
    assert set(used) == sendable


# --- realistic exports -----------------------------------------------------------------------

Export = tuple[str, list[str], dict[str, str | None]]


def export(name: str, headers: str, **fields: str) -> Export:
    """One export: its headers joined by "|", and the expected lead fields."""
    return name, headers.split("|"), expect(**fields)


EXPORTS: list[Export] = [
    export(
        "apollo",
        "First Name|Last Name|Title|Company|Company Name for Emails|Email|Email Status|"
        "Email Source|Email Confidence|Primary Email Catch-all Status|Seniority|Departments|"
        "Contact Owner|Work Direct Phone|Home Phone|Mobile Phone|Corporate Phone|Other Phone|"
        "Stage|Last Contacted|Account Owner|# Employees|Industry|Person Linkedin Url|Website|"
        "Company Linkedin Url|Facebook Url|City|Company Address|Company Phone|"
        "SEO Description|Annual Revenue|Email Sent|Email Open|Email Bounced|"
        "Apollo Contact Id|Secondary Email|Tertiary Email",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company Name for Emails",
        job_title="Title",
        phone="Work Direct Phone",
        website="Website",
    ),
    export(
        "hubspot",
        "Record ID|First Name|Last Name|Email|Phone Number|Company Name|Job Title|"
        "Contact owner|Lifecycle Stage|Lead Status|Create Date|Associated Company|"
        "Website URL|Mobile Phone Number|State/Region|Marketing contact status|"
        "Associated Company IDs|Email Domain|Unsubscribed from all email|"
        "Marketing emails delivered",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company Name",
        job_title="Job Title",
        phone="Phone Number",
        website="Website URL",
    ),
    export(
        "salesforce report",
        "Salutation|First Name|Last Name|Title|Account Name|Mailing Street|Mailing City|"
        "Mailing Zip/Postal Code|Phone|Mobile|Fax|Email|Account Owner|Lead Source|"
        "Contact Owner|Contact ID|Email Opt Out|Assistant Phone",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Account Name",
        job_title="Title",
        phone="Phone",
    ),
    export(
        "salesforce api names",
        "FirstName|LastName|Email|Title|Company|MobilePhone|Website|OwnerId|HasOptedOutOfEmail",
        email="Email",
        first_name="FirstName",
        last_name="LastName",
        company_name="Company",
        job_title="Title",
        phone="MobilePhone",
        website="Website",
    ),
    export(
        "pipedrive",
        "Person - Name|Person - First name|Person - Last name|Person - Email - Work|"
        "Person - Email - Home|Person - Email - Other|Person - Phone - Work|"
        "Person - Phone - Mobile|Person - Organization|Person - Owner|Person - Label|"
        "Organization - Name|Organization - Address",
        email="Person - Email - Work",
        first_name="Person - First name",
        last_name="Person - Last name",
        company_name="Organization - Name",
        phone="Person - Phone - Work",
    ),
    export(
        "zoho leads",
        "Lead Owner|Company|First Name|Last Name|Title|Email|Phone|Fax|Mobile|Website|"
        "Lead Source|Lead Status|Industry|No. of Employees|Annual Revenue|Email Opt Out|"
        "Skype ID|Secondary Email|Twitter",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company",
        job_title="Title",
        phone="Phone",
        website="Website",
    ),
    export(
        "close contacts",
        "lead_id|contact_name|title|primary_email|primary_phone|emails|url",
        email="primary_email",
        job_title="title",
        phone="primary_phone",
        website="url",
        full_name="contact_name",
    ),
    export(
        "zoominfo",
        "ZoomInfo Contact ID|Last Name|First Name|Middle Name|Salutation|Job Title|"
        "Job Title Hierarchy Level|Management Level|Job Start Date|Job Function|Department|"
        "Direct Phone Number|Email Address|Email Domain|Mobile phone|Contact Accuracy Score|"
        "LinkedIn Contact Profile URL|Company Name|Website|Founded Year|Company HQ Phone|"
        "Employees|Company Division Name|LinkedIn Company Profile URL",
        email="Email Address",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company Name",
        job_title="Job Title",
        phone="Direct Phone Number",
        website="Website",
    ),
    export(
        "lusha",
        "First Name|Last Name|Job Title|Company Name|Company Domain|Work Email|Direct Dial|"
        "Mobile|LinkedIn URL|Email Type",
        email="Work Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company Name",
        job_title="Job Title",
        phone="Direct Dial",
        website="Company Domain",
    ),
    export(
        "seamless",
        "First Name|Last Name|Contact Full Name|Title|Company|Company Domain|Email 1|"
        "Email 1 Validation|Email 1 Total AI|Email 2|Contact Phone 1|Company Phone 1|"
        "Contact LI Profile URL|Company LI Profile Url|Company Website",
        email="Email 1",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company",
        job_title="Title",
        phone="Contact Phone 1",
        website="Company Website",
    ),
    export(
        "clay",
        "Full Name|First Name|Last Name|Job Title|Company Name|Company Domain|"
        "LinkedIn Profile|Work Email|Personal Email|Mobile Phone|Location|"
        "Personalized First Line",
        email="Work Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company Name",
        job_title="Job Title",
        phone="Mobile Phone",
        website="Company Domain",
        personalization="Personalized First Line",
    ),
    export(
        "hunter",
        "Email address|First name|Last name|Position|Department|Seniority|Company|"
        "Domain name|Phone number|LinkedIn URL|Twitter handle|Confidence score|Type|"
        "Verification status",
        email="Email address",
        first_name="First name",
        last_name="Last name",
        company_name="Company",
        job_title="Position",
        phone="Phone number",
        website="Domain name",
    ),
    export(
        "snov",
        "First name|Last name|Full name|Email|Email status|Position|Company name|Industry|"
        "Company URL|Country|Phone number",
        email="Email",
        first_name="First name",
        last_name="Last name",
        company_name="Company name",
        job_title="Position",
        phone="Phone number",
        website="Company URL",
    ),
    export(
        "sales navigator via evaboot",
        "First Name|Last Name|Full Name|Job Title|Company Name|Email|Email Status|"
        "Company Website|Company Domain|LinkedIn URL|Sales Navigator URL|"
        "Company LinkedIn URL|Location|Headline",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company Name",
        job_title="Job Title",
        website="Company Website",
    ),
    export(
        "phantombuster linkedin search",
        "profileUrl|fullName|firstName|lastName|companyName|title|companyId|"
        "regularCompanyUrl|summary|titleDescription|location|durationInCompany|"
        "pastExperienceCompanyName|pastExperienceCompanyTitle|connectionDegree|"
        "profileImageUrl|name|vmid|timestamp|linkedInProfileUrl",
        first_name="firstName",
        last_name="lastName",
        company_name="companyName",
        job_title="title",
    ),
    export(
        "dux-soup",
        "Id|VisitTime|Profile|SalesProfile|Picture|Degree|First Name|Middle Name|Last Name|"
        "Summary|Title|From|Company|CompanyProfile|CompanyWebsite|PersonalWebsite|Email|"
        "Phone|Twitter|Location|Industry|My Tags|Position-0-Title|Position-0-Company",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company",
        job_title="Title",
        phone="Phone",
        website="CompanyWebsite",
    ),
    export(
        "instantly export",
        "Email|First Name|Last Name|Company Name|Job Title|Phone|Website|Personalization|"
        "Lead Status|Interest Status|Email Open Count|Email Reply Count|Last Contacted|"
        "Campaign Name|List Name|Created At|Lead ID|companyDomain",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company Name",
        job_title="Job Title",
        phone="Phone",
        website="Website",
        personalization="Personalization",
    ),
    export(
        "instantly csv template",
        "email|first_name|last_name|company_name|personalization|phone|website",
        email="email",
        first_name="first_name",
        last_name="last_name",
        company_name="company_name",
        phone="phone",
        website="website",
        personalization="personalization",
    ),
    export(
        "spreadsheet template",
        "Name|Email|Company|Role|LinkedIn|Icebreaker|Notes",
        email="Email",
        company_name="Company",
        job_title="Role",
        personalization="Icebreaker",
        full_name="Name",
    ),
    export(
        "google form",
        "Timestamp|What's your email address?|Your full name|Company / Organisation|Your role",
        email="What's your email address?",
        company_name="Company / Organisation",
        job_title="Your role",
        full_name="Your full name",
    ),
    export(
        "german crm",
        "Anrede|Titel|Vorname|Nachname|Firma|Position|E-Mail-Adresse|Telefon|Mobil|Webseite|"
        "Straße|PLZ|Ort|Kontaktinhaber",
        email="E-Mail-Adresse",
        first_name="Vorname",
        last_name="Nachname",
        company_name="Firma",
        job_title="Position",
        phone="Telefon",
        website="Webseite",
    ),
    export(
        "german list",
        "Vorname|Nachname|Unternehmen|Funktion|E-Mail|Telefonnummer|Handy|Internetseite|Betreuer",
        email="E-Mail",
        first_name="Vorname",
        last_name="Nachname",
        company_name="Unternehmen",
        job_title="Funktion",
        phone="Telefonnummer",
        website="Internetseite",
    ),
    export(
        "french crm",
        "Civilité|Prénom|Nom|Société|Fonction|Adresse e-mail|Téléphone|Portable|Site web|"
        "Adresse|Code postal|Ville",
        email="Adresse e-mail",
        first_name="Prénom",
        last_name="Nom",
        company_name="Société",
        job_title="Fonction",
        phone="Téléphone",
        website="Site web",
    ),
    export(
        "french list",
        "Nom de famille|Prénom|Courriel|Entreprise|Poste|Tél. portable|Site internet|"
        "Phrase d'accroche|Propriétaire",
        email="Courriel",
        first_name="Prénom",
        last_name="Nom de famille",
        company_name="Entreprise",
        job_title="Poste",
        phone="Tél. portable",
        website="Site internet",
        personalization="Phrase d'accroche",
    ),
    export(
        "spanish crm",
        "Nombre|Apellidos|Correo electrónico|Empresa|Cargo|Teléfono|Móvil|Sitio web|Ciudad|"
        "País|Nombre completo",
        email="Correo electrónico",
        first_name="Nombre",
        last_name="Apellidos",
        company_name="Empresa",
        job_title="Cargo",
        phone="Teléfono",
        website="Sitio web",
    ),
    export(
        "spanish list",
        "Nombre completo|Correo|Nombre de la empresa|Puesto|Teléfono móvil|Página web|Apellido(s)",
        email="Correo",
        last_name="Apellido(s)",
        company_name="Nombre de la empresa",
        job_title="Puesto",
        phone="Teléfono móvil",
        website="Página web",
        full_name="Nombre completo",
    ),
    export(
        "brazilian crm",
        "Nome|Sobrenome|E-mail|Empresa|Cargo|Telefone|Celular|Site|Cidade|Estado|"
        "Razão social|Nome fantasia",
        email="E-mail",
        first_name="Nome",
        last_name="Sobrenome",
        company_name="Nome fantasia",
        job_title="Cargo",
        phone="Telefone",
        website="Site",
    ),
    export(
        "portuguese list",
        "Nome próprio|Apelido|Endereço de e-mail|Nome da empresa|Função|Telemóvel|Sítio web",
        email="Endereço de e-mail",
        first_name="Nome próprio",
        last_name="Apelido",
        company_name="Nome da empresa",
        job_title="Função",
        phone="Telemóvel",
        website="Sítio web",
    ),
    export(
        "dutch crm",
        "Voornaam|Tussenvoegsel|Achternaam|E-mailadres|Bedrijfsnaam|Functie|Telefoonnummer|"
        "Website|Plaats|Eigenaar",
        email="E-mailadres",
        first_name="Voornaam",
        last_name="Achternaam",
        company_name="Bedrijfsnaam",
        job_title="Functie",
        phone="Telefoonnummer",
        website="Website",
    ),
    export(
        "dutch list",
        "Naam|E-mail|Bedrijf|Functietitel|Mobiel|Webadres|IJsbreker",
        email="E-mail",
        company_name="Bedrijf",
        job_title="Functietitel",
        phone="Mobiel",
        website="Webadres",
        personalization="IJsbreker",
        full_name="Naam",
    ),
    export(
        "italian crm",
        "Nome|Cognome|Email|Azienda|Ruolo|Telefono|Cellulare|Sito web|PEC|Ragione sociale|"
        "Partita IVA|Città|CAP",
        email="Email",
        first_name="Nome",
        last_name="Cognome",
        company_name="Azienda",
        job_title="Ruolo",
        phone="Telefono",
        website="Sito web",
    ),
    export(
        "italian list",
        "Nominativo|Indirizzo email|Ragione sociale|Posizione|Numero di telefono|"
        "Sito internet|Personalizzazione",
        email="Indirizzo email",
        company_name="Ragione sociale",
        job_title="Posizione",
        phone="Numero di telefono",
        website="Sito internet",
        personalization="Personalizzazione",
        full_name="Nominativo",
    ),
]


@pytest.mark.parametrize(
    ("headers", "expected"), [e[1:] for e in EXPORTS], ids=[e[0] for e in EXPORTS]
)
def test_realistic_exports(headers: list[str], expected: dict[str, str | None]) -> None:
    mapping = detect_field_mapping(headers)
    assert standard(mapping) == expected
    check_invariants(mapping, headers)


@pytest.mark.parametrize(
    ("headers", "expected"), [e[1:] for e in EXPORTS], ids=[e[0] for e in EXPORTS]
)
def test_realistic_exports_reversed_agree(
    headers: list[str], expected: dict[str, str | None]
) -> None:
    # No field has two best columns here, so the column order does not matter.
    mapping = detect_field_mapping(headers)
    for field in ALL_FIELDS:
        scores = [score for _, score in mapping.suggestions(field)]
        assert len(scores) < 2 or scores[0] > scores[1], field
    assert standard(detect_field_mapping(headers[::-1])) == expected


# --- single headers and traps ----------------------------------------------------------------


def parse_pairs(text: str) -> list[tuple[str, str | None]]:
    """Lines of "header -> field" ("-" for a custom variable)."""
    pairs: list[tuple[str, str | None]] = []
    for line in text.strip().splitlines():
        header, _, field = line.rpartition(" -> ")
        pairs.append((header, None if field == "-" else field))
    return pairs


# Spelling variants, the seven languages, then traps (headers that are not what they seem).
SINGLE_TEXT = """
EMAIL -> email
e-mail -> email
E-Mail -> email
eMail -> email
e_mail -> email
Email ID -> email
emailAddress -> email
Email Address (Work) -> email
Business Email -> email
Lead Email -> email
firstName -> first_name
first_name -> first_name
FIRST-NAME -> first_name
first.name -> first_name
FIRSTNAME -> first_name
firstname -> first_name
"First Name" -> first_name
Given name -> first_name
Contact First Name -> first_name
Surname -> last_name
lastName -> last_name
Family Name -> last_name
companyName -> company_name
Company / Account -> company_name
Current Company -> company_name
Organisation -> company_name
jobTitle -> job_title
Current Job Title -> job_title
Designation -> job_title
Telefon Nr. -> phone
Phone No. -> phone
Cell phone -> phone
Web Site -> website
Homepage -> website
Website URL -> website
Ice Breaker -> personalization
AI Personalization -> personalization
Opening line -> personalization
E-Mail-Adresse -> email
Emailadresse -> email
Courriel -> email
Correo electrónico -> email
Endereço de e-mail -> email
E-mailadres -> email
Posta elettronica -> email
Vorname -> first_name
Prénom -> first_name
Nombre -> first_name
Nome -> first_name
Voornaam -> first_name
Nachname -> last_name
Nom -> last_name
Nom de famille -> last_name
Apellido -> last_name
Apellido(s) -> last_name
Sobrenome -> last_name
Apelido -> last_name
Achternaam -> last_name
Cognome -> last_name
Firma -> company_name
Unternehmen -> company_name
Société -> company_name
Entreprise -> company_name
Empresa -> company_name
Bedrijf -> company_name
Bedrijfsnaam -> company_name
Azienda -> company_name
Ragione sociale -> company_name
Compañía -> company_name
Nom de l'entreprise -> company_name
Firmenname -> company_name
Posizione -> job_title
Funktion -> job_title
Poste -> job_title
Cargo -> job_title
Functie -> job_title
Ruolo -> job_title
Berufsbezeichnung -> job_title
Intitulé de poste -> job_title
Telefono -> phone
Teléfono -> phone
Téléphone -> phone
Handy -> phone
Telefoonnummer -> phone
Telefonnummer -> phone
Celular -> phone
Sito web -> website
Site web -> website
Webseite -> website
Sitio web -> website
Personalisierung -> personalization
Imię -> first_name
Nazwisko -> last_name
Imię i nazwisko -> full_name
Drugie imię -> -
Nazwa firmy -> company_name
Stanowisko -> job_title
Telefon komórkowy -> phone
Strona www -> website
Förnamn -> first_name
Efternamn -> last_name
Företag -> company_name
E-postadress -> email
Befattning -> job_title
Mobiltelefon -> phone
Webbplats -> website
Fornavn -> first_name
Efternavn -> last_name
Etternavn -> last_name
Virksomhed -> company_name
E-post -> email
Stilling -> job_title
Hjemmeside -> website
Etunimi -> first_name
Sukunimi -> last_name
Sähköpostiosoite -> email
Yrityksen nimi -> company_name
Tehtävänimike -> job_title
Matkapuhelin -> phone
Příjmení -> last_name
E-mailová adresa -> email
Společnost -> company_name
Pracovní pozice -> job_title
Soyadı -> last_name
E-posta Adresi -> email
Şirket Adı -> company_name
İş Unvanı -> job_title
Cep Telefonu -> phone
Web Sitesi -> website
姓 -> last_name
名 -> first_name
氏名 -> full_name
会社名 -> company_name
役職 -> job_title
メールアドレス -> email
携帯電話 -> phone
TEL直通 -> phone
邮箱 -> email
公司名称 -> company_name
职位 -> job_title
手机 -> phone
姓名 -> full_name
Имя -> first_name
Фамилия -> last_name
Отчество -> -
ФИО -> full_name
Компания -> company_name
Должность -> job_title
Рабочий e-mail -> email
Мобильный телефон -> phone
Корпоративный сайт -> website
Ответственный -> -
コンタクト担当者 -> -
Kontaktinhaber -> -
Post Code -> -
Organization 1 - Name -> company_name
Organization 1 - Title -> job_title
Default Address Company -> company_name
E-mail 1 - Label -> -
E-mail 1 - Type -> -
Phone 1 - Label -> -
E-mail Display Name -> -
E-Mail: Angezeigter Name -> -
Account -> company_name
Company LinkedIn URL -> -
Company Domain -> website
Company Website -> website
Company Phone -> phone
Company Size -> -
Company Industry -> -
Company ID -> -
Company Address -> -
Company Revenue -> -
Email Status -> -
Email Verified -> -
Email Confidence -> -
Email Subject -> -
Email Title -> -
Email Subject/Title -> -
Email Opt Out -> -
Email Domain -> -
Emails Sent -> -
Owner Email -> -
Account Owner -> -
Contact Owner -> -
Sales Rep Email -> -
Lead Owner First Name -> -
Assigned To -> -
LinkedIn URL -> -
LinkedIn Profile -> -
Sales Navigator URL -> -
Profile Image URL -> -
Campaign Name -> -
List Name -> -
Middle Name -> -
Username -> -
Previous Company -> -
Past Job Title -> -
Job Function -> -
Job Level -> -
Fax -> -
Phone Extension -> -
Address Line 1 -> -
Last Contacted -> -
First Seen -> -
Title Level -> -
Seniority -> -
Taille de l'entreprise -> -
Nombre de la empresa -> company_name
Prénom Nom -> full_name
Name -> full_name
Full Name -> full_name
Contact -> full_name
Nom complet -> full_name
Nombre completo -> full_name
Vor- und Nachname -> full_name
Nome e cognome -> full_name
お名前 -> full_name
名字 -> -
"""
SINGLE = [
    *parse_pairs(SINGLE_TEXT),
    ("First Name ", "first_name"),
    ("\ufeffFirst Name", "first_name"),
    ("First\xa0Name", "first_name"),
    ("first\u200bname", "first_name"),
]


@pytest.mark.parametrize(("header", "field"), SINGLE, ids=[h for h, _ in SINGLE])
def test_single_header(header: str, field: str | None) -> None:
    mapping = detect_field_mapping([header])
    got = mapping.field_of(header)
    if field is None:
        assert got is not None
        assert got.startswith("custom_variables."), got
    else:
        assert got == field


# --- ranking and ties ------------------------------------------------------------------------

RANKED = [
    ("email", "Work Email", "Personal Email"),
    ("email", "Email", "Secondary Email"),
    ("email", "Primary Email", "Email 2"),
    ("email", "Personal Email", "Other Email"),
    ("email", "Email", "PEC"),
    ("phone", "Direct Phone", "Mobile Phone"),
    ("phone", "Mobile Phone", "Home Phone"),
    ("phone", "Home Phone", "Company Phone"),
    ("phone", "Company Phone", "Other Phone"),
    ("website", "Website", "Company Domain"),
    ("website", "Company Website", "Personal Website"),
    ("website", "Domain", "URL"),
    ("company_name", "Company Name", "Associated Company"),
    ("company_name", "Company Name for Emails", "Company"),
    ("company_name", "Organization - Name", "Person - Organization"),
    ("company_name", "Azienda", "Ragione sociale"),
    ("company_name", "Nome fantasia", "Razão social"),
    ("job_title", "Position", "Titel"),
    ("personalization", "Personalization", "Icebreaker"),
]


@pytest.mark.parametrize(("field", "better", "worse"), RANKED)
def test_ranking_either_order(field: str, better: str, worse: str) -> None:
    for headers in ([better, worse], [worse, better]):
        mapping = detect_field_mapping(headers)
        assert getattr(mapping, field) == better
        assert str(mapping.field_of(worse)).startswith("custom_variables.")
        scores = dict(mapping.suggestions(field))
        assert scores[better] > scores[worse]


@pytest.mark.parametrize(
    "pair",
    [
        ("Email", "Work Email"),
        ("Work Email", "Email 1"),
        ("Phone", "Work Phone"),
        ("Company", "Company Name"),
    ],
)
def test_equal_scores_left_most_wins(pair: tuple[str, str]) -> None:
    for headers in (list(pair), list(pair[::-1])):
        mapping = detect_field_mapping(headers)
        field = mapping.field_of(headers[0])
        assert field in LEAD_FIELDS
        assert (
            mapping.field_of(headers[1])
            == f"custom_variables.{next(iter(mapping.custom_variables))}"
        )
        assert mapping.suggestions(str(field))[0][1] == mapping.suggestions(str(field))[1][1]


def test_company_email_is_the_work_email() -> None:
    # "company" qualifies email as a whole word (it once read as its single letters).
    alone = detect_field_mapping(["Company Email"])
    assert alone.email == "Company Email"
    assert alone.decisions[0].confidence == pytest.approx(0.95)
    assert alone.decisions[0].reason == "alias 'email' (en), 'company' -0.05"
    for headers in (["Company Email", "Personal Email"], ["Personal Email", "Company Email"]):
        assert detect_field_mapping(headers).email == "Company Email"
    assert detect_field_mapping(["Company Email", "Email"]).email == "Email"


def test_one_column_never_feeds_two_fields() -> None:
    # "Email" would be the best candidate for email and (via values) nothing else; a column
    # that is both the best email and best website candidate goes to email only.
    rows = [{"Web": f"x{i}@acme.com"} for i in range(5)]
    mapping = detect_field_mapping(["Web"], rows)
    assert mapping.email == "Web"
    assert mapping.website is None


# --- samples ---------------------------------------------------------------------------------


def rows_of(**columns: Sequence[object]) -> list[dict[str, object]]:
    size = max(len(v) for v in columns.values())
    return [{h: v[i] for h, v in columns.items() if i < len(v)} for i in range(size)]


def test_values_make_an_email_column_whatever_its_name() -> None:
    rows = rows_of(
        Contact=[f"p{i}@acme{i}.com" for i in range(40)],
        Name=[f"Ada Lovelace{i}" for i in range(40)],
    )
    mapping = detect_field_mapping(["Name", "Contact"], rows)
    assert mapping.email == "Contact"
    assert mapping.full_name == "Name"
    decision = mapping.decisions[1]
    assert decision.reason == "40 of 40 samples are emails"
    assert decision.confidence == pytest.approx(0.95)


def test_header_saying_email_over_non_emails_loses_confidence() -> None:
    rows = rows_of(Email=["n/a"] * 10, Notes=[f"p{i}@corp.io" for i in range(10)])
    mapping = detect_field_mapping(["Email", "Notes"], rows)
    assert mapping.email == "Notes"
    alone = detect_field_mapping(["Email"], rows_of(Email=["n/a", "-", "unknown"]))
    assert alone.email == "Email"
    assert alone.decisions[0].confidence == pytest.approx(MIN_SCORE)
    assert "but only 0 of 3 samples are emails" in alone.decisions[0].reason


def test_mostly_emails_counts_partial_columns() -> None:
    values = [f"p{i}@acme.com" for i in range(33)] + ["", None, "n/a"] * 7
    mapping = detect_field_mapping(["Col"], rows_of(Col=values))
    assert mapping.email == "Col"
    assert mapping.decisions[0].reason == "33 of 40 samples are emails"
    few = detect_field_mapping(["Col"], rows_of(Col=["a@b.com", "c@d.com"]))
    assert few.email is None  # fewer than 3 non-empty values: no value evidence


def test_free_mail_values_rank_as_personal() -> None:
    rows = rows_of(
        Email=[
            f"a{i}@{d}"
            for i, d in enumerate(
                [
                    "gmail.com",
                    "yahoo.fr",
                    "gmx.de",
                    "web.de",
                    "orange.fr",
                    "libero.it",
                    "hotmail.co.uk",
                ]
            )
        ],
        **{"Email 1": [f"a{i}@acme-{i}.io" for i in range(7)]},
    )
    mapping = detect_field_mapping(["Email", "Email 1"], rows)
    assert mapping.email == "Email 1"
    assert "free-mail" in mapping.decisions[0].reason


def test_email_wrapped_in_name_and_mailto_counts() -> None:
    rows = rows_of(X=["Ada <ada@acme.com>", "mailto:bob@acme.com", "carl@acme.co.uk"])
    assert detect_field_mapping(["X"], rows).email == "X"


def test_phone_and_url_values_help_unnamed_columns() -> None:
    rows = rows_of(
        A=["+49 30 1234567", "(555) 123-4567", "030 1234 5678", "+33 1 23 45 67 89"],
        B=["acme.com", "https://www.foo.io/about", "www.bar.de", "baz.fr"],
        C=["2024-01-05", "05/01/2024", "2023-12-31", "01.02.2024"],
        D=["51234567801", "51234567802", "51234567803", "51234567804"],
    )
    mapping = detect_field_mapping(["A", "B", "C", "D"], rows)
    assert mapping.phone == "A"
    assert mapping.website == "B"
    assert mapping.field_of("C") == "custom_variables.c"
    assert mapping.field_of("D") == "custom_variables.d"


def test_fax_values_do_not_make_a_phone_column() -> None:
    rows = rows_of(Fax=["+49 30 1234567", "+49 30 7654321", "+49 30 1111111"])
    assert detect_field_mapping(["Fax"], rows).phone is None


def test_social_links_are_not_a_website() -> None:
    rows = rows_of(
        companyUrl=[f"https://www.linkedin.com/company/acme{i}" for i in range(5)],
        Domain=[f"acme{i}.com" for i in range(5)],
    )
    with_values = detect_field_mapping(["companyUrl", "Domain"], rows)
    assert with_values.website == "Domain"
    assert "social-profile" in with_values.decisions[0].reason
    without = detect_field_mapping(["companyUrl"])
    assert without.website == "companyUrl"  # headers alone cannot tell


def test_text_field_contradicted_by_values() -> None:
    rows = rows_of(Company=["12%", "3.5", "100"], Organisation=["Acme", "Globex", "Initech"])
    mapping = detect_field_mapping(["Company", "Organisation"], rows)
    assert mapping.company_name == "Organisation"
    assert "have no letters" in mapping.decisions[0].reason


def test_salutations_are_not_job_titles() -> None:
    rows = rows_of(Title=["Mr", "Mrs", "Dr.", "Ms", "Mr"], Position=["CEO"] * 5)
    mapping = detect_field_mapping(["Title", "Position"], rows)
    assert mapping.job_title == "Position"


def test_first_name_column_with_full_names_becomes_full_name() -> None:
    rows = rows_of(Nome=["João Silva", "Maria Souza", "Ana Lima"], Email=["a@x.com"] * 3)
    mapping = detect_field_mapping(["Nome", "Email"], rows)
    assert mapping.first_name is None
    assert mapping.full_name == "Nome"
    assert mapping.lead_fields(rows[0])["last_name"] == "Silva"


def test_veto_beats_email_values() -> None:
    rows = rows_of(
        **{"Owner Email": ["rep@us.com"] * 5, "Verified Email": [f"x{i}@t.com" for i in range(5)]}
    )
    mapping = detect_field_mapping(["Owner Email", "Verified Email"], rows)
    assert mapping.email == "Verified Email"
    assert "CRM user" in mapping.decisions[0].reason


# --- value evidence across columns ----------------------------------------------------------

PEOPLE = [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing"), ("Emmy", "Noether")]
SITES = [
    "analytical.example.com",
    "cobol.example.org",
    "bletchley.example.net",
    "rings.example.com",
]


def test_work_email_on_the_company_domain_beats_the_header() -> None:
    rows = [
        {
            "Email": f"{first.lower()}{i}@gmail.com",
            "Secondary Email": f"{first.lower()}@{site}",
            "Website": f"https://www.{site}",
        }
        for i, ((first, _), site) in enumerate(zip(PEOPLE, SITES, strict=True))
    ]
    headers = ["Email", "Secondary Email", "Website"]
    assert detect_field_mapping(headers).email == "Email"  # the header alone
    mapping = detect_field_mapping(headers, rows)
    assert mapping.email == "Secondary Email"
    reason = mapping.decisions[1].reason
    assert "4 of 4 samples at the company's own domain (the domain of 'Website')" in reason
    assert mapping.decisions[1].confidence == 1.0
    assert "email went to 'Secondary Email'" in mapping.decisions[0].reason


def test_work_domain_without_a_website_is_the_rows_majority_work_domain() -> None:
    rows = [
        {"Personal Email": f"{first}@{site}", "Email": f"{first}.{last}@yahoo.com"}
        for (first, last), site in zip(PEOPLE, SITES, strict=True)
    ]
    mapping = detect_field_mapping(["Email", "Personal Email"], rows)
    assert mapping.email == "Personal Email"  # whatever its header says
    assert "the domain most of the row's work addresses share" in mapping.decisions[1].reason


def test_role_mailboxes_are_no_ones_work_address() -> None:
    rows = [
        {
            "Email": f"{first.lower()}@{last.lower()}-holdings.example.com",
            "Company Email": f"info@{site}",
            "Website": f"https://{site}",
        }
        for (first, last), site in zip(PEOPLE, SITES, strict=True)
    ]
    mapping = detect_field_mapping(["Company Email", "Email", "Website"], rows)
    assert mapping.email == "Email"
    assert all("own domain" not in d.reason for d in mapping.decisions)


def test_two_work_domains_leave_the_choice_to_the_headers() -> None:
    rows = [
        {"Email": f"{first}@{site}", "Other Email": f"{first}@old-{site}"}
        for (first, _), site in zip(PEOPLE, SITES, strict=True)
    ]
    mapping = detect_field_mapping(["Other Email", "Email"], rows)
    assert mapping.email == "Email"
    assert all("own domain" not in d.reason for d in mapping.decisions)


def test_a_lone_email_column_keeps_its_reason() -> None:
    rows = [{"Email": f"{first}@{site}"} for (first, _), site in zip(PEOPLE, SITES, strict=True)]
    mapping = detect_field_mapping(["Email"], rows)
    assert mapping.decisions[0].reason == "alias 'email' (en); 4 of 4 samples are emails"


def test_owner_addresses_do_not_make_a_work_domain() -> None:
    rows = [
        {"Email": f"{first}@gmail.com", "Owner Email": "rep@seller.example.com"}
        for first, _ in PEOPLE
    ]
    mapping = detect_field_mapping(["Email", "Owner Email"], rows)
    assert mapping.email == "Email"
    assert "own domain" not in mapping.decisions[0].reason


def test_a_column_of_peoples_names_is_never_the_company() -> None:
    reps = ["Sam Rivera", "Anna Kowalska", "Dr. Peter Park", "Maria da Silva"]
    rows: list[dict[str, object]] = [
        {"First Name": first, "Last Name": last, "Account": rep}
        for (first, last), rep in zip(PEOPLE, reps, strict=True)
    ]
    headers = ["First Name", "Last Name", "Account"]
    assert detect_field_mapping(headers).company_name == "Account"  # the header alone
    mapping = detect_field_mapping(headers, rows)
    assert mapping.company_name is None
    assert "4 of 4 samples look like people's names" in mapping.decisions[2].reason
    # the lead's own name counts too, whatever the given name
    own = [{**row, "Account": f"{row['First Name']} {row['Last Name']}"} for row in rows]
    assert detect_field_mapping(headers, own).company_name is None
    companies = [
        {**row, "Account": name}
        for row, name in zip(
            rows, ["Acme GmbH", "Globex", "Initech Labs", "Hooli Inc."], strict=True
        )
    ]
    assert detect_field_mapping(headers, companies).company_name == "Account"


def test_bare_name_beside_a_last_name_is_the_first_name() -> None:
    mapping = detect_field_mapping(["Email", "Name", "Last name"])
    assert mapping.first_name == "Name"
    assert mapping.full_name is None
    assert "read as the first name" in mapping.decisions[1].reason
    rows = [{"Name": f"{a} {b}", "Last name": b} for a, b in PEOPLE]
    full = detect_field_mapping(["Email", "Name", "Last name"], rows)
    assert full.first_name is None
    assert full.full_name == "Name"


def test_sample_rows_may_miss_keys_and_hold_any_values() -> None:
    rows: list[Mapping[str, object]] = [
        {},
        {"Email": 3.5, "Other": ["a", "b"]},
        {"Email": None, "Phone": 4930123456},
        {"Email": True},
    ]
    mapping = detect_field_mapping(["Email", "Phone", "Other"], rows)
    assert mapping.email == "Email"
    assert mapping.phone == "Phone"


# --- full names ------------------------------------------------------------------------------


def test_full_name_only_when_first_or_last_missing() -> None:
    both = detect_field_mapping(["Full Name", "First Name", "Last Name"])
    assert both.full_name is None
    assert both.custom_variables == {"full_name": "Full Name"}
    only_last = detect_field_mapping(["Full Name", "Last Name"])
    assert only_last.full_name == "Full Name"
    row = {"Full Name": "Ada Lovelace", "Last Name": "Byron"}
    assert only_last.lead_fields(row) == {
        "first_name": "Ada",
        "last_name": "Byron",
        "custom_variables": {},
    }


def test_german_name_beside_vorname_is_the_surname() -> None:
    mapping = detect_field_mapping(["Vorname", "Name", "E-Mail"])
    assert mapping.last_name == "Name"
    assert mapping.full_name is None
    assert "surname" in mapping.decisions[1].reason
    rows = rows_of(Vorname=["Ada", "Bob", "Eva"], Name=["Ada Lovelace", "Bob Ross", "Eva Braun"])
    with_values = detect_field_mapping(["Vorname", "Name"], rows)
    assert with_values.last_name is None
    assert with_values.full_name == "Name"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Ada Lovelace", ("Ada", "Lovelace")),
        ("  Ada   Lovelace ", ("Ada", "Lovelace")),
        ("Ada", ("Ada", "")),
        ("", ("", "")),
        ("Ludwig van Beethoven", ("Ludwig", "van Beethoven")),
        ("Juan García López", ("Juan", "García López")),
        ("García López, María", ("María", "García López")),
        ("Dr. Ada Lovelace, PhD", ("Ada", "Lovelace")),
        ("Herr Dr. Müller", ("", "Müller")),
        ("Mr. Smith", ("", "Smith")),
        ("Jean-Pierre Dupont Jr.", ("Jean-Pierre", "Dupont")),
        ("DUPONT Jean", ("Jean", "DUPONT")),
        ("VAN DER BERG Jan", ("Jan", "VAN DER BERG")),
        ("ADA LOVELACE", ("ADA", "LOVELACE")),
        ("Robert (Bob) Smith", ("Robert", "Smith")),
        ('Robert "Bob" Smith', ("Robert", "Smith")),
        ("Ada Lovelace 🚀", ("Ada", "Lovelace")),
        ("Ada\u00a0Lovelace", ("Ada", "Lovelace")),
        ("Ada Lovelace, MBA, CPA", ("Ada", "Lovelace")),
    ],
)
def test_split_full_name(value: str, expected: tuple[str, str]) -> None:
    assert split_full_name(value) == expected


@given(st.text())
def test_split_full_name_total_and_faithful(value: str) -> None:
    first, last = split_full_name(value)
    assert first == first.strip()
    assert last == last.strip()
    assert " " not in first
    if not first:
        assert " " not in last
    # no invented text: every letter and digit comes from the input
    given_chars = Counter(ch for ch in unicodedata.normalize("NFKC", value) if ch.isalnum())
    assert Counter(ch for ch in first + last if ch.isalnum()) <= given_chars


@given(
    st.lists(
        st.from_regex(r"[A-Z][a-z]{2,9}(-[A-Z][a-z]{2,9})?", fullmatch=True),
        min_size=2,
        max_size=4,
    )
)
def test_split_full_name_round_trips_plain_names(words: list[str]) -> None:
    assume(words[0].casefold() not in _HONORIFICS)
    assume(words[-1].casefold() not in _NAME_SUFFIXES)
    first, last = split_full_name(" ".join(words))
    assert (first, last) == (words[0], " ".join(words[1:]))
    assert split_full_name(f"{first} {last}") == (first, last)


# --- lead_fields -----------------------------------------------------------------------------


def test_lead_fields_builds_the_lead_body() -> None:
    mapping = detect_field_mapping(["Email", "Name", "Company", "Plan", "Seats", "Empty"])
    row = {
        "Email": " ada@acme.com ",
        "Name": "Ada Lovelace",
        "Company": "",
        "Plan": "pro",
        "Seats": 12,
        "Empty": None,
    }
    assert mapping.lead_fields(row) == {
        "email": "ada@acme.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "custom_variables": {"plan": "pro", "seats": 12},
    }


def test_nan_cells_count_as_empty() -> None:
    nan = float("nan")
    rows = rows_of(Col=["a@b.com", nan, nan, nan, "c@d.com", nan])
    assert detect_field_mapping(["Col"], rows).email is None  # two values are too few
    mapping = detect_field_mapping(["Email", "Score", "Ratio"])
    lead = mapping.lead_fields({"Email": nan, "Score": nan, "Ratio": 0.5})
    assert lead == {"custom_variables": {"ratio": 0.5}}


# --- sanitizing variable names ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("Company LinkedIn URL", "company_linkedin_url"),
        ("Société", "societe"),
        ("E-Mail-Adresse", "email_adresse"),
        ("  Plan (current) ", "plan_current"),
        ("profileUrl", "profile_url"),
        ("# Employees", "employees"),
        ("2nd Email", "var_2nd_email"),
        ("Email 1", "email_1"),
        ("Straße", "strasse"),
        ("名前", "var"),
        ("", "var"),
        ("Email", "email_2"),
        ("first_name", "first_name_2"),
        ("Job Title", "job_title_2"),
        ("PERSONALIZATION", "personalization_2"),
        ("x" * 80, "x" * 64),
    ],
)
def test_sanitize_variable_name(header: str, name: str) -> None:
    assert sanitize_variable_name(header) == name


def test_sanitize_suffixes_on_collision() -> None:
    assert sanitize_variable_name("Plan", taken={"plan"}) == "plan_2"
    assert sanitize_variable_name("Plan", taken={"PLAN", "plan_2"}) == "plan_3"
    long = sanitize_variable_name("y" * 80, taken={"y" * 64})
    assert long == "y" * 62 + "_2"


@given(st.text(), st.sets(st.text(max_size=12), max_size=5))
def test_sanitize_always_valid_and_free(header: str, taken: set[str]) -> None:
    name = sanitize_variable_name(header, taken=taken)
    assert VALID_NAME.fullmatch(name)
    assert name.isascii()
    assert name.casefold() not in {t.casefold() for t in taken}
    assert name.replace("_", "").casefold() not in RESERVED_FOLDED
    assert sanitize_variable_name(header, taken=taken) == name


def test_custom_variable_names_are_unique_and_deterministic() -> None:
    headers = ["Plan", "plan", "PLAN ", "Plan!", "Email", "email ", "備考", "名字"]
    mapping = detect_field_mapping(headers)
    assert mapping.custom_variables == {
        "plan": "Plan",
        "plan_2": "plan",
        "plan_3": "PLAN ",
        "plan_4": "Plan!",
        "email_2": "email ",
        "var": "備考",
        "var_2": "名字",
    }
    assert mapping.email == "Email"


# --- duplicates, empties, errors -------------------------------------------------------------


def test_duplicate_and_empty_headers() -> None:
    headers = ["Email", "", "Email", "  ", "#", "Notes", "Notes"]
    mapping = detect_field_mapping(headers)
    assert mapping.email == "Email"
    assert mapping.custom_variables == {"notes": "Notes"}
    fields = [d.field for d in mapping.decisions]
    assert fields == ["email", None, None, None, None, "custom_variables.notes", None]
    assert mapping.decisions[2].reason == "duplicate header (first at column 0)"
    assert mapping.decisions[1].reason == "header has no letters or digits"


@pytest.mark.parametrize(
    ("headers", "path"),
    [("Email,Name", "headers"), (["Email", 3], "headers[1]"), (None, "headers")],
)
def test_bad_headers_raise_mapping_error(headers: object, path: str) -> None:
    with pytest.raises(MappingError) as info:
        detect_field_mapping(headers)  # type: ignore[arg-type]
    assert info.value.problems[0].path == path


@pytest.mark.parametrize(
    ("samples", "path"),
    [("rows", "samples"), ({"Email": "x"}, "samples"), ([{"Email": "a"}, "row"], "samples[1]")],
)
def test_bad_samples_raise_mapping_error(samples: object, path: str) -> None:
    with pytest.raises(MappingError) as info:
        detect_field_mapping(["Email"], samples)  # type: ignore[arg-type]
    assert info.value.problems[0].path == path


# --- overrides -------------------------------------------------------------------------------

# Every realistic header of this file, for the property tests.
POOL = sorted({h for _, headers, _ in EXPORTS for h in headers} | {h for h, _ in SINGLE})

HEADERS = ["Email", "Personal Email", "First Name", "Last Name", "Company", "Plan", "Phone"]


def test_override_moves_a_header_and_frees_the_old_one() -> None:
    mapping = detect_field_mapping(HEADERS, overrides={"email": "Personal Email"})
    assert mapping.email == "Personal Email"
    assert mapping.custom_variables == {"email_2": "Email", "plan": "Plan"}
    assert mapping.decisions[1].reason == "set by override"
    assert mapping.decisions[0].reason == "freed by the override of email"


def test_override_none_unmaps_but_keeps_the_column() -> None:
    mapping = detect_field_mapping(HEADERS).with_overrides({"phone": None})
    assert mapping.phone is None
    assert mapping.custom_variables["phone_2"] == "Phone"


def test_override_custom_variables_rename_and_drop() -> None:
    base = detect_field_mapping(HEADERS)
    assert base.custom_variables == {"personal_email": "Personal Email", "plan": "Plan"}
    mapping = base.with_overrides(
        {"custom_variables": {"planName": "Plan", "personal_email": None}}
    )
    assert mapping.custom_variables == {"planName": "Plan"}
    assert mapping.field_of("Personal Email") is None
    assert mapping.decisions[1].reason == "dropped by override"


def test_override_a_std_header_into_a_custom_variable() -> None:
    mapping = detect_field_mapping(HEADERS, overrides={"custom_variables": {"co": "Company"}})
    assert mapping.company_name is None
    assert mapping.custom_variables["co"] == "Company"


def test_override_full_name() -> None:
    assert detect_field_mapping(["Email", "Who"]).custom_variables == {"who": "Who"}
    mapping = detect_field_mapping(["Email", "Who"], overrides={"full_name": "Who"})
    assert mapping.full_name == "Who"
    assert mapping.custom_variables == {}
    assert mapping.lead_fields({"Who": "Ada Lovelace"})["last_name"] == "Lovelace"


def test_overrides_equal_to_own_output_change_nothing() -> None:
    mapping = detect_field_mapping(HEADERS)
    again = mapping.with_overrides(mapping.to_dict())
    assert again.to_dict() == mapping.to_dict()


def test_override_field_and_drop_its_old_variable_together() -> None:
    mapping = detect_field_mapping(HEADERS)
    both = mapping.with_overrides(
        {"email": "Personal Email", "custom_variables": {"personal_email": None}}
    )
    assert both.email == "Personal Email"
    assert both.custom_variables == {"email_2": "Email", "plan": "Plan"}


@given(
    st.lists(st.sampled_from(POOL), min_size=1, max_size=10, unique=True),
    st.data(),
)
def test_valid_overrides_keep_invariants(headers: list[str], data: st.DataObject) -> None:
    mapping = detect_field_mapping(headers)
    fields = data.draw(st.lists(st.sampled_from(ALL_FIELDS), unique=True, max_size=4))
    chosen = data.draw(st.lists(st.sampled_from(headers), unique=True, max_size=len(fields)))
    overrides: dict[str, object] = dict.fromkeys(fields)
    overrides.update(zip(fields, chosen, strict=False))
    result = mapping.with_overrides(overrides)
    check_invariants(result, headers)
    for field, header in overrides.items():
        assert getattr(result, field) == header
    assert detect_field_mapping(headers, overrides=overrides) == result


@pytest.mark.parametrize(
    ("overrides", "paths"),
    [
        ({"email": "Nope"}, ["overrides.email"]),
        ({"emial": "Email"}, ["overrides.emial"]),
        ({"first_name": "Email", "last_name": "Email"}, ["overrides.last_name"]),
        ({"phone": 3}, ["overrides.phone"]),
        ({"custom_variables": {"firstName": "Plan"}}, ["overrides.custom_variables.firstName"]),
        ({"custom_variables": {"1st": "Plan"}}, ["overrides.custom_variables.1st"]),
        ({"custom_variables": {"x": "Nope"}}, ["overrides.custom_variables.x"]),
        ({"custom_variables": {"gone": None}}, ["overrides.custom_variables.gone"]),
        ({"custom_variables": ["Plan"]}, ["overrides.custom_variables"]),
        (
            {"email": "Plan", "custom_variables": {"plan_x": "Plan"}},
            ["overrides.custom_variables.plan_x"],
        ),
        ({"email": "Nope", "phone": "Nope2"}, ["overrides.email", "overrides.phone"]),
        (["email"], ["overrides"]),
    ],
)
def test_bad_overrides_raise_with_paths(overrides: object, paths: list[str]) -> None:
    mapping = detect_field_mapping(HEADERS)
    with pytest.raises(MappingError) as info:
        mapping.with_overrides(overrides)  # type: ignore[arg-type]
    assert [p.path for p in info.value.problems] == paths
    with pytest.raises(MappingError):
        detect_field_mapping(HEADERS, overrides=overrides)  # type: ignore[arg-type]


def test_override_name_clash_with_existing_variable() -> None:
    mapping = detect_field_mapping(HEADERS)
    with pytest.raises(MappingError) as info:
        mapping.with_overrides({"custom_variables": {"Plan": "Personal Email"}})
    assert info.value.problems[0].path == "overrides.custom_variables.Plan"


# --- dict shape ------------------------------------------------------------------------------


def test_to_dict_shape() -> None:
    mapping = detect_field_mapping(["Email", "Vorname", "Plan"])
    assert mapping.to_dict() == {
        "email": "Email",
        "first_name": "Vorname",
        "last_name": None,
        "company_name": None,
        "job_title": None,
        "phone": None,
        "website": None,
        "personalization": None,
        "full_name": None,
        "custom_variables": {"plan": "Plan"},
    }


def test_from_dict_round_trip_and_headers() -> None:
    mapping = detect_field_mapping(HEADERS)
    again = FieldMapping.from_dict(mapping.to_dict(), headers=HEADERS)
    assert again.to_dict() == mapping.to_dict()
    assert [d.field for d in again.decisions] == [d.field for d in mapping.decisions]
    short = FieldMapping.from_dict({"email": "E", "custom_variables": {"a": "A"}})
    assert short.headers == ("E", "A")
    assert short.first_name is None


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"email": "X", "phone": "X"}, "phone"),
        ({"colour": "X"}, "colour"),
        ({"email": 1}, "email"),
        ({"custom_variables": {"email": "X"}}, "custom_variables.email"),
        ({"custom_variables": {"a": "X", "A": "Y"}}, "custom_variables.A"),
        ({"email": "X", "custom_variables": {"a": "X"}}, "custom_variables.a"),
        ({"email": "Nope"}, "email"),
        ("email", "mapping"),
    ],
)
def test_from_dict_rejects_bad_data(data: object, path: str) -> None:
    with pytest.raises(MappingError) as info:
        FieldMapping.from_dict(data, headers=["X", "Y"])  # type: ignore[arg-type]
    assert info.value.problems[0].path == path


def test_constructor_checks_injectivity() -> None:
    with pytest.raises(MappingError):
        FieldMapping(email="A", phone="A")
    with pytest.raises(MappingError):
        FieldMapping(email="A", custom_variables={"a": "A"})


def test_suggestions_unknown_field() -> None:
    with pytest.raises(MappingError):
        detect_field_mapping(["Email"]).suggestions("colour")


# --- display ---------------------------------------------------------------------------------


def test_repr_is_short_and_html_escapes() -> None:
    mapping = detect_field_mapping(["Email", "<b>Plan</b>", "Seats"])
    assert repr(mapping) == "FieldMapping(email='Email', +2 custom)"
    page = mapping._repr_html_()
    assert "&lt;b&gt;Plan&lt;/b&gt;" in page
    assert "<b>Plan</b>" not in page
    assert page.count("<tr>") == 4
    assert isinstance(mapping.decisions[0], Decision)


# --- properties ------------------------------------------------------------------------------

header_lists = st.lists(st.text(max_size=20) | st.sampled_from(POOL), max_size=12)


@given(header_lists)
def test_never_raises_and_keeps_invariants(headers: list[str]) -> None:
    mapping = detect_field_mapping(headers)
    check_invariants(mapping, headers)
    assert detect_field_mapping(headers) == mapping  # deterministic


@given(
    header_lists,
    st.lists(st.dictionaries(st.sampled_from(POOL) | st.text(max_size=5), st.text()), max_size=5),
)
def test_never_raises_with_samples(headers: list[str], rows: list[dict[str, str]]) -> None:
    mapping = detect_field_mapping(headers, rows)
    check_invariants(mapping, headers)


def no_ties(mapping: FieldMapping) -> bool:
    """True when no field has two candidate columns with the same score."""
    for field in ALL_FIELDS:
        scores = [score for _, score in mapping.suggestions(field)]
        if len(scores) != len(set(scores)):
            return False
    return True


@given(st.lists(st.sampled_from(POOL), min_size=1, max_size=15, unique=True), st.randoms())
def test_column_order_does_not_matter_without_ties(headers: list[str], rnd: random.Random) -> None:
    mapping = detect_field_mapping(headers)
    assume(no_ties(mapping))
    shuffled = list(headers)
    rnd.shuffle(shuffled)
    other = detect_field_mapping(shuffled)
    assert standard(other) == standard(mapping)
    assert set(other.custom_variables.values()) == set(mapping.custom_variables.values())
    bases = [sanitize_variable_name(h) for h in mapping.custom_variables.values()]
    if len(set(bases)) == len(bases):
        assert other.custom_variables == mapping.custom_variables


CELLS = [
    "ada@acme.com",
    "bob@gmail.com",
    "+49 30 1234567",
    "(555) 123-4567",
    "acme.com",
    "https://www.linkedin.com/in/ada",
    "Ada Lovelace",
    "Ada",
    "CEO",
    "Mr",
    "42",
    "",
    None,
]


@given(
    st.lists(st.sampled_from(POOL), min_size=1, max_size=8, unique=True),
    st.lists(st.lists(st.sampled_from(CELLS), min_size=8, max_size=8), min_size=3, max_size=6),
    st.randoms(),
)
def test_column_order_does_not_matter_with_samples(
    headers: list[str], cells: list[list[str | None]], rnd: random.Random
) -> None:
    rows = [dict(zip(headers, row, strict=False)) for row in cells]
    mapping = detect_field_mapping(headers, rows)
    check_invariants(mapping, headers)
    assume(no_ties(mapping))
    shuffled = list(headers)
    rnd.shuffle(shuffled)
    assert standard(detect_field_mapping(shuffled, rows)) == standard(mapping)


@given(header_lists)
def test_idempotent_on_its_own_output(headers: list[str]) -> None:
    mapping = detect_field_mapping(headers)
    again = detect_field_mapping(list(mapping.mapped_headers))
    assert again.to_dict() == mapping.to_dict()
    pinned = detect_field_mapping(headers, overrides=mapping.to_dict())
    assert pinned.to_dict() == mapping.to_dict()
    assert FieldMapping.from_dict(mapping.to_dict()).to_dict() == mapping.to_dict()


@given(st.text(max_size=40) | st.emails())
def test_normalize_email_is_idempotent_and_canonical(value: str) -> None:
    from instantly_columns.domain.mapping import normalize_email

    once = normalize_email(value)
    if once is None:
        return
    assert normalize_email(once) == once
    assert once == once.strip().lower()
    assert once.count("@") == 1
    assert normalize_email(f"  {once.upper()}  ") == once
    assert normalize_email(f"Someone <{once}>") == once


def test_normalize_email_examples() -> None:
    from instantly_columns.domain.mapping import normalize_email

    assert normalize_email("mailto:Ada@Example.com") == "ada@example.com"
    assert normalize_email("ada@example") is None
    assert normalize_email(42) is None
    assert normalize_email("") is None


_INVISIBLE = st.characters(categories=["Cc", "Cf", "Zl", "Zp"])
"""Control and format characters (NUL, zero-width space and joiners, BOM, bidi marks...)
and the line and paragraph separators."""


@given(st.emails(), _INVISIBLE, st.integers(min_value=0))
def test_an_address_with_a_control_or_format_character_is_no_email(
    email: str, char: str, where: int
) -> None:
    from instantly_columns.domain.mapping import normalize_email

    at = where % (len(email) + 1)
    # Surrounding whitespace (a tab, a newline, U+2028...) is stripped, as always.
    assume(not (char.isspace() and at in (0, len(email))))
    assert normalize_email(email[:at] + char + email[at:]) is None
    assert normalize_email(f"Someone <{email[:at]}{char}{email[at:]}>") is None


@given(st.text(max_size=40) | st.emails())
def test_a_normalized_email_holds_no_control_or_format_character(value: str) -> None:
    from instantly_columns.domain.mapping import normalize_email

    found = normalize_email(value)
    if found is not None:
        assert not [c for c in found if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]


@pytest.mark.parametrize(
    "value",
    [
        "ada\x00@example.com",
        "ada@example.com\x00",
        "\x00ada@example.com",
        "a\u200bda@example.com",
        "\u200bada@example.com",
        "ada\u200d@example.com",
        "\ufeffada@example.com",
        "ada\u202e@example.com",
        "ada\u00ad@example.com",
        "ada\u2028x@example.com",
        "ada\u2029x@example.com",
        "ada\x7f@example.com",
        "mailto:ada\x1b@example.com",
    ],
)
def test_odd_characters_make_an_invalid_row_not_a_lead(value: str) -> None:
    from instantly_columns.domain.columns import FieldMappingConfig
    from instantly_columns.domain.mapping import normalize_email
    from instantly_columns.domain.push import lead_payload

    assert normalize_email(value) is None
    email, lead, problem = lead_payload({"e": value}, FieldMappingConfig(email="e"), None)
    assert (email, lead, problem) == (None, {}, "invalid email")


def test_surrounding_whitespace_is_still_stripped() -> None:
    from instantly_columns.domain.mapping import normalize_email

    assert normalize_email("\tAda@Example.com\r\n") == "ada@example.com"
    assert normalize_email("\u2028ada@example.com\u2029") == "ada@example.com"


# --- the alias tables ------------------------------------------------------------------------


def test_the_alias_tables_are_literal_data() -> None:
    source = Path(_aliases.__file__).read_text(encoding="utf-8")
    calls = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)]
    assert calls == []


def test_the_alias_table_is_well_formed() -> None:
    languages = {"en", "de", "fr", "es", "pt", "nl", "it"}
    languages |= {"pl", "sv", "da", "no", "fi", "cs", "tr", "ja", "zh", "ru"}  # core fields
    assert set(_aliases.FIELD_WORDS) == set(ALL_FIELDS)
    for field, langs, score, headers, flags in _aliases.ALIASES:
        assert field in ALL_FIELDS
        assert set(langs.split(", ")) <= languages, langs
        assert 0 < score <= 1.05
        assert all(header.strip() for header in headers.split("|")), headers
        assert set(flags.split()) <= {"exact", "bare"}, flags
    for table in _aliases.FIELD_WORDS.values():
        for text, _ in table["qualifiers"]:
            assert text.split(), table


@given(
    st.lists(st.sampled_from(POOL), min_size=1, max_size=10, unique=True),
    st.data(),
)
def test_a_renamed_mapping_is_the_same_mapping_in_other_names(
    headers: list[str], data: st.DataObject
) -> None:
    # What the service does: detect over column names, give the mapping back in column ids.
    ids = {h: f"col{n}" for n, h in enumerate(headers)}
    back = {v: k for k, v in ids.items()}
    mapping = detect_field_mapping(headers)
    renamed = mapping.renamed(ids)
    for field in ALL_FIELDS:
        value = getattr(mapping, field)
        assert getattr(renamed, field) == (None if value is None else ids[value])
    assert renamed.custom_variables == {n: ids[h] for n, h in mapping.custom_variables.items()}
    assert renamed.headers == tuple(ids[h] for h in headers)
    assert [(d.column, d.field, d.reason) for d in renamed.decisions] == [
        (d.column, d.field, d.reason) for d in mapping.decisions
    ]
    assert [renamed.label(d.header) for d in renamed.decisions] == [
        d.header for d in mapping.decisions
    ]
    assert renamed.renamed(back) == mapping
    row = {h: f"value {n}" for n, h in enumerate(headers)}
    assert renamed.lead_fields({ids[h]: v for h, v in row.items()}) == mapping.lead_fields(row)
    # Overrides commute with the renaming, variable names of freed columns included.
    fields = data.draw(st.lists(st.sampled_from(ALL_FIELDS), unique=True, max_size=4))
    chosen = data.draw(st.lists(st.sampled_from(headers), unique=True, max_size=len(fields)))
    overrides: dict[str, str | None] = dict.fromkeys(fields)
    overrides.update(zip(fields, chosen, strict=False))
    in_ids = {f: None if h is None else ids[h] for f, h in overrides.items()}
    assert renamed.with_overrides(in_ids) == mapping.with_overrides(overrides).renamed(ids)


def test_renaming_two_headers_to_one_name_is_a_mapping_error() -> None:
    mapping = detect_field_mapping(["Email", "Plan"])
    with pytest.raises(MappingError):
        mapping.renamed({"Email": "x", "Plan": "x"})
    assert mapping.renamed({}) == mapping
    assert "E-Mail (c1)" in detect_field_mapping(["E-Mail"]).renamed({"E-Mail": "c1"})._repr_html_()
