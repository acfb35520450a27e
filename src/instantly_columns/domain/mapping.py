"""Field mapping: which column of a lead table feeds which Instantly lead field.

[`detect_field_mapping`][instantly_columns.domain.mapping.detect_field_mapping] reads the column
headers of a host table (and, optionally, a few sample rows) and proposes a
[`FieldMapping`][instantly_columns.domain.mapping.FieldMapping]: one column per Instantly lead field
(`email`, `first_name`, `last_name`, `company_name`, `job_title`, `phone`, `website`,
`personalization`), an optional full-name column split into first and last name, and every
other column as a custom variable with a sanitized name.

How it works, in four steps:

1. **Normalize** each header: Unicode NFKC, BOMs, zero-width characters and NBSP removed,
   camelCase split, case folded, accents stripped, split into words; known compounds are
   joined (`E-Mail` -> `email`, `Linked In` -> `linkedin`) or split (`firstname` ->
   `first name`), and filler words (`de`, `la`, `the`, `your`...) dropped.
2. **Score** the words against an alias table (per lead field and language, each alias with a
   score) with qualifier words that adjust it (`personal` -0.10 for email, `company` -0.25 for
   phone...), negative words that rule a field out (`Email Status`, `Company LinkedIn URL`), and
   a veto on words naming the CRM user (`Owner Email`, `Sales Rep`).
3. **Sniff** sample values, when given: mostly valid emails make an email column whatever its
   name; phone-like and URL-like values help phone and website; values that contradict a header
   lower its score.
4. **Assign** greedily, best score first, one column per field and one field per column; ties
   go to the field listed first in `LEAD_FIELDS`, then to the left-most column.

Nothing here does I/O; the module is pure and deterministic.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Final, Literal, get_args

import attrs

from instantly_columns.errors import MappingError, Problem

__all__ = [
    "FULL_NAME",
    "LEAD_FIELDS",
    "MIN_SCORE",
    "RESERVED_VARIABLE_NAMES",
    "Decision",
    "FieldMapping",
    "LeadField",
    "detect_field_mapping",
    "normalize_email",
    "sanitize_variable_name",
    "split_full_name",
]

LeadField = Literal[
    "email",
    "first_name",
    "last_name",
    "company_name",
    "job_title",
    "phone",
    "website",
    "personalization",
]
"""A core Instantly lead field, spelled as in the API's lead bodies."""

LEAD_FIELDS: Final[tuple[LeadField, ...]] = get_args(LeadField)
"""The core lead fields, in tie-break order (on equal scores the earlier field is served first)."""

FULL_NAME: Final = "full_name"
"""The pseudo-field of a full-name column, split into first and last name when they are missing."""

MIN_SCORE: Final = 0.5
"""The lowest score at which a column is assigned to a lead field by detection."""

RESERVED_VARIABLE_NAMES: Final[frozenset[str]] = frozenset(
    {
        "firstName",
        "lastName",
        "companyName",
        "email",
        "jobTitle",
        "website",
        "phone",
        "personalization",
    }
)
"""Instantly's camelCase core variable names. They share the lead's ``payload`` map with custom
variables, so no custom variable may take them (compared ignoring case and underscores)."""

_ALL_FIELDS: Final[tuple[str, ...]] = (*LEAD_FIELDS, FULL_NAME)
_FIELD_RANK: Final[dict[str, int]] = {field: rank for rank, field in enumerate(_ALL_FIELDS)}
_RESERVED_FOLDED: Final = frozenset(name.casefold() for name in RESERVED_VARIABLE_NAMES)
_VARIABLE_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_MAX_VARIABLE_LENGTH: Final = 64
_MAX_SAMPLE_ROWS: Final = 1000
_MIN_SAMPLES: Final = 3
_SNIFF_MAX_LENGTH: Final = 320

# --- word tables -------------------------------------------------------------------------------
#
# Every word below is written in normalized form: lower case, no accents, one word per entry.


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Articles, prepositions and conjunctions in the seven languages, plus form-question words.
_FILLER: Final = _words(
    "a and d da das de dei del della delle dello den der des di do dos du e een el en et het i il "
    "ihr ihre is je l la las le les lo los my nd of or our please rd s st su sua seu th the tu "
    "tuo und uw van von vos votre what y your enter"
)

# Words that say whose value it is, or which copy; they neither add nor remove evidence.
_NEUTRAL: Final = _words(
    "contact contacts kontakt contacto contato contatto lead leads prospect prospects prospecto "
    "person persons people persona pessoa persoon personne customer client cliente klant kunde "
    "recipient target member user individual current actual aktuell aktuelle aktueller actuel "
    "actuelle atual attuale huidige primary main principal principale haupt primar preferred "
    "default official"
)

_CLEANED: Final = _words("cleaned clean normalized normalised standardized formatted")

_PERSONAL: Final = _words(
    "personal private home privat prive personnel personnelle perso particulier particular "
    "pessoal persoonlijk personale casa"
)

_WORK: Final = _words(
    "work business professional job geschaftlich beruflich dienstlich arbeit professionnel "
    "professionnelle pro travail trabajo corporativo empresarial profesional profissional "
    "trabalho comercial zakelijk werk aziendale lavoro"
)

_SECONDARY: Final = _words(
    "secondary second other others alt alternative alternate additional backup extra tertiary "
    "third zweite zweiter weitere andere sonstige alternativ secondaire autre autres secundario "
    "secundaria otro otra segundo segunda outro outra tweede overig overige secondario "
    "secondaria altro altra"
)

_COMPANY_WORDS: Final = _words(
    "company corporate organization organisation firma unternehmen firmen entreprise societe "
    "empresa compania companhia azienda societa bedrijf organisatie account"
)

# The column describes the CRM user or someone else, never the lead.
_VETO: Final = _words(
    "owner owners rep reps representative salesperson sender sending assigned assignee agent "
    "manager sdr bdr csm recruiter creator created modified updated edited referrer referred "
    "assistant besitzer verantwortlich verantwortlicher betreuer proprietaire commercial "
    "propietario vendedor proprietario responsavel eigenaar commerciale"
)

_GLOBAL_NEGATIVE: Final = _words(
    "id ids uuid guid key hash count date datum fecha timestamp status statut estado stato "
    "score flag source sources previous former past prior old ex type typ tipo username login "
    "handle nickname screenname history total"
)

_PERSON_NAME_NEGATIVE: Final = _words(
    "email emails mail phone telephone tel mobile fax address street city state country zip "
    "postal company companies organization organisation account campaign sequence file list "
    "lists tag tags product project deal opportunity event middle nick alias brand domain "
    "website url link linkedin profile phonetic pronunciation initial initials kana file "
    "firma unternehmen entreprise societe empresa azienda bedrijf"
)

_FIRST_WORDS: Final = _words(
    "first given forename vorname rufname prenom nombre primer nome primeiro proprio voornaam "
    "roepnaam battesimo"
)
_LAST_WORDS: Final = _words(
    "last surname family nachname familienname zuname nom apellido apellidos sobrenome apelido "
    "ultimo achternaam familienaam cognome"
)
_FULL_WORDS: Final = _words(
    "full complete vollstandiger voller complet completo volledige nominativo"
)

# Company attributes: "Company Size", "Company LinkedIn URL", "Taille de l'entreprise".
_ORG_ATTRIBUTE: Final = _words(
    "linkedin li url urls link website site web webseite sitio sito pagina domain domains "
    "dominio domaine domein logo twitter facebook instagram youtube xing crunchbase phone "
    "telephone tel telefon telefono telefone telefoon fax email emails mail address street "
    "city state region province zip postal postcode country location hq headquarters size "
    "employees employee headcount staff range band tier segment vertical industry industries "
    "sector category description about overview summary specialties keywords technologies "
    "tech stack founded year age revenue turnover funding investors ticker stock naics sic "
    "duns vat siren siret kvk cnpj cif nif ust tax registration number code stage rating rank "
    "growth followers division department subsidiary duration tenure since years news "
    "grosse taille tamano tamanho dimensione grootte mitarbeiter mitarbeiterzahl employes "
    "salaries empleados funcionarios colaboradores dipendenti werknemers medewerkers branche "
    "secteur settore industria adresse direccion endereco indirizzo adres stadt ort ville "
    "ciudad cidade citta plaats stad land pays pais paese umsatz chiffre affaires ingresos "
    "facturacion fatturato omzet faturamento receita beschreibung descripcion descricao "
    "descrizione beschrijving plz cap cep codigo"
)


@attrs.frozen
class _Alias:
    field: str
    tokens: tuple[str, ...]
    score: float
    lang: str
    partial: bool
    bare: bool
    text: str


@attrs.frozen
class _Spec:
    field: str
    kind: Literal["email", "phone", "url", "text"]
    qualifiers: Mapping[str, float]
    negative: frozenset[str]
    secondary: float


def _qualifiers(*groups: tuple[Iterable[str], float]) -> dict[str, float]:
    table: dict[str, float] = {}
    for words, delta in groups:
        for word in words:
            table[word] = delta
    return table


_SPECS: Final[dict[str, _Spec]] = {
    "email": _Spec(
        "email",
        "email",
        _qualifiers(
            (_WORK, 0.0),
            (
                _words(
                    "address adresse adres direccion endereco indirizzo id direct corporativo "
                    "corporate"
                ),
                0.0,
            ),
            (_PERSONAL, -0.10),
            ("company", -0.05),
            (("pec",), -0.30),
        ),
        _words(
            "status verified verification verify valid validity validation validated "
            "validierung confidence quality grade risk result catch catchall accept accepts "
            "deliverability deliverable bounce bounced bounces opt opted optout optin out "
            "unsubscribe unsubscribed subscribed subscription consent permission marketing "
            "newsletter subject body content copy template title sequence campaign step sent "
            "send sends open opens opened click clicks clicked reply replies replied count "
            "domain domains format pattern provider esp mx server host first last total "
            "frequency preference preferences thread message messages activity language "
            "signature link tracking event events personalization personalisation "
            "icebreaker opener hash md5 sha256 ai"
        ),
        -0.15,
    ),
    "first_name": _Spec(
        "first_name",
        "text",
        {},
        _PERSON_NAME_NEGATIVE | _LAST_WORDS | _FULL_WORDS | {"name"},
        -0.30,
    ),
    "last_name": _Spec(
        "last_name",
        "text",
        {},
        _PERSON_NAME_NEGATIVE | _FIRST_WORDS | _FULL_WORDS | {"name", "maiden"},
        -0.30,
    ),
    "company_name": _Spec(
        "company_name",
        "text",
        _qualifiers(
            (_COMPANY_WORDS | _words("name nom nombre nome naam legal"), 0.0),
            (("associated",), -0.10),
            (("parent", "ultimate", "holding"), -0.20),
            (_CLEANED, 0.02),
        ),
        _ORG_ATTRIBUTE | {"campaign", "sequence", "for", "emails"},
        -0.20,
    ),
    "job_title": _Spec(
        "job_title",
        "text",
        _qualifiers((_words("job work professional business"), 0.0)),
        _words(
            "email emails mail subject page seo meta website url link deal opportunity ticket "
            "task campaign step sequence product post article video book level seniority "
            "hierarchy department dept abteilung departement departamento afdeling reparto "
            "area category description summary start end duration years since academic "
            "akademischer akademisch anrede salutation civilite tratamiento tratamento aanhef "
            "studio studies education degree diploma company firma empresa azienda bedrijf "
            "societe entreprise"
        ),
        -0.30,
    ),
    "phone": _Spec(
        "phone",
        "phone",
        _qualifiers(
            (
                _words(
                    "phone phones telephone tel telefon telefono telefone telefoon number no nr "
                    "num numero nummer direct dial work business professional"
                ),
                0.0,
            ),
            (
                _words(
                    "mobile cell movil celular handy mobil portable mobiel mobiele gsm cellulare "
                    "telemovel"
                ),
                -0.05,
            ),
            (("office", "landline", "fixe", "festnetz", "fijo", "fixo", "vast"), -0.10),
            (_PERSONAL, -0.15),
            (
                _words(
                    "company corporate main hq headquarters switchboard zentrale standard "
                    "centralita sede firma empresa azienda bedrijf societe entreprise"
                ),
                -0.25,
            ),
        ),
        _words(
            "fax telefax extension ext code prefix country status verified valid validity "
            "carrier line dnc call calls called consent opt sms skype format e164 email mail "
            "website url"
        ),
        -0.30,
    ),
    "website": _Spec(
        "website",
        "url",
        _qualifiers(
            (
                _words(
                    "url urls link address adresse adres direccion endereco indirizzo name www "
                    "http https official"
                ),
                0.0,
            ),
            (_COMPANY_WORDS | {"business"}, -0.05),
            (_PERSONAL, -0.20),
        ),
        _words(
            "linkedin li facebook fb twitter instagram insta youtube tiktok github xing "
            "crunchbase angellist wellfound glassdoor profile image img photo picture avatar "
            "logo thumbnail calendar calendly booking meeting unsubscribe tracking utm referrer "
            "referer landing job jobs posting careers email mail emails navigator sn pdf "
            "document file video post article blog news press authority rank traffic visits "
            "visitors seo title description screenshot technologies tech platform builder "
            "cms"
        ),
        -0.30,
    ),
    "personalization": _Spec(
        "personalization",
        "text",
        _qualifiers(
            (
                _words(
                    "personalized personalised personal custom line sentence text message note "
                    "snippet ai gpt generated email opener intro"
                ),
                0.0,
            ),
        ),
        _words(
            "address street strasse adresse direccion endereco indirizzo adres score subject "
            "zip postal city"
        ),
        -0.20,
    ),
    FULL_NAME: _Spec(
        FULL_NAME,
        "text",
        {},
        _PERSON_NAME_NEGATIVE | {"display", "maiden"},
        -0.30,
    ),
}


def _alias_group(
    field: str,
    lang: str,
    score: float,
    phrases: str,
    *,
    partial: bool = True,
    bare: bool = False,
) -> list[_Alias]:
    return [
        _Alias(field, _alias_tokens(text), score, lang, partial, bare, text.strip())
        for text in phrases.split("|")
    ]


def _build_aliases() -> tuple[_Alias, ...]:
    a = _alias_group
    table = [
        # email -------------------------------------------------------------------------
        *a("email", "en", 1.0, "email|email address|e-mail address"),
        *a("email", "en", 0.9, "emails|email addresses|mail address"),
        *a("email", "en", 0.85, "mail", partial=False),
        *a("email", "de", 1.0, "E-Mail-Adresse"),
        *a("email", "de", 0.95, "Mailadresse"),
        *a("email", "fr", 1.0, "Courriel|Adresse e-mail|Adresse courriel|Adresse électronique"),
        *a("email", "fr", 0.95, "Adresse mail"),
        *a("email", "fr", 0.8, "Mél", partial=False),
        *a("email", "es", 1.0, "Correo electrónico|Dirección de correo|Dirección de email"),
        *a("email", "es", 0.95, "Correo"),
        *a("email", "pt", 1.0, "Endereço de e-mail|Correio eletrónico|Correio eletrônico"),
        *a("email", "pt", 1.0, "Endereço eletrônico"),
        *a("email", "nl", 1.0, "E-mailadres"),
        *a("email", "nl", 0.95, "Mailadres"),
        *a("email", "it", 1.0, "Indirizzo email|Posta elettronica"),
        *a("email", "it", 0.7, "PEC", partial=False),
        # first name --------------------------------------------------------------------
        *a("first_name", "en", 1.0, "first name|given name|forename"),
        *a("first_name", "en", 0.8, "first|given", partial=False),
        *a("first_name", "de", 1.0, "Vorname"),
        *a("first_name", "de", 0.9, "Rufname"),
        *a("first_name", "fr", 1.0, "Prénom"),
        *a("first_name", "es", 0.95, "Nombre|Nombres", partial=False),
        *a("first_name", "es", 1.0, "Primer nombre"),
        *a("first_name", "pt, it", 0.9, "Nome", partial=False),
        *a("first_name", "pt", 1.0, "Primeiro nome|Nome próprio"),
        *a("first_name", "it", 0.95, "Nome di battesimo"),
        *a("first_name", "nl", 1.0, "Voornaam"),
        *a("first_name", "nl", 0.9, "Roepnaam"),
        # last name ---------------------------------------------------------------------
        *a("last_name", "en", 1.0, "last name|surname|family name"),
        *a("last_name", "en", 0.8, "last", partial=False),
        *a("last_name", "de", 1.0, "Nachname|Familienname"),
        *a("last_name", "de", 0.95, "Zuname"),
        *a("last_name", "fr", 1.0, "Nom de famille"),
        *a("last_name", "fr", 0.9, "Nom|Nom patronymique", partial=False),
        *a("last_name", "es", 1.0, "Apellido|Apellidos|Apellido(s)"),
        *a("last_name", "es", 0.95, "Primer apellido"),
        *a("last_name", "pt", 1.0, "Sobrenome|Apelido|Último nome"),
        *a("last_name", "nl", 1.0, "Achternaam|Familienaam"),
        *a("last_name", "it", 1.0, "Cognome"),
        # full name ---------------------------------------------------------------------
        *a(FULL_NAME, "en", 1.0, "full name|first and last name|first name last name"),
        *a(FULL_NAME, "en", 1.0, "last name first name|name and surname|name surname"),
        *a(FULL_NAME, "en", 0.95, "complete name"),
        *a(FULL_NAME, "en", 0.9, "contact name", partial=False),
        *a(FULL_NAME, "en, de", 0.85, "name", partial=False, bare=True),
        *a(FULL_NAME, "en", 0.8, "display name", partial=False),
        *a(FULL_NAME, "en", 0.6, "contact", partial=False),
        *a(FULL_NAME, "de", 1.0, "Vollständiger Name|Voller Name|Vor- und Nachname"),
        *a(FULL_NAME, "de", 0.75, "Ansprechpartner", partial=False),
        *a(FULL_NAME, "fr", 1.0, "Nom complet|Prénom et nom|Nom et prénom|Prénom Nom"),
        *a(FULL_NAME, "fr", 0.7, "Interlocuteur", partial=False),
        *a(FULL_NAME, "es", 1.0, "Nombre completo|Nombre y apellidos|Nombre y apellido"),
        *a(FULL_NAME, "es", 1.0, "Apellidos y nombre"),
        *a(FULL_NAME, "pt, it", 1.0, "Nome completo"),
        *a(FULL_NAME, "pt", 1.0, "Nome e sobrenome"),
        *a(FULL_NAME, "it", 1.0, "Nome e cognome|Cognome e nome"),
        *a(FULL_NAME, "it", 0.9, "Nominativo", partial=False),
        *a(FULL_NAME, "nl", 1.0, "Volledige naam|Voor- en achternaam"),
        *a(FULL_NAME, "nl", 0.85, "Naam", partial=False, bare=True),
        # company name ------------------------------------------------------------------
        *a("company_name", "en", 1.0, "company|company name|organization name"),
        *a("company_name", "en", 1.0, "organisation name"),
        *a("company_name", "en", 1.02, "company name for emails", partial=False),
        *a("company_name", "en", 0.95, "organization|business name"),
        *a("company_name", "en, de, fr", 0.95, "organisation"),
        *a("company_name", "en", 0.9, "employer|account name|firm name|employer name"),
        *a("company_name", "en", 0.9, "org name"),
        *a("company_name", "en", 0.85, "firm", partial=False),
        *a("company_name", "en", 0.8, "org", partial=False),
        *a("company_name", "de", 1.0, "Firma|Firmenname|Unternehmen|Unternehmensname"),
        *a("company_name", "de", 0.9, "Arbeitgeber"),
        *a("company_name", "de", 0.8, "Gesellschaft|Betrieb", partial=False),
        *a("company_name", "fr", 1.0, "Société|Entreprise|Nom de l'entreprise"),
        *a("company_name", "fr", 1.0, "Nom de la société"),
        *a("company_name", "fr", 0.98, "Raison sociale"),
        *a("company_name", "fr", 0.9, "Employeur|Compagnie"),
        *a("company_name", "fr", 0.7, "Structure", partial=False),
        *a("company_name", "es, pt", 1.0, "Empresa"),
        *a("company_name", "es", 1.0, "Nombre de la empresa|Compañía"),
        *a("company_name", "es", 0.98, "Razón social"),
        *a("company_name", "es", 0.95, "Organización"),
        *a("company_name", "es", 0.9, "Empleador"),
        *a("company_name", "es", 0.8, "Entidad|Negocio", partial=False),
        *a("company_name", "pt", 1.0, "Nome da empresa|Companhia"),
        *a("company_name", "pt", 0.98, "Razão social"),
        *a("company_name", "pt", 1.02, "Nome fantasia", partial=False),
        *a("company_name", "pt", 0.95, "Organização"),
        *a("company_name", "pt", 0.9, "Empregador"),
        *a("company_name", "nl", 1.0, "Bedrijf|Bedrijfsnaam|Organisatie|Organisatienaam"),
        *a("company_name", "nl", 0.95, "Onderneming"),
        *a("company_name", "nl", 0.9, "Werkgever"),
        *a("company_name", "it", 1.0, "Azienda|Nome azienda|Società"),
        *a("company_name", "it", 0.98, "Ragione sociale"),
        *a("company_name", "it", 0.95, "Impresa|Ditta|Organizzazione"),
        *a("company_name", "it", 0.85, "Datore di lavoro"),
        # job title ---------------------------------------------------------------------
        *a("job_title", "en", 1.0, "job title|business title"),
        *a("job_title", "en", 0.9, "job role"),
        *a("job_title", "en, de", 0.9, "title|position", partial=False),
        *a("job_title", "en", 0.85, "role|designation|occupation", partial=False),
        *a("job_title", "en", 0.7, "job", partial=False),
        *a("job_title", "de", 1.0, "Berufsbezeichnung|Jobtitel|Stellenbezeichnung"),
        *a("job_title", "de", 0.9, "Funktion", partial=False),
        *a("job_title", "de", 0.85, "Rolle", partial=False),
        *a("job_title", "de", 0.8, "Beruf", partial=False),
        *a("job_title", "de", 0.75, "Tätigkeit", partial=False),
        *a("job_title", "de, nl", 0.6, "Titel", partial=False),
        *a("job_title", "fr", 1.0, "Intitulé de poste|Titre du poste"),
        *a("job_title", "fr", 0.95, "Poste", partial=False),
        *a("job_title", "fr", 0.9, "Fonction", partial=False),
        *a("job_title", "fr", 0.8, "Métier|Profession", partial=False),
        *a("job_title", "fr", 0.75, "Titre", partial=False),
        *a("job_title", "es, pt", 0.95, "Cargo", partial=False),
        *a("job_title", "es", 0.95, "Puesto", partial=False),
        *a("job_title", "es", 0.85, "Posición|Rol", partial=False),
        *a("job_title", "es", 0.8, "Función|Ocupación|Profesión", partial=False),
        *a("job_title", "es, pt", 0.6, "Título", partial=False),
        *a("job_title", "pt", 0.9, "Função", partial=False),
        *a("job_title", "pt", 0.85, "Posição", partial=False),
        *a("job_title", "pt", 0.8, "Ocupação|Profissão", partial=False),
        *a("job_title", "nl", 1.0, "Functietitel|Functienaam"),
        *a("job_title", "nl", 0.95, "Functie", partial=False),
        *a("job_title", "nl", 0.85, "Positie", partial=False),
        *a("job_title", "nl", 0.8, "Beroep", partial=False),
        *a("job_title", "it", 0.95, "Ruolo", partial=False),
        *a("job_title", "it", 0.9, "Posizione|Qualifica|Mansione", partial=False),
        *a("job_title", "it", 0.85, "Funzione|Carica", partial=False),
        *a("job_title", "it", 0.8, "Professione", partial=False),
        *a("job_title", "it", 0.6, "Titolo", partial=False),
        # phone -------------------------------------------------------------------------
        *a("phone", "en", 1.0, "phone|direct dial"),
        *a("phone", "en, fr", 1.0, "telephone"),
        *a("phone", "en", 0.95, "cell"),
        *a("phone", "en, fr", 0.95, "mobile"),
        *a("phone", "en", 0.9, "tel"),
        *a("phone", "en", 0.85, "contact number", partial=False),
        *a("phone", "de", 1.0, "Telefon|Durchwahl"),
        *a("phone", "de", 0.95, "Handy|Mobil"),
        *a("phone", "de", 0.9, "Rufnummer|Festnetz"),
        *a("phone", "fr", 1.0, "Ligne directe"),
        *a("phone", "fr", 0.95, "Portable"),
        *a("phone", "es, it", 1.0, "Teléfono"),
        *a("phone", "es", 0.95, "Móvil"),
        *a("phone", "es, pt", 0.95, "Celular"),
        *a("phone", "pt", 1.0, "Telefone"),
        *a("phone", "pt", 0.95, "Telemóvel"),
        *a("phone", "nl", 1.0, "Telefoon"),
        *a("phone", "nl", 0.95, "Mobiel|GSM|Mobiele nummer"),
        *a("phone", "it", 0.95, "Cellulare"),
        # website -----------------------------------------------------------------------
        *a("website", "en, de, nl", 1.0, "website"),
        *a("website", "en", 0.95, "web address"),
        *a("website", "en", 0.9, "homepage"),
        *a("website", "en", 0.8, "domain|www"),
        *a("website", "en", 0.7, "web|site", partial=False),
        *a("website", "en", 0.6, "url", partial=False),
        *a("website", "de", 1.0, "Webseite|Internetseite"),
        *a("website", "de", 0.95, "Internetadresse|Webadresse"),
        *a("website", "fr", 1.0, "Site web|Site internet"),
        *a("website", "fr", 0.95, "Adresse web"),
        *a("website", "fr", 0.8, "Domaine"),
        *a("website", "es", 1.0, "Página web"),
        *a("website", "es, pt", 1.0, "Sitio web"),
        *a("website", "es", 0.95, "Dirección web"),
        *a("website", "es, pt, it", 0.8, "Dominio"),
        *a("website", "pt", 1.0, "Sítio"),
        *a("website", "pt", 0.95, "Endereço web"),
        *a("website", "pt", 0.8, "Site", partial=False),
        *a("website", "nl", 0.95, "Webadres|Internetadres"),
        *a("website", "nl", 0.8, "Domein"),
        *a("website", "it", 1.0, "Sito web|Sito internet"),
        *a("website", "it", 0.95, "Indirizzo web"),
        *a("website", "it", 0.8, "Sito", partial=False),
        # personalization ---------------------------------------------------------------
        *a("personalization", "en", 1.0, "personalization|personalisation"),
        *a("personalization", "en", 0.95, "personalized line|personalised line"),
        *a("personalization", "en", 0.9, "icebreaker"),
        *a("personalization", "en", 0.85, "opening line|intro line"),
        *a("personalization", "en", 0.8, "first line|custom line"),
        *a("personalization", "en", 0.8, "opener", partial=False),
        *a("personalization", "en", 0.75, "personal note"),
        *a("personalization", "en", 0.6, "intro", partial=False),
        *a("personalization", "de", 1.0, "Personalisierung"),
        *a("personalization", "de", 0.85, "Eisbrecher"),
        *a("personalization", "de", 0.7, "Aufhänger", partial=False),
        *a("personalization", "fr", 1.0, "Personnalisation"),
        *a("personalization", "fr", 0.9, "Phrase d'accroche"),
        *a("personalization", "fr", 0.85, "Accroche|Brise-glace"),
        *a("personalization", "es", 1.0, "Personalización"),
        *a("personalization", "es, it", 0.85, "Rompehielos|Frase de apertura"),
        *a("personalization", "es", 0.8, "Primera línea"),
        *a("personalization", "pt", 1.0, "Personalização"),
        *a("personalization", "pt", 0.85, "Quebra-gelo|Frase de abertura"),
        *a("personalization", "pt", 0.8, "Primeira linha"),
        *a("personalization", "nl", 1.0, "Personalisatie"),
        *a("personalization", "nl", 0.85, "IJsbreker|Openingszin"),
        *a("personalization", "it", 1.0, "Personalizzazione"),
        *a("personalization", "it", 0.85, "Rompighiaccio"),
        *a("personalization", "it", 0.8, "Prima riga"),
    ]
    return tuple(table)


# --- normalization -----------------------------------------------------------------------------

_TRANSLITERATE: Final = str.maketrans(
    {"æ": "ae", "ø": "o", "œ": "oe", "ð": "d", "þ": "th", "ł": "l", "đ": "d", "ı": "i", "ħ": "h"}
)
_PLURAL_MARK: Final = re.compile(r"(?<=[^\W\d_])\(s\)")
_WORD: Final = re.compile(r"[^\W_]+")
_WORD_PART: Final = re.compile(r"\d+|[^\W\d_]+")


def _clean(text: str) -> str:
    """NFKC; drop BOMs, zero-width and control characters; every kind of space becomes ' '."""
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for ch in text:
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cf", "Cc", "Cs", "Co", "Cn"):
            out.append(ch)
    return "".join(out)


def _split_camel(text: str) -> str:
    """``firstName`` -> ``first Name``, ``LinkedInURL`` -> ``Linked In URL`` (``IDs`` stays)."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if i and ch.isupper():
            prev = text[i - 1]
            nxt = text[i + 1] if i + 1 < len(text) else ""
            after = text[i + 2] if i + 2 < len(text) else ""
            plural_acronym = nxt == "s" and not after.isalpha()
            if prev.islower() or (prev.isupper() and nxt.islower() and not plural_acronym):
                out.append(" ")
        out.append(ch)
    return "".join(out)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return kept.translate(_TRANSLITERATE)


def _base_tokens(text: str, *, split_digits: bool = True) -> list[str]:
    """Words of a header before compound handling and filler removal."""
    text = _split_camel(_clean(text)).casefold()
    text = _PLURAL_MARK.sub("s", _strip_accents(text))
    tokens: list[str] = []
    for word in _WORD.findall(text):
        tokens.extend(_WORD_PART.findall(word) if split_digits else [word])
    # "E-Mail", "e mail", "E-mailadres": the lone "e" belongs to the next word.
    merged: list[str] = []
    for token in tokens:
        if merged and merged[-1] == "e" and token.startswith("mail"):
            merged[-1] = "e" + token
        else:
            merged.append(token)
    return merged


def _alias_tokens(text: str) -> tuple[str, ...]:
    return tuple(t for t in _base_tokens(text) if t not in _FILLER)


def _build_vocabulary(aliases: Iterable[_Alias]) -> frozenset[str]:
    words: set[str] = set(_NEUTRAL | _CLEANED | _PERSONAL | _WORK | _SECONDARY | _VETO)
    words |= _GLOBAL_NEGATIVE | _COMPANY_WORDS
    for alias in aliases:
        words.update(alias.tokens)
    for spec in _SPECS.values():
        words.update(spec.qualifiers)
        words.update(spec.negative)
    return frozenset(words)


_RAW_ALIASES: Final = _build_aliases()
_VOCABULARY: Final[frozenset[str]] = _build_vocabulary(_RAW_ALIASES)
_SEGMENT_WORDS: Final = frozenset(w for w in _VOCABULARY if len(w) >= 3) | {"id", "nr", "hq"}


def _merge_compounds(tokens: list[str]) -> list[str]:
    """Join neighbours that spell a known word: ``web site`` -> ``website``."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if i + 1 < len(tokens):
            nxt = tokens[i + 1]
            joined = token + nxt
            if (
                len(joined) >= 6
                and joined in _VOCABULARY
                and token not in _FILLER
                and nxt not in _FILLER
            ):
                out.append(joined)
                i += 2
                continue
        out.append(token)
        i += 1
    return out


def _segment(token: str) -> list[str]:
    """Split an unknown run-together word into known words: ``firstname`` -> first, name."""
    if token in _VOCABULARY or not 6 <= len(token) <= 40 or not token.isalpha():
        return [token]
    size = len(token)
    best: list[list[str] | None] = [None] * (size + 1)
    best[0] = []
    for end in range(1, size + 1):
        for start in range(end):
            head = best[start]
            if head is None or token[start:end] not in _SEGMENT_WORDS:
                continue
            candidate = [*head, token[start:end]]
            current = best[end]
            if current is None or len(candidate) < len(current):
                best[end] = candidate
    pieces = best[size]
    return pieces if pieces is not None and len(pieces) > 1 else [token]


def _index_aliases(raw: Iterable[_Alias]) -> dict[tuple[str, str], tuple[_Alias, ...]]:
    """Aliases keyed by (field, first word), their words compounded like headers' words."""
    index: dict[tuple[str, str], tuple[_Alias, ...]] = {}
    for alias in raw:
        tokens = tuple(_merge_compounds(list(alias.tokens)))
        key = (alias.field, tokens[0])
        index[key] = (*index.get(key, ()), attrs.evolve(alias, tokens=tokens))
    return index


_ALIAS_INDEX: Final = _index_aliases(_RAW_ALIASES)


def _tokens(header: str) -> tuple[str, ...]:
    """The normalized words of a header, as matched against the alias table."""
    tokens = _merge_compounds(_base_tokens(header))
    pieces = [piece for token in tokens for piece in _segment(token)]
    return tuple(t for t in pieces if t not in _FILLER)


# --- header scoring ----------------------------------------------------------------------------


@attrs.frozen
class _Match:
    score: float
    alias: _Alias
    personal: bool
    reason: str


def _match_field(tokens: tuple[str, ...], field: str) -> tuple[_Match | None, str | None]:
    """Best alias match of ``tokens`` for ``field``, or the negative word that rules it out."""
    spec = _SPECS[field]
    best: _Match | None = None
    for start, first in enumerate(tokens):
        for alias in _ALIAS_INDEX.get((field, first), ()):
            size = len(alias.tokens)
            if tokens[start : start + size] != alias.tokens:
                continue
            leftover = tokens[:start] + tokens[start + size :]
            result = _judge_leftover(leftover, spec)
            if isinstance(result, str):
                continue
            deltas, unknown, personal = result
            if unknown and not alias.partial:
                continue
            score = alias.score + min([0.0, *deltas]) + max([0.0, *deltas])
            if unknown:
                score = score * 0.6 - 0.1 * (unknown - 1)
            score = round(score, 4)
            if best is None or (score, size) > (best.score, len(best.alias.tokens)):
                best = _Match(score, alias, personal, _alias_reason(alias, leftover, spec, unknown))
    if best is not None:
        return best, None
    negative = spec.negative | _GLOBAL_NEGATIVE
    return None, next((t for t in tokens if t in negative and t not in spec.qualifiers), None)


def _judge_leftover(leftover: tuple[str, ...], spec: _Spec) -> tuple[list[float], int, bool] | str:
    """Qualifier deltas, count of unknown words and the personal flag, or a blocking word."""
    deltas: list[float] = []
    unknown = 0
    personal = False
    for token in leftover:
        if token in spec.qualifiers:
            deltas.append(spec.qualifiers[token])
            personal = personal or token in _PERSONAL
        elif token.isdecimal():
            deltas.append(0.0 if token in ("0", "1") else spec.secondary)
        elif token in _SECONDARY:
            deltas.append(spec.secondary)
        elif token in _NEUTRAL:
            continue
        elif token in _CLEANED:
            deltas.append(0.02)
        elif token in spec.negative or token in _GLOBAL_NEGATIVE:
            return token
        else:
            unknown += 1
    return deltas, unknown, personal


def _alias_reason(alias: _Alias, leftover: tuple[str, ...], spec: _Spec, unknown: int) -> str:
    reason = f"alias {alias.text!r} ({alias.lang})"
    notes = []
    for token in leftover:
        delta = spec.qualifiers.get(token)
        if delta is None and token in _SECONDARY:
            delta = spec.secondary
        if delta is None and token.isdecimal() and token not in ("0", "1"):
            delta = spec.secondary
        if delta:
            notes.append(f"{token!r} {delta:+.2f}")
    if notes:
        reason += ", " + ", ".join(notes)
    if unknown:
        reason += f", {unknown} unrecognized word{'s' if unknown > 1 else ''}"
    return reason


# --- value sniffing ----------------------------------------------------------------------------

_DOMAIN: Final = r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+([^\W\d_]{2,})"
_EMAIL_RE: Final = re.compile(r"[^@\s<>()\[\],;:\"]+@(" + _DOMAIN + ")")
_ANGLE_RE: Final = re.compile(r"[^<>]*<([^<>]+)>")
_URL_RE: Final = re.compile(
    r"(?:(https?)://)?(?:www\.)?(" + _DOMAIN + r")(?::\d{1,5})?(?:[/?#]\S*)?", re.IGNORECASE
)
_PHONE_RE: Final = re.compile(r"\+?[\d\s().\-/]+?(?:\s*(?:x|ext\.?|#)\s*\d{1,6})?", re.IGNORECASE)
_DATE_RE: Final = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}.*|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_GROUPED_NUMBER_RE: Final = re.compile(r"\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d+)?")
_EXTENSION_RE: Final = re.compile(r"\s*(?:x|ext\.?|#)\s*\d{1,6}$", re.IGNORECASE)

_COMMON_TLDS: Final = _words(
    "com net org io co ai app dev tech biz info me us uk de fr es it nl pt br be ch at eu ca au "
    "ie se dk no fi pl cz mx ar cl in jp cn ru global online site store agency digital cloud "
    "solutions consulting group"
)
_SOCIAL_DOMAINS: Final = (
    "linkedin.com",
    "lnkd.in",
    "twitter.com",
    "x.com",
    "facebook.com",
    "fb.com",
    "instagram.com",
    "youtube.com",
    "tiktok.com",
    "github.com",
    "xing.com",
    "crunchbase.com",
    "angel.co",
    "wellfound.com",
    "calendly.com",
    "t.me",
)
_FREEMAIL_DOMAINS: Final = _words(
    "gmail.com googlemail.com ymail.com rocketmail.com msn.com aol.com icloud.com me.com mac.com "
    "web.de t-online.de freenet.de posteo.de mailbox.org protonmail.com proton.me pm.me "
    "tutanota.com fastmail.com hey.com gmx.de gmx.net gmx.at gmx.ch gmx.com orange.fr "
    "wanadoo.fr free.fr sfr.fr laposte.net neuf.fr libero.it virgilio.it tiscali.it alice.it "
    "tin.it email.it terra.com.br uol.com.br bol.com.br ig.com.br sapo.pt telefonica.net "
    "terra.es ziggo.nl kpnmail.nl planet.nl home.nl hetnet.nl telenet.be skynet.be mail.ru "
    "qq.com 163.com 126.com comcast.net verizon.net att.net sbcglobal.net btinternet.com "
    "sky.com naver.com rediffmail.com zoho.com yandex.ru yandex.com"
)
_FREEMAIL_BRANDS: Final = _words(
    "gmail yahoo hotmail outlook live gmx aol icloud protonmail yandex libero orange"
)
_FREEMAIL_SUFFIXES: Final = _words(
    "com net org fr de es it nl be at ch pt co.uk com.br com.ar com.mx co.jp ca ie se dk no fi "
    "pl ru in com.au"
)
_SALUTATIONS: Final = _words(
    "mr mrs ms miss mx dr prof sir madam herr frau m mme mlle monsieur madame sr sra srta don "
    "dona dhr mevr mw sig sigra signor signora dott dottssa"
)


@attrs.frozen
class _Stats:
    n: int = 0
    email: int = 0
    freemail: int = 0
    phone: int = 0
    url: int = 0
    social: int = 0
    salutation: int = 0
    multiword: int = 0
    no_letters: int = 0


def normalize_email(value: object) -> str | None:
    """The email address in a cell, stripped and lower-cased; ``None`` when there is none.

    Accepts ``mailto:`` links and ``Name <address>``; plus-tags and dots are kept (they are
    the sender's business). Used to match rows and leads and to dedupe a push.

    >>> normalize_email("  Ada.Lovelace+crm@Example.COM ")
    'ada.lovelace+crm@example.com'
    >>> normalize_email("Ada <ada@example.com>"), normalize_email("not-an-address")
    ('ada@example.com', None)
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text[:7].casefold() == "mailto:":
        text = text[7:].strip()
    angle = _ANGLE_RE.fullmatch(text)
    if angle:
        text = angle.group(1).strip()
    return text.lower() if _EMAIL_RE.fullmatch(text) else None


def _email_domain(value: str) -> str | None:
    if value[:7].casefold() == "mailto:":
        value = value[7:]
    angle = _ANGLE_RE.fullmatch(value)
    if angle:
        value = angle.group(1).strip()
    match = _EMAIL_RE.fullmatch(value)
    return match.group(1).casefold() if match else None


def _is_freemail(domain: str) -> bool:
    if domain in _FREEMAIL_DOMAINS:
        return True
    brand, _, suffix = domain.partition(".")
    return brand in _FREEMAIL_BRANDS and suffix in _FREEMAIL_SUFFIXES


def _is_phone(value: str) -> bool:
    if not _PHONE_RE.fullmatch(value) or _DATE_RE.fullmatch(value):
        return False
    if _GROUPED_NUMBER_RE.fullmatch(value):
        return False
    main = _EXTENSION_RE.sub("", value)
    digits = sum(ch.isdigit() for ch in main)
    formatted = main.startswith(("+", "0")) or any(ch in main for ch in " -.()/")
    return 7 <= digits <= 15 and formatted


def _url_kind(value: str) -> Literal["url", "social"] | None:
    if "@" in value or " " in value:
        return None
    match = _URL_RE.fullmatch(value)
    if not match:
        return None
    host = match.group(2).casefold()
    if not (
        match.group(1) or value.casefold().startswith("www.") or match.group(3) in _COMMON_TLDS
    ):
        return None
    if any(host == d or host.endswith("." + d) for d in _SOCIAL_DOMAINS):
        return "social"
    return "url"


def _as_text(value: object) -> str:
    """A cell as stripped text; None, booleans and NaN (a blank cell in pandas) give ""."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    return _clean(value if isinstance(value, str) else str(value)).strip()


def _sniff(values: Iterable[object]) -> _Stats:
    counts = dict.fromkeys(attrs.fields_dict(_Stats), 0)
    for raw in values:
        value = _as_text(raw)
        if not value:
            continue
        counts["n"] += 1
        if not any(ch.isalpha() for ch in value):
            counts["no_letters"] += 1
        if sum(1 for w in value.split() if any(ch.isalpha() for ch in w)) >= 2:
            counts["multiword"] += 1
        if value.casefold().replace(".", "") in _SALUTATIONS:
            counts["salutation"] += 1
        if len(value) > _SNIFF_MAX_LENGTH:
            continue
        domain = _email_domain(value)
        if domain is not None:
            counts["email"] += 1
            counts["freemail"] += _is_freemail(domain)
            continue
        kind = _url_kind(value)
        if kind is not None:
            counts[kind] += 1
        elif _is_phone(value):
            counts["phone"] += 1
    return _Stats(**counts)


# --- per-column scoring ------------------------------------------------------------------------


@attrs.frozen
class _Scored:
    score: float
    reason: str


@attrs.frozen
class _Column:
    index: int
    header: str
    tokens: tuple[str, ...]
    veto: str | None
    scores: Mapping[str, _Scored]
    bare_full_name: bool


def _of(count: int, stats: _Stats, what: str) -> str:
    return f"{count} of {stats.n} samples {what}"


def _with_values(
    field: str, match: _Match | None, blocked: str | None, stats: _Stats
) -> _Scored | None:
    """Combine the header evidence for one field with what the sample values say."""
    spec = _SPECS[field]
    header = match.score if match else 0.0
    reason = match.reason if match else ""
    n = stats.n
    if spec.kind == "email":
        share = stats.email / n
        note = _of(stats.email, stats, "are emails")
        if share >= 0.5:
            value_score = 0.55 + 0.4 * share
            score = max(header, value_score) + 0.05 if match else value_score
            reason = f"{reason}; {note}" if match else note
            if stats.freemail / stats.email >= 0.6 and not (match and match.personal):
                score -= 0.10
                reason += f"; {stats.freemail} at free-mail domains (personal) -0.10"
            return _Scored(round(score, 4), reason)
        if match:
            return _Scored(round(header * (0.5 + share), 4), f"{reason}, but only {note}")
        return None
    if spec.kind in ("phone", "url"):
        if spec.kind == "url" and stats.social / n >= 0.5:
            if not match:
                return None
            note = _of(stats.social, stats, "are social-profile links")
            return _Scored(round(header * 0.4, 4), f"{reason}, but {note}")
        count = stats.phone if spec.kind == "phone" else stats.url
        what = "are phone numbers" if spec.kind == "phone" else "are web addresses"
        share = count / n
        if share >= 0.6:
            if match:
                score = max(header, 0.45 + 0.35 * share) + 0.05
                return _Scored(round(score, 4), f"{reason}; {_of(count, stats, what)}")
            if blocked:
                return None
            return _Scored(round(0.45 + 0.35 * share, 4), _of(count, stats, what))
        if match and share < 0.3:
            score = header * (0.5 + share)
            return _Scored(round(score, 4), f"{reason}, but only {_of(count, stats, what)}")
        return _Scored(header, reason) if match else None
    # text fields: names, company, job title, personalization
    if not match:
        return None
    contradictions = (
        (stats.email, "are emails"),
        (stats.phone, "are phone numbers"),
        (stats.url + stats.social, "are links"),
        (stats.no_letters, "have no letters"),
    )
    for count, what in contradictions:
        if count / n >= 0.6:
            return _Scored(round(header * 0.5, 4), f"{reason}, but {_of(count, stats, what)}")
    if field == "job_title" and stats.salutation / n >= 0.6:
        note = _of(stats.salutation, stats, "are salutations")
        return _Scored(round(header * 0.5, 4), f"{reason}, but {note}")
    if field == "first_name" and stats.multiword / n >= 0.7:
        note = _of(stats.multiword, stats, "look like full names")
        return _Scored(round(header * 0.5, 4), f"{reason}, but {note}")
    return _Scored(header, reason)


def _full_names_in_first_name_column(
    tokens: tuple[str, ...], stats: _Stats, scores: dict[str, _Scored]
) -> None:
    """A first-name header ("Nome") over values like "João Silva" is a full-name column."""
    first, _ = _match_field(tokens, "first_name")
    if first is None or stats.multiword < 0.7 * stats.n:
        return
    score = round(0.8 * first.score, 4)
    if FULL_NAME not in scores or score > scores[FULL_NAME].score:
        note = _of(stats.multiword, stats, "look like full names")
        scores[FULL_NAME] = _Scored(score, f"{first.reason}; {note}")


def _score_column(index: int, header: str, stats: _Stats | None) -> _Column:
    tokens = _tokens(header)
    veto = next((t for t in tokens if t in _VETO), None)
    scores: dict[str, _Scored] = {}
    bare = False
    if veto is None:
        for field in _ALL_FIELDS:
            match, blocked = _match_field(tokens, field)
            if field == FULL_NAME and match is not None:
                bare = match.alias.bare
            if stats is not None and stats.n >= _MIN_SAMPLES:
                scored = _with_values(field, match, blocked, stats)
            else:
                scored = _Scored(match.score, match.reason) if match else None
            if scored is not None and scored.score > 0:
                scores[field] = scored
        if stats is not None and stats.n >= _MIN_SAMPLES:
            _full_names_in_first_name_column(tokens, stats, scores)
    return _Column(index, header, tokens, veto, scores, bare)


# --- public values -----------------------------------------------------------------------------


@attrs.frozen
class Decision:
    """Why one column of the table went where it did.

    - `column`: 0-based position of the column in the headers.
    - `header`: the header exactly as given.
    - `field`: a lead field (`"email"`...), `"full_name"`, `"custom_variables.<name>"`, or
      `None` when the column is not sent (empty or duplicate header, or dropped by override).
    - `confidence`: 0..1; for a custom variable, one minus the best score the column had for a
      lead field (so a runner-up email column shows low confidence: worth a look).
    - `reason`: a short explanation, e.g. ``"alias 'E-Mail-Adresse' (de)"``.
    """

    column: int
    header: str
    field: str | None
    confidence: float
    reason: str


def _to_pairs(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((name, header) for name, header in items)


def _to_decisions(value: Iterable[Decision]) -> tuple[Decision, ...]:
    return tuple(value)


def _to_headers(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _to_scores(value: Iterable[tuple[str, int, float]]) -> tuple[tuple[str, int, float], ...]:
    return tuple(value)


@attrs.frozen(repr=False)
class FieldMapping:
    """Which header feeds each Instantly lead field, plus the custom variables.

    Each lead field holds a header or `None`. `full_name` is a column split with
    [`split_full_name`][instantly_columns.domain.mapping.split_full_name] into whichever of
    `first_name`/`last_name` has no column of its own. `custom_variables` maps a variable name
    (valid and unique, never a reserved core name) to its header. `decisions` explains every
    column, in column order; `headers` keeps the headers the mapping was made from.

    A header appears at most once across all of these; building a `FieldMapping` that breaks
    that, or uses an invalid variable name, raises
    [`MappingError`][instantly_columns.errors.MappingError].
    """

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    job_title: str | None = None
    phone: str | None = None
    website: str | None = None
    personalization: str | None = None
    full_name: str | None = None
    _custom: tuple[tuple[str, str], ...] = attrs.field(
        default=(), converter=_to_pairs, alias="custom_variables"
    )
    decisions: tuple[Decision, ...] = attrs.field(default=(), converter=_to_decisions)
    headers: tuple[str, ...] = attrs.field(default=(), converter=_to_headers)
    _scores: tuple[tuple[str, int, float], ...] = attrs.field(
        default=(), converter=_to_scores, alias="scores", eq=False
    )

    def __attrs_post_init__(self) -> None:
        problems = _check_mapping(self._standard_items(), self._custom)
        if problems:
            raise MappingError(problems)

    # -- views -------------------------------------------------------------------------------

    @property
    def custom_variables(self) -> dict[str, str]:
        """Custom variable name -> header, in column order (a fresh dict each time)."""
        return dict(self._custom)

    @property
    def mapped_headers(self) -> tuple[str, ...]:
        """Every header that is sent (lead fields, full name, custom variables), in column
        order; headers not among `headers` come last."""
        used = {h for _, h in self._standard_items() if h is not None}
        used.update(h for _, h in self._custom)
        order = {h: i for i, h in reversed(list(enumerate(self.headers)))}
        return tuple(sorted(used, key=lambda h: (order.get(h, len(order)), h)))

    def field_of(self, header: str) -> str | None:
        """Where `header` goes: a lead field, ``"full_name"``, ``"custom_variables.<name>"``,
        or `None` if it is not sent."""
        for field, value in self._standard_items():
            if value == header:
                return field
        for name, value in self._custom:
            if value == header:
                return f"custom_variables.{name}"
        return None

    def suggestions(self, field: str) -> tuple[tuple[str, float], ...]:
        """Headers ranked for `field` (a lead field or ``"full_name"``), best first, with their
        ranking scores (a plain exact alias scores 1.0; bonuses can lift a score slightly
        above 1). Only mappings made by detection carry suggestions."""
        if field not in _FIELD_RANK:
            raise MappingError(f"unknown lead field {field!r}", path="field")
        ranked = sorted((-score, column) for f, column, score in self._scores if f == field)
        return tuple((self.headers[column], -neg) for neg, column in ranked)

    def _standard_items(self) -> tuple[tuple[str, str | None], ...]:
        return tuple((field, getattr(self, field)) for field in _ALL_FIELDS)

    # -- conversion --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """The flat JSON shape: every lead field and ``full_name`` (null when unmapped) and
        ``custom_variables`` (name -> header)."""
        out: dict[str, object] = dict(self._standard_items())
        out["custom_variables"] = self.custom_variables
        return out

    @classmethod
    def from_dict(
        cls, data: Mapping[str, object], *, headers: Sequence[str] | None = None
    ) -> FieldMapping:
        """Rebuild a mapping from [`to_dict`][instantly_columns.domain.mapping.FieldMapping.to_dict]
        output. Missing keys mean unmapped. With `headers`, every mapped header must be among
        them. Bad input raises [`MappingError`][instantly_columns.errors.MappingError]."""
        standard, custom, problems = _parse_mapping_dict(data, "", known=None)
        if headers is not None:
            header_list = _check_headers(headers)
            known = set(header_list)
            for field, header in standard.items():
                if header is not None and header not in known:
                    problems.append(Problem(field, f"header {header!r} is not a column"))
            for name, header in custom.items():
                if header is not None and header not in known:
                    problems.append(
                        Problem(f"custom_variables.{name}", f"header {header!r} is not a column")
                    )
        if problems:
            raise MappingError(problems)
        values = {field: standard.get(field) for field in _ALL_FIELDS}
        custom_pairs = [(name, h) for name, h in custom.items() if h is not None]
        problems = _check_mapping(tuple(values.items()), tuple(custom_pairs))
        if problems:
            raise MappingError(problems)
        if headers is None:
            header_list = [h for h in values.values() if h is not None]
            header_list += [h for _, h in custom_pairs]
        placed = {h: f for f, h in values.items() if h is not None}
        placed.update((h, f"custom_variables.{n}") for n, h in custom_pairs)
        decisions = []
        seen: set[str] = set()
        for column, header in enumerate(header_list):
            if header in seen:
                decisions.append(Decision(column, header, None, 1.0, "duplicate header"))
                continue
            seen.add(header)
            target = placed.get(header)
            reason = "saved mapping" if target else "not in the saved mapping"
            decisions.append(Decision(column, header, target, 1.0, reason))
        return _make_mapping(values, custom_pairs, decisions, header_list, ())

    def with_overrides(self, overrides: Mapping[str, object]) -> FieldMapping:
        """A copy with the user's choices applied on top.

        `overrides` has the shape of
        [`to_dict`][instantly_columns.domain.mapping.FieldMapping.to_dict] (every key optional):
        ``{"email": "Work Email", "phone": None, "custom_variables":
        {"plan": "Plan", "old_var": None}}``. A header given to a field leaves wherever it was;
        a field set to `None` is unmapped and its column becomes a custom variable (nothing is
        dropped silently); a custom variable set to `None` is dropped. Existing variable names
        never change. Unknown fields, headers not among `headers`, a header given twice or an
        invalid variable name raise [`MappingError`][instantly_columns.errors.MappingError]
        with ``overrides.<field>`` paths.
        """
        return _apply_overrides(self, overrides)

    # -- rows --------------------------------------------------------------------------------

    def lead_fields(self, row: Mapping[str, object]) -> dict[str, object]:
        """One row as Instantly lead fields: ``{"email": ..., "first_name": ...,
        "custom_variables": {...}}``.

        Strings are stripped; empty values, `None` and NaN (a blank pandas cell) are left out; a
        mapped `full_name` fills whichever of first and last name is missing. Numbers and
        booleans in custom variables are kept, anything else becomes text. No other cleaning
        (email checks belong to the push).
        """
        out: dict[str, object] = {}
        for field, header in self._standard_items():
            text = _as_text(row.get(header)) if header is not None else ""
            if text and field != FULL_NAME:
                out[field] = text
        if self.full_name is not None and ("first_name" not in out or "last_name" not in out):
            first, last = split_full_name(_as_text(row.get(self.full_name)))
            if first and "first_name" not in out:
                out["first_name"] = first
            if last and "last_name" not in out:
                out["last_name"] = last
        custom: dict[str, object] = {}
        for name, header in self._custom:
            value = row.get(header)
            if isinstance(value, bool | int) or (isinstance(value, float) and math.isfinite(value)):
                custom[name] = value
            else:
                text = _as_text(value)
                if text:
                    custom[name] = text
        out["custom_variables"] = custom
        return out

    # -- display -----------------------------------------------------------------------------

    def __repr__(self) -> str:
        parts = [f"{field}={value!r}" for field, value in self._standard_items() if value]
        if self._custom:
            parts.append(f"+{len(self._custom)} custom")
        return f"FieldMapping({', '.join(parts)})"

    def _repr_html_(self) -> str:
        rows = []
        for d in self.decisions:
            field = html.escape(d.field) if d.field else "<em>not sent</em>"
            rows.append(
                f"<tr><td>{d.column}</td><td>{html.escape(d.header)}</td><td>{field}</td>"
                f"<td>{d.confidence:.2f}</td><td>{html.escape(d.reason)}</td></tr>"
            )
        return (
            "<table><thead><tr><th>#</th><th>Header</th><th>Maps to</th><th>Confidence</th>"
            "<th>Why</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        )


# --- validation helpers ------------------------------------------------------------------------


def _name_problem(name: str) -> str | None:
    if not _VARIABLE_RE.fullmatch(name) or not name.isascii():
        return "a variable name needs ASCII letters, digits and underscores, starting with a letter"
    if len(name) > _MAX_VARIABLE_LENGTH:
        return f"a variable name has at most {_MAX_VARIABLE_LENGTH} characters"
    if name.replace("_", "").casefold() in _RESERVED_FOLDED:
        return f"{name!r} collides with an Instantly core variable"
    return None


def _check_mapping(
    standard: Iterable[tuple[str, str | None]], custom: Iterable[tuple[str, str]]
) -> list[Problem]:
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    for field, header in standard:
        if header is None:
            continue
        if not isinstance(header, str):
            problems.append(Problem(field, "expected a header string or null"))
        elif header in owner:
            problems.append(Problem(field, f"header {header!r} is already used by {owner[header]}"))
        else:
            owner[header] = field
    names: dict[str, str] = {}
    for name, header in custom:
        path = f"custom_variables.{name}"
        if not isinstance(name, str) or not isinstance(header, str):
            problems.append(Problem(path, "expected a variable name and a header string"))
            continue
        problem = _name_problem(name)
        if problem:
            problems.append(Problem(path, problem))
        folded = name.casefold()
        if folded in names:
            problems.append(Problem(path, f"name repeats custom variable {names[folded]!r}"))
        names[folded] = name
        if header in owner:
            problems.append(Problem(path, f"header {header!r} is already used by {owner[header]}"))
        else:
            owner[header] = path
    return problems


def _check_headers(headers: object) -> list[str]:
    if isinstance(headers, str | bytes) or not isinstance(headers, Iterable):
        raise MappingError("expected a sequence of header strings", path="headers")
    header_list = list(headers)
    problems = [
        Problem(f"headers[{i}]", f"expected a string, got {type(h).__name__}")
        for i, h in enumerate(header_list)
        if not isinstance(h, str)
    ]
    if problems:
        raise MappingError(problems)
    return header_list


def _parse_mapping_dict(
    data: object, prefix: str, *, known: Collection[str] | None
) -> tuple[dict[str, str | None], dict[str, str | None], list[Problem]]:
    """Check the ``to_dict`` shape (used by ``from_dict`` and by overrides)."""
    where = prefix.rstrip(".") or "mapping"
    if not isinstance(data, Mapping):
        return {}, {}, [Problem(where, "expected a mapping of lead field to header")]
    standard: dict[str, str | None] = {}
    custom: dict[str, str | None] = {}
    problems: list[Problem] = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if key == "custom_variables":
            if value is None:
                continue
            if not isinstance(value, Mapping):
                problems.append(Problem(path, "expected a mapping of variable name to header"))
                continue
            for name, header in value.items():
                sub = f"{path}.{name}"
                if not isinstance(name, str):
                    problems.append(Problem(sub, "a variable name must be a string"))
                elif header is not None and not isinstance(header, str):
                    problems.append(Problem(sub, "expected a header string or null"))
                elif header is not None and known is not None and header not in known:
                    problems.append(Problem(sub, f"header {header!r} is not a column"))
                else:
                    custom[name] = header
        elif key not in _FIELD_RANK:
            expected = ", ".join(_ALL_FIELDS)
            problems.append(
                Problem(path, f"unknown lead field {key!r}; expected one of {expected}")
            )
        elif value is not None and not isinstance(value, str):
            problems.append(Problem(path, "expected a header string or null"))
        elif value is not None and known is not None and value not in known:
            problems.append(Problem(path, f"header {value!r} is not a column"))
        else:
            standard[key] = value
    return standard, custom, problems


def _apply_overrides(mapping: FieldMapping, overrides: Mapping[str, object]) -> FieldMapping:
    known = set(mapping.headers) | set(mapping.mapped_headers)
    standard, custom_in, problems = _parse_mapping_dict(overrides, "overrides.", known=known)
    given: dict[str, str] = {}
    for field, header in standard.items():
        if header is None:
            continue
        if header in given:
            problems.append(
                Problem(f"overrides.{field}", f"header {header!r} is also given to {given[header]}")
            )
        given[header] = field
    for name, header in custom_in.items():
        path = f"overrides.custom_variables.{name}"
        if header is None:
            if name not in mapping.custom_variables:
                problems.append(Problem(path, f"there is no custom variable {name!r} to drop"))
            continue
        problem = _name_problem(name)
        if problem:
            problems.append(Problem(path, problem))
        if header in given:
            problems.append(Problem(path, f"header {header!r} is also given to {given[header]}"))
        given[header] = f"custom_variables.{name}"
    if problems:
        raise MappingError(problems)

    values = dict(mapping._standard_items())
    custom = dict(mapping.custom_variables)
    freed: list[tuple[str, str]] = []
    dropped: set[str] = set()

    def release(header: str) -> None:
        for field, value in values.items():
            if value == header:
                values[field] = None
        for name in [n for n, h in custom.items() if h == header]:
            del custom[name]

    for field, header in standard.items():
        old = values[field]
        if header is not None:
            release(header)
        values[field] = header
        if old is not None and old != header:
            freed.append((old, field))
    for name, header in custom_in.items():
        if header is None:
            gone = custom.pop(name, None)
            if gone is not None and gone not in given:
                dropped.add(gone)
            continue
        release(header)
        clash = next((n for n in custom if n.casefold() == name.casefold()), None)
        if clash is not None:
            raise MappingError(
                f"name is already used by header {custom[clash]!r}",
                path=f"overrides.custom_variables.{name}",
            )
        custom[name] = header
    used = {h for h in values.values() if h is not None} | set(custom.values())
    freed_names: dict[str, str] = {}
    for header, field in freed:
        if header in used or header in dropped:
            continue
        name = sanitize_variable_name(header, taken=custom)
        custom[name] = header
        freed_names[header] = field
        used.add(header)

    order = {h: i for i, h in reversed(list(enumerate(mapping.headers)))}
    custom_pairs = sorted(custom.items(), key=lambda item: (order.get(item[1], len(order)), item))
    placed = {h: f for f, h in values.items() if h is not None}
    placed.update((h, f"custom_variables.{n}") for n, h in custom_pairs)
    decisions = []
    for d in mapping.decisions:
        first_column = order.get(d.header, d.column) == d.column
        target = placed.get(d.header) if first_column else d.field
        if not first_column or target == d.field:
            decisions.append(d)
        elif d.header in given:
            decisions.append(Decision(d.column, d.header, target, 1.0, "set by override"))
        elif d.header in freed_names:
            reason = f"freed by the override of {freed_names[d.header]}"
            decisions.append(Decision(d.column, d.header, target, 1.0, reason))
        elif d.header in dropped:
            decisions.append(Decision(d.column, d.header, None, 1.0, "dropped by override"))
        else:
            decisions.append(Decision(d.column, d.header, target, d.confidence, d.reason))
    return _make_mapping(values, custom_pairs, decisions, mapping.headers, mapping._scores)


def _make_mapping(
    values: Mapping[str, str | None],
    custom: Iterable[tuple[str, str]],
    decisions: Iterable[Decision],
    headers: Iterable[str],
    scores: Iterable[tuple[str, int, float]],
) -> FieldMapping:
    return FieldMapping(
        email=values.get("email"),
        first_name=values.get("first_name"),
        last_name=values.get("last_name"),
        company_name=values.get("company_name"),
        job_title=values.get("job_title"),
        phone=values.get("phone"),
        website=values.get("website"),
        personalization=values.get("personalization"),
        full_name=values.get(FULL_NAME),
        custom_variables=tuple(custom),
        decisions=decisions,
        headers=headers,
        scores=scores,
    )


# --- public functions --------------------------------------------------------------------------


def sanitize_variable_name(header: str, *, taken: Collection[str] = ()) -> str:
    """A custom variable name for `header` that Instantly accepts and templates can use.

    Snake case of the ASCII-folded header (``"Company LinkedIn URL"`` ->
    ``"company_linkedin_url"``, ``"Société"`` -> ``"societe"``), at most 64 characters,
    starting with a letter (``"var"`` when nothing is left, ``"var_"`` before a leading digit).
    A name equal to an Instantly core variable (``email``, ``first_name``... compared ignoring
    case and underscores) or to one in `taken` (ignoring case) gets the first free suffix
    ``_2``, ``_3``...

    >>> sanitize_variable_name("E-Mail-Adresse")
    'email_adresse'
    >>> sanitize_variable_name("Phone"), sanitize_variable_name("plan", taken={"plan"})
    ('phone_2', 'plan_2')
    """
    tokens = _merge_compounds(_base_tokens(header, split_digits=False))
    words = (re.sub(r"[^a-z0-9]+", "", w) for w in tokens)
    base = "_".join(w for w in words if w)
    if not base:
        base = "var"
    elif base[0].isdigit():
        base = f"var_{base}"
    base = base[:_MAX_VARIABLE_LENGTH].rstrip("_")
    folded_taken = {name.casefold() for name in taken}

    def free(name: str) -> bool:
        return name not in folded_taken and name.replace("_", "") not in _RESERVED_FOLDED

    if free(base):
        return base
    suffix = 2
    while True:
        tail = f"_{suffix}"
        name = base[: _MAX_VARIABLE_LENGTH - len(tail)].rstrip("_") + tail
        if free(name):
            return name
        suffix += 1


_HONORIFICS: Final = _SALUTATIONS - {"m"}
_NAME_SUFFIXES: Final = _words("jr sr ii iii iv v phd md mba cpa esq dds jd msc bsc ma ba pmp cfa")
_NAME_SYMBOLS: Final = frozenset({"So", "Sk", "Sm", "Cs", "Co", "Cn"})
_BRACKETED: Final = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\"[^\"]*\"|“[^”]*”")


def _is_suffix(word: str) -> bool:
    return word.casefold().replace(".", "") in _NAME_SUFFIXES


def split_full_name(value: str) -> tuple[str, str]:
    """Split a full name into ``(first, last)``; missing parts are ``""``.

    The first word is the first name and the rest the last name (``"Ludwig van Beethoven"`` ->
    ``("Ludwig", "van Beethoven")``). Before that: symbols and emoji, bracketed or quoted
    nicknames, leading honorifics (Mr, Dr, Herr, Mme, Sra...) and trailing suffixes (Jr, III,
    PhD, MBA...) are removed (a title before a single word marks it as the surname:
    ``"Mr. Smith"`` -> ``("", "Smith")``); ``"Last, First"`` is swapped; and leading
    all-capital words of three letters or more before a mixed-case word are read as a surname
    written first (``"DUPONT Jean"`` -> ``("Jean", "DUPONT")``). Never raises on a string.

    >>> split_full_name("Dr. Ada Lovelace, PhD")
    ('Ada', 'Lovelace')
    >>> split_full_name("García López, María")
    ('María', 'García López')
    """
    text = "".join(
        " " if ch.isspace() else ch
        for ch in _clean(value)
        if unicodedata.category(ch) not in _NAME_SYMBOLS
    )
    text = _BRACKETED.sub(" ", text)
    parts = [p.strip() for p in text.split(",")]
    parts = [p for p in parts if p and not all(_is_suffix(w) for w in p.split())]
    if len(parts) == 2:
        parts = [parts[1], parts[0]]
    words = " ".join(parts).split()
    honorific = False
    while len(words) > 1 and words[0].casefold().replace(".", "") in _HONORIFICS:
        words.pop(0)
        honorific = True
    while len(words) > 1 and _is_suffix(words[-1]):
        words.pop()
    if not words:
        return "", ""
    if honorific and len(words) == 1:
        return "", words[0]  # "Mr. Smith": a title goes with the surname

    def shouting(word: str) -> bool:
        letters = [ch for ch in word if ch.isalpha()]
        return len(letters) >= 3 and word.isupper()

    lead = 0
    while lead < len(words) and shouting(words[lead]):
        lead += 1
    if 0 < lead < len(words) and not words[lead].isupper():
        words = words[lead:] + words[:lead]
    return words[0], " ".join(words[1:])


def _collect_samples(samples: object, headers: Collection[str]) -> dict[str, list[object]] | None:
    if samples is None:
        return None
    if isinstance(samples, str | bytes | Mapping) or not isinstance(samples, Iterable):
        raise MappingError("expected a sequence of rows (header -> value)", path="samples")
    columns: dict[str, list[object]] = {h: [] for h in headers}
    problems = []
    for i, row in enumerate(samples):
        if i >= _MAX_SAMPLE_ROWS:
            break
        if not isinstance(row, Mapping):
            problems.append(Problem(f"samples[{i}]", "expected a mapping of header to value"))
            continue
        for header, values in columns.items():
            values.append(row.get(header))
    if problems:
        raise MappingError(problems)
    return columns


def detect_field_mapping(
    headers: Sequence[str],
    samples: Iterable[Mapping[str, object]] | None = None,
    *,
    overrides: Mapping[str, object] | None = None,
) -> FieldMapping:
    """Propose a [`FieldMapping`][instantly_columns.domain.mapping.FieldMapping] for a table.

    - `headers`: the column headers as they appear in the table or CSV (any casing, BOMs,
      NBSP, accents, seven languages). A header repeated verbatim is considered once, at its
      first position; later copies are reported as duplicates and not sent. Headers with no
      letter or digit are not sent either.
    - `samples`: optional rows (header -> value), e.g. the first 20 to 100; the first 1000 are
      read. Values decide where headers cannot (at least 3 non-empty values per column).
    - `overrides`: user choices applied on top, exactly as
      [`FieldMapping.with_overrides`][instantly_columns.domain.mapping.FieldMapping.with_overrides].

    Deterministic; one column per field and one field per column; ties go to the field listed
    first in `LEAD_FIELDS`, then to the left-most column. Raises
    [`MappingError`][instantly_columns.errors.MappingError] only on bad arguments.
    """
    header_list = _check_headers(headers)
    sample_columns = _collect_samples(samples, set(header_list))

    decisions: dict[int, Decision] = {}
    columns: list[_Column] = []
    first_seen: dict[str, int] = {}
    for index, header in enumerate(header_list):
        if header in first_seen:
            reason = f"duplicate header (first at column {first_seen[header]})"
            decisions[index] = Decision(index, header, None, 1.0, reason)
            continue
        first_seen[header] = index
        if not _WORD.search(_clean(header)):
            decisions[index] = Decision(index, header, None, 1.0, "header has no letters or digits")
            continue
        stats = _sniff(sample_columns[header]) if sample_columns is not None else None
        columns.append(_score_column(index, header, stats))

    assigned: dict[str, _Column] = {}
    used: set[int] = set()
    candidates = sorted(
        (-scored.score, _FIELD_RANK[field], column.index, field, column)
        for column in columns
        for field, scored in column.scores.items()
        if field != FULL_NAME and scored.score >= MIN_SCORE and not _rather_full_name(column, field)
    )
    for _, _, index, field, column in candidates:
        if field not in assigned and index not in used:
            assigned[field] = column
            used.add(index)
    _assign_full_name(columns, assigned, used, sample_columns)

    field_of_column = {column.index: field for field, column in assigned.items()}
    custom: list[tuple[str, str]] = []
    for column in columns:
        lead_field = field_of_column.get(column.index)
        if lead_field is not None:
            scored = assigned[lead_field].scores[lead_field]
            confidence = round(min(1.0, scored.score), 2)
            decisions[column.index] = Decision(
                column.index, column.header, lead_field, confidence, scored.reason
            )
            continue
        name = sanitize_variable_name(column.header, taken=[n for n, _ in custom])
        custom.append((name, column.header))
        decisions[column.index] = _custom_decision(column, name, assigned)

    scores = tuple(
        (field, column.index, scored.score)
        for column in columns
        for field, scored in column.scores.items()
    )
    mapping = _make_mapping(
        {field: column.header for field, column in assigned.items()},
        custom,
        [decisions[i] for i in sorted(decisions)],
        header_list,
        scores,
    )
    return mapping.with_overrides(overrides) if overrides is not None else mapping


def _rather_full_name(column: _Column, field: str) -> bool:
    """``Vor- und Nachname`` reads better as a full name than as a last name."""
    full = column.scores.get(FULL_NAME)
    return (
        field in ("first_name", "last_name")
        and full is not None
        and full.score > column.scores[field].score
    )


def _custom_decision(column: _Column, name: str, assigned: Mapping[str, _Column]) -> Decision:
    field = f"custom_variables.{name}"
    if column.veto is not None:
        reason = f"{column.veto!r} refers to the CRM user or someone else, not the lead"
        return Decision(column.index, column.header, field, 1.0, reason)
    if not column.scores:
        return Decision(column.index, column.header, field, 1.0, "no lead field matched")
    best_field, best = min(
        column.scores.items(), key=lambda item: (-item[1].score, _FIELD_RANK[item[0]])
    )
    confidence = round(max(0.0, 1.0 - min(1.0, best.score)), 2)
    winner = assigned.get(best_field)
    if winner is not None:
        reason = f"{best_field} went to {winner.header!r} (here {best.score:.2f}: {best.reason})"
    elif best.score < MIN_SCORE:
        reason = f"no lead field matched (best {best_field} {best.score:.2f}: {best.reason})"
    else:
        reason = f"{best_field} not needed (here {best.score:.2f}: {best.reason})"
    return Decision(column.index, column.header, field, confidence, reason)


def _assign_full_name(
    columns: Sequence[_Column],
    assigned: dict[str, _Column],
    used: set[int],
    samples: Mapping[str, list[object]] | None,
) -> None:
    """Fill a missing first or last name from a full-name column.

    With a first-name column and no last-name column, a bare ``Name``/``Naam`` column is read
    as the surname (German and Dutch forms put ``Vorname`` beside ``Name``) unless its samples
    start with the first name, which makes them full names.
    """
    if "first_name" in assigned and "last_name" in assigned:
        return
    ranked = sorted(
        (
            (-column.scores[FULL_NAME].score, column.index, column)
            for column in columns
            if column.index not in used
            and FULL_NAME in column.scores
            and column.scores[FULL_NAME].score >= MIN_SCORE
        ),
        key=lambda item: item[:2],
    )
    if not ranked:
        return
    column = ranked[0][2]
    first = assigned.get("first_name")
    if first is not None and "last_name" not in assigned and column.bare_full_name:
        if not _starts_with_first_name(column, first, samples):
            reason = "bare name beside a first-name column: read as the surname"
            scores = dict(column.scores)
            scores["last_name"] = _Scored(0.6, reason)
            column = attrs.evolve(column, scores=scores)
            assigned["last_name"] = column
            used.add(column.index)
            return
        scores = dict(column.scores)
        full = scores[FULL_NAME]
        scores[FULL_NAME] = _Scored(full.score, f"{full.reason}; values start with the first name")
        column = attrs.evolve(column, scores=scores)
    assigned[FULL_NAME] = column
    used.add(column.index)


def _starts_with_first_name(
    column: _Column, first: _Column, samples: Mapping[str, list[object]] | None
) -> bool:
    if samples is None:
        return False
    pairs = [
        (_as_text(full).casefold(), _as_text(given).casefold())
        for full, given in zip(samples[column.header], samples[first.header], strict=True)
    ]
    pairs = [(full, given) for full, given in pairs if full and given]
    if len(pairs) < _MIN_SAMPLES:
        return False
    hits = sum(full.startswith(given + " ") for full, given in pairs)
    return hits / len(pairs) >= 0.5
