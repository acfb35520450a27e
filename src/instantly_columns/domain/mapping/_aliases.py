"""The words detection knows, as data: filler, qualifier, negative and veto words, the alias
table of each lead field in seven languages (and of the core fields in ten more), and the cell
values that sniffing recognizes.

Only literal tables live here; the modules beside this one build their lookup sets from them.
Words are separated by spaces and normalized when the lookup sets are built (case folded,
accents dropped), as are aliases, which are written as real headers: accents, casing and
punctuation need no care.
"""

from __future__ import annotations

from typing import Final, Literal, TypedDict

# --- header words ------------------------------------------------------------------------------

# Articles, prepositions and conjunctions in the seven languages, plus form-question words, and
# the "and" of the languages whose core headers are known too ("Imię i nazwisko", "Ad ve Soyad").
FILLER: Final = (
    "a and d da das de dei del della delle dello den der des di do dos du e een el en et het i il "
    "ihr ihre is je l la las le les lo los my nd of or our please rd s st su sua seu th the tu "
    "tuo und uw van von vos votre what y your enter och og ja ve и"
)

# Words that say whose value it is, or which copy; they neither add nor remove evidence.
NEUTRAL: Final = (
    "contact contacts kontakt contacto contato contatto lead leads prospect prospects prospecto "
    "person persons people persona pessoa persoon personne customer client cliente klant kunde "
    "recipient target member user individual current actual aktuell aktuelle aktueller actuel "
    "actuelle atual attuale huidige primary main principal principale haupt primar preferred "
    "default official value values wert valeur valor waarde valore osoba klient kund kontakt "
    "asiakas henkilo zakaznik kisi musteri контакт клиент コンタクト 联系人"
)

CLEANED: Final = "cleaned clean normalized normalised standardized formatted"

PERSONAL: Final = (
    "personal private home privat prive personnel personnelle perso particulier particular "
    "pessoal persoonlijk personale casa prywatny prywatna domowy personlig hem hjem oma "
    "henkilokohtainen soukromy osobni kisisel ev личный частный домашний 自宅 個人 个人 私人"
)

WORK: Final = (
    "work business professional job geschaftlich beruflich dienstlich arbeit professionnel "
    "professionnelle pro travail trabajo corporativo empresarial profesional profissional "
    "trabalho comercial zakelijk werk aziendale lavoro sluzbowy sluzbowa praca arbete arbets "
    "jobb arbejde arbejds arbeid tyo pracovni zamestnani bureau ufficio uff рабочий рабочая "
    "勤務先 工作 商务"
)

SECONDARY: Final = (
    "secondary second other others alt alternative alternate additional backup extra tertiary "
    "third zweite zweiter weitere andere sonstige alternativ secondaire autre autres secundario "
    "secundaria otro otra segundo segunda outro outra tweede overig overige secondario "
    "secondaria altro altra inny inna inne dodatkowy annan andra anden andet annen andre toinen "
    "muu jiny dalsi diger ikinci другой дополнительный второй その他 其他"
)

COMPANY_WORDS: Final = (
    "company corporate organization organisation firma unternehmen firmen entreprise societe "
    "empresa compania companhia azienda societa bedrijf organisatie account firmy firmowy "
    "foretag foretags virksomhed virksomheds bedrift selskap yritys yrityksen spolecnost "
    "firemni sirket компания корпоративный 会社 公司"
)

# The column describes the CRM user or someone else, never the lead.
VETO: Final = (
    "owner owners rep reps representative salesperson sender sending assigned assignee agent "
    "manager sdr bdr csm recruiter creator created modified updated edited referrer referred "
    "assistant besitzer verantwortlich verantwortlicher betreuer inhaber proprietaire "
    "commercial propietario vendedor proprietario responsavel eigenaar commerciale wlasciciel "
    "opiekun handlowiec agare saljare ejer saelger eier selger omistaja myyja vlastnik "
    "obchodnik sahibi sorumlu temsilci ответственный владелец менеджер 担当者 所有者 "
    "コンタクト担当者 负责人 所有人"
)

# Words that describe a value rather than hold it: a column "<field> <word>" is about the field
# (its status, type, label, source, date...), so it never takes the field itself.
GLOBAL_NEGATIVE: Final = (
    "id ids uuid guid key hash count date datum fecha timestamp status statut estado stato "
    "score flag source sources previous former past prior old ex type typ tipo username login "
    "handle nickname screenname history total label labels etikett etiquette etiqueta "
    "etichetta kind tyyppi tur тип статус источник 種別 状態 类型 状态"
)

PERSON_NAME_NEGATIVE: Final = (
    "email emails mail phone telephone tel mobile fax address street city state country zip "
    "postal company companies organization organisation account campaign sequence file list "
    "lists tag tags product project deal opportunity event middle nick alias brand domain "
    "website url link linkedin profile phonetic pronunciation initial initials kana file "
    "firma unternehmen entreprise societe empresa azienda bedrijf drugie mellannamn "
    "mellemnavn mellomnavn отчество yomi ふりがな フリガナ"
)

FIRST_WORDS: Final = (
    "first given forename vorname rufname prenom nombre primer nome primeiro proprio voornaam "
    "roepnaam battesimo imie fornamn fornavn etunimi jmeno ad adi isim имя 名"
)
LAST_WORDS: Final = (
    "last surname family nachname familienname zuname nom apellido apellidos sobrenome apelido "
    "ultimo achternaam familienaam cognome nazwisko efternamn efternavn etternavn sukunimi "
    "prijmeni soyad soyadi soyisim фамилия 姓"
)
FULL_WORDS: Final = (
    "full complete vollstandiger voller complet completo volledige nominativo pelne "
    "fullstandigt fulde fullt koko cele tam полное"
)

# Company attributes: "Company Size", "Company LinkedIn URL", "Taille de l'entreprise".
ORG_ATTRIBUTE: Final = (
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
    "descrizione beschrijving plz cap cep codigo strona www adress adresa adresi osoite "
    "miasto kraj branza nip regon pracownikow wielkosc webbplats hemsida hjemmeside nettside "
    "verkkosivusto kotisivu toimiala koko velikost obor ico dic sehir ulke sektor vergi "
    "calisan адрес город страна сайт отрасль инн огрн сотрудников 住所 電話 url 地址 电话 网站"
)

# --- the lead fields ---------------------------------------------------------------------------


class FieldWords(TypedDict):
    """How the words around an alias count for one field."""

    kind: Literal["email", "phone", "url", "text"]
    """What the field's values look like, for sniffing samples."""
    qualifiers: tuple[tuple[str, float], ...]
    """Words that may stand beside an alias, with the score change each brings (a word in two
    groups takes the later group's change)."""
    negative: tuple[str, ...]
    """Words that rule the field out."""
    secondary: float
    """The score change of a second copy: "Email 2", "Other Phone"."""


FIELD_WORDS: Final[dict[str, FieldWords]] = {
    "email": {
        "kind": "email",
        "qualifiers": (
            (WORK, 0.0),
            (
                "address adresse adres direccion endereco indirizzo id direct corporativo "
                "corporate adress adresa adresi osoite адрес アドレス 地址",
                0.0,
            ),
            (PERSONAL, -0.10),
            # A company inbox ("Company Email") is still the lead's work address.
            ("company", -0.05),
            ("pec", -0.30),
        ),
        "negative": (
            "status verified verification verify valid validity validation validated "
            "validierung confidence quality grade risk result catch catchall accept accepts "
            "deliverability deliverable bounce bounced bounces opt opted optout optin out "
            "unsubscribe unsubscribed subscribed subscription consent permission marketing "
            "newsletter subject body content copy template title sequence campaign step sent "
            "send sends open opens opened click clicks clicked reply replies replied count "
            "domain domains format pattern provider esp mx server host first last total "
            "frequency preference preferences thread message messages activity language "
            "signature link tracking event events personalization personalisation "
            "icebreaker opener hash md5 sha256 ai display angezeigter anzeigename complet "
            "wyswietlana visningsnamn visningsnavn gorunen",
        ),
        "secondary": -0.15,
    },
    "first_name": {
        "kind": "text",
        "qualifiers": (),
        "negative": (PERSON_NAME_NEGATIVE, LAST_WORDS, FULL_WORDS, "name"),
        "secondary": -0.30,
    },
    "last_name": {
        "kind": "text",
        "qualifiers": (),
        "negative": (PERSON_NAME_NEGATIVE, FIRST_WORDS, FULL_WORDS, "name maiden"),
        "secondary": -0.30,
    },
    "company_name": {
        "kind": "text",
        "qualifiers": (
            (COMPANY_WORDS, 0.0),
            (
                "name nom nombre nome naam legal nazwa namn navn nimi nazev adi ad название "
                "名称 名",
                0.0,
            ),
            ("associated", -0.10),
            ("parent ultimate holding", -0.20),
            (CLEANED, 0.02),
        ),
        "negative": (ORG_ATTRIBUTE, "campaign sequence for emails"),
        "secondary": -0.20,
    },
    "job_title": {
        "kind": "text",
        "qualifiers": (("job work professional business", 0.0),),
        "negative": (
            "email emails mail subject page seo meta website url link deal opportunity ticket "
            "task campaign step sequence product post article video book level seniority "
            "hierarchy department dept abteilung departement departamento afdeling reparto "
            "area category description summary start end duration years since academic "
            "akademischer akademisch anrede salutation civilite tratamiento tratamento aanhef "
            "studio studies education degree diploma company firma empresa azienda bedrijf "
            "societe entreprise",
        ),
        "secondary": -0.30,
    },
    "phone": {
        "kind": "phone",
        "qualifiers": (
            (
                "phone phones telephone tel telefon telefono telefone telefoon number no nr "
                "num numero nummer direct dial numer numarasi cislo номер 番号 直通",
                0.0,
            ),
            (WORK, 0.0),
            # An address book's "primary" slot ranks just below its business line.
            ("primary principal principale haupt podstawowy главный 主要", -0.02),
            (
                "mobile cell movil celular handy mobil portable mobiel mobiele gsm cellulare "
                "telemovel komorkowy komorka mobilny mobilni cep мобильный 携帯",
                -0.05,
            ),
            (
                "office landline fixe festnetz fijo fixo vast stacjonarny fast pevna sabit "
                "стационарный 部門",
                -0.10,
            ),
            (PERSONAL, -0.15),
            (
                "company corporate main hq headquarters switchboard zentrale standard "
                "centralita sede firma empresa azienda bedrijf societe entreprise firmowy "
                "foretag virksomhed bedrift yritys spolecnost sirket компания 会社 公司",
                -0.25,
            ),
        ),
        "negative": (
            "fax telefax extension ext code prefix country status verified valid validity "
            "carrier line dnc call calls called consent opt sms skype format e164 email mail "
            "website url",
        ),
        "secondary": -0.30,
    },
    "website": {
        "kind": "url",
        "qualifiers": (
            (
                "url urls link address adresse adres direccion endereco indirizzo name www "
                "http https official",
                0.0,
            ),
            (COMPANY_WORDS, -0.05),
            (WORK, -0.05),
            ("contact person", -0.10),
            (PERSONAL, -0.20),
        ),
        "negative": (
            "linkedin li facebook fb twitter instagram insta youtube tiktok github xing "
            "crunchbase angellist wellfound glassdoor profile image img photo picture avatar "
            "logo thumbnail calendar calendly booking meeting unsubscribe tracking utm referrer "
            "referer landing job jobs posting careers email mail emails navigator sn pdf "
            "document file video post article blog news press authority rank traffic visits "
            "visitors seo title description screenshot technologies tech platform builder "
            "cms",
        ),
        "secondary": -0.30,
    },
    "personalization": {
        "kind": "text",
        "qualifiers": (
            (
                "personalized personalised personal custom line sentence text message note "
                "snippet ai gpt generated email opener intro",
                0.0,
            ),
        ),
        "negative": (
            "address street strasse adresse direccion endereco indirizzo adres score subject "
            "zip postal city",
        ),
        "secondary": -0.20,
    },
    "full_name": {
        "kind": "text",
        "qualifiers": (),
        "negative": (PERSON_NAME_NEGATIVE, "display maiden"),
        "secondary": -0.30,
    },
}

# Each alias: (field, languages, score, "header|header|...", flags). An alias matches a run of
# a header's words; the other words may be qualifiers or neutral words, and, unless the flags
# say "exact", unrecognized words too (at a discount). "bare" marks a plain name column
# ("Name", "Naam"), which beside a first-name column is read as the surname.
ALIASES: Final[tuple[tuple[str, str, float, str, str], ...]] = (
    # email ---------------------------------------------------------------------------------------
    ("email", "en", 1.0, "email|email address|e-mail address", ""),
    ("email", "en", 0.9, "emails|email addresses|mail address", ""),
    ("email", "en", 0.85, "mail", "exact"),
    ("email", "de", 1.0, "E-Mail-Adresse", ""),
    ("email", "de, da", 0.95, "Mailadresse", ""),
    ("email", "fr", 1.0, "Courriel|Adresse e-mail|Adresse courriel|Adresse électronique", ""),
    ("email", "fr", 0.95, "Adresse mail", ""),
    ("email", "fr", 1.0, "Adresse de messagerie", ""),
    ("email", "fr", 0.8, "Mél", "exact"),
    ("email", "es", 1.0, "Correo electrónico|Dirección de correo|Dirección de email", ""),
    ("email", "es", 0.95, "Correo", ""),
    ("email", "pt", 1.0, "Endereço de e-mail|Correio eletrónico|Correio eletrônico", ""),
    ("email", "pt", 1.0, "Endereço eletrônico", ""),
    ("email", "nl", 1.0, "E-mailadres", ""),
    ("email", "nl", 0.95, "Mailadres", ""),
    ("email", "it", 1.0, "Indirizzo email|Posta elettronica", ""),
    ("email", "it", 0.7, "PEC", "exact"),
    # The core aliases of ten more languages (Outlook, HubSpot, Bitrix24, Eight... exports).
    ("email", "pl", 1.0, "Adres e-mail|Adres email", ""),
    ("email", "sv, no", 1.0, "E-post|E-postadress|E-postadresse", ""),
    ("email", "sv", 0.95, "Mejladress|Mejl", ""),
    ("email", "fi", 1.0, "Sähköposti|Sähköpostiosoite", ""),
    ("email", "cs", 1.0, "E-mailová adresa", ""),
    ("email", "tr", 1.0, "E-posta|E-posta adresi", ""),
    ("email", "ja", 1.0, "メールアドレス|Eメール|電子メール|電子メールアドレス", ""),
    ("email", "ja", 0.9, "メール", ""),
    ("email", "zh", 1.0, "邮箱|电子邮件|电子邮件地址|电子邮箱|邮箱地址|電子郵件|電子郵箱", ""),
    ("email", "zh", 0.9, "邮件|郵件", ""),
    ("email", "ru", 1.0, "Электронная почта|Эл. почта|Адрес электронной почты", ""),
    ("email", "ru", 0.9, "Почта", ""),
    # first name ----------------------------------------------------------------------------------
    ("first_name", "en", 1.0, "first name|given name|forename", ""),
    ("first_name", "en", 0.8, "first|given", "exact"),
    ("first_name", "de", 1.0, "Vorname", ""),
    ("first_name", "de", 0.9, "Rufname", ""),
    ("first_name", "fr", 1.0, "Prénom", ""),
    ("first_name", "es", 0.95, "Nombre|Nombres", "exact"),
    ("first_name", "es", 1.0, "Primer nombre", ""),
    ("first_name", "pt, it", 0.9, "Nome", "exact"),
    ("first_name", "pt", 1.0, "Primeiro nome|Nome próprio", ""),
    ("first_name", "it", 0.95, "Nome di battesimo", ""),
    ("first_name", "nl", 1.0, "Voornaam", ""),
    ("first_name", "nl", 0.9, "Roepnaam", ""),
    ("first_name", "pl", 1.0, "Imię", ""),
    ("first_name", "sv", 1.0, "Förnamn", ""),
    ("first_name", "da, no", 1.0, "Fornavn", ""),
    ("first_name", "fi", 1.0, "Etunimi", ""),
    ("first_name", "cs", 0.9, "Jméno|Křestní jméno", "exact"),
    ("first_name", "tr", 0.9, "Ad|Adı|İsim", "exact"),
    ("first_name", "ja, zh", 0.9, "名", "exact"),
    ("first_name", "ru", 1.0, "Имя", ""),
    # last name -----------------------------------------------------------------------------------
    ("last_name", "en", 1.0, "last name|surname|family name", ""),
    ("last_name", "en", 0.8, "last", "exact"),
    ("last_name", "de", 1.0, "Nachname|Familienname", ""),
    ("last_name", "de", 0.95, "Zuname", ""),
    ("last_name", "fr", 1.0, "Nom de famille", ""),
    ("last_name", "fr", 0.9, "Nom|Nom patronymique", "exact"),
    ("last_name", "es", 1.0, "Apellido|Apellidos|Apellido(s)", ""),
    ("last_name", "es", 0.95, "Primer apellido", ""),
    ("last_name", "pt", 1.0, "Sobrenome|Apelido|Último nome", ""),
    ("last_name", "nl", 1.0, "Achternaam|Familienaam", ""),
    ("last_name", "it", 1.0, "Cognome", ""),
    ("last_name", "pl", 1.0, "Nazwisko", ""),
    ("last_name", "sv", 1.0, "Efternamn", ""),
    ("last_name", "da", 1.0, "Efternavn", ""),
    ("last_name", "no", 1.0, "Etternavn", ""),
    ("last_name", "fi", 1.0, "Sukunimi", ""),
    ("last_name", "cs", 1.0, "Příjmení", ""),
    ("last_name", "tr", 1.0, "Soyad|Soyadı|Soyisim", ""),
    ("last_name", "ja, zh", 1.0, "姓", "exact"),
    ("last_name", "ru", 1.0, "Фамилия", ""),
    # full name -----------------------------------------------------------------------------------
    ("full_name", "en", 1.0, "full name|first and last name|first name last name", ""),
    ("full_name", "en", 1.0, "last name first name|name and surname|name surname", ""),
    ("full_name", "en", 0.95, "complete name", ""),
    ("full_name", "en", 0.9, "contact name", "exact"),
    ("full_name", "en, de", 0.85, "name", "exact bare"),
    ("full_name", "en", 0.8, "display name", "exact"),
    ("full_name", "en", 0.6, "contact", "exact"),
    ("full_name", "de", 1.0, "Vollständiger Name|Voller Name|Vor- und Nachname", ""),
    ("full_name", "de", 0.75, "Ansprechpartner", "exact"),
    ("full_name", "fr", 1.0, "Nom complet|Prénom et nom|Nom et prénom|Prénom Nom", ""),
    ("full_name", "fr", 0.7, "Interlocuteur", "exact"),
    ("full_name", "es", 1.0, "Nombre completo|Nombre y apellidos|Nombre y apellido", ""),
    ("full_name", "es", 1.0, "Apellidos y nombre", ""),
    ("full_name", "pt, it", 1.0, "Nome completo", ""),
    ("full_name", "pt", 1.0, "Nome e sobrenome", ""),
    ("full_name", "it", 1.0, "Nome e cognome|Cognome e nome", ""),
    ("full_name", "it", 0.9, "Nominativo", "exact"),
    ("full_name", "nl", 1.0, "Volledige naam|Voor- en achternaam", ""),
    ("full_name", "nl", 0.85, "Naam", "exact bare"),
    ("full_name", "pl", 1.0, "Imię i nazwisko|Pełne imię i nazwisko", ""),
    ("full_name", "sv", 1.0, "Fullständigt namn", ""),
    ("full_name", "sv", 0.85, "Namn", "exact bare"),
    ("full_name", "da, no", 0.85, "Navn", "exact bare"),
    ("full_name", "da", 1.0, "Fulde navn", ""),
    ("full_name", "no", 1.0, "Fullt navn", ""),
    ("full_name", "fi", 1.0, "Koko nimi", ""),
    ("full_name", "fi", 0.85, "Nimi", "exact bare"),
    ("full_name", "cs", 1.0, "Celé jméno|Jméno a příjmení", ""),
    ("full_name", "tr", 1.0, "Ad Soyad|Adı Soyadı|Ad Soyadı|İsim Soyisim", ""),
    ("full_name", "ja", 1.0, "氏名|フルネーム", ""),
    ("full_name", "ja", 0.9, "お名前|名前", "exact"),
    ("full_name", "zh", 1.0, "姓名", ""),
    ("full_name", "zh", 0.85, "联系人", "exact"),
    ("full_name", "ru", 1.0, "ФИО|Полное имя|Имя Фамилия", ""),
    # company name --------------------------------------------------------------------------------
    ("company_name", "en", 1.0, "company|company name|organization name", ""),
    ("company_name", "en", 1.0, "organisation name", ""),
    ("company_name", "en", 1.02, "company name for emails", "exact"),
    ("company_name", "en", 0.95, "organization|business name", ""),
    ("company_name", "en, de, fr, sv, da", 0.95, "organisation", ""),
    ("company_name", "en", 0.9, "employer|account name|firm name|employer name", ""),
    ("company_name", "en", 0.9, "org name", ""),
    ("company_name", "en", 0.85, "firm|account", "exact"),
    ("company_name", "en", 0.8, "org", "exact"),
    ("company_name", "de, pl, sv, da, no, cs, tr", 1.0, "Firma", ""),
    ("company_name", "de", 1.0, "Firmenname|Unternehmen|Unternehmensname", ""),
    ("company_name", "de", 0.9, "Arbeitgeber", ""),
    ("company_name", "de", 0.8, "Gesellschaft|Betrieb", "exact"),
    ("company_name", "fr", 1.0, "Société|Entreprise|Nom de l'entreprise", ""),
    ("company_name", "fr", 1.0, "Nom de la société", ""),
    ("company_name", "fr", 0.98, "Raison sociale", ""),
    ("company_name", "fr", 0.9, "Employeur|Compagnie", ""),
    ("company_name", "fr", 0.7, "Structure", "exact"),
    ("company_name", "es, pt", 1.0, "Empresa", ""),
    ("company_name", "es", 1.0, "Nombre de la empresa|Compañía", ""),
    ("company_name", "es", 0.98, "Razón social", ""),
    ("company_name", "es", 0.95, "Organización", ""),
    ("company_name", "es", 0.9, "Empleador", ""),
    ("company_name", "es", 0.8, "Entidad|Negocio", "exact"),
    ("company_name", "pt", 1.0, "Nome da empresa|Companhia", ""),
    ("company_name", "pt", 0.98, "Razão social", ""),
    ("company_name", "pt", 1.02, "Nome fantasia", "exact"),
    ("company_name", "pt", 0.95, "Organização", ""),
    ("company_name", "pt", 0.9, "Empregador", ""),
    ("company_name", "nl", 1.0, "Bedrijf|Bedrijfsnaam|Organisatie|Organisatienaam", ""),
    ("company_name", "nl", 0.95, "Onderneming", ""),
    ("company_name", "nl", 0.9, "Werkgever", ""),
    ("company_name", "it", 1.0, "Azienda|Nome azienda|Società", ""),
    ("company_name", "it", 0.98, "Ragione sociale", ""),
    ("company_name", "it", 0.95, "Impresa|Ditta|Organizzazione", ""),
    ("company_name", "it", 0.85, "Datore di lavoro", ""),
    ("company_name", "pl", 1.0, "Nazwa firmy", ""),
    ("company_name", "pl", 0.95, "Organizacja|Przedsiębiorstwo", ""),
    ("company_name", "pl", 0.9, "Pracodawca|Spółka", ""),
    ("company_name", "sv", 1.0, "Företag|Företagsnamn", ""),
    ("company_name", "sv", 0.9, "Arbetsgivare|Bolag", ""),
    ("company_name", "da", 1.0, "Virksomhed|Virksomhedsnavn", ""),
    ("company_name", "da, no", 1.0, "Firmanavn", ""),
    ("company_name", "da", 0.9, "Arbejdsgiver|Selskab", ""),
    ("company_name", "no", 1.0, "Bedrift|Selskap|Virksomhet", ""),
    ("company_name", "no", 0.95, "Organisasjon", ""),
    ("company_name", "no", 0.9, "Arbeidsgiver", ""),
    ("company_name", "fi", 1.0, "Yritys|Yrityksen nimi", ""),
    ("company_name", "fi", 0.95, "Organisaatio", ""),
    ("company_name", "fi", 0.9, "Työnantaja", ""),
    ("company_name", "cs", 1.0, "Společnost|Název firmy|Název společnosti", ""),
    ("company_name", "cs", 0.95, "Organizace", ""),
    ("company_name", "cs", 0.9, "Zaměstnavatel", ""),
    ("company_name", "tr", 1.0, "Şirket|Şirket adı|Firma adı", ""),
    ("company_name", "tr", 0.9, "Kurum|Kuruluş|Kurum adı|İşveren", ""),
    ("company_name", "ja", 1.0, "会社名|企業名", ""),
    ("company_name", "ja", 0.95, "会社", ""),
    ("company_name", "ja", 0.9, "勤務先", ""),
    ("company_name", "zh", 1.0, "公司名称|企业名称|公司名稱|企業名稱", ""),
    ("company_name", "zh", 0.95, "公司", ""),
    ("company_name", "zh", 0.9, "工作单位", ""),
    ("company_name", "zh", 0.85, "单位", "exact"),
    ("company_name", "ru", 1.0, "Компания|Название компании|Название организации", ""),
    ("company_name", "ru", 0.95, "Организация", ""),
    ("company_name", "ru", 0.9, "Работодатель", ""),
    # job title -----------------------------------------------------------------------------------
    ("job_title", "en", 1.0, "job title|business title", ""),
    ("job_title", "en", 0.9, "job role", ""),
    ("job_title", "en", 0.95, "organization title|organisation title", ""),
    ("job_title", "en, de", 0.9, "title|position", "exact"),
    ("job_title", "en", 0.85, "role|designation|occupation", "exact"),
    ("job_title", "en", 0.7, "job", "exact"),
    ("job_title", "de", 1.0, "Berufsbezeichnung|Jobtitel|Stellenbezeichnung", ""),
    ("job_title", "de", 0.9, "Funktion", "exact"),
    ("job_title", "de", 0.85, "Rolle", "exact"),
    ("job_title", "de", 0.8, "Beruf", "exact"),
    ("job_title", "de", 0.75, "Tätigkeit", "exact"),
    ("job_title", "de, nl, sv, da", 0.6, "Titel", "exact"),
    ("job_title", "fr", 1.0, "Intitulé de poste|Titre du poste", ""),
    ("job_title", "fr", 0.95, "Poste", "exact"),
    ("job_title", "fr", 0.9, "Fonction", "exact"),
    ("job_title", "fr", 0.8, "Métier|Profession", "exact"),
    ("job_title", "fr", 0.75, "Titre", "exact"),
    ("job_title", "es, pt", 0.95, "Cargo", "exact"),
    ("job_title", "es", 0.95, "Puesto", "exact"),
    ("job_title", "es", 0.85, "Posición|Rol", "exact"),
    ("job_title", "es", 0.8, "Función|Ocupación|Profesión", "exact"),
    ("job_title", "es, pt", 0.6, "Título", "exact"),
    ("job_title", "pt", 0.9, "Função", "exact"),
    ("job_title", "pt", 0.85, "Posição", "exact"),
    ("job_title", "pt", 0.8, "Ocupação|Profissão", "exact"),
    ("job_title", "nl", 1.0, "Functietitel|Functienaam", ""),
    ("job_title", "nl", 0.95, "Functie", "exact"),
    ("job_title", "nl", 0.85, "Positie", "exact"),
    ("job_title", "nl", 0.8, "Beroep", "exact"),
    ("job_title", "it", 0.95, "Ruolo", "exact"),
    ("job_title", "it", 0.9, "Posizione|Qualifica|Mansione", "exact"),
    ("job_title", "it", 0.85, "Funzione|Carica", "exact"),
    ("job_title", "it", 0.8, "Professione", "exact"),
    ("job_title", "it", 0.6, "Titolo", "exact"),
    ("job_title", "pl", 0.95, "Stanowisko", ""),
    ("job_title", "sv", 1.0, "Befattning|Tjänstetitel|Yrkestitel", ""),
    ("job_title", "sv", 0.85, "Roll", "exact"),
    ("job_title", "da, no", 0.95, "Stilling", ""),
    ("job_title", "da", 1.0, "Stillingsbetegnelse", ""),
    ("job_title", "no", 1.0, "Stillingstittel", ""),
    ("job_title", "no", 0.6, "Tittel", "exact"),
    ("job_title", "fi", 1.0, "Tehtävänimike", ""),
    ("job_title", "fi", 0.9, "Titteli", "exact"),
    ("job_title", "fi", 0.85, "Asema|Rooli", "exact"),
    ("job_title", "cs", 1.0, "Pracovní pozice", ""),
    ("job_title", "cs", 0.95, "Pozice", "exact"),
    ("job_title", "cs", 0.9, "Funkce", "exact"),
    ("job_title", "tr", 1.0, "İş unvanı", ""),
    ("job_title", "tr", 0.95, "Unvan|Ünvan", "exact"),
    ("job_title", "tr", 0.9, "Pozisyon", "exact"),
    ("job_title", "tr", 0.85, "Görev", "exact"),
    ("job_title", "ja", 1.0, "役職|役職名", "exact"),
    ("job_title", "ja", 0.9, "肩書き|肩書", "exact"),
    ("job_title", "zh", 1.0, "职位|職位", "exact"),
    ("job_title", "zh", 0.95, "职务|職務", "exact"),
    ("job_title", "zh", 0.9, "头衔|職稱|职称", "exact"),
    ("job_title", "ru", 1.0, "Должность", ""),
    # phone ---------------------------------------------------------------------------------------
    ("phone", "en", 1.0, "phone|phones|direct dial", ""),
    ("phone", "en", 0.9, "landline", ""),
    ("phone", "en, fr", 1.0, "telephone", ""),
    ("phone", "en", 0.95, "cell", ""),
    ("phone", "en, fr", 0.95, "mobile", ""),
    ("phone", "en", 0.9, "tel", ""),
    ("phone", "en", 0.85, "contact number", "exact"),
    ("phone", "de, pl, sv, da, no, cs, tr", 1.0, "Telefon", ""),
    ("phone", "de", 1.0, "Durchwahl", ""),
    ("phone", "de", 0.95, "Handy", ""),
    ("phone", "de, sv, da, no, cs", 0.95, "Mobil", ""),
    ("phone", "de", 0.9, "Rufnummer|Festnetz", ""),
    ("phone", "fr", 1.0, "Ligne directe", ""),
    ("phone", "fr", 0.95, "Portable", ""),
    ("phone", "es, it", 1.0, "Teléfono", ""),
    ("phone", "es", 0.95, "Móvil", ""),
    ("phone", "es, pt", 0.95, "Celular", ""),
    ("phone", "pt", 1.0, "Telefone", ""),
    ("phone", "pt", 0.95, "Telemóvel", ""),
    ("phone", "nl", 1.0, "Telefoon", ""),
    ("phone", "nl", 0.95, "Mobiel|GSM|Mobiele nummer", ""),
    ("phone", "it", 0.95, "Cellulare", ""),
    ("phone", "pl", 1.0, "Numer telefonu", ""),
    ("phone", "pl", 0.95, "Komórka", ""),
    ("phone", "fi", 1.0, "Puhelin|Puhelinnumero|Työpuhelin", ""),
    ("phone", "fi", 0.95, "Matkapuhelin", ""),
    ("phone", "cs", 1.0, "Telefonní číslo", ""),
    ("phone", "tr", 1.0, "Telefonu|Telefon numarası", ""),
    ("phone", "tr", 0.95, "Cep telefonu|Cep", ""),
    ("phone", "ja", 1.0, "電話番号|TEL直通|直通電話", ""),
    ("phone", "ja, zh", 0.95, "電話", ""),
    ("phone", "ja", 0.95, "携帯電話|携帯番号|携帯", ""),
    ("phone", "zh", 1.0, "电话|电话号码|联系电话|商务电话", ""),
    ("phone", "zh", 0.95, "手机|手机号|手机号码|移动电话|手機", ""),
    ("phone", "ru", 1.0, "Телефон|Номер телефона", ""),
    # website -------------------------------------------------------------------------------------
    ("website", "en, de, nl", 1.0, "website", ""),
    ("website", "en", 0.95, "web address|web page|webpage", ""),
    ("website", "en", 0.9, "homepage", ""),
    ("website", "en", 0.8, "domain|www", ""),
    ("website", "en", 0.7, "web|site", "exact"),
    ("website", "en", 0.6, "url", "exact"),
    ("website", "de", 1.0, "Webseite|Internetseite", ""),
    ("website", "de", 0.95, "Internetadresse|Webadresse", ""),
    ("website", "fr", 1.0, "Site web|Site internet", ""),
    ("website", "fr", 0.95, "Adresse web|Page web", ""),
    ("website", "fr", 0.8, "Domaine", ""),
    ("website", "es", 1.0, "Página web", ""),
    ("website", "es, pt", 1.0, "Sitio web", ""),
    ("website", "es", 0.95, "Dirección web", ""),
    ("website", "es, pt, it", 0.8, "Dominio", ""),
    ("website", "pt", 1.0, "Sítio", ""),
    ("website", "pt", 0.95, "Endereço web", ""),
    ("website", "pt", 0.8, "Site", "exact"),
    ("website", "nl", 0.95, "Webadres|Internetadres", ""),
    ("website", "nl", 0.8, "Domein", ""),
    ("website", "it", 1.0, "Sito web|Sito internet", ""),
    ("website", "it", 0.95, "Indirizzo web|Pagina web", ""),
    ("website", "it", 0.8, "Sito", "exact"),
    ("website", "pl", 1.0, "Strona www|Strona internetowa", ""),
    ("website", "pl", 0.95, "Strona sieci Web", ""),
    ("website", "sv", 1.0, "Webbplats", ""),
    ("website", "sv", 0.95, "Hemsida|Webbsida", ""),
    ("website", "da, no", 1.0, "Hjemmeside", ""),
    ("website", "da", 0.95, "Websted", ""),
    ("website", "da, no", 0.95, "Webside", ""),
    ("website", "no", 1.0, "Nettside|Nettsted", ""),
    ("website", "fi", 1.0, "Verkkosivusto|Verkkosivut|Kotisivu|Kotisivut", ""),
    ("website", "fi", 0.95, "Web-sivu|Verkkosivu", ""),
    ("website", "cs", 1.0, "Webová stránka|Webové stránky", ""),
    ("website", "tr", 1.0, "Web sitesi|Web adresi|İnternet sitesi", ""),
    ("website", "tr", 0.95, "Web sayfası", ""),
    ("website", "ja", 1.0, "ウェブサイト|ホームページ|Webサイト", ""),
    ("website", "zh", 1.0, "网站|网址|網站|網址", ""),
    ("website", "zh", 0.95, "网页|網頁", ""),
    ("website", "ru", 1.0, "Сайт|Веб-сайт", ""),
    # personalization -----------------------------------------------------------------------------
    ("personalization", "en", 1.0, "personalization|personalisation", ""),
    ("personalization", "en", 0.95, "personalized line|personalised line", ""),
    ("personalization", "en", 0.9, "icebreaker", ""),
    ("personalization", "en", 0.85, "opening line|intro line", ""),
    ("personalization", "en", 0.8, "first line|custom line", ""),
    ("personalization", "en", 0.8, "opener", "exact"),
    ("personalization", "en", 0.75, "personal note", ""),
    ("personalization", "en", 0.6, "intro", "exact"),
    ("personalization", "de", 1.0, "Personalisierung", ""),
    ("personalization", "de", 0.85, "Eisbrecher", ""),
    ("personalization", "de", 0.7, "Aufhänger", "exact"),
    ("personalization", "fr", 1.0, "Personnalisation", ""),
    ("personalization", "fr", 0.9, "Phrase d'accroche", ""),
    ("personalization", "fr", 0.85, "Accroche|Brise-glace", ""),
    ("personalization", "es", 1.0, "Personalización", ""),
    ("personalization", "es, it", 0.85, "Rompehielos|Frase de apertura", ""),
    ("personalization", "es", 0.8, "Primera línea", ""),
    ("personalization", "pt", 1.0, "Personalização", ""),
    ("personalization", "pt", 0.85, "Quebra-gelo|Frase de abertura", ""),
    ("personalization", "pt", 0.8, "Primeira linha", ""),
    ("personalization", "nl", 1.0, "Personalisatie", ""),
    ("personalization", "nl", 0.85, "IJsbreker|Openingszin", ""),
    ("personalization", "it", 1.0, "Personalizzazione", ""),
    ("personalization", "it", 0.85, "Rompighiaccio", ""),
    ("personalization", "it", 0.8, "Prima riga", ""),
)

# --- values ------------------------------------------------------------------------------------

# Letters folded to ASCII beyond what dropping accents does.
TRANSLITERATE: Final[dict[str, str]] = {
    "æ": "ae",
    "ø": "o",
    "œ": "oe",
    "ð": "d",
    "þ": "th",
    "ł": "l",
    "đ": "d",
    "ı": "i",
    "ħ": "h",
}

# Top-level domains that make a bare "example.io" a web address.
COMMON_TLDS: Final = (
    "com net org io co ai app dev tech biz info me us uk de fr es it nl pt br be ch at eu ca au "
    "ie se dk no fi pl cz mx ar cl in jp cn ru global online site store agency digital cloud "
    "solutions consulting group"
)
SOCIAL_DOMAINS: Final = (
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
FREEMAIL_DOMAINS: Final = (
    "gmail.com googlemail.com ymail.com rocketmail.com msn.com aol.com icloud.com me.com mac.com "
    "web.de t-online.de freenet.de posteo.de mailbox.org protonmail.com proton.me pm.me "
    "tutanota.com fastmail.com hey.com gmx.de gmx.net gmx.at gmx.ch gmx.com orange.fr "
    "wanadoo.fr free.fr sfr.fr laposte.net neuf.fr libero.it virgilio.it tiscali.it alice.it "
    "tin.it email.it terra.com.br uol.com.br bol.com.br ig.com.br sapo.pt telefonica.net "
    "terra.es ziggo.nl kpnmail.nl planet.nl home.nl hetnet.nl telenet.be skynet.be mail.ru "
    "qq.com 163.com 126.com comcast.net verizon.net att.net sbcglobal.net btinternet.com "
    "sky.com naver.com rediffmail.com zoho.com yandex.ru yandex.com mail.com wp.pl o2.pl "
    "interia.pl onet.pl op.pl seznam.cz email.cz centrum.cz post.cz bk.ru inbox.ru list.ru "
    "rambler.ru ukr.net abv.bg telia.com bredband.net online.no suomi24.fi luukku.com "
    "docomo.ne.jp ezweb.ne.jp softbank.ne.jp sina.com sohu.com 139.com foxmail.com aliyun.com"
)
# A brand with any of the suffixes is free mail too: "yahoo.co.uk", "hotmail.fr".
FREEMAIL_BRANDS: Final = (
    "gmail yahoo hotmail outlook live gmx aol icloud protonmail yandex libero orange"
)
FREEMAIL_SUFFIXES: Final = (
    "com net org fr de es it nl be at ch pt co.uk com.br com.ar com.mx co.jp ca ie se dk no fi "
    "pl ru in com.au"
)
# Salutations, without their dots; a column of them is no job title.
SALUTATIONS: Final = (
    "mr mrs ms miss mx dr prof sir madam herr frau m mme mlle monsieur madame sr sra srta don "
    "dona dhr mevr mw sig sigra signor signora dott dottssa"
)
# Suffixes after a person's name, without their dots.
NAME_SUFFIXES: Final = "jr sr ii iii iv v phd md mba cpa esq dds jd msc bsc ma ba pmp cfa"

# Common given names across the languages above (no accents needed): a column whose values
# mostly start with one ("Sam Rivera", "Dr. Anna Kowalska") holds people, not companies. The
# table's own first-name column adds its values to these.
GIVEN_NAMES: Final = (
    "aaron abigail adam adrian agnieszka ahmed aisha alan albert alberto alejandro aleksandra "
    "alex alexander alexandra alexandre alice alicia alina alison amanda amelia amy ana anders "
    "andre andrea andreas andrew andrzej angela anita ann anna anne annika anthony antoine "
    "anton antonio arjun arne arthur astrid barbara beata ben benjamin bernard bettina bianca "
    "bjorn bob brandon brian bruno camille carl carla carlos carmen caroline catherine cecile "
    "charles charlotte chloe chris christian christina christine christopher claire clara "
    "claudia colin craig cristina daniel daniela daniele dario david deborah denis diana diego "
    "dimitri dominik donald dorothy edward elena eleonora elias elif elisa elizabeth ella emil "
    "emily emma emre eric erik erika eva evelyn fabian fatima federica felipe felix fernando "
    "filip florian francesca francesco francisco francois frank franz frederik gabriel "
    "gabriela gary george georg gerhard giovanni giulia giuseppe grace greg gregory guillaume "
    "gustav hanna hannah hans harry heather heinz helen helena henrik henry hugo ian ines "
    "ingrid irene isabel isabella isabelle ivan jack jacob jakob jakub james jan jana jane "
    "janet jasmine jason javier jean jeff jennifer jens jeremy jessica joanna joao joe johan "
    "johann johanna john jonas jonathan jordan jorge jose josef joseph joshua juan julia julian "
    "julie juliette justin karen karin karl karolina kasper katarzyna kate katharina kathleen "
    "katrin kelly kenneth kevin kim klaus krzysztof kurt lars laura lauren laurent lea leah "
    "lena leo leon lisa liam lina linda lorenzo louis louise luca lucas lucia lucy luis luisa "
    "lukas maciej magdalena maja manuel marc marco marcus margaret maria marie marina mario "
    "mark marta martin martina mary mateo mathias matteo matthew matthias max maxime mehmet "
    "melanie melissa mia michael michal michel michelle miguel mikael mike milan monika "
    "mustafa nadia natalia natalie nathalie nathan nicholas nick nicola nicolas nicole niels "
    "nikola nina noah noemi ola olaf olga oliver olivia omar oscar pablo paolo pascal patricia "
    "patrick paul paula paulo pedro per peter petra philippe pierre piotr rachel rafael "
    "ralph raquel rebecca ricardo richard rita robert roberto robin rosa ruth ryan sabine "
    "sam samantha samuel sandra sara sarah sebastian sergio simon simone sofia sophia sophie "
    "stefan stefano stephanie stephen steven susan susanne sven svetlana tanja teresa thomas "
    "tim timothy tobias tom tomas tomasz tyler ursula valentina vanessa vera victor victoria "
    "vincent virginie walter wei william wojciech yuki yusuf zoe zofia"
)

# Words that mark a company name ("Acme GmbH", "Blue Ocean Labs").
COMPANY_MARKERS: Final = (
    "inc incorporated llc llp ltd limited plc corp corporation co company gmbh ag kg ohg ug ev "
    "sa sas sarl sasu eurl srl spa snc bv nv vof cv ab oy oyj as asa aps sp zoo sro as "
    "kft zrt ooo pao zao pty pte bhd kk group groep gruppe grupo gruppo holding holdings "
    "partners associates solutions technologies technology systems software services "
    "consulting labs lab studio studios agency media capital ventures bank industries "
    "international global enterprises foundation university institute hospital clinic "
    "network networks logistics energy foods partners & and und et y e"
)

# Mailboxes of a role, not a person ("info@", "sales@"): at the company's domain, but no one's
# work address.
ROLE_MAILBOXES: Final = (
    "info information contact contacts hello hi hey sales office admin administration support "
    "help team mail email enquiries enquiry inquiries inquiry marketing billing accounts "
    "accounting finance hr jobs careers recruiting press media noreply no-reply donotreply "
    "newsletter service customerservice reception webmaster postmaster kontakt kontakty "
    "bureau buero ventas contacto comercial vendas atendimento vendite commerciale verkoop "
    "myynti asiakaspalvelu obchod satis iletisim"
)

# Lower-case words inside people's names ("Ludwig van Beethoven", "Maria da Silva").
NAME_PARTICLES: Final = "van von de der den da di del della le la du dos das ter ten bin al el"
