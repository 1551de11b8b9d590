"""The pages' own words in English, Chinese and Russian.

Labels of things come from the graph (``en``, ``zh-Hans``, ``ru``); the words
around them (headings, buttons, legends) come from here. The language is chosen
as for the entity pages (:func:`scograph.publish.conneg.language_of`).
"""

from scograph.publish.thing_page import LANGUAGES, SUPPORTED_LANGUAGES

__all__ = ["LANGUAGES", "SUPPORTED_LANGUAGES", "Messages", "messages"]

_EN = {
    "site.tagline": "People-to-people diplomacy in the Shanghai Cooperation Organisation",
    "nav.home": "Home",
    "nav.query": "Query",
    "nav.examples": "Examples",
    "nav.map": "Map",
    "nav.network": "Network",
    "nav.dumps": "Downloads",
    "nav.ontology": "Ontology",
    "nav.skip": "Skip to content",
    "nav.language": "Language",
    "footer.licence": "Data: {licence}, except where a source says otherwise.",
    "home.title": "The SCO friendship graph",
    "home.lead": (
        "scograph is an open knowledge graph of people-to-people diplomacy in the Shanghai "
        "Cooperation Organisation. It holds {cities} cities and {twinnings} twinnings between "
        "them ({established} established), {forums} forums, {organisations} organisations, "
        "and where each fact comes from: {sources} sources. Every statement names its source, "
        "and the whole graph can be queried with SPARQL or downloaded."
    ),
    "home.counts": "What the graph holds",
    "count.cities": "cities",
    "count.twinnings": "twinnings",
    "count.forums": "forums",
    "count.organisations": "organisations",
    "count.sources": "sources",
    "home.explore": "Explore",
    "home.query": "Ask the graph a question in SPARQL, in an editor that runs in your browser.",
    "home.examples": "Start from one of {n} example questions, each one click away.",
    "home.map": "See the twinned cities on a map, filtered by country, status and year.",
    "home.network": "See which organisations organised which forums, and where.",
    "home.dumps": "Download the whole graph (N-Triples, N-Quads, Turtle, TriG), with checksums.",
    "home.ontology": "Read the ontology: the classes and properties the graph uses.",
    "search.label": "Find a city, forum, organisation or person, by any of its names",
    "search.placeholder": "e.g. Qingdao, 青岛, Циндао",
    "search.button": "Search",
    "search.title": "Search",
    "search.results": "{n} things whose names contain “{q}”",
    "search.none": "Nothing in the graph has a name containing “{q}”.",
    "search.more": "The first {shown} of {total} are shown; try a longer search.",
    "search.empty": "Type part of a name, in any language.",
    "search.matched": "matched",
    "query.title": "Query editor",
    "query.examples": "Example queries",
    "query.examples.intro": "Click a question to open its query in the editor, then run it.",
    "query.share": "Copy a link to this query",
    "query.copied": "Link copied",
    "query.link": "Link to this query",
    "query.endpoint": "Endpoint",
    "query.noscript": "The editor needs JavaScript. The endpoint itself is at {endpoint}.",
    "examples.title": "Example queries",
    "examples.open": "Open in the editor",
    "examples.keywords": "Keywords",
    "map.title": "Map of twinned cities",
    "map.intro": (
        "Each arc is a twinning between two cities; each point a city. Established twinnings "
        "are drawn by default; add announced ones and intentions with the filters."
    ),
    "map.filters": "Filters",
    "map.country": "Country",
    "map.country.any": "Any country",
    "map.status": "Status",
    "map.status.established": "Established",
    "map.status.announced": "Announced",
    "map.status.intention": "Intention",
    "map.year": "Year the twinning began",
    "map.year.from": "from",
    "map.year.to": "to",
    "map.year.undated": "Include twinnings whose start is not known",
    "map.apply": "Apply",
    "map.shown": "{twinnings} twinnings between {cities} cities are drawn.",
    "map.missing": "{n} twinnings are not drawn: a city has no coordinates.",
    "map.list": "The twinnings drawn, as a table",
    "map.twinning": "Twinning",
    "map.cities": "Cities",
    "map.since": "Since",
    "map.sources": "Twinnings from: {sources}.",
    "map.loading": "Drawing the map…",
    "map.label": "Map of the twinnings drawn",
    "network.title": "Network of organisations, forums and cities",
    "network.intro": (
        "Who organised which forum, where it was held, which initiative it adopted and which "
        "organisations that initiative names as partners; organisations are tied to their "
        "countries. Every node opens its page."
    ),
    "network.label": "Network of organisations, forums, initiatives, cities and countries",
    "network.list": "The links drawn, as a table",
    "network.from": "From",
    "network.link": "Link",
    "network.to": "To",
    "network.shown": "{nodes} things and {links} links are drawn.",
    "kind.city": "City",
    "kind.country": "Country",
    "kind.province": "Province",
    "kind.organisation": "Organisation",
    "kind.person": "Person",
    "kind.post": "Post",
    "kind.tenure": "Tenure",
    "kind.forum": "Forum",
    "kind.initiative": "Initiative",
    "kind.proposal": "Proposal",
    "kind.programme": "Programme",
    "kind.project": "Project",
    "kind.observation": "Observation",
    "kind.source": "Source",
    "kind.twinning": "Twinning",
    "kind.membership": "Membership",
    "kind.concept": "Concept",
    "kind.event": "Event",
    "kind.term": "Ontology term",
    "link.organised": "organised",
    "link.heldIn": "held in",
    "link.adoptedAt": "adopted at",
    "link.namesPartner": "names as partner",
    "link.parentOrganisation": "part of",
    "link.headquarters": "headquartered in",
    "link.country": "in country",
    "smallmap.label": "Where {name} is",
}

_ZH = {
    "site.tagline": "上海合作组织的民间外交",
    "nav.home": "首页",
    "nav.query": "查询",
    "nav.examples": "查询示例",
    "nav.map": "地图",
    "nav.network": "网络",
    "nav.dumps": "下载",
    "nav.ontology": "本体",
    "nav.skip": "跳到正文",
    "nav.language": "语言",
    "footer.licence": "数据：{licence}，来源另有说明者除外。",
    "home.title": "上合组织友好关系图谱",
    "home.lead": (
        "scograph 是关于上海合作组织民间外交的开放知识图谱。其中有 {cities} 座城市及其间的 "
        "{twinnings} 对友好城市关系（其中 {established} 对已正式建立）、{forums} 个论坛、"
        "{organisations} 个组织，以及每条事实的出处：{sources} 个来源。每条陈述都注明来源，"
        "整个图谱可以用 SPARQL 查询，也可以下载。"
    ),
    "home.counts": "图谱的内容",
    "count.cities": "城市",
    "count.twinnings": "友好城市关系",
    "count.forums": "论坛",
    "count.organisations": "组织",
    "count.sources": "来源",
    "home.explore": "浏览",
    "home.query": "在浏览器中的编辑器里用 SPARQL 向图谱提问。",
    "home.examples": "从 {n} 个查询示例之一开始，点击即可打开。",
    "home.map": "在地图上查看友好城市，可按国家、状态和年份筛选。",
    "home.network": "查看哪些组织在何处举办了哪些论坛。",
    "home.dumps": "下载整个图谱（N-Triples、N-Quads、Turtle、TriG），附校验和。",
    "home.ontology": "阅读本体：图谱所用的类和属性。",
    "search.label": "按任一名称查找城市、论坛、组织或人物",
    "search.placeholder": "例如 Qingdao、青岛、Циндао",
    "search.button": "搜索",
    "search.title": "搜索",
    "search.results": "名称含“{q}”的条目共 {n} 个",
    "search.none": "图谱中没有名称含“{q}”的条目。",
    "search.more": "仅显示 {total} 个中的前 {shown} 个；请输入更长的词。",
    "search.empty": "请输入名称的一部分，任何语言均可。",
    "search.matched": "匹配",
    "query.title": "查询编辑器",
    "query.examples": "查询示例",
    "query.examples.intro": "点击一个问题，即可在编辑器中打开其查询，然后运行。",
    "query.share": "复制此查询的链接",
    "query.copied": "链接已复制",
    "query.link": "此查询的链接",
    "query.endpoint": "端点",
    "query.noscript": "编辑器需要 JavaScript。端点本身位于 {endpoint}。",
    "examples.title": "查询示例",
    "examples.open": "在编辑器中打开",
    "examples.keywords": "关键词",
    "map.title": "友好城市地图",
    "map.intro": (
        "每条弧线代表两座城市之间的友好关系，每个点代表一座城市。默认显示已建立的友好城市；"
        "可通过筛选加入已宣布的和意向中的关系。"
    ),
    "map.filters": "筛选",
    "map.country": "国家",
    "map.country.any": "所有国家",
    "map.status": "状态",
    "map.status.established": "已建立",
    "map.status.announced": "已宣布",
    "map.status.intention": "意向",
    "map.year": "建立年份",
    "map.year.from": "从",
    "map.year.to": "到",
    "map.year.undated": "包括起始年份不详的关系",
    "map.apply": "应用",
    "map.shown": "图中显示 {cities} 座城市之间的 {twinnings} 对友好关系。",
    "map.missing": "有 {n} 对关系未显示：某座城市缺少坐标。",
    "map.list": "以表格列出图中的友好关系",
    "map.twinning": "友好关系",
    "map.cities": "城市",
    "map.since": "始于",
    "map.sources": "友好关系来源：{sources}。",
    "map.loading": "正在绘制地图…",
    "map.label": "图中友好关系的地图",
    "network.title": "组织、论坛与城市的网络",
    "network.intro": (
        "谁举办了哪个论坛、论坛在哪里举行、通过了哪项倡议，以及该倡议列为合作伙伴的组织；"
        "组织与其所在国家相连。点击任一节点可打开其页面。"
    ),
    "network.label": "组织、论坛、倡议、城市和国家的网络",
    "network.list": "以表格列出图中的联系",
    "network.from": "起点",
    "network.link": "联系",
    "network.to": "终点",
    "network.shown": "图中显示 {nodes} 个节点和 {links} 条联系。",
    "kind.city": "城市",
    "kind.country": "国家",
    "kind.province": "省",
    "kind.organisation": "组织",
    "kind.person": "人物",
    "kind.post": "职位",
    "kind.tenure": "任职",
    "kind.forum": "论坛",
    "kind.initiative": "倡议",
    "kind.proposal": "提议",
    "kind.programme": "项目系列",
    "kind.project": "项目",
    "kind.observation": "数据",
    "kind.source": "来源",
    "kind.twinning": "友好城市关系",
    "kind.membership": "成员身份",
    "kind.concept": "概念",
    "kind.event": "活动",
    "kind.term": "本体术语",
    "link.organised": "举办",
    "link.heldIn": "举办地",
    "link.adoptedAt": "通过于",
    "link.namesPartner": "列为合作伙伴",
    "link.parentOrganisation": "隶属于",
    "link.headquarters": "总部位于",
    "link.country": "所在国家",
    "smallmap.label": "{name}的位置",
}

_RU = {
    "site.tagline": "Народная дипломатия в Шанхайской организации сотрудничества",
    "nav.home": "Главная",
    "nav.query": "Запрос",
    "nav.examples": "Примеры",
    "nav.map": "Карта",
    "nav.network": "Сеть",
    "nav.dumps": "Загрузки",
    "nav.ontology": "Онтология",
    "nav.skip": "К содержанию",
    "nav.language": "Язык",
    "footer.licence": "Данные: {licence}, если источник не указывает иное.",
    "home.title": "Граф дружбы ШОС",
    "home.lead": (
        "scograph — открытый граф знаний о народной дипломатии в Шанхайской организации "
        "сотрудничества. В нём собраны города ({cities}), побратимские связи между ними "
        "({twinnings}, из них установлено {established}), форумы ({forums}), организации "
        "({organisations}) и источники каждого факта ({sources}). Каждое утверждение указывает "
        "свой источник; весь граф можно опрашивать на SPARQL или скачать."
    ),
    "home.counts": "Что содержит граф",
    "count.cities": "города",
    "count.twinnings": "побратимства",
    "count.forums": "форумы",
    "count.organisations": "организации",
    "count.sources": "источники",
    "home.explore": "Обзор",
    "home.query": "Задайте графу вопрос на SPARQL в редакторе, который работает в браузере.",
    "home.examples": "Начните с одного из {n} примеров вопросов — в один щелчок.",
    "home.map": "Города-побратимы на карте, с отбором по стране, статусу и году.",
    "home.network": "Какие организации проводили какие форумы и где.",
    "home.dumps": "Скачайте весь граф (N-Triples, N-Quads, Turtle, TriG) с контрольными суммами.",
    "home.ontology": "Онтология: классы и свойства, которыми пользуется граф.",
    "search.label": "Найти город, форум, организацию или человека по любому названию",
    "search.placeholder": "например, Qingdao, 青岛, Циндао",
    "search.button": "Найти",
    "search.title": "Поиск",
    "search.results": "Найдено {n}: названия, содержащие «{q}»",
    "search.none": "В графе нет ничего с названием, содержащим «{q}».",
    "search.more": "Показаны первые {shown} из {total}; уточните запрос.",
    "search.empty": "Введите часть названия на любом языке.",
    "search.matched": "совпадение",
    "query.title": "Редактор запросов",
    "query.examples": "Примеры запросов",
    "query.examples.intro": (
        "Щёлкните вопрос, чтобы открыть его запрос в редакторе, затем выполните."
    ),
    "query.share": "Скопировать ссылку на запрос",
    "query.copied": "Ссылка скопирована",
    "query.link": "Ссылка на этот запрос",
    "query.endpoint": "Точка доступа",
    "query.noscript": "Редактору нужен JavaScript. Сама точка доступа: {endpoint}.",
    "examples.title": "Примеры запросов",
    "examples.open": "Открыть в редакторе",
    "examples.keywords": "Ключевые слова",
    "map.title": "Карта городов-побратимов",
    "map.intro": (
        "Каждая дуга — побратимство двух городов, каждая точка — город. По умолчанию показаны "
        "установленные побратимства; объявленные и намерения добавляются фильтрами."
    ),
    "map.filters": "Фильтры",
    "map.country": "Страна",
    "map.country.any": "Любая страна",
    "map.status": "Статус",
    "map.status.established": "Установлено",
    "map.status.announced": "Объявлено",
    "map.status.intention": "Намерение",
    "map.year": "Год начала побратимства",
    "map.year.from": "с",
    "map.year.to": "по",
    "map.year.undated": "Включать побратимства с неизвестной датой начала",
    "map.apply": "Применить",
    "map.shown": "Показано побратимств: {twinnings}, городов: {cities}.",
    "map.missing": "Не показано побратимств: {n} — у города нет координат.",
    "map.list": "Показанные побратимства в виде таблицы",
    "map.twinning": "Побратимство",
    "map.cities": "Города",
    "map.since": "С",
    "map.sources": "Источники побратимств: {sources}.",
    "map.loading": "Карта рисуется…",
    "map.label": "Карта показанных побратимств",
    "network.title": "Сеть организаций, форумов и городов",
    "network.intro": (
        "Кто проводил какой форум, где он проходил, какую инициативу принял и какие "
        "организации эта инициатива называет партнёрами; организации связаны со своими "
        "странами. Каждый узел открывает свою страницу."
    ),
    "network.label": "Сеть организаций, форумов, инициатив, городов и стран",
    "network.list": "Показанные связи в виде таблицы",
    "network.from": "От",
    "network.link": "Связь",
    "network.to": "К",
    "network.shown": "Показано узлов: {nodes}, связей: {links}.",
    "kind.city": "Город",
    "kind.country": "Страна",
    "kind.province": "Провинция",
    "kind.organisation": "Организация",
    "kind.person": "Человек",
    "kind.post": "Должность",
    "kind.tenure": "Пребывание в должности",
    "kind.forum": "Форум",
    "kind.initiative": "Инициатива",
    "kind.proposal": "Предложение",
    "kind.programme": "Программа",
    "kind.project": "Проект",
    "kind.observation": "Показатель",
    "kind.source": "Источник",
    "kind.twinning": "Побратимство",
    "kind.membership": "Членство",
    "kind.concept": "Понятие",
    "kind.event": "Событие",
    "kind.term": "Термин онтологии",
    "link.organised": "провела",
    "link.heldIn": "проходил в",
    "link.adoptedAt": "принята на",
    "link.namesPartner": "называет партнёром",
    "link.parentOrganisation": "входит в",
    "link.headquarters": "штаб-квартира в",
    "link.country": "в стране",
    "smallmap.label": "Где находится {name}",
}

_MESSAGES = {"en": _EN, "zh": _ZH, "ru": _RU}


class Messages:
    """The words of one language; a missing one falls back to English."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._own = _MESSAGES.get(language, _EN)

    def __call__(self, key: str, **values: object) -> str:
        # An unknown key (a kind of thing added to the data later) shows its last part.
        text = self._own.get(key) or _EN.get(key) or key.rsplit(".", 1)[-1]
        return text.format(**values) if values else text

    def subset(self, prefix: str) -> dict[str, str]:
        """Every message whose key starts with ``prefix`` (for the scripts of a page)."""
        return {key: self(key) for key in _EN if key.startswith(prefix)}


def messages(language: str) -> Messages:
    return Messages(language)
