"""Header sets of real exports, as the tools write them, with the mapping each should get.

Each set names the tool and the export, the UI language, the headers in the order and
spelling the tool writes them, and the expected lead fields. The header lists were written
down from the vendors' documented or observed exports (header names are facts about a file
format); ``checked`` marks the sets whose list was also compared with a public file of that
format. Where an export has long repeated blocks (Outlook's three addresses, user fields),
``what`` says that a block is shortened. No sample file is copied: the rows come from
``samples`` (invented people at invented companies).

Expectations cover every lead field and ``full_name``; a field not named is expected to stay
unmapped. ``sampled`` lists the fields whose expectation changes once sample rows are read
(values deciding where the header misleads), and ``note`` explains the choices a reader might
question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

CORE_FIELDS = ("email", "first_name", "last_name", "company_name")
SEVEN_LANGUAGES = frozenset({"en", "de", "fr", "es", "pt", "nl", "it"})
ALL_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "company_name",
    "job_title",
    "phone",
    "website",
    "personalization",
    "full_name",
)


@dataclass(frozen=True)
class ExportSet:
    tool: str
    what: str
    lang: str
    headers: tuple[str, ...]
    expect: Mapping[str, str | None]
    """Every field -> its header (None: unmapped), from the headers alone."""
    sampled: Mapping[str, str | None] = field(default_factory=dict)
    """Fields whose expectation differs once sample rows are read."""
    cells: Mapping[str, str] = field(default_factory=dict)
    """Sample-value templates for columns beyond the mapped ones (see ``samples``)."""
    checked: bool = False
    note: str = ""

    @property
    def name(self) -> str:
        return f"{self.tool} - {self.what} ({self.lang})"

    @property
    def expect_sampled(self) -> dict[str, str | None]:
        return {**self.expect, **self.sampled}


def export(
    tool: str,
    what: str,
    lang: str,
    headers: str,
    *,
    sampled: Mapping[str, str | None] | None = None,
    cells: Mapping[str, str] | None = None,
    checked: bool = False,
    note: str = "",
    **fields: str,
) -> ExportSet:
    """One set; `headers` joined by "|", the expected fields as keywords."""
    unknown = set(fields) - set(ALL_FIELDS)
    assert not unknown, unknown
    expect: dict[str, str | None] = dict.fromkeys(ALL_FIELDS)
    expect.update(fields)
    header_list = tuple(headers.split("|"))
    for header in [*fields.values(), *(sampled or {}).values(), *(cells or {})]:
        assert header is None or header in header_list, (tool, header)
    return ExportSet(
        tool, what, lang, header_list, expect, dict(sampled or {}), dict(cells or {}), checked, note
    )


OWNER = "{rep}"
STATUS = "Verified|Verified|Guessed|Unavailable"

CORPUS: tuple[ExportSet, ...] = (
    # --- CRMs -----------------------------------------------------------------------------------
    export(
        "HubSpot",
        "contacts export",
        "en",
        "Record ID|First Name|Last Name|Email|Phone Number|Contact owner|"
        "Primary Associated Company ID|Last Activity Date|Lead Status|Marketing contact status|"
        "Create Date|Job Title|Company Name|Website URL|Mobile Phone Number|City|State/Region|"
        "Country/Region|Lifecycle Stage|Associated Company|Email Domain|"
        "Unsubscribed from all email",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company Name",
        job_title="Job Title",
        phone="Phone Number",
        website="Website URL",
        cells={
            "Contact owner": OWNER,
            "Associated Company": "{company}",
            "Email Domain": "{host}",
            "Mobile Phone Number": "{mobile}",
            "Lead Status": "New|Open|In progress",
            "Record ID": "{id}",
        },
    ),
    export(
        "Salesforce",
        "leads report",
        "en",
        "Lead Owner|First Name|Last Name|Title|Company / Account|Email|Phone|Mobile|Lead Source|"
        "Lead Status|Rating|Street|City|State/Province|Zip/Postal Code|Country|Industry|Website|"
        "Create Date|Last Activity|Unread By Owner",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company / Account",
        job_title="Title",
        phone="Phone",
        website="Website",
        cells={"Lead Owner": OWNER, "Mobile": "{mobile}", "City": "{city}"},
    ),
    export(
        "Salesforce",
        "Lead.csv of the weekly data export (API names)",
        "en",
        "Id|IsDeleted|MasterRecordId|LastName|FirstName|Salutation|Name|Title|Company|Street|City|"
        "State|PostalCode|Country|Latitude|Longitude|GeocodeAccuracy|Phone|MobilePhone|Fax|Email|"
        "Website|PhotoUrl|Description|LeadSource|Status|Industry|Rating|AnnualRevenue|"
        "NumberOfEmployees|OwnerId|IsConverted|ConvertedDate|ConvertedAccountId|"
        "ConvertedContactId|ConvertedOpportunityId|IsUnreadByOwner|CreatedDate|CreatedById|"
        "LastModifiedDate|LastModifiedById|SystemModstamp|LastActivityDate|LastViewedDate|"
        "LastReferencedDate|Jigsaw|JigsawContactId|EmailBouncedReason|EmailBouncedDate",
        email="Email",
        first_name="FirstName",
        last_name="LastName",
        company_name="Company",
        job_title="Title",
        phone="Phone",
        website="Website",
        cells={"Name": "{full}", "Salutation": "{salutation}", "MobilePhone": "{mobile}"},
    ),
    export(
        "Salesforce",
        "Contact.csv of the weekly data export (API names)",
        "en",
        "Id|IsDeleted|MasterRecordId|AccountId|LastName|FirstName|Salutation|Name|OtherStreet|"
        "OtherCity|OtherState|OtherPostalCode|OtherCountry|MailingStreet|MailingCity|"
        "MailingState|MailingPostalCode|MailingCountry|Phone|Fax|MobilePhone|HomePhone|"
        "OtherPhone|AssistantPhone|ReportsToId|Email|Title|Department|AssistantName|LeadSource|"
        "Birthdate|Description|OwnerId|HasOptedOutOfEmail|HasOptedOutOfFax|DoNotCall|"
        "CreatedDate|CreatedById|LastModifiedDate|LastModifiedById|SystemModstamp|"
        "LastActivityDate|LastCURequestDate|LastCUUpdateDate|EmailBouncedReason|"
        "EmailBouncedDate|Jigsaw|JigsawContactId",
        email="Email",
        first_name="FirstName",
        last_name="LastName",
        job_title="Title",
        phone="Phone",
        cells={"Name": "{full}", "AccountId": "0015g00000{id}AAA", "AssistantName": OWNER},
        note="Contacts carry only the account's id, so there is no company name to map.",
    ),
    export(
        "Salesforce",
        "contacts & accounts report",
        "en",
        "Contact Owner|Salutation|First Name|Last Name|Title|Account Name|Mailing Street|"
        "Mailing City|Mailing State/Province|Mailing Zip/Postal Code|Mailing Country|Phone|Mobile|"
        "Fax|Email|Account Owner|Lead Source|Birthdate|Last Activity|Created Date",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Account Name",
        job_title="Title",
        phone="Phone",
        cells={"Contact Owner": OWNER, "Account Owner": OWNER, "Salutation": "{salutation}"},
    ),
    export(
        "Pipedrive",
        "people export",
        "en",
        "Person - ID|Person - Name|Person - First name|Person - Last name|Person - Label|"
        "Person - Organization|Person - Email - Work|Person - Email - Home|Person - Email - Other|"
        "Person - Phone - Work|Person - Phone - Home|Person - Phone - Mobile|"
        "Person - Phone - Other|Person - Owner|Person - Marketing status|Person - Open deals|"
        "Person - Closed deals|Person - Next activity date|Person - Last activity date|"
        "Person - Person created|Person - Update time",
        email="Person - Email - Work",
        first_name="Person - First name",
        last_name="Person - Last name",
        company_name="Person - Organization",
        phone="Person - Phone - Work",
        checked=True,
        cells={
            "Person - Name": "{full}",
            "Person - Email - Home": "{personal_email}",
            "Person - Phone - Mobile": "{mobile}",
            "Person - Owner": OWNER,
        },
    ),
    export(
        "Pipedrive",
        "deals export with person and organization",
        "en",
        "Deal - ID|Deal - Title|Deal - Value|Deal - Currency|Deal - Organization|"
        "Deal - Contact person|Deal - Owner|Deal - Stage|Deal - Status|"
        "Deal - Expected close date|Deal - Deal created|Organization - Name|Person - Name|"
        "Person - Email - Work|Person - Phone - Work",
        email="Person - Email - Work",
        company_name="Organization - Name",
        phone="Person - Phone - Work",
        full_name="Person - Name",
        checked=True,
        cells={
            "Deal - Title": "{company} deal",
            "Deal - Organization": "{company}",
            "Deal - Contact person": "{full}",
            "Deal - Owner": OWNER,
        },
    ),
    export(
        "Zoho CRM",
        "contacts export",
        "en",
        "Record Id|Contact Owner|Lead Source|First Name|Last Name|Account Name|Vendor Name|"
        "Email|Title|Department|Phone|Home Phone|Other Phone|Fax|Mobile|Date of Birth|Assistant|"
        "Asst Phone|Reports To|Email Opt Out|Created By|Modified By|Created Time|Modified Time|"
        "Full Name|Mailing Street|Mailing City|Mailing State|Mailing Zip|Mailing Country|"
        "Description|Skype ID|Secondary Email|Twitter|Last Activity Time|Salutation",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Account Name",
        job_title="Title",
        phone="Phone",
        cells={
            "Contact Owner": OWNER,
            "Full Name": "{full}",
            "Secondary Email": "{personal_email}",
            "Mobile": "{mobile}",
        },
    ),
    export(
        "Zoho CRM",
        "leads export",
        "en",
        "Record Id|Lead Owner|Company|First Name|Last Name|Title|Email|Phone|Fax|Mobile|Website|"
        "Lead Source|Lead Status|Industry|No. of Employees|Annual Revenue|Rating|Email Opt Out|"
        "Skype ID|Created By|Modified By|Created Time|Modified Time|Full Name|Street|City|State|"
        "Zip Code|Country|Description|Secondary Email|Twitter|Salutation|Last Activity Time",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company",
        job_title="Title",
        phone="Phone",
        website="Website",
        cells={"Lead Owner": OWNER, "Full Name": "{full}", "Secondary Email": "{personal_email}"},
    ),
    export(
        "Close",
        "leads export (one row per lead, primary contact)",
        "en",
        "id|display_name|url|status_id|status_label|description|primary_contact_name|"
        "primary_contact_first_name|primary_contact_last_name|primary_contact_title|"
        "primary_contact_primary_phone|primary_contact_primary_phone_type|"
        "primary_contact_other_phones|primary_contact_primary_email|"
        "primary_contact_primary_email_type|primary_contact_other_emails|"
        "primary_contact_primary_url|primary_contact_other_urls",
        email="primary_contact_primary_email",
        first_name="primary_contact_first_name",
        last_name="primary_contact_last_name",
        job_title="primary_contact_title",
        phone="primary_contact_primary_phone",
        website="url",
        checked=True,
        cells={
            "display_name": "{company}",
            "primary_contact_name": "{full}",
            "primary_contact_primary_email_type": "office",
            "primary_contact_primary_phone_type": "office|mobile",
            "primary_contact_primary_url": "{linkedin}",
        },
        note="A Close lead is a company, but its name sits in 'display_name', a header that "
        "names a person elsewhere; it stays a custom variable.",
    ),
    export(
        "Copper",
        "people export",
        "en",
        "Name|Prefix|First Name|Middle Name|Last Name|Suffix|Title|Company|Owned By|Contact Type|"
        "Tags|Work Email|Personal Email|Other Email|Work Phone|Mobile Phone|Home Phone|"
        "Other Phone|Work Website|Personal Website|Street|City|State|Postal Code|Country|"
        "LinkedIn|Twitter|Date Added|Date Modified|Last Contacted",
        email="Work Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company",
        job_title="Title",
        phone="Work Phone",
        website="Work Website",
        cells={"Name": "{full}", "Personal Email": "{personal_email}", "Owned By": OWNER},
    ),
    export(
        "Freshsales",
        "contacts export",
        "en",
        "First name|Last name|Job title|Emails|Work|Mobile|Sales owner|Account name|"
        "Lifecycle stage|Status|Lead source|Address|City|State|Zipcode|Country|Linkedin|"
        "Created at|Updated at|Last contacted",
        email="Emails",
        first_name="First name",
        last_name="Last name",
        company_name="Account name",
        job_title="Job title",
        phone="Mobile",
        cells={"Work": "{phone}", "Sales owner": OWNER},
        note="'Work' holds the work number but says nothing by itself; 'Mobile' is the phone.",
    ),
    export(
        "Insightly",
        "contacts export",
        "en",
        "Record ID|Salutation|First Name|Last Name|Organization|Title|Email Address|"
        "Business Phone|Mobile Phone|Home Phone|Other Phone|Fax|Date of Birth|Background|"
        "Social LinkedIn|Social Twitter|Mailing Address Street|Mailing Address City|"
        "Mailing Address Country|Record Owner|Tags|Date Created",
        email="Email Address",
        first_name="First Name",
        last_name="Last Name",
        company_name="Organization",
        job_title="Title",
        phone="Business Phone",
        cells={"Record Owner": OWNER, "Salutation": "{salutation}", "Mobile Phone": "{mobile}"},
    ),
    export(
        "Keap",
        "contacts export",
        "en",
        "Id|First Name|Last Name|Email|Company|Job Title|Phone 1|Phone 1 Type|Phone 2|"
        "Phone 2 Type|Street Address 1|City|State|Postal Code|Country|Website|Owner|Tags|"
        "Lead Source|Date Created",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company",
        job_title="Job Title",
        phone="Phone 1",
        website="Website",
        cells={"Phone 1 Type": "Work", "Phone 2": "{mobile}", "Phone 2 Type": "Mobile"},
    ),
    # --- sales engagement and data tools ---------------------------------------------------------
    export(
        "Apollo",
        "people export",
        "en",
        "First Name|Last Name|Title|Company|Company Name for Emails|Email|Email Status|"
        "Primary Email Source|Email Confidence|Primary Email Catch-all Status|"
        "Primary Email Last Verified At|Seniority|Departments|Contact Owner|Work Direct Phone|"
        "Home Phone|Mobile Phone|Corporate Phone|Other Phone|Stage|Lists|Last Contacted|"
        "Account Owner|# Employees|Industry|Keywords|Person Linkedin Url|Website|"
        "Company Linkedin Url|Facebook Url|Twitter Url|City|State|Country|Company Address|"
        "Company City|Company State|Company Country|Company Phone|SEO Description|Technologies|"
        "Annual Revenue|Total Funding|Latest Funding|Latest Funding Amount|Last Raised At|"
        "Email Sent|Email Open|Email Bounced|Replied|Demoed|Number of Retail Locations|"
        "Apollo Contact Id|Apollo Account Id|Secondary Email|Secondary Email Source|"
        "Tertiary Email|Tertiary Email Source",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company Name for Emails",
        job_title="Title",
        phone="Work Direct Phone",
        website="Website",
        cells={
            "Company": "{company}",
            "Email Status": STATUS,
            "Contact Owner": OWNER,
            "Account Owner": OWNER,
            "Person Linkedin Url": "{linkedin}",
            "Company Linkedin Url": "{company_linkedin}",
            "Mobile Phone": "{mobile}",
            "Corporate Phone": "{phone}",
            "Secondary Email": "{personal_email}",
        },
    ),
    export(
        "ZoomInfo",
        "contacts export",
        "en",
        "ZoomInfo Contact ID|Last Name|First Name|Middle Name|Salutation|Suffix|Job Title|"
        "Job Title Hierarchy Level|Management Level|Job Start Date|Buying Committee|Job Function|"
        "Department|Company Division Name|Direct Phone Number|Email Address|Email Domain|"
        "Supplemental Email|Mobile phone|Contact Accuracy Score|Contact Accuracy Grade|"
        "ZoomInfo Contact Profile URL|LinkedIn Contact Profile URL|Notice Provided Date|"
        "Person Street|Person City|Person State|Person Zip Code|Country|ZoomInfo Company ID|"
        "Company Name|Website|Founded Year|Company HQ Phone|Fax|Ticker|Revenue (in 000s USD)|"
        "Revenue Range (in USD)|Employees|Employee Range|Primary Industry|Primary Sub-Industry|"
        "LinkedIn Company Profile URL|Facebook Company Profile URL|Twitter Company Profile URL|"
        "Company Street Address|Company City|Company State|Company Zip Code|Company Country",
        email="Email Address",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company Name",
        job_title="Job Title",
        phone="Direct Phone Number",
        website="Website",
        cells={
            "Email Domain": "{host}",
            "Supplemental Email": "{personal_email}",
            "Mobile phone": "{mobile}",
            "LinkedIn Contact Profile URL": "{linkedin}",
        },
    ),
    export(
        "Lusha",
        "contacts export",
        "en",
        "First Name|Last Name|Full Name|Job Title|Seniority|Department|Company Name|"
        "Company Domain|Company Website|Email 1|Email 1 Type|Email 1 Status|Email 2|Email 2 Type|"
        "Email 2 Status|Phone 1|Phone 1 Type|Phone 2|Phone 2 Type|LinkedIn URL|Location|"
        "Company Size|Company Industry|Company LinkedIn URL",
        email="Email 1",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company Name",
        job_title="Job Title",
        phone="Phone 1",
        website="Company Website",
        sampled={"email": "Email 2"},
        cells={
            "Full Name": "{full}",
            "Email 1": "{personal_email}",
            "Email 1 Type": "Personal",
            "Email 2": "{email}",
            "Email 2 Type": "Work",
            "Phone 1 Type": "Mobile|Direct",
            "Company Domain": "{host}",
        },
        note="Lusha lists emails by rank, not kind: here the first is personal and the second "
        "the work address (the type columns say so), which the values show.",
    ),
    export(
        "Seamless.AI",
        "contacts export",
        "en",
        "Full Name|First Name|Last Name|Title|Department|Seniority|Company|Company Domain|"
        "Website|Email 1|Email 1 Validation|Email 1 Total AI|Email 2|Email 2 Validation|"
        "Personal Email|Contact Phone 1|Contact Phone 1 Total AI|Company Phone 1|LI Profile Url|"
        "Company LI Profile Url|Location|Company Industry|Company Staff Count|"
        "Company Annual Revenue",
        email="Email 1",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company",
        job_title="Title",
        phone="Contact Phone 1",
        website="Website",
        cells={
            "Full Name": "{full}",
            "Email 1 Validation": "Valid|Valid|Unknown",
            "Email 2": "{email2}",
            "Personal Email": "{personal_email}",
            "Company Domain": "{host}",
        },
    ),
    export(
        "LinkedIn",
        "Connections.csv of the data archive",
        "en",
        "First Name|Last Name|URL|Email Address|Company|Position|Connected On",
        email="Email Address",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company",
        job_title="Position",
        website="URL",
        sampled={"website": None},
        cells={"URL": "{linkedin}", "Email Address": "{personal_email}|", "Connected On": "{date}"},
        checked=True,
        note="'URL' is the member's LinkedIn profile: a website by its header, not by its values.",
    ),
    export(
        "lemlist",
        "campaign leads export",
        "en",
        "emailStatus|email|firstName|lastName|picture|phone|linkedinUrl|companyName|"
        "companyDomain|icebreaker|lastState|status",
        email="email",
        first_name="firstName",
        last_name="lastName",
        company_name="companyName",
        phone="phone",
        website="companyDomain",
        personalization="icebreaker",
        checked=True,
        cells={"emailStatus": "deliverable|risky", "linkedinUrl": "{linkedin}"},
    ),
    export(
        "Woodpecker",
        "prospects export",
        "en",
        "email|first_name|last_name|company|industry|website|linkedin_url|tags|title|phone|"
        "address|city|state|country|snippet1|snippet2|snippet3|status",
        email="email",
        first_name="first_name",
        last_name="last_name",
        company_name="company",
        job_title="title",
        phone="phone",
        website="website",
        cells={"snippet1": "{line}", "status": "ACTIVE|REPLIED"},
    ),
    export(
        "Smartlead",
        "campaign leads export",
        "en",
        "first_name|last_name|email|phone_number|company_name|website|location|"
        "linkedin_profile|company_url|is_unsubscribed|created_at",
        email="email",
        first_name="first_name",
        last_name="last_name",
        company_name="company_name",
        phone="phone_number",
        website="website",
        cells={"linkedin_profile": "{linkedin}", "company_url": "{website}"},
    ),
    export(
        "Salesloft",
        "people export",
        "en",
        "First Name|Last Name|Title|Account|Email|Secondary Email|Personal Email|Phone|"
        "Mobile Phone|Home Phone|City|State|Country|LinkedIn URL|Twitter Handle|Person Stage|"
        "Owner|Tags|Cadences|Last Contacted|Created At",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Account",
        job_title="Title",
        phone="Phone",
        cells={"Personal Email": "{personal_email}", "Owner": OWNER},
    ),
    export(
        "Outreach",
        "prospects export",
        "en",
        "First Name|Last Name|Title|Account|Emails|Work Phones|Mobile Phones|Home Phones|"
        "Other Phones|Voip Phones|LinkedIn URL|Website URL|Stage|Owner|Tags|Sequence State|"
        "Last Contacted At|Created At",
        email="Emails",
        first_name="First Name",
        last_name="Last Name",
        company_name="Account",
        job_title="Title",
        phone="Work Phones",
        website="Website URL",
        cells={"Owner": OWNER, "Mobile Phones": "{mobile}"},
    ),
    export(
        "Reply.io",
        "people export",
        "en",
        "Email|First Name|Last Name|Company|Title|Phone|LinkedIn|City|State|Country|Time Zone|"
        "Custom Field 1|Status|Sequence|Date Added",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company",
        job_title="Title",
        phone="Phone",
        cells={"LinkedIn": "{linkedin}", "Time Zone": "Europe/London"},
    ),
    # --- email marketing --------------------------------------------------------------------------
    export(
        "Mailchimp",
        "audience export",
        "en",
        "Email Address|First Name|Last Name|Address|Phone Number|Birthday|MEMBER_RATING|"
        "OPTIN_TIME|OPTIN_IP|CONFIRM_TIME|CONFIRM_IP|LATITUDE|LONGITUDE|GMTOFF|DSTOFF|TIMEZONE|"
        "CC|REGION|LAST_CHANGED|LEID|EUID|NOTES|TAGS",
        email="Email Address",
        first_name="First Name",
        last_name="Last Name",
        phone="Phone Number",
        checked=True,
        cells={"Email Address": "{personal_email}", "MEMBER_RATING": "2|3|4"},
    ),
    export(
        "MailerLite",
        "subscribers export",
        "en",
        "Subscriber|Email|Name|Last name|Company|Country|City|Phone|State|ZIP|Subscribed|"
        "Opted in|Groups",
        email="Email",
        first_name="Name",
        last_name="Last name",
        company_name="Company",
        phone="Phone",
        cells={"Name": "{first}", "Subscriber": "{full}"},
        note="MailerLite's 'Name' field is the first name, beside 'Last name'.",
    ),
    export(
        "Brevo",
        "contacts export (default attributes)",
        "en",
        "EMAIL|FIRSTNAME|LASTNAME|SMS|WHATSAPP|LANDLINE_NUMBER|DOUBLE_OPT-IN|OPT_IN|EXT_ID",
        email="EMAIL",
        first_name="FIRSTNAME",
        last_name="LASTNAME",
        phone="LANDLINE_NUMBER",
        checked=True,
        cells={"SMS": "{mobile}", "WHATSAPP": "{mobile}", "DOUBLE_OPT-IN": "Yes|No"},
        note="'SMS' holds a mobile number for text messages; the landline is the phone.",
    ),
    export(
        "Brevo",
        "contacts export (French account attributes)",
        "fr",
        "EMAIL|NOM|PRENOM|SMS|DOUBLE_OPT-IN|OPT_IN",
        email="EMAIL",
        first_name="PRENOM",
        last_name="NOM",
        cells={"SMS": "{mobile}"},
    ),
    export(
        "Klaviyo",
        "list profiles export",
        "en",
        "Email|First Name|Last Name|Phone Number|Organization|Title|Address|Address 2|City|"
        "State / Region|Country|Zip Code|Source|Email Marketing Consent|SMS Marketing Consent|"
        "Created|Last Active",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Organization",
        job_title="Title",
        phone="Phone Number",
    ),
    # --- address books ----------------------------------------------------------------------------
    export(
        "Google Contacts",
        "Google CSV",
        "en",
        "First Name|Middle Name|Last Name|Phonetic First Name|Phonetic Middle Name|"
        "Phonetic Last Name|Name Prefix|Name Suffix|Nickname|File As|Organization Name|"
        "Organization Title|Organization Department|Birthday|Notes|Photo|Labels|"
        "E-mail 1 - Label|E-mail 1 - Value|E-mail 2 - Label|E-mail 2 - Value|Phone 1 - Label|"
        "Phone 1 - Value|Phone 2 - Label|Phone 2 - Value|Address 1 - Label|"
        "Address 1 - Formatted|Address 1 - Street|Address 1 - City|Address 1 - PO Box|"
        "Address 1 - Region|Address 1 - Postal Code|Address 1 - Country|"
        "Address 1 - Extended Address|Website 1 - Label|Website 1 - Value",
        email="E-mail 1 - Value",
        first_name="First Name",
        last_name="Last Name",
        company_name="Organization Name",
        job_title="Organization Title",
        phone="Phone 1 - Value",
        website="Website 1 - Value",
        sampled={"email": "E-mail 2 - Value"},
        cells={
            "E-mail 1 - Label": "* Home",
            "E-mail 1 - Value": "{personal_email}",
            "E-mail 2 - Label": "Work",
            "E-mail 2 - Value": "{email}",
            "Phone 1 - Label": "Mobile",
            "Phone 1 - Value": "{mobile}",
            "Website 1 - Label": "Work",
            "Labels": "* myContacts",
        },
        checked=True,
        note="The first address is the one the owner added first, here the personal one; the "
        "values at the company's domain make the second the work email.",
    ),
    export(
        "Google Contacts",
        "Google CSV (format before 2021)",
        "en",
        "Name|Given Name|Additional Name|Family Name|Yomi Name|Given Name Yomi|"
        "Additional Name Yomi|Family Name Yomi|Name Prefix|Name Suffix|Initials|Nickname|"
        "Short Name|Maiden Name|Birthday|Gender|Location|Billing Information|Directory Server|"
        "Mileage|Occupation|Hobby|Sensitivity|Priority|Subject|Notes|Language|Photo|"
        "Group Membership|E-mail 1 - Type|E-mail 1 - Value|E-mail 2 - Type|E-mail 2 - Value|"
        "Phone 1 - Type|Phone 1 - Value|Phone 2 - Type|Phone 2 - Value|Address 1 - Type|"
        "Address 1 - Formatted|Address 1 - Street|Address 1 - City|Address 1 - PO Box|"
        "Address 1 - Region|Address 1 - Postal Code|Address 1 - Country|"
        "Address 1 - Extended Address|Organization 1 - Type|Organization 1 - Name|"
        "Organization 1 - Yomi Name|Organization 1 - Title|Organization 1 - Department|"
        "Organization 1 - Symbol|Organization 1 - Location|Organization 1 - Job Description|"
        "Website 1 - Type|Website 1 - Value",
        email="E-mail 1 - Value",
        first_name="Given Name",
        last_name="Family Name",
        company_name="Organization 1 - Name",
        job_title="Organization 1 - Title",
        phone="Phone 1 - Value",
        website="Website 1 - Value",
        checked=True,
        cells={
            "Name": "{full}",
            "E-mail 1 - Type": "* Work",
            "E-mail 2 - Type": "Home",
            "E-mail 2 - Value": "{personal_email}",
            "Phone 1 - Type": "Work",
            "Organization 1 - Type": "Work",
        },
    ),
    export(
        "Microsoft Outlook",
        "contacts CSV",
        "en",
        "Title|First Name|Middle Name|Last Name|Suffix|Company|Department|Job Title|"
        "Business Street|Business Street 2|Business Street 3|Business City|Business State|"
        "Business Postal Code|Business Country/Region|Home Street|Home Street 2|Home Street 3|"
        "Home City|Home State|Home Postal Code|Home Country/Region|Other Street|Other Street 2|"
        "Other Street 3|Other City|Other State|Other Postal Code|Other Country/Region|"
        "Assistant's Phone|Business Fax|Business Phone|Business Phone 2|Callback|Car Phone|"
        "Company Main Phone|Home Fax|Home Phone|Home Phone 2|ISDN|Mobile Phone|Other Fax|"
        "Other Phone|Pager|Primary Phone|Radio Phone|TTY/TDD Phone|Telex|Account|Anniversary|"
        "Assistant's Name|Billing Information|Birthday|Business Address PO Box|Categories|"
        "Children|Directory Server|E-mail Address|E-mail Type|E-mail Display Name|"
        "E-mail 2 Address|E-mail 2 Type|E-mail 2 Display Name|E-mail 3 Address|E-mail 3 Type|"
        "E-mail 3 Display Name|Gender|Government ID Number|Hobby|Home Address PO Box|Initials|"
        "Internet Free Busy|Keywords|Language|Location|Manager's Name|Mileage|Notes|"
        "Office Location|Organizational ID Number|Other Address PO Box|Priority|Private|"
        "Profession|Referred By|Sensitivity|Spouse|User 1|User 2|User 3|User 4|Web Page",
        email="E-mail Address",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company",
        job_title="Job Title",
        phone="Business Phone",
        website="Web Page",
        checked=True,
        cells={
            "Title": "{salutation}",
            "E-mail Type": "SMTP",
            "E-mail Display Name": "{full} ({email})",
            "Mobile Phone": "{mobile}",
            "Primary Phone": "{mobile}",
        },
        note="Outlook's 'Title' is the courtesy title; 'Job Title' is the job.",
    ),
    export(
        "Mozilla Thunderbird",
        "address book CSV",
        "en",
        "First Name|Last Name|Display Name|Nickname|Primary Email|Secondary Email|Screen Name|"
        "Work Phone|Home Phone|Fax Number|Pager Number|Mobile Number|Home Address|"
        "Home Address 2|Home City|Home State|Home ZipCode|Home Country|Work Address|"
        "Work Address 2|Work City|Work State|Work ZipCode|Work Country|Job Title|Department|"
        "Organization|Web Page 1|Web Page 2|Birth Year|Birth Month|Birth Day|Custom 1|Custom 2|"
        "Custom 3|Custom 4|Notes",
        email="Primary Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Organization",
        job_title="Job Title",
        phone="Work Phone",
        website="Web Page 1",
        checked=True,
        cells={"Display Name": "{full}", "Secondary Email": "{personal_email}"},
    ),
    export(
        "Yahoo Mail",
        "contacts CSV",
        "en",
        "First|Middle|Last|Nickname|Email|Category|Distribution Lists|Messenger ID|Home|Work|"
        "Pager|Fax|Mobile|Other|Yahoo Phone|Primary|Alternate Email 1|Alternate Email 2|"
        "Personal Website|Business Website|Title|Company|Work Address|Work City|Work State|"
        "Work ZIP|Work Country|Home Address|Home City|Home State|Home ZIP|Home Country|Birthday|"
        "Anniversary|Custom 1|Custom 2|Custom 3|Custom 4|Comments",
        email="Email",
        first_name="First",
        last_name="Last",
        company_name="Company",
        job_title="Title",
        phone="Mobile",
        website="Business Website",
        cells={"Work": "{phone}", "Home": "{home_phone}", "Mobile": "{mobile}"},
        note="Yahoo's phone columns are bare 'Home', 'Work', 'Mobile'; only 'Mobile' says phone.",
    ),
    # --- shops, events, forms, workspaces ---------------------------------------------------
    export(
        "Shopify",
        "customers export",
        "en",
        "Customer ID|First Name|Last Name|Email|Accepts Email Marketing|Default Address Company|"
        "Default Address Address1|Default Address Address2|Default Address City|"
        "Default Address Province Code|Default Address Country Code|Default Address Zip|"
        "Default Address Phone|Phone|Accepts SMS Marketing|Total Spent|Total Orders|Note|"
        "Tax Exempt|Tags",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Default Address Company",
        phone="Phone",
        cells={"Email": "{personal_email}", "Accepts Email Marketing": "yes|no"},
    ),
    export(
        "Shopify",
        "customers export (format before 2023)",
        "en",
        "First Name|Last Name|Email|Company|Address1|Address2|City|Province|Province Code|"
        "Country|Country Code|Zip|Phone|Accepts Marketing|Total Spent|Total Orders|Tags|Note|"
        "Tax Exempt",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company",
        phone="Phone",
        cells={"Email": "{personal_email}"},
    ),
    export(
        "Eventbrite",
        "attendee summary report",
        "en",
        "Order #|Order Date|First Name|Last Name|Email|Quantity|Price Tier|Ticket Type|"
        "Attendee #|Group|Order Type|Currency|Total Paid|Fees Paid|Eventbrite Fees|"
        "Eventbrite Payment Processing|Attendee Status|Home Address 1|Home Address 2|Home City|"
        "Home State|Home Zip|Home Country|Cell Phone|Job Title|Company|Work Phone|Website",
        email="Email",
        first_name="First Name",
        last_name="Last Name",
        company_name="Company",
        job_title="Job Title",
        phone="Work Phone",
        website="Website",
        checked=True,
        cells={"Cell Phone": "{mobile}", "Attendee Status": "Attending|Checked In"},
    ),
    export(
        "Luma",
        "event guests export",
        "en",
        "api_id|name|first_name|last_name|email|phone_number|created_at|approval_status|"
        "checked_in_at|custom_source|qr_code_url|amount|amount_tax|amount_discount|currency|"
        "coupon_code|eth_address|solana_address|survey_response_rating|"
        "survey_response_feedback|ticket_type_id|ticket_name",
        email="email",
        first_name="first_name",
        last_name="last_name",
        phone="phone_number",
        checked=True,
        cells={"name": "{full}", "email": "{personal_email}", "approval_status": "approved"},
    ),
    export(
        "Typeform",
        "responses export (contact-info block)",
        "en",
        "#|First name|Last name|Phone number|Email|Company|What's your role?|Response Type|"
        "Start Date (UTC)|Stage Date (UTC)|Submit Date (UTC)|Network ID|Tags",
        email="Email",
        first_name="First name",
        last_name="Last name",
        company_name="Company",
        job_title="What's your role?",
        phone="Phone number",
    ),
    export(
        "Google Forms",
        "responses sheet with collected email addresses",
        "en",
        "Timestamp|Email Address|Full name|Company|Job title|Which sessions will you attend?",
        email="Email Address",
        company_name="Company",
        job_title="Job title",
        full_name="Full name",
    ),
    export(
        "Airtable",
        "Sales CRM base, Contacts table CSV",
        "en",
        "Name|Title|Account|Email|Phone|Opportunities|Interactions|Notes",
        email="Email",
        company_name="Account",
        job_title="Title",
        phone="Phone",
        full_name="Name",
    ),
    export(
        "Notion",
        "CRM database export",
        "en",
        "Name|Company|Email|Phone|Status|Tags|Last contacted|Created time",
        email="Email",
        company_name="Company",
        phone="Phone",
        full_name="Name",
        cells={"Status": "Lead|Contacted|Qualified"},
    ),
    # --- the other six of the seven languages ----------------------------------------------
    export(
        "Microsoft Outlook",
        "contacts CSV, German UI (address and user blocks shortened)",
        "de",
        "Anrede|Vorname|Weitere Vornamen|Nachname|Suffix|Firma|Abteilung|Position|"
        "Straße geschäftlich|Ort geschäftlich|Region geschäftlich|Postleitzahl geschäftlich|"
        "Land/Region geschäftlich|Straße privat|Ort privat|Postleitzahl privat|"
        "Telefon Assistent|Fax geschäftlich|Telefon geschäftlich|Telefon geschäftlich 2|"
        "Rückmeldung|Autotelefon|Telefon Firma|Fax privat|Telefon privat|Mobiltelefon|"
        "Weiteres Telefon|Pager|Haupttelefon|Beruf|Büro|E-Mail-Adresse|E-Mail-Typ|"
        "E-Mail: Angezeigter Name|E-Mail 2: Adresse|E-Mail 2: Typ|E-Mail 2: Angezeigter Name|"
        "Geburtstag|Kategorien|Konto|Name Assistent|Name des/der Vorgesetzten|Notizen|Webseite",
        email="E-Mail-Adresse",
        first_name="Vorname",
        last_name="Nachname",
        company_name="Firma",
        job_title="Position",
        phone="Telefon geschäftlich",
        website="Webseite",
        cells={"Anrede": "Herr|Frau", "E-Mail-Typ": "SMTP", "Mobiltelefon": "{mobile}"},
    ),
    export(
        "HubSpot",
        "contacts export, German UI",
        "de",
        "Datensatz-ID|Vorname|Nachname|E-Mail|Telefonnummer|Kontaktinhaber|Lead-Status|"
        "Lebenszyklusphase|Erstellungsdatum|Unternehmensname|Berufsbezeichnung|Website-URL|"
        "Zugeordnetes Unternehmen",
        email="E-Mail",
        first_name="Vorname",
        last_name="Nachname",
        company_name="Unternehmensname",
        job_title="Berufsbezeichnung",
        phone="Telefonnummer",
        website="Website-URL",
        cells={"Kontaktinhaber": OWNER, "Zugeordnetes Unternehmen": "{company}"},
    ),
    export(
        "Microsoft Outlook",
        "contacts CSV, French UI (address and user blocks shortened)",
        "fr",
        "Titre|Prénom|Deuxième prénom|Nom|Suffixe|Surnom|Société |Service |Titre|Rue (bureau)|"
        "Ville (bureau)|Code postal (bureau)|Pays (bureau)|Téléphone de l'assistant(e)|"
        "Télécopie (bureau)|Téléphone (bureau)|Téléphone 2 (bureau)|Rappel|Téléphone (voiture)|"
        "Téléphone société|Télécopie (domicile)|Téléphone (domicile)|Tél. mobile|"
        "Téléphone (autre)|Téléphone principal|Adresse de messagerie|Type de messagerie|"
        "Nom complet de l'adresse de messagerie|Adresse de messagerie 2|Type de messagerie 2|"
        "Anniversaire|Catégories|Compte|Nom de l'assistant(e)|Notes|Page Web|Profession|"
        "Responsable",
        email="Adresse de messagerie",
        first_name="Prénom",
        last_name="Nom",
        company_name="Société ",
        job_title="Profession",
        phone="Téléphone (bureau)",
        website="Page Web",
        checked=True,
        cells={"Titre": "M.|Mme", "Tél. mobile": "{mobile}", "Type de messagerie": "SMTP"},
        note="French Outlook writes 'Titre' twice (courtesy title, then job title); a repeated "
        "header is read once, so the job comes from 'Profession'.",
    ),
    export(
        "Dropcontact",
        "enriched file, French UI",
        "fr",
        "Civilité|Prénom|Nom|Nom complet|Email|Qualification de l'email|Téléphone|"
        "Téléphone mobile|Société|Site web|LinkedIn|SIREN|SIRET|Adresse du SIRET|Code postal|"
        "Ville|TVA|Nombre d'employés|Code NAF|Libellé NAF|Poste",
        email="Email",
        first_name="Prénom",
        last_name="Nom",
        company_name="Société",
        job_title="Poste",
        phone="Téléphone",
        website="Site web",
        cells={
            "Nom complet": "{full}",
            "Qualification de l'email": "nominative@pro|nominative@pro|catch_all@pro",
            "Téléphone mobile": "{mobile}",
            "Civilité": "M.|Mme",
        },
    ),
    export(
        "Microsoft Outlook",
        "contacts CSV, Spanish UI (address and user blocks shortened)",
        "es",
        "Tratamiento|Nombre|Segundo nombre|Apellidos|Sufijo|Organización|Departamento|Puesto|"
        "Calle del trabajo|Ciudad de trabajo|Código postal del trabajo|"
        "País o región del trabajo|Teléfono del trabajo|Teléfono del trabajo 2|Móvil|"
        "Teléfono particular|Dirección de correo electrónico|Tipo de correo electrónico|"
        "Nombre para mostrar del correo electrónico|Dirección de correo electrónico 2|"
        "Página web|Notas",
        email="Dirección de correo electrónico",
        first_name="Nombre",
        last_name="Apellidos",
        company_name="Organización",
        job_title="Puesto",
        phone="Teléfono del trabajo",
        website="Página web",
        cells={"Móvil": "{mobile}", "Tratamiento": "Sr.|Sra."},
    ),
    export(
        "RD Station",
        "leads export",
        "pt",
        "Email|Nome|Empresa|Cargo|Telefone|Celular|Cidade|Estado|País|Website|Twitter|Facebook|"
        "LinkedIn|Estágio no funil|Origem da primeira conversão|Data da primeira conversão|"
        "Tags|Dono do Lead",
        email="Email",
        company_name="Empresa",
        job_title="Cargo",
        phone="Telefone",
        website="Website",
        first_name="Nome",
        sampled={"first_name": None, "full_name": "Nome"},
        cells={"Nome": "{full}", "Celular": "{mobile}", "Dono do Lead": OWNER},
        note="RD Station's 'Nome' is the whole name: a Portuguese first name by its header, a full "
        "name by its values.",
    ),
    export(
        "Teamleader Focus",
        "contacts export",
        "nl",
        "Voornaam|Achternaam|Aanspreking|E-mail|Telefoon|GSM|Bedrijf|Functie|Straat|Postcode|"
        "Gemeente|Land|Website|Taal|Tags|Toegevoegd op",
        email="E-mail",
        first_name="Voornaam",
        last_name="Achternaam",
        company_name="Bedrijf",
        job_title="Functie",
        phone="Telefoon",
        website="Website",
        cells={"GSM": "{mobile}", "Aanspreking": "Dhr.|Mevr."},
    ),
    export(
        "Microsoft Outlook",
        "contacts CSV, Italian UI (address and user blocks shortened)",
        "it",
        "Titolo|Nome|Secondo nome|Cognome|Titolo accademico|Società|Reparto|Posizione|"
        "Via (uff.)|Città (uff.)|CAP (uff.)|Paese (uff.)|Ufficio|Telefono (uff.)|"
        "Telefono (uff. 2)|Cellulare|Abitazione|Indirizzo posta elettronica|"
        "Tipo posta elettronica|Nome visualizzato posta elettronica|Pagina Web|Note",
        email="Indirizzo posta elettronica",
        first_name="Nome",
        last_name="Cognome",
        company_name="Società",
        job_title="Posizione",
        phone="Telefono (uff.)",
        website="Pagina Web",
        cells={"Titolo": "Sig.|Sig.ra", "Cellulare": "{mobile}"},
    ),
    # --- languages outside the seven: headers in ten more, email found by its values too ----------
    export(
        "Microsoft Outlook",
        "contacts CSV, Polish UI",
        "pl",
        "Tytuł|Imię|Drugie imię|Nazwisko|Sufiks|Firma|Dział|Stanowisko|Adres służbowy - ulica|"
        "Adres służbowy - ulica 2|Adres służbowy - ulica 3|Adres służbowy - miejscowość|"
        "Adres służbowy - województwo|Adres służbowy - kod pocztowy|Adres służbowy - kraj|"
        "Adres domowy - ulica|Adres domowy - ulica (2)|Adres domowy - ulica (3)|"
        "Adres domowy - miejscowość|Adres domowy - województwo|Adres domowy - kod pocztowy|"
        "Adres domowy - kraj|Inny adres - ulica|Inny adres - ulica 2|Inny adres - ulica 3|"
        "Inny adres - miejscowość|Inny adres - województwo|Inny adres - kod pocztowy|"
        "Inny adres - kraj|Telefon asystenta|Faks służbowy|Telefon służbowy|"
        "Telefon służbowy 2|Wywołanie zwrotne|Telefon w samochodzie|Główny telefon do firmy|"
        "Faks domowy|Telefon domowy|Telefon domowy 2|ISDN|Telefon komórkowy|Inny faks|"
        "Inny telefon|Pager|Telefon podstawowy|Radiotelefon|Telefon TTY/TDD|Teleks|Adres e-mail|"
        "Typ e-mail|Wyświetlana nazwa e-mail|Adres e-mail 2|Rodzaj e-mail 2|"
        "Wyświetlana nazwa e-mail 2|Adres e-mail 3|Rodzaj e-mail 3|Wyświetlana nazwa e-mail 3|"
        "Charakter|Domowa skrzynka pocztowa|Dzieci|Hobby|Imię i nazwisko asystenta|"
        "Informacje rozliczeniowe|Inicjały|Inna skrzynka pocztowa|"
        "Internetowe informacje wolny/zajęty|Język|Kategorie|Konto|Lokalizacja|"
        "Lokalizacja biura|Menedżer|Notatki|Numer ewidencyjny w organizacji|Osoba polecająca|"
        "PESEL|Płeć|Priorytet|Prywatne|Przebieg|Rocznica|Serwer adresowy|Słowa kluczowe|"
        "Służbowa skrzynka pocztowa|Strona sieci Web|Urodziny|Użytkownik 1|Użytkownik 2|"
        "Użytkownik 3|Użytkownik 4|Współmałżonek|Zawód",
        email="Adres e-mail",
        first_name="Imię",
        last_name="Nazwisko",
        company_name="Firma",
        job_title="Stanowisko",
        phone="Telefon służbowy",
        website="Strona sieci Web",
        checked=True,
        cells={
            "Typ e-mail": "SMTP",
            "Wyświetlana nazwa e-mail": "{full} ({email})",
            "Telefon komórkowy": "{mobile}",
        },
    ),
    export(
        "Microsoft Outlook",
        "contacts CSV, Swedish UI (address and user blocks shortened)",
        "sv",
        "Titel|Förnamn|Mellannamn|Efternamn|Suffix|Företag|Avdelning|Befattning|"
        "Postort (arbete)|Land/region (arbete)|Telefon (arbete)|Mobiltelefon|Telefon (hem)|"
        "E-postadress|E-posttyp|E-post: visningsnamn|E-postadress 2|Webbsida|Anteckningar",
        email="E-postadress",
        first_name="Förnamn",
        last_name="Efternamn",
        company_name="Företag",
        job_title="Befattning",
        phone="Telefon (arbete)",
        website="Webbsida",
        cells={"Mobiltelefon": "{mobile}", "E-posttyp": "SMTP"},
    ),
    export(
        "Microsoft Outlook",
        "contacts CSV, Danish UI (address and user blocks shortened)",
        "da",
        "Titel|Fornavn|Mellemnavn|Efternavn|Suffiks|Firma|Afdeling|Stilling|By (arbejde)|"
        "Land/område (arbejde)|Telefon (arbejde)|Mobiltelefon|Telefon (privat)|Mailadresse|"
        "Mailtype|Vist navn for mail|Mailadresse 2|Webside|Noter",
        email="Mailadresse",
        first_name="Fornavn",
        last_name="Efternavn",
        company_name="Firma",
        job_title="Stilling",
        phone="Telefon (arbejde)",
        website="Webside",
        cells={"Mobiltelefon": "{mobile}", "Mailtype": "SMTP"},
    ),
    export(
        "Microsoft Outlook",
        "contacts CSV, Norwegian UI (address and user blocks shortened)",
        "no",
        "Tittel|Fornavn|Mellomnavn|Etternavn|Suffiks|Firma|Avdeling|Stilling|"
        "Poststed (arbeid)|Land/område (arbeid)|Telefon (arbeid)|Mobiltelefon|"
        "Telefon (privat)|E-postadresse|E-posttype|Visningsnavn for e-post|E-postadresse 2|"
        "Webside|Notater",
        email="E-postadresse",
        first_name="Fornavn",
        last_name="Etternavn",
        company_name="Firma",
        job_title="Stilling",
        phone="Telefon (arbeid)",
        website="Webside",
        cells={"Mobiltelefon": "{mobile}", "Tittel": "Herr|Fru"},
    ),
    export(
        "Microsoft Outlook",
        "contacts CSV, Finnish UI (address and user blocks shortened)",
        "fi",
        "Puhuttelu|Etunimi|Toinen nimi|Sukunimi|Jälkiliite|Yritys|Osasto|Tehtävänimike|"
        "Kaupunki (työ)|Maa (työ)|Puhelin (työ)|Matkapuhelin|Puhelin (koti)|Sähköpostiosoite|"
        "Sähköpostin tyyppi|Sähköpostin näyttönimi|Sähköpostiosoite 2|Web-sivu|Muistiinpanot",
        email="Sähköpostiosoite",
        first_name="Etunimi",
        last_name="Sukunimi",
        company_name="Yritys",
        job_title="Tehtävänimike",
        phone="Puhelin (työ)",
        website="Web-sivu",
        cells={"Matkapuhelin": "{mobile}"},
    ),
    export(
        "Microsoft Outlook",
        "contacts CSV, Czech UI (address and user blocks shortened)",
        "cs",
        "Oslovení|Jméno|Druhé jméno|Příjmení|Přípona|Společnost|Oddělení|Funkce|"
        "Město (zaměstnání)|Země (zaměstnání)|Telefon do zaměstnání|Mobilní telefon|"
        "Telefon domů|E-mailová adresa|Typ e-mailu|Zobrazované jméno e-mailu|"
        "E-mailová adresa 2|Webová stránka|Poznámky",
        email="E-mailová adresa",
        first_name="Jméno",
        last_name="Příjmení",
        company_name="Společnost",
        job_title="Funkce",
        phone="Telefon do zaměstnání",
        website="Webová stránka",
        cells={"Mobilní telefon": "{mobile}"},
    ),
    export(
        "Microsoft Outlook",
        "contacts CSV, Turkish UI (address and user blocks shortened)",
        "tr",
        "Hitap|Ad|İkinci Ad|Soyadı|Sonek|Şirket|Bölüm|İş Unvanı|İş Şehri|İş Ülkesi/Bölgesi|"
        "İş Telefonu|Cep Telefonu|Ev Telefonu|E-posta Adresi|E-posta Türü|"
        "E-posta Görünen Adı|E-posta 2 Adresi|Web Sayfası|Notlar",
        email="E-posta Adresi",
        first_name="Ad",
        last_name="Soyadı",
        company_name="Şirket",
        job_title="İş Unvanı",
        phone="İş Telefonu",
        website="Web Sayfası",
        cells={"Cep Telefonu": "{mobile}", "Hitap": "Bay|Bayan"},
    ),
    export(
        "Microsoft Outlook",
        "contacts CSV, Chinese (Simplified) UI",
        "zh",
        "英文称谓|名|中间名|姓|中文称谓|单位|部门|职务|"
        "商务地址 街道|商务地址 街道 2|商务地址 街道 3|"
        "商务地址 市/县|商务地址 省/市/自治区|"
        "商务地址 邮政编码|商务地址 国家/地区|住宅地址 街道|"
        "住宅地址 街道 2|住宅地址 街道 3|住宅地址 市/县|"
        "住宅地址 省/市/自治区|住宅地址 邮政编码|"
        "住宅地址 国家/地区|其他地址 街道|其他地址 街道 2|"
        "其他地址 街道 3|其他地址 市/县|"
        "其他地址 省/市/自治区|其他地址 邮政编码|"
        "其他地址 国家/地区|助理的电话|商务传真|商务电话|"
        "商务电话 2|回电话|车载电话|单位主要电话|住宅传真|"
        "住宅电话|住宅电话 2|ISDN|移动电话|其他传真|"
        "其他电话|寻呼机|主要电话|无绳电话|TTY/TDD 电话|"
        "电报|Internet 忙闲|办公地点|地点|电子邮件地址|"
        "电子邮件类型|电子邮件显示名称|电子邮件 2 地址|"
        "电子邮件 2 类型|电子邮件 2 显示名|"
        "电子邮件 3 地址|电子邮件 3 类型|"
        "电子邮件 3 显示名|附注|工作证号码|关键词|记帐信息|"
        "纪念日|经理姓名|类别|里程|敏感度|目录服务器|配偶|"
        "其他地址 - 邮箱|商务地址 - 邮箱|身份证编号|生日|"
        "私有|缩写|网页|性别|业余爱好|引用者|用户 1|"
        "用户 2|用户 3|用户 4|优先级|语言|帐户|职业|"
        "住宅地址 - 邮箱|助理的姓名|子女",
        email="电子邮件地址",
        first_name="名",
        last_name="姓",
        company_name="单位",
        job_title="职务",
        phone="商务电话",
        website="网页",
        checked=True,
        cells={"移动电话": "{mobile}", "电子邮件类型": "SMTP", "中文称谓": "{salutation}"},
    ),
    export(
        "Eight",
        "business-card export",
        "ja",
        "会社名|部署名|役職|姓|名|e-mail|郵便番号|住所|TEL会社|TEL部門|TEL直通|Fax|携帯電話|URL|"
        "名刺交換日",
        email="e-mail",
        first_name="名",
        last_name="姓",
        company_name="会社名",
        job_title="役職",
        phone="TEL直通",
        website="URL",
        checked=True,
        cells={"携帯電話": "{mobile}", "TEL会社": "{phone}", "部署名": "営業部|開発部"},
    ),
    export(
        "HubSpot",
        "contacts export, Japanese UI",
        "ja",
        "レコードID|名|姓|Eメール|電話番号|コンタクト担当者|ライフサイクルステージ|リードステータス|"
        "作成日|会社名|役職|ウェブサイトURL",
        email="Eメール",
        first_name="名",
        last_name="姓",
        company_name="会社名",
        job_title="役職",
        phone="電話番号",
        website="ウェブサイトURL",
        cells={"コンタクト担当者": OWNER},
    ),
    export(
        "Bitrix24",
        "contacts export",
        "ru",
        "ID|Обращение|Имя|Отчество|Фамилия|Дата рождения|Должность|Компания|Рабочий телефон|"
        "Мобильный телефон|Рабочий e-mail|Частный e-mail|Корпоративный сайт|Ответственный|"
        "Источник|Тип контакта|Комментарий|Дата создания",
        email="Рабочий e-mail",
        first_name="Имя",
        last_name="Фамилия",
        company_name="Компания",
        job_title="Должность",
        phone="Рабочий телефон",
        website="Корпоративный сайт",
        cells={
            "Мобильный телефон": "{mobile}",
            "Частный e-mail": "{personal_email}",
            "Ответственный": OWNER,
            "Тип контакта": "Клиенты|Партнёры",
        },
    ),
    export(
        "amoCRM",
        "contacts export",
        "ru",
        "ID|Полное имя контакта|Имя|Фамилия|Компания|Должность (контакт)|Рабочий телефон|"
        "Мобильный телефон|Рабочий email|Личный email|Ответственный|Дата создания|Теги",
        email="Рабочий email",
        first_name="Имя",
        last_name="Фамилия",
        company_name="Компания",
        job_title="Должность (контакт)",
        phone="Рабочий телефон",
        cells={
            "Полное имя контакта": "{full}",
            "Личный email": "{personal_email}",
            "Ответственный": OWNER,
        },
    ),
)
