"""Invented people at invented companies, and sample rows built from them.

Every person, company and address here is made up; company domains are subdomains of the
reserved ``example.com/org/net`` (RFC 2606); personal addresses use free-mail domains so that
the detector's free-mail rules have something to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exports.headers import ExportSet


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    login: str  # the ASCII local part of their addresses
    company: str
    host: str
    title: str
    city: str
    country: str
    salutation: str

    def values(self, row: int) -> dict[str, str]:
        n = row + 1
        freemail = ("gmail.com", "yahoo.com", "outlook.com", "gmx.de", "hotmail.fr", "icloud.com")
        return {
            "first": self.first,
            "last": self.last,
            "full": f"{self.first} {self.last}",
            "full_reversed": f"{self.last} {self.first}",
            "email": f"{self.login}@{self.host}",
            "email2": f"{self.login.split('.')[0]}@{self.host}",
            "old_email": f"{self.login}@old-{self.host}",
            "personal_email": f"{self.login}{n}@{freemail[row % len(freemail)]}",
            "company": self.company,
            "host": self.host,
            "website": f"https://www.{self.host}",
            "title": self.title,
            "phone": f"+44 20 7946 01{n:02d}",
            "mobile": f"+44 7700 900{n:03d}",
            "home_phone": f"+44 161 496 00{n:02d}",
            "linkedin": f"https://www.linkedin.com/in/{self.login.replace('.', '-')}",
            "company_linkedin": f"https://www.linkedin.com/company/{self.host.split('.')[0]}",
            "city": self.city,
            "country": self.country,
            "salutation": self.salutation,
            "rep": ("Sam Rivera", "Anna Kowalska", "Peter Lindqvist")[row % 3],
            "rep_email": ("sam", "anna", "peter")[row % 3] + "@seller.example.com",
            "date": f"2024-0{1 + row % 9}-1{row % 10}",
            "id": f"{70310 + 7 * n}",
            "line": f"Saw that {self.company} opened an office in {self.city}",
        }


LATIN = (
    Person(
        "Maren",
        "Holt",
        "maren.holt",
        "Kestrel Analytics",
        "kestrel-analytics.example.com",
        "Head of Growth",
        "Leeds",
        "United Kingdom",
        "Ms.",
    ),
    Person(
        "Tomasz",
        "Wierzbicki",
        "tomasz.wierzbicki",
        "Lindgren & Berg Logistik",
        "lindgren-berg.example.org",
        "Operations Director",
        "Gdańsk",
        "Poland",
        "Mr.",
    ),
    Person(
        "Inês",
        "Carvalho",
        "ines.carvalho",
        "Tidewater Foods",
        "tidewater-foods.example.net",
        "Procurement Manager",
        "Porto",
        "Portugal",
        "Ms.",
    ),
    Person(
        "Jonas",
        "Eriksen",
        "jonas.eriksen",
        "Fjordline Software",
        "fjordline.example.com",
        "CTO",
        "Bergen",
        "Norway",
        "Mr.",
    ),
    Person(
        "Giulia",
        "Moretti",
        "giulia.moretti",
        "Brightwell Studio",
        "brightwell.example.org",
        "Creative Director",
        "Milan",
        "Italy",
        "Ms.",
    ),
    Person(
        "Kofi",
        "Mensah",
        "kofi.mensah",
        "Harbor and Pine Consulting",
        "harborpine.example.net",
        "Managing Partner",
        "Accra",
        "Ghana",
        "Mr.",
    ),
)

JAPANESE = (
    Person(
        "花子",
        "山田",
        "hanako.yamada",
        "楓商事株式会社",
        "kaede-shoji.example.com",
        "営業部長",
        "東京",
        "日本",
        "様",
    ),
    Person(
        "健太",
        "佐藤",
        "kenta.sato",
        "青葉システム株式会社",
        "aoba-sys.example.org",
        "開発マネージャー",
        "大阪",
        "日本",
        "様",
    ),
    Person(
        "美咲",
        "鈴木",
        "misaki.suzuki",
        "港南ロジスティクス",
        "konan-logi.example.net",
        "マーケティング課長",
        "横浜",
        "日本",
        "様",
    ),
    Person(
        "大輔",
        "高橋",
        "daisuke.takahashi",
        "白樺食品株式会社",
        "shirakaba.example.com",
        "代表取締役",
        "札幌",
        "日本",
        "様",
    ),
)

CHINESE = (
    Person(
        "伟",
        "王",
        "wei.wang",
        "青松科技有限公司",
        "qingsong-tech.example.com",
        "销售总监",
        "上海",
        "中国",
        "先生",
    ),
    Person(
        "芳",
        "李",
        "fang.li",
        "海川贸易有限公司",
        "haichuan.example.org",
        "采购经理",
        "深圳",
        "中国",
        "女士",
    ),
    Person(
        "磊",
        "张",
        "lei.zhang",
        "北辰物流",
        "beichen-logistics.example.net",
        "运营主管",
        "北京",
        "中国",
        "先生",
    ),
    Person(
        "静",
        "刘",
        "jing.liu",
        "云杉设计工作室",
        "yunshan-design.example.com",
        "创意总监",
        "杭州",
        "中国",
        "女士",
    ),
)

RUSSIAN = (
    Person(
        "Ирина",
        "Соколова",
        "irina.sokolova",
        "ООО «Северный ветер»",
        "severny-veter.example.com",
        "Коммерческий директор",
        "Москва",
        "Россия",
        "Г-жа",
    ),
    Person(
        "Дмитрий",
        "Волков",
        "dmitry.volkov",
        "АО «Техноспектр»",
        "tekhnospektr.example.org",
        "Руководитель отдела продаж",
        "Казань",
        "Россия",
        "Г-н",
    ),
    Person(
        "Елена",
        "Морозова",
        "elena.morozova",
        "ООО «Байкал Логистик»",
        "baikal-log.example.net",
        "Менеджер по закупкам",
        "Иркутск",
        "Россия",
        "Г-жа",
    ),
    Person(
        "Андрей",
        "Новиков",
        "andrey.novikov",
        "ООО «Кедр»",
        "kedr.example.com",
        "Генеральный директор",
        "Новосибирск",
        "Россия",
        "Г-н",
    ),
)

PEOPLE_BY_LANGUAGE = {"ja": JAPANESE, "zh": CHINESE, "ru": RUSSIAN}

DEFAULT_TEMPLATES = {
    "email": "{email}",
    "first_name": "{first}",
    "last_name": "{last}",
    "company_name": "{company}",
    "job_title": "{title}",
    "phone": "{phone}",
    "website": "{website}",
    "personalization": "{line}",
    "full_name": "{full}",
}


def sample_rows(export: ExportSet, count: int = 0) -> list[dict[str, object]]:
    """Rows for `export`: each mapped column holds its field's kind of value, the columns in
    `export.cells` their template (alternatives separated by "|" go row by row), the others
    nothing. `count` rows (default: one per invented person)."""
    people = PEOPLE_BY_LANGUAGE.get(export.lang, LATIN)
    templates: dict[str, str] = {}
    for field, header in {**export.expect, **export.sampled}.items():
        if header is not None:
            templates[header] = DEFAULT_TEMPLATES[field]
    templates.update(export.cells)
    rows: list[dict[str, object]] = []
    for row in range(count or len(people)):
        values = people[row % len(people)].values(row)
        cells: dict[str, object] = {}
        for header in export.headers:
            template = templates.get(header, "")
            choices = template.split("|")
            cells[header] = choices[row % len(choices)].format(**values)
        rows.append(cells)
    return rows
