"""Demo jurisdictions and logins for ``manage.py seed_demo``: plain data, no Django imports.

The states, districts, commissionerates and police stations are real and named as their police
forces name them, in English and in the local script (Devanagari for the Hindi-speaking states,
Bengali script for West Bengal). Everything else about a station is *demo* data:

* addresses give the real locality and a plausible PIN code, not a street address;
* latitude/longitude are approximate (within a few kilometres), six decimals at most;
* phone numbers are valid Indian numbers (per the ``phonenumbers`` library) built on an obviously
  made-up pattern so that nobody rings a real station by accident:
    - landline:  +91 <real STD code of the town> 2000... <two-digit serial>
                 e.g. +91 542 20001 01 for the first Varanasi station;
    - WhatsApp:  +91 90000 <district digit> 01 <two-digit serial>
                 e.g. +91 90000 1 01 01 for the first Varanasi station.

Rules the data follows (the seed command relies on them; ``check()`` asserts them):

* station codes are unique, at most 16 characters, uppercase, and start with the district code
  and a hyphen (``VNS-CANTT``, ``NDA-NABADWIP``);
* every Uttar Pradesh station runs a Mission Shakti centre (``has_shakti_centre``); elsewhere
  only the women's police stations are marked as having one;
* each demo user names a role and the one unit the role is bound to (``unit_level`` +
  ``unit_code``), matching the ``posting_unit_matches_role`` constraint on ``Posting``.
"""

from __future__ import annotations

from typing import Final, TypedDict


class StateRow(TypedDict):
    code: str
    name: str
    name_local: str
    headquarters: str


class DistrictRow(TypedDict):
    code: str
    state: str  # State code
    name: str
    name_local: str
    kind: str  # "district" or "commissionerate" (District.Kind values)


class StationRow(TypedDict):
    code: str
    district: str  # District code
    name: str
    name_local: str
    address: str
    phone: str  # E.164
    whatsapp_number: str  # E.164, a mobile number
    latitude: str  # decimal degrees, at most 6 decimals
    longitude: str
    is_women_station: bool
    has_shakti_centre: bool


class DemoUserRow(TypedDict):
    username: str
    first_name: str
    last_name: str
    rank: str
    preferred_language: str  # one of settings.LANGUAGES: "en", "hi", "bn"
    role: str | None  # a Role value; None for the superuser, who holds no posting
    unit_level: str | None  # "state", "district" or "station"
    unit_code: str | None
    is_superuser: bool


# --- States ----------------------------------------------------------------------------------

STATES: Final[tuple[StateRow, ...]] = (
    {
        "code": "UP",
        "name": "Uttar Pradesh",
        "name_local": "उत्तर प्रदेश",
        "headquarters": "Police Headquarters, Lucknow",
    },
    {
        "code": "WB",
        "name": "West Bengal",
        "name_local": "পশ্চিমবঙ্গ",
        "headquarters": "Police Directorate, Bhabani Bhawan, Kolkata",
    },
    {
        "code": "CG",
        "name": "Chhattisgarh",
        "name_local": "छत्तीसगढ़",
        "headquarters": "Police Headquarters, Nava Raipur",
    },
    {
        "code": "MP",
        "name": "Madhya Pradesh",
        "name_local": "मध्य प्रदेश",
        "headquarters": "Police Headquarters, Bhopal",
    },
)

# --- Districts and commissionerates ----------------------------------------------------------

DISTRICTS: Final[tuple[DistrictRow, ...]] = (
    {
        "code": "VNS",
        "state": "UP",
        "name": "Varanasi",
        "name_local": "वाराणसी",
        "kind": "commissionerate",
    },
    {"code": "HTS", "state": "UP", "name": "Hathras", "name_local": "हाथरस", "kind": "district"},
    {"code": "NDA", "state": "WB", "name": "Nadia", "name_local": "নদিয়া", "kind": "district"},
    {
        "code": "KBD",
        "state": "CG",
        "name": "Kabirdham",
        "name_local": "कबीरधाम",
        "kind": "district",
    },
    {
        "code": "BPL",
        "state": "MP",
        "name": "Bhopal",
        "name_local": "भोपाल",
        "kind": "commissionerate",
    },
    {
        "code": "IDR",
        "state": "MP",
        "name": "Indore",
        "name_local": "इंदौर",
        "kind": "commissionerate",
    },
)

# --- Police stations -------------------------------------------------------------------------
# One row per station:
#   (code suffix, English name, local-script name, locality, PIN, phone, WhatsApp,
#    latitude, longitude, women's station?)
_StationSpec = tuple[str, str, str, str, str, str, str, str, str, bool]

_PLACE: Final[dict[str, str]] = {
    # district code -> "town/district, state" used in addresses
    "VNS": "Varanasi, Uttar Pradesh",
    "HTS": "Hathras, Uttar Pradesh",
    "NDA": "Nadia, West Bengal",
    "KBD": "Kabirdham, Chhattisgarh",
    "BPL": "Bhopal, Madhya Pradesh",
    "IDR": "Indore, Madhya Pradesh",
}

# fmt: off
# Varanasi Police Commissionerate (Kashi, Varuna and Gomti zones). Landline STD 0542.
_VARANASI: Final[tuple[_StationSpec, ...]] = (
    ("CANTT", "Cantt", "कैंट", "Cantonment", "221002", "+915422000101", "+919000010101", "25.327500", "82.986000", False),
    ("CHETGANJ", "Chetganj", "चेतगंज", "Chetganj", "221001", "+915422000102", "+919000010102", "25.316500", "83.001800", False),
    ("CHOWK", "Chowk", "चौक", "Chowk", "221001", "+915422000103", "+919000010103", "25.311200", "83.010900", False),
    ("DASHASWAMEDH", "Dashashwamedh", "दशाश्वमेध", "Dashashwamedh", "221001", "+915422000104", "+919000010104", "25.306900", "83.010400", False),
    ("ADAMPUR", "Adampur", "आदमपुर", "Adampur", "221001", "+915422000105", "+919000010105", "25.327900", "83.027600", False),
    ("JAITPURA", "Jaitpura", "जैतपुरा", "Jaitpura", "221001", "+915422000106", "+919000010106", "25.325200", "83.013500", False),
    ("KOTWALI", "Kotwali", "कोतवाली", "Maidagin", "221001", "+915422000107", "+919000010107", "25.320400", "83.020800", False),
    ("LUXA", "Luxa", "लक्सा", "Luxa", "221010", "+915422000108", "+919000010108", "25.303600", "83.000400", False),
    ("BHELUPUR", "Bhelupur", "भेलूपुर", "Bhelupur", "221010", "+915422000109", "+919000010109", "25.294600", "83.000800", False),
    ("LANKA", "Lanka", "लंका", "Lanka", "221005", "+915422000110", "+919000010110", "25.278300", "83.004600", False),
    ("SIGRA", "Sigra", "सिगरा", "Sigra", "221010", "+915422000111", "+919000010111", "25.317400", "82.988300", False),
    ("SHIVPUR", "Shivpur", "शिवपुर", "Shivpur", "221003", "+915422000112", "+919000010112", "25.355600", "82.964300", False),
    ("SARNATH", "Sarnath", "सारनाथ", "Sarnath", "221007", "+915422000113", "+919000010113", "25.377800", "83.022500", False),
    ("CHOLAPUR", "Cholapur", "चोलापुर", "Cholapur", "221101", "+915422000114", "+919000010114", "25.466000", "82.925000", False),
    ("CHAUBEPUR", "Chaubepur", "चौबेपुर", "Chaubepur", "221104", "+915422000115", "+919000010115", "25.446700", "83.090300", False),
    ("PHOOLPUR", "Phoolpur", "फूलपुर", "Phoolpur", "221206", "+915422000116", "+919000010116", "25.500000", "82.830000", False),
    ("BARAGAON", "Baragaon", "बड़ागांव", "Baragaon", "221204", "+915422000117", "+919000010117", "25.430000", "82.815000", False),
    ("JANSA", "Jansa", "जंसा", "Jansa", "221405", "+915422000118", "+919000010118", "25.297000", "82.820000", False),
    ("ROHANIA", "Rohania", "रोहनिया", "Rohania", "221108", "+915422000119", "+919000010119", "25.265000", "82.940000", False),
    ("MIRZAMURAD", "Mirzamurad", "मिर्जामुराद", "Mirzamurad", "221307", "+915422000120", "+919000010120", "25.268000", "82.868000", False),
    ("KAPSETHI", "Kapsethi", "कपसेठी", "Kapsethi", "221405", "+915422000121", "+919000010121", "25.315000", "82.775000", False),
    ("LOHTA", "Lohta", "लोहता", "Lohta", "221107", "+915422000122", "+919000010122", "25.330000", "82.912000", False),
    ("MANDUADIH", "Manduadih", "मंडुवाडीह", "Manduadih", "221103", "+915422000123", "+919000010123", "25.290500", "82.973000", False),
    ("RAMNAGAR", "Ramnagar", "रामनगर", "Ramnagar", "221008", "+915422000124", "+919000010124", "25.278700", "83.026100", False),
    ("CHITAIPUR", "Chitaipur", "चितईपुर", "Chitaipur", "221005", "+915422000125", "+919000010125", "25.285000", "82.986000", False),
    ("SINDHORA", "Sindhora", "सिंधोरा", "Sindhora", "221208", "+915422000126", "+919000010126", "25.540000", "82.930000", False),
    ("PANDEYPUR", "Lalpur-Pandeypur", "लालपुर-पांडेयपुर", "Pandeypur", "221002", "+915422000127", "+919000010127", "25.340500", "82.997000", False),
    ("MAHILA", "Mahila Thana Varanasi", "महिला थाना वाराणसी", "Police Lines", "221002", "+915422000128", "+919000010128", "25.339000", "82.968000", True),
)

# Hathras district (SP). Landline STD 05722.
_HATHRAS: Final[tuple[_StationSpec, ...]] = (
    ("KOTWALI", "Hathras Kotwali", "कोतवाली हाथरस", "Kotwali Nagar, Hathras", "204101", "+915722200101", "+919000020101", "27.598000", "78.050500", False),
    ("GATE", "Hathras Gate", "हाथरस गेट", "Hathras Gate, Hathras", "204101", "+915722200102", "+919000020102", "27.602500", "78.057000", False),
    ("JUNCTION", "Hathras Junction", "हाथरस जंक्शन", "Hathras Junction", "204102", "+915722200103", "+919000020103", "27.620000", "78.080000", False),
    ("SIKANDRARAO", "Sikandra Rao", "सिकंदराराऊ", "Sikandra Rao", "204215", "+915722200104", "+919000020104", "27.688500", "78.379700", False),
    ("SASNI", "Sasni", "सासनी", "Sasni", "204216", "+915722200105", "+919000020105", "27.702600", "78.085300", False),
    ("SADABAD", "Sadabad", "सादाबाद", "Sadabad", "281306", "+915722200106", "+919000020106", "27.438600", "78.037500", False),
    ("MURSAN", "Mursan", "मुरसान", "Mursan", "204213", "+915722200107", "+919000020107", "27.578000", "77.946000", False),
    ("CHANDPA", "Chandpa", "चंदपा", "Chandpa", "204102", "+915722200108", "+919000020108", "27.660000", "78.110000", False),
    ("HASAYAN", "Hasayan", "हसायन", "Hasayan", "204214", "+915722200109", "+919000020109", "27.740000", "78.280000", False),
    ("SAHPAU", "Sahpau", "सहपऊ", "Sahpau", "281307", "+915722200110", "+919000020110", "27.436000", "78.142000", False),
    ("MAHILA", "Mahila Thana Hathras", "महिला थाना हाथरस", "Police Lines, Hathras", "204101", "+915722200111", "+919000020111", "27.595500", "78.052500", True),
)

# Nadia district, West Bengal. STD codes: 03472 Krishnanagar/Nabadwip/Santipur,
# 03473 Ranaghat/Chakdaha, 03471 Tehatta/Karimpur, 033 Kalyani.
_NADIA: Final[tuple[_StationSpec, ...]] = (
    ("NABADWIP", "Nabadwip PS", "নবদ্বীপ থানা", "Nabadwip", "741302", "+913472200101", "+919000030101", "23.406800", "88.367600", False),
    ("KNG-KOTWALI", "Krishnanagar Kotwali PS", "কৃষ্ণনগর কোতোয়ালি থানা", "Krishnanagar", "741101", "+913472200102", "+919000030102", "23.401300", "88.501000", False),
    ("SANTIPUR", "Santipur PS", "শান্তিপুর থানা", "Santipur", "741404", "+913472200103", "+919000030103", "23.250000", "88.436000", False),
    ("RANAGHAT", "Ranaghat PS", "রানাঘাট থানা", "Ranaghat", "741201", "+913473200104", "+919000030104", "23.178000", "88.567000", False),
    ("CHAKDAHA", "Chakdaha PS", "চাকদহ থানা", "Chakdaha", "741222", "+913473200105", "+919000030105", "22.983000", "88.517000", False),
    ("KALYANI", "Kalyani PS", "কল্যাণী থানা", "Kalyani", "741235", "+913325000106", "+919000030106", "22.975000", "88.434000", False),
    ("TEHATTA", "Tehatta PS", "তেহট্ট থানা", "Tehatta", "741160", "+913471200107", "+919000030107", "23.725000", "88.530000", False),
    ("KARIMPUR", "Karimpur PS", "করিমপুর থানা", "Karimpur", "741152", "+913471200108", "+919000030108", "23.965000", "88.620000", False),
    ("CHAPRA", "Chapra PS", "চাপড়া থানা", "Chapra", "741123", "+913472200109", "+919000030109", "23.536000", "88.548000", False),
    ("NAKASHIPARA", "Nakashipara PS", "নাকাশিপাড়া থানা", "Nakashipara", "741126", "+913472200110", "+919000030110", "23.584000", "88.367000", False),
    ("HANSKHALI", "Hanskhali PS", "হাঁসখালি থানা", "Hanskhali", "741502", "+913473200111", "+919000030111", "23.354000", "88.619000", False),
    ("HARINGHATA", "Haringhata PS", "হরিণঘাটা থানা", "Haringhata", "741249", "+913473200112", "+919000030112", "22.956000", "88.568000", False),
    ("WPS-KNG", "Women PS Krishnanagar", "কৃষ্ণনগর মহিলা থানা", "Krishnanagar", "741101", "+913472200113", "+919000030113", "23.404000", "88.497000", True),
)

# Kabirdham district, Chhattisgarh (headquarters Kawardha). Landline STD 07741.
_KABIRDHAM: Final[tuple[_StationSpec, ...]] = (
    ("KOTWALI", "Kawardha Kotwali", "कवर्धा कोतवाली", "Kawardha", "491995", "+917741200101", "+919000040101", "22.008500", "81.231300", False),
    ("PANDARIYA", "Pandariya", "पंडरिया", "Pandariya", "491559", "+917741200102", "+919000040102", "22.225000", "81.409000", False),
    ("BODLA", "Bodla", "बोड़ला", "Bodla", "491993", "+917741200103", "+919000040103", "22.180000", "81.233000", False),
    ("SAHASPUR", "Sahaspur Lohara", "सहसपुर लोहारा", "Sahaspur Lohara", "491998", "+917741200104", "+919000040104", "21.765000", "81.095000", False),
    ("PIPARIYA", "Pipariya", "पिपरिया", "Pipariya", "491995", "+917741200105", "+919000040105", "21.920000", "81.330000", False),
    ("KUKDUR", "Kukdur", "कुकदुर", "Kukdur", "491559", "+917741200106", "+919000040106", "22.430000", "81.290000", False),
    ("RENGAKHAR", "Rengakhar", "रेंगाखार", "Rengakhar", "491993", "+917741200107", "+919000040107", "22.030000", "80.930000", False),
    ("PANDATARAI", "Pandatarai", "पांडातराई", "Pandatarai", "491559", "+917741200108", "+919000040108", "22.140000", "81.330000", False),
    ("CHILPHI", "Chilphi", "चिल्फी", "Chilphi", "491993", "+917741200109", "+919000040109", "22.280000", "81.060000", False),
    ("KUNDA", "Kunda", "कुंडा", "Kunda", "491559", "+917741200110", "+919000040110", "21.950000", "81.480000", False),
    ("MAHILA", "Mahila Thana Kawardha", "महिला थाना कवर्धा", "Kawardha", "491995", "+917741200111", "+919000040111", "22.010000", "81.228000", True),
)

# Bhopal Police Commissionerate, Madhya Pradesh. Landline STD 0755.
_BHOPAL: Final[tuple[_StationSpec, ...]] = (
    ("MAHILA", "Mahila Thana Bhopal", "महिला थाना भोपाल", "Jahangirabad", "462008", "+917552000101", "+919000050101", "23.255000", "77.410000", True),
    ("TTNAGAR", "TT Nagar", "टीटी नगर", "TT Nagar", "462003", "+917552000102", "+919000050102", "23.234500", "77.398000", False),
    ("KAMLANAGAR", "Kamla Nagar", "कमला नगर", "Kamla Nagar", "462003", "+917552000103", "+919000050103", "23.212000", "77.388000", False),
    ("HABIBGANJ", "Habibganj", "हबीबगंज", "Habibganj", "462016", "+917552000104", "+919000050104", "23.222000", "77.438000", False),
    ("SHAHPURA", "Shahpura", "शाहपुरा", "Shahpura", "462039", "+917552000105", "+919000050105", "23.200000", "77.420000", False),
    ("KOHEFIZA", "Kohefiza", "कोहेफिज़ा", "Kohefiza", "462001", "+917552000106", "+919000050106", "23.272000", "77.382000", False),
    ("MPNAGAR", "MP Nagar", "एमपी नगर", "MP Nagar", "462011", "+917552000107", "+919000050107", "23.233000", "77.434000", False),
    ("PIPLANI", "Piplani", "पिपलानी", "Piplani", "462022", "+917552000108", "+919000050108", "23.255000", "77.475000", False),
)

# Indore Police Commissionerate, Madhya Pradesh. Landline STD 0731.
_INDORE: Final[tuple[_StationSpec, ...]] = (
    ("MAHILA", "Mahila Thana Indore", "महिला थाना इंदौर", "Indore", "452001", "+917312000101", "+919000060101", "22.718000", "75.872000", True),
    ("VIJAYNAGAR", "Vijay Nagar", "विजय नगर", "Vijay Nagar", "452010", "+917312000102", "+919000060102", "22.751000", "75.895000", False),
    ("PALASIA", "Palasia", "पलासिया", "Palasia", "452001", "+917312000103", "+919000060103", "22.724000", "75.887000", False),
    ("MIG", "MIG", "एमआईजी", "MIG Colony", "452008", "+917312000104", "+919000060104", "22.733000", "75.892000", False),
    ("SANYOGITAGNJ", "Sanyogitaganj", "संयोगितागंज", "Sanyogitaganj", "452001", "+917312000105", "+919000060105", "22.713000", "75.880000", False),
    ("TUKOGANJ", "Tukoganj", "तुकोगंज", "Tukoganj", "452001", "+917312000106", "+919000060106", "22.720000", "75.875000", False),
    ("ANNAPURNA", "Annapurna", "अन्नपूर्णा", "Annapurna", "452009", "+917312000107", "+919000060107", "22.690000", "75.840000", False),
)

# fmt: on

_STATIONS_BY_DISTRICT: Final[dict[str, tuple[_StationSpec, ...]]] = {
    "VNS": _VARANASI,
    "HTS": _HATHRAS,
    "NDA": _NADIA,
    "KBD": _KABIRDHAM,
    "BPL": _BHOPAL,
    "IDR": _INDORE,
}

# States where every police station runs a Mission Shakti centre.
SHAKTI_EVERYWHERE_STATES: Final[frozenset[str]] = frozenset({"UP"})


def _district_state(district_code: str) -> str:
    """The state code of a district in DISTRICTS."""
    return next(row["state"] for row in DISTRICTS if row["code"] == district_code)


def _station_row(district: str, spec: _StationSpec) -> StationRow:
    """Expand one compact station spec into a full row."""
    suffix, name, name_local, locality, pin, phone, whatsapp, lat, lon, women = spec
    return {
        "code": f"{district}-{suffix}",
        "district": district,
        "name": name,
        "name_local": name_local,
        "address": f"{locality}, {_PLACE[district]} {pin}",
        "phone": phone,
        "whatsapp_number": whatsapp,
        "latitude": lat,
        "longitude": lon,
        "is_women_station": women,
        "has_shakti_centre": women or _district_state(district) in SHAKTI_EVERYWHERE_STATES,
    }


STATIONS: Final[tuple[StationRow, ...]] = tuple(
    _station_row(district, spec)
    for district, specs in _STATIONS_BY_DISTRICT.items()
    for spec in specs
)

# --- Demo logins: one per role ---------------------------------------------------------------
# Names are invented. The password for all of them is settings.DEMO_PASSWORD.

DEMO_USERS: Final[tuple[DemoUserRow, ...]] = (
    {
        "username": "demo_state",
        "first_name": "अनुराधा",
        "last_name": "शर्मा",
        "rank": "AIG, Women Safety Branch",
        "preferred_language": "hi",
        "role": "state_hq",
        "unit_level": "state",
        "unit_code": "MP",
        "is_superuser": False,
    },
    {
        "username": "demo_cp",
        "first_name": "राजीव",
        "last_name": "मिश्रा",
        "rank": "Police Commissioner",
        "preferred_language": "hi",
        "role": "district_head",
        "unit_level": "district",
        "unit_code": "VNS",
        "is_superuser": False,
    },
    {
        "username": "demo_cyber",
        "first_name": "सुनीता",
        "last_name": "साहू",
        "rank": "ASI, Cyber Cell",
        "preferred_language": "hi",
        "role": "cyber_cell",
        "unit_level": "district",
        "unit_code": "KBD",
        "is_superuser": False,
    },
    {
        "username": "demo_ic",
        "first_name": "সুব্রত",
        "last_name": "ঘোষ",
        "rank": "Inspector-in-Charge",
        "preferred_language": "bn",
        "role": "station_ic",
        "unit_level": "station",
        "unit_code": "NDA-NABADWIP",
        "is_superuser": False,
    },
    {
        "username": "demo_officer",
        "first_name": "মৌমিতা",
        "last_name": "দাস",
        "rank": "Sub-Inspector",
        "preferred_language": "bn",
        "role": "station_officer",
        "unit_level": "station",
        "unit_code": "NDA-NABADWIP",
        "is_superuser": False,
    },
    {
        "username": "demo_shakti",
        "first_name": "प्रियंका",
        "last_name": "यादव",
        "rank": "Sub-Inspector, Mission Shakti Centre",
        "preferred_language": "hi",
        "role": "shakti_incharge",
        "unit_level": "station",
        "unit_code": "VNS-CANTT",
        "is_superuser": False,
    },
    {
        "username": "demo_ngo",
        "first_name": "Meenakshi",
        "last_name": "Jain",
        "rank": "NGO Coordinator",
        "preferred_language": "en",
        "role": "ngo_coordinator",
        "unit_level": "district",
        "unit_code": "BPL",
        "is_superuser": False,
    },
    {
        "username": "demo_sp_hathras",
        "first_name": "विकास",
        "last_name": "त्रिपाठी",
        "rank": "Superintendent of Police",
        "preferred_language": "hi",
        "role": "district_head",
        "unit_level": "district",
        "unit_code": "HTS",
        "is_superuser": False,
    },
    {
        "username": "demo_ic_cantt",
        "first_name": "अमित",
        "last_name": "सिंह",
        "rank": "Inspector (SHO)",
        "preferred_language": "hi",
        "role": "station_ic",
        "unit_level": "station",
        "unit_code": "VNS-CANTT",
        "is_superuser": False,
    },
    {
        "username": "admin",
        "first_name": "Portal",
        "last_name": "Administrator",
        "rank": "System Administrator",
        "preferred_language": "en",
        "role": None,
        "unit_level": None,
        "unit_code": None,
        "is_superuser": True,
    },
)

# Which unit level each role may be posted to (mirrors Posting's posting_unit_matches_role).
ROLE_UNIT_LEVELS: Final[dict[str, frozenset[str]]] = {
    "state_hq": frozenset({"state"}),
    "district_head": frozenset({"district"}),
    "cyber_cell": frozenset({"district"}),
    "station_ic": frozenset({"station"}),
    "station_officer": frozenset({"station"}),
    "shakti_incharge": frozenset({"station"}),
    "ngo_coordinator": frozenset({"state", "district"}),
}


def check() -> list[str]:
    """Return every way the data above breaks its own rules (an empty list when it is sound)."""
    problems: list[str] = []
    state_codes = {row["code"] for row in STATES}
    district_codes = {row["code"] for row in DISTRICTS}
    station_codes = [row["code"] for row in STATIONS]
    units = {"state": state_codes, "district": district_codes, "station": set(station_codes)}
    if len(state_codes) != len(STATES) or any(len(code) > 8 for code in state_codes):
        problems.append("state codes must be unique and at most 8 characters")
    if len(district_codes) != len(DISTRICTS):
        problems.append("district codes must be unique")
    problems += [f"{r['code']}: unknown state" for r in DISTRICTS if r["state"] not in state_codes]
    if len(set(station_codes)) != len(station_codes):
        problems.append("station codes must be unique")
    for row in STATIONS:
        code = row["code"]
        if len(code) > 16 or code != code.upper() or not code.startswith(row["district"] + "-"):
            problems.append(f"{code}: station code must be uppercase, <=16, district-prefixed")
    phones = [row["phone"] for row in STATIONS] + [row["whatsapp_number"] for row in STATIONS]
    if len(set(phones)) != len(phones):
        problems.append("station phone and WhatsApp numbers must all differ")
    for user in DEMO_USERS:
        role, level, code = user["role"], user["unit_level"], user["unit_code"]
        if role is None:
            if level is not None or code is not None or not user["is_superuser"]:
                problems.append(f"{user['username']}: only the superuser may hold no posting")
        elif level is None or level not in ROLE_UNIT_LEVELS.get(role, frozenset()):
            problems.append(f"{user['username']}: role {role} cannot be posted to a {level}")
        elif code not in units[level]:
            problems.append(f"{user['username']}: unknown {level} {code}")
    return problems
