"""Synthetic demo data for the ``seed_demo`` command.

Every person built from these tables is invented: names, places and figures are
combined deterministically from common, generic values, and any resemblance to
real persons is purely coincidental.

The names are in ``casework/data/demo_names.csv`` (see ``casework/data/README.md``);
entries are ``(latin, native_script, [alternative latin spellings])``; the
native script is empty where names are normally written in Latin script, and is
the Russian-document Cyrillic form for Central Asia. Alternative spellings are
transliteration variants of the same name (including Russian-document ones).
"""

import csv
from pathlib import Path

# Relative weights of nationalities, after public reporting on foreign nationals
# recruited into Russian forces.
NATIONALITY_WEIGHTS = [
    # Africa
    ("KE", 10),
    ("GH", 4),
    ("NG", 4),
    ("CM", 3),
    ("TG", 2),
    ("SL", 2),
    ("SN", 2),
    ("SO", 2),
    ("ZA", 2),
    ("UG", 2),
    ("ZM", 1),
    ("EG", 3),
    # South Asia
    ("IN", 12),
    ("NP", 14),
    ("LK", 6),
    ("BD", 3),
    # Central Asia
    ("TJ", 8),
    ("UZ", 7),
    ("KG", 5),
    ("KZ", 3),
    ("TM", 2),
    # Middle East and Afghanistan
    ("SY", 4),
    ("IQ", 2),
    ("YE", 3),
    ("JO", 2),
    ("AF", 2),
    # Others
    ("CU", 8),
    ("CN", 3),
]

# Where demo persons come from and the languages they speak, by nationality.
# Packed several entries per line to keep the table short: ruff format must
# leave it as written.
# fmt: off
PLACES = {
    "KE": [
        ("Nairobi", "Nairobi County"), ("Mombasa", "Mombasa County"), ("Kisumu", "Kisumu County"),
        ("Nakuru", "Nakuru County"), ("Eldoret", "Uasin Gishu County"),
        ("Machakos", "Machakos County"), ("Thika", "Kiambu County"),
    ],
    "GH": [
        ("Accra", "Greater Accra Region"), ("Kumasi", "Ashanti Region"),
        ("Tamale", "Northern Region"), ("Takoradi", "Western Region"),
        ("Cape Coast", "Central Region"), ("Ho", "Volta Region"), ("Sunyani", "Bono Region"),
    ],
    "NG": [
        ("Lagos", "Lagos State"), ("Ibadan", "Oyo State"), ("Kano", "Kano State"),
        ("Enugu", "Enugu State"), ("Port Harcourt", "Rivers State"),
        ("Abuja", "Federal Capital Territory"), ("Benin City", "Edo State"),
        ("Owerri", "Imo State"),
    ],
    "CM": [
        ("Yaoundé", "Centre Region"), ("Douala", "Littoral Region"),
        ("Bamenda", "Northwest Region"), ("Bafoussam", "West Region"), ("Garoua", "North Region"),
        ("Buea", "Southwest Region"), ("Maroua", "Far North Region"),
    ],
    "TG": [
        ("Lomé", "Maritime Region"), ("Aného", "Maritime Region"), ("Sokodé", "Centrale Region"),
        ("Kara", "Kara Region"), ("Kpalimé", "Plateaux Region"), ("Atakpamé", "Plateaux Region"),
        ("Dapaong", "Savanes Region"),
    ],
    "SL": [
        ("Freetown", "Western Area"), ("Bo", "Southern Province"), ("Kenema", "Eastern Province"),
        ("Koidu", "Eastern Province"), ("Makeni", "Northern Province"),
        ("Port Loko", "North West Province"),
    ],
    "SN": [
        ("Dakar", "Dakar Region"), ("Thiès", "Thiès Region"),
        ("Saint-Louis", "Saint-Louis Region"), ("Kaolack", "Kaolack Region"),
        ("Ziguinchor", "Ziguinchor Region"), ("Touba", "Diourbel Region"),
    ],
    "SO": [
        ("Mogadishu", "Banaadir"), ("Hargeisa", "Woqooyi Galbeed"), ("Kismayo", "Lower Juba"),
        ("Baidoa", "Bay"), ("Bosaso", "Bari"), ("Beledweyne", "Hiran"), ("Garowe", "Nugal"),
    ],
    "ZA": [
        ("Johannesburg", "Gauteng"), ("Soweto", "Gauteng"), ("Durban", "KwaZulu-Natal"),
        ("Pietermaritzburg", "KwaZulu-Natal"), ("Cape Town", "Western Cape"),
        ("Gqeberha", "Eastern Cape"), ("Polokwane", "Limpopo"),
    ],
    "UG": [
        ("Kampala", "Central Region"), ("Masaka", "Central Region"), ("Gulu", "Northern Region"),
        ("Jinja", "Eastern Region"), ("Mbale", "Eastern Region"), ("Mbarara", "Western Region"),
    ],
    "ZM": [
        ("Lusaka", "Lusaka Province"), ("Ndola", "Copperbelt Province"),
        ("Kitwe", "Copperbelt Province"), ("Kabwe", "Central Province"),
        ("Livingstone", "Southern Province"), ("Chipata", "Eastern Province"),
    ],
    "EG": [
        ("Cairo", "Cairo Governorate"), ("Giza", "Giza Governorate"),
        ("Alexandria", "Alexandria Governorate"), ("Asyut", "Asyut Governorate"),
        ("Mansoura", "Dakahlia Governorate"), ("Tanta", "Gharbia Governorate"),
        ("Luxor", "Luxor Governorate"),
    ],
    "IN": [
        ("Amritsar", "Punjab"), ("Jalandhar", "Punjab"), ("Ambala", "Haryana"),
        ("Hyderabad", "Telangana"), ("Thiruvananthapuram", "Kerala"), ("Ahmedabad", "Gujarat"),
        ("Lucknow", "Uttar Pradesh"), ("Kalaburagi", "Karnataka"),
    ],
    "NP": [
        ("Kathmandu", "Bagmati Province"), ("Pokhara", "Gandaki Province"),
        ("Syangja", "Gandaki Province"), ("Gorkha", "Gandaki Province"),
        ("Butwal", "Lumbini Province"), ("Nepalgunj", "Lumbini Province"),
        ("Rolpa", "Lumbini Province"), ("Dharan", "Koshi Province"),
    ],
    "LK": [
        ("Colombo", "Western Province"), ("Kandy", "Central Province"),
        ("Galle", "Southern Province"), ("Matara", "Southern Province"),
        ("Kurunegala", "North Western Province"), ("Anuradhapura", "North Central Province"),
        ("Jaffna", "Northern Province"),
    ],
    "BD": [
        ("Dhaka", "Dhaka Division"), ("Chattogram", "Chattogram Division"),
        ("Cumilla", "Chattogram Division"), ("Noakhali", "Chattogram Division"),
        ("Sylhet", "Sylhet Division"), ("Khulna", "Khulna Division"),
        ("Rajshahi", "Rajshahi Division"), ("Barishal", "Barishal Division"),
    ],
    "TJ": [
        ("Dushanbe", "Dushanbe"), ("Khujand", "Sughd Region"), ("Istaravshan", "Sughd Region"),
        ("Kulob", "Khatlon Region"), ("Bokhtar", "Khatlon Region"),
        ("Vahdat", "Districts of Republican Subordination"),
        ("Khorugh", "Gorno-Badakhshan Autonomous Region"),
    ],
    "UZ": [
        ("Tashkent", "Tashkent"), ("Samarkand", "Samarkand Region"), ("Andijan", "Andijan Region"),
        ("Namangan", "Namangan Region"), ("Fergana", "Fergana Region"),
        ("Bukhara", "Bukhara Region"), ("Karshi", "Kashkadarya Region"),
    ],
    "KG": [
        ("Bishkek", "Bishkek"), ("Osh", "Osh Region"), ("Jalal-Abad", "Jalal-Abad Region"),
        ("Karakol", "Issyk-Kul Region"), ("Naryn", "Naryn Region"), ("Tokmok", "Chuy Region"),
    ],
    "KZ": [
        ("Almaty", "Almaty"), ("Astana", "Astana"), ("Shymkent", "Shymkent"),
        ("Taraz", "Jambyl Region"), ("Karaganda", "Karaganda Region"), ("Aktobe", "Aktobe Region"),
        ("Kyzylorda", "Kyzylorda Region"),
    ],
    "TM": [
        ("Ashgabat", "Ashgabat"), ("Mary", "Mary Region"), ("Türkmenabat", "Lebap Region"),
        ("Dashoguz", "Dashoguz Region"), ("Balkanabat", "Balkan Region"), ("Tejen", "Ahal Region"),
    ],
    "SY": [
        ("Damascus", "Damascus Governorate"), ("Aleppo", "Aleppo Governorate"),
        ("Homs", "Homs Governorate"), ("Hama", "Hama Governorate"),
        ("Latakia", "Latakia Governorate"), ("Tartus", "Tartus Governorate"),
        ("Deir ez-Zor", "Deir ez-Zor Governorate"),
    ],
    "IQ": [
        ("Baghdad", "Baghdad Governorate"), ("Basra", "Basra Governorate"),
        ("Mosul", "Nineveh Governorate"), ("Najaf", "Najaf Governorate"),
        ("Karbala", "Karbala Governorate"), ("Nasiriyah", "Dhi Qar Governorate"),
        ("Erbil", "Erbil Governorate"),
    ],
    "YE": [
        ("Sana'a", "Amanat al-Asimah"), ("Aden", "Aden Governorate"), ("Taiz", "Taiz Governorate"),
        ("Hodeidah", "Hodeidah Governorate"), ("Ibb", "Ibb Governorate"),
        ("Mukalla", "Hadramaut Governorate"),
    ],
    "JO": [
        ("Amman", "Amman Governorate"), ("Zarqa", "Zarqa Governorate"),
        ("Irbid", "Irbid Governorate"), ("Mafraq", "Mafraq Governorate"),
        ("Karak", "Karak Governorate"), ("Aqaba", "Aqaba Governorate"),
    ],
    "AF": [
        ("Kabul", "Kabul Province"), ("Herat", "Herat Province"),
        ("Mazar-i-Sharif", "Balkh Province"), ("Kandahar", "Kandahar Province"),
        ("Jalalabad", "Nangarhar Province"), ("Kunduz", "Kunduz Province"),
    ],
    "CU": [
        ("Havana", "La Habana"), ("Santiago de Cuba", "Santiago de Cuba"),
        ("Camagüey", "Camagüey"), ("Holguín", "Holguín"), ("Santa Clara", "Villa Clara"),
        ("Matanzas", "Matanzas"), ("Cienfuegos", "Cienfuegos"),
    ],
    "CN": [
        ("Harbin", "Heilongjiang"), ("Changchun", "Jilin"), ("Shenyang", "Liaoning"),
        ("Beijing", "Beijing"), ("Zhengzhou", "Henan"), ("Chengdu", "Sichuan"),
    ],
}
LANGUAGES = {
    "KE": ["sw", "en"],
    "GH": ["en", "ak", "ee"],
    "NG": ["en", "yo", "ig", "ha"],
    "CM": ["fr", "en"],
    "TG": ["fr", "ee"],
    "SL": ["en"],
    "SN": ["fr", "wo"],
    "SO": ["so", "ar"],
    "ZA": ["en", "zu", "xh", "af"],
    "UG": ["en", "sw", "lg"],
    "ZM": ["en", "ny"],
    "EG": ["ar"],
    "IN": ["hi", "en"],
    "NP": ["ne"],
    "LK": ["si", "ta"],
    "BD": ["bn"],
    "TJ": ["tg", "ru"],
    "UZ": ["uz", "ru"],
    "KG": ["ky", "ru"],
    "KZ": ["kk", "ru"],
    "TM": ["tk", "ru"],
    "SY": ["ar"],
    "IQ": ["ar", "ku"],
    "YE": ["ar"],
    "JO": ["ar"],
    "AF": ["ps", "fa"],
    "CU": ["es"],
    "CN": ["zh"],
}
# fmt: on


# The names, by nationality and kind, in the order seed_demo draws from them.
NAMES_FILE = Path(__file__).resolve().parent / "data" / "demo_names.csv"
NAME_KINDS = ("given_male", "given_female", "family")

type NameEntry = tuple[str, str, list[str]]


def load_names(path: Path = NAMES_FILE) -> dict[str, dict[str, list[NameEntry]]]:
    """The name table of `casework/data/demo_names.csv`: for each nationality, its
    given names (male, female) and family names as (latin, native script, variants)."""
    names: dict[str, dict[str, list[NameEntry]]] = {}
    with path.open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            kinds = names.setdefault(row["nationality"], {kind: [] for kind in NAME_KINDS})
            variants = row["variants"].split("|") if row["variants"] else []
            kinds[row["kind"]].append((row["latin"], row["native_script"], variants))
    return names


# For each nationality: its names (from the data file), places and languages.
NAMES = {
    country: {**kinds, "places": PLACES[country], "languages": LANGUAGES[country]}
    for country, kinds in load_names().items()
}

# ISO 4217 currency in which a recruiter's promised pay was likely expressed.
CURRENCY_BY_COUNTRY = {
    "KE": "USD",
    "GH": "USD",
    "NG": "USD",
    "CM": "USD",
    "TG": "USD",
    "SL": "USD",
    "SN": "USD",
    "SO": "USD",
    "ZA": "USD",
    "UG": "USD",
    "ZM": "USD",
    "EG": "USD",
    "IN": "USD",
    "NP": "USD",
    "LK": "USD",
    "BD": "USD",
    "TJ": "RUB",
    "UZ": "RUB",
    "KG": "RUB",
    "KZ": "RUB",
    "TM": "RUB",
    "SY": "USD",
    "IQ": "USD",
    "YE": "USD",
    "JO": "USD",
    "AF": "USD",
    "CU": "RUB",
    "CN": "USD",
}

# Front-line and occupied-territory locations in Ukraine.
OCCUPIED_PLACES = [
    ("Avdiivka", "Donetsk Oblast"),
    ("Bakhmut", "Donetsk Oblast"),
    ("Vuhledar", "Donetsk Oblast"),
    ("Toretsk", "Donetsk Oblast"),
    ("Sievierodonetsk", "Luhansk Oblast"),
    ("Kreminna", "Luhansk Oblast"),
    ("Kupiansk", "Kharkiv Oblast"),
    ("Robotyne", "Zaporizhzhia Oblast"),
]

# Ukrainian oblasts where a prisoner-of-war camp might be located.
POW_PLACES = [
    "Lviv Oblast",
    "Kyiv Oblast",
    "Vinnytsia Oblast",
    "Zakarpattia Oblast",
]

# Cities in Russia (recruitment, training, hospitals, residence).
RUSSIA_PLACES = [
    ("Moscow", "Moscow"),
    ("Saint Petersburg", "Saint Petersburg"),
    ("Rostov-on-Don", "Rostov Oblast"),
    ("Belgorod", "Belgorod Oblast"),
    ("Kazan", "Republic of Tatarstan"),
    ("Yekaterinburg", "Sverdlovsk Oblast"),
]
