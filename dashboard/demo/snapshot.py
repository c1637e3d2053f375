"""A deterministic demo KV snapshot in the documented ("seed") key layout of DATABASE_SCHEMA_REFERENCE.md.

``write_demo_snapshot(out, scale, seed, as_of)`` streams ``{"key": ..., "value": ...}`` records to ``out`` (format
from the extension: ``.ndjson``, ``.json``, ``.csv``, ``.parquet``, each optionally ``.gz``) and writes
``<out>.manifest.json``. The same (scale, seed, as_of) gives byte-identical files.

Time. ``as_of`` defaults to today in Europe/Moscow. Every timestamp is at or before ``snapshot_at`` = ``as_of``
00:00 +03:00 (so a default demo never holds future timestamps); daily analytics cover the 365 dates ending at
``as_of`` inclusive. Upcoming concerts have future ``date`` values (dates, not timestamps). Timestamps are
ISO-8601 with ``+03:00``; dates are ``YYYY-MM-DD``.

Values are plain JSON with the reference schema's snake_case column names, plus each row's own ``id`` and its
owner (``user_id``; ``artist_id`` for donations; ``track_id``/``concert_id`` and ``date`` for analytics). One
extra field: ``users:{u}:base`` carries ``role`` (``artist``, ``fan``, ``moderator``, ``support``, ``admin``).
Money is whole rubles (RUB) except the few USD/EUR payments, whose amounts have two decimals.

Moderation queue. ``status == "pending"`` means "waiting for moderation" for tracks, videos, concerts, news,
banners (banner_ads), pitching submissions and promotion campaigns alike. Other statuses: tracks/videos/
concerts/news ``draft|pending|approved|rejected``; banners ``draft|pending|active|paused|completed|rejected``;
promotion ``draft|pending|active|paused|completed|rejected``; pitching ``pending|accepted|rejected``. Pending
``created_at`` values cycle through three age bands before ``snapshot_at``: 1-12 h, 30-60 h and 4-20 days.

Money streams and deduplication. Each donation is stored twice, as in the platform: as
``donations:{artist}:{donationId}`` and as a ``donation_received`` entry in ``payments:{artist}:transactions``
with the same amount, currency and status and ``metadata: {"donation_id": <donationId>}``; count donation money
from one of the two only. Other payment metadata: ``coin_purchase`` -> ``{"coins", "coin_transaction_id"}``
(``coin_transaction_id`` is null when the payment failed or is pending); ``subscription`` -> ``{"tier",
"subscription_id", "period"}``; ``promotion`` -> ``{"stream": "banner"|"campaign"|"pitching", "entity_id"}``.
Coin spends (negative ``amount``) name ``related_entity_type`` ``banner|promotion|pitching|boost``; coin
purchases name ``payment`` and the payment id; refunds give coins back for rejected items.

Planted inconsistencies (listed in the manifest under ``inconsistencies``): ``coin_balance_drift`` (balance
differs from the sum of the user's coin transactions), ``dangling_list_ids`` (ids in list keys with no record,
including ``banners:active:list``) and ``unread_drift`` (``notifications:{u}:unread`` differs from the unread
items in the list). With ``clean=True`` (``demo --clean``) nothing is planted: the generator draws exactly the same
random numbers, so the clean snapshot is the planted one with every planted case repaired, and the manifest's
``inconsistencies`` lists are empty.

Planted suspicious activity (listed in the manifest under ``anomalies``, one list per kind of
``dashboard/anomalies``): ``play_spike`` (a quiet day of a released track gets 15× its recent best day in plays while
its listeners stay as they were), ``donation_burst`` (6-9 small donations within about half an hour from one donor
matched by user id, by e-mail, or from two donors matched by name), ``self_donation`` (the artist donates to
themselves: by user id, by the account e-mail, by the profile name), ``coin_farming`` (12-20 coin earnings
minutes apart) and ``refund_cluster`` (3-4 refunded coin purchases within days). Artists from the fourth on
are planted, a few of each kind. The plants draw from their own random stream, so the rest of the snapshot is the
same with or without them, and ``clean`` plants none.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import os
import random
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

from dashboard.i18n.formatting import MOSCOW, moscow_today

SCALES: dict[str, int] = {"tiny": 2_000, "small": 20_000, "medium": 1_000_000, "large": 10_000_000}

# Average keys per artist, fan and staff member, measured with the generator below. They size the fan and
# staff populations and the budget left for artists (see iter_snapshot).
KEYS_PER_ARTIST = 235
KEYS_PER_FAN = 12
KEYS_PER_STAFF = 9
MIN_ARTISTS = 4
HISTORY_DAYS = 365
BATCH = 2_000
PARQUET_ROW_GROUP = 100_000

Record = tuple[str, Any]
RecordGen = Generator[Record, None, Any]
PENDING_ENTITIES = ("tracks", "videos", "concerts", "news", "banners", "pitching", "promotion")
PENDING_BANDS = ((1, 12), (30, 60), (96, 480))  # hours before snapshot_at
AGE_BAND_NAMES = ("under_24h", "24h_to_72h", "over_72h")

# ----------------------------------------------------------------------------------------------- vocabulary
FIRST_M = ("Алексей", "Дмитрий", "Иван", "Максим", "Артём", "Никита", "Егор", "Михаил", "Кирилл", "Андрей",
           "Павел", "Роман", "Сергей", "Тимур", "Илья", "Глеб", "Марат", "Руслан", "Денис", "Ярослав")
FIRST_F = ("Анна", "Мария", "Екатерина", "Алина", "Дарья", "Полина", "Виктория", "Ксения", "София", "Ольга",
           "Юлия", "Вероника", "Алиса", "Диана", "Камила", "Елизавета", "Таисия", "Ева")
LAST = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов",
        "Петров", "Волков", "Соловьёв", "Васильев", "Зайцев", "Павлов", "Семёнов", "Голубев", "Виноградов",
        "Богданов", "Воробьёв", "Фёдоров", "Михайлов", "Тарасов", "Белов", "Комаров", "Орлов", "Киселёв",
        "Макаров", "Андреев", "Ковалёв", "Ильин", "Гусев", "Титов", "Кузьмин", "Сорокин", "Захаров",
        "Галиуллин", "Хабибуллин", "Сафин", "Гарипов")
ADJ = ("Северный", "Ночной", "Бархатный", "Пыльный", "Ледяной", "Мятный", "Солнечный", "Тихий", "Дикий",
       "Электрический", "Космический", "Уральский", "Сибирский", "Неоновый", "Бумажный", "Последний")
NOUN = ("Ветер", "Город", "Прибой", "Маяк", "Трамвай", "Кот", "Шторм", "Фонарь", "Кит", "Лес", "Мотылёк",
        "Вокзал", "Сад", "Дождь", "Закат", "Пилот")
SOLO = ("Мираж", "Полярис", "Луна", "Кира", "Ветта", "Сойка", "Алтай", "Ртуть", "Нева", "Весна")
CITIES = ("Москва", "Москва", "Москва", "Санкт-Петербург", "Санкт-Петербург", "Казань", "Екатеринбург",
          "Новосибирск", "Нижний Новгород", "Краснодар", "Самара", "Ростов-на-Дону", "Пермь", "Воронеж",
          "Владивосток", "Калининград", "Уфа", "Тюмень", "Ярославль")
VENUES = ("Клуб «Гараж»", "Арт-пространство «Завод»", "Концертный зал «Север»", "Бар «Пластинка»",
          "ДК «Звезда»", "Лофт «Кирпич»", "Клуб «Сцена»", "Летняя площадка «Парк»", "Клуб «Подвал»")
STREETS = ("ул. Ленина", "пр. Мира", "ул. Пушкина", "Невский пр.", "ул. Баумана", "ул. Малышева",
           "Красный пр.", "ул. Гагарина", "наб. Фонтанки", "ул. Советская")
GENRES = ("Поп", "Хип-хоп", "Рок", "Инди", "Электроника", "R&B", "Альтернатива", "Фолк", "Джаз", "Метал",
          "Лоу-фай", "Панк")
TITLES = ("Ночной город", "Не отпускай", "Питер, привет", "Лето в голове", "Последний трамвай", "Мосты",
          "Снег в апреле", "Танцуй со мной", "Сибирь", "Огни", "Волна", "Без тебя", "Домой", "Пятница",
          "Километры", "Неон", "Белые ночи", "Кислород", "Мой район", "Высота", "Туман", "Бессонница",
          "Заново", "Полароид", "Шёпот", "Самолёты", "Ветер перемен", "Окна", "Звёзды над Казанью", "Февраль")
EMOJI = ("🔥", "🎸", "❤️", "✨", "🌙", "🎧")
DONATION_MESSAGES = ("Спасибо за музыку! ❤️", "{city} ждёт концерт 🔥", "Лучший трек этого лета!",
                     "На новый альбом 🎸", "Ты супер, продолжай!", "Держи на струны 😉",
                     "Слушаю каждый день на повторе", "Приезжайте ещё, было мощно 🔥")
NEWS_TITLES = ("Новый сингл «{t}» уже на всех площадках 🔥", "Анонс тура по России 🎸", "Клип на «{t}» вышел!",
               "Спасибо за первые 10 000 прослушиваний ❤️", "Скоро концерт — {city}! 🎸", "Дневник студии: пишем альбом",
               "Итоги года 🎉")
TARGETS = (("radio", "Радио «Волна FM»"), ("radio", "Радио «Северный ветер»"), ("playlist", "Плейлист «Новая волна»"),
           ("playlist", "Плейлист «Инди на русском»"), ("festival", "Фестиваль «Летний звук»"),
           ("festival", "Фестиваль «Сибирские огни»"), ("label", "Лейбл «Тёплый ламповый»"))
TICKET_SUBJECTS = (("technical", "Не загружается трек"), ("billing", "Вопрос по оплате подписки"),
                   ("billing", "Не пришли коины после оплаты"), ("content", "Баннер долго на модерации"),
                   ("other", "Как изменить никнейм?"), ("billing", "Не вижу донат в выписке"),
                   ("technical", "Ссылка на билеты не открывается"))
MESSAGE_LINES = ("Привет! Очень нравится твой новый трек 🔥", "Спасибо, очень приятно ❤️",
                 "Когда концерт в Москве?", "Планируем осенью, следи за новостями!", "Можно автограф после шоу?",
                 "Конечно, подходи после концерта 🎸", "А где купить мерч?", "Скоро запустим магазин ✨")
NOTIFICATION_KINDS = (("donation", "Новый донат 💸"), ("message", "Новое сообщение"),
                      ("concert_reminder", "Напоминание о концерте"), ("moderation", "Материал прошёл модерацию ✅"),
                      ("promotion", "Кампания запущена 🚀"), ("system", "Обновление платформы"))
EMAIL_TEMPLATES = (("weekly_digest", "Ваша статистика за неделю 📈"), ("donation_received", "Вам пришёл донат!"),
                   ("moderation_result", "Результат модерации"), ("payment_receipt", "Чек об оплате"),
                   ("promo_offer", "Скидка 20% на продвижение 🔥"), ("welcome", "Добро пожаловать в Promo.music!"))
EMAIL_DOMAINS = ("yandex.ru", "mail.ru", "gmail.com", "bk.ru", "inbox.ru", "rambler.ru")
TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                    ("a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
                     "s", "t", "u", "f", "h", "ts", "ch", "sh", "sch", "", "y", "", "e", "yu", "ya"), strict=True))
PLATFORMS = (("yandex_music", 0.42), ("vk_music", 0.30), ("zvuk", 0.10), ("apple_music", 0.09), ("spotify", 0.09))
COUNTRIES = (("RU", 0.82), ("KZ", 0.05), ("BY", 0.04), ("UZ", 0.025), ("AM", 0.02), ("DE", 0.015),
             ("GE", 0.01), ("KG", 0.01), ("IL", 0.006), ("US", 0.004))
REFERRALS = (("vk", 0.34), ("telegram", 0.26), ("instagram", 0.08), ("direct", 0.22), ("yandex", 0.10))
WEEKDAY_FACTOR = (0.92, 0.9, 0.93, 0.97, 1.1, 1.22, 1.15)
TIERS: dict[str, tuple[int, list[str], dict[str, int]]] = {
    "free": (0, ["upload_tracks"], {"tracks": 5, "banners": 0, "pitching_per_month": 0}),
    "basic": (299, ["upload_tracks", "analytics"], {"tracks": 30, "banners": 1, "pitching_per_month": 2}),
    "pro": (799, ["upload_tracks", "analytics", "pitching", "banners"],
            {"tracks": 200, "banners": 5, "pitching_per_month": 10}),
    "premium": (1990, ["upload_tracks", "analytics", "pitching", "banners", "priority_moderation"],
                {"tracks": 1000, "banners": 20, "pitching_per_month": 50}),
}
COIN_PACKS = ((100, 99), (500, 449), (1000, 849), (3000, 2390))  # (coins, rubles)
FX = {"USD": 92.0, "EUR": 99.0}
ANOMALY_PLANTS = {"play_spike": 3, "donation_burst": 3, "self_donation": 3, "coin_farming": 2, "refund_cluster": 2}
FIRST_PLANTED_ARTIST = 3


# ------------------------------------------------------------------------------------------------- context
@dataclass
class Context:
    """Everything the record generators share: the one random stream, the clock and the running tallies."""

    rng: random.Random
    as_of: date
    snapshot_at: datetime
    first_day: date
    days: list[str]
    artist_ids: list[str]  # grows as artists are generated (see iter_snapshot)
    fan_ids: list[str]
    fan_names: list[str]
    staff_ids: list[str]
    clean: bool = False  # plant no inconsistencies (the same random draws, the planted values not applied)
    promoted_concerts: list[str] = field(default_factory=list)
    promoted_news: list[str] = field(default_factory=list)
    active_banners: list[str] = field(default_factory=list)
    fan_conversations: dict[str, list[str]] = field(default_factory=dict)
    pending: Counter[str] = field(default_factory=Counter)
    pending_by_age: dict[str, Counter[str]] = field(default_factory=dict)
    drift: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {
        "coin_balance_drift": [], "dangling_list_ids": [], "unread_drift": []})
    plant_rng: random.Random = field(default_factory=random.Random)  # the planted anomalies' own random stream
    planted: Counter[str] = field(default_factory=Counter)  # plants drawn per kind (in clean mode too)
    anomalies: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {kind: [] for kind in ANOMALY_PLANTS})


def expected_artists(scale: str) -> int:
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    return max(MIN_ARTISTS, round(SCALES[scale] / KEYS_PER_ARTIST))


def build_context(scale: str, seed: int, as_of: date, clean: bool = False) -> Context:
    rng = random.Random(seed)
    artists = expected_artists(scale)
    first_day = as_of - timedelta(days=HISTORY_DAYS - 1)
    ctx = Context(
        rng=rng, as_of=as_of, snapshot_at=datetime.combine(as_of, time(0), MOSCOW), first_day=first_day,
        days=[(first_day + timedelta(days=i)).isoformat() for i in range(HISTORY_DAYS)],
        artist_ids=[], fan_ids=[], fan_names=[], staff_ids=[], clean=clean,
        plant_rng=random.Random(f"anomalies:{seed}"))
    ctx.fan_ids = [new_id(ctx) for _ in range(max(3, artists * 2 // 5))]
    ctx.fan_names = [person_name(ctx) for _ in ctx.fan_ids]
    ctx.staff_ids = [new_id(ctx) for _ in range(max(3, artists // 150))]
    return ctx


# ------------------------------------------------------------------------------------------------- helpers
def new_id(ctx: Context) -> str:
    return str(uuid.UUID(int=ctx.rng.getrandbits(128), version=4))


@contextmanager
def planting(ctx: Context) -> Iterator[None]:
    """Draw from the plants' own random stream: the main stream is the same with or without the plants."""
    main = ctx.rng
    ctx.rng = ctx.plant_rng
    try:
        yield
    finally:
        ctx.rng = main


def plant_now(ctx: Context, kind: str, index: int) -> bool:
    """Whether this artist gets a plant of ``kind`` (drawn in clean mode too, applied only when not clean)."""
    if index < FIRST_PLANTED_ARTIST or ctx.planted[kind] >= ANOMALY_PLANTS[kind]:
        return False
    return ctx.plant_rng.random() < 0.5


def record_plant(ctx: Context, kind: str, entry: dict[str, Any]) -> bool:
    """Count the plant; list it in the manifest unless clean. True when it is to be applied."""
    ctx.planted[kind] += 1
    if ctx.clean:
        return False
    ctx.anomalies[kind].append(entry)
    return True


def ts(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def hours_ago(ctx: Context, low: float, high: float) -> datetime:
    return ctx.snapshot_at - timedelta(seconds=int(ctx.rng.uniform(low, high) * 3600))


def moment_on(ctx: Context, day: date) -> datetime:
    """A daytime moment on `day`, never after snapshot_at."""
    moment = datetime.combine(day, time(9), MOSCOW) + timedelta(seconds=ctx.rng.randrange(15 * 3600))
    return min(moment, ctx.snapshot_at - timedelta(minutes=ctx.rng.randrange(5, 600)))


def later(ctx: Context, start: datetime, low_h: float, high_h: float) -> datetime:
    return min(start + timedelta(seconds=int(ctx.rng.uniform(low_h, high_h) * 3600)), ctx.snapshot_at)


def day_between(ctx: Context, low: date, high: date) -> date:
    return low + timedelta(days=ctx.rng.randrange(max(1, (high - low).days + 1)))


def day_index(ctx: Context, day: date) -> int:
    return (day - ctx.first_day).days


def weighted(ctx: Context, options: tuple[tuple[str, float], ...]) -> str:
    return ctx.rng.choices([o for o, _ in options], [w for _, w in options])[0]


def pending_created_at(ctx: Context, entity: str) -> datetime:
    """Cycle pending items through the three age bands, so every band shows up at every scale."""
    band = ctx.pending[entity] % len(PENDING_BANDS)
    ctx.pending[entity] += 1
    ctx.pending_by_age.setdefault(entity, Counter())[AGE_BAND_NAMES[band]] += 1
    return hours_ago(ctx, *PENDING_BANDS[band])


def moderated_status(ctx: Context, force_pending: bool, options: tuple[tuple[str, float], ...]) -> str:
    return "pending" if force_pending else weighted(ctx, options)


def split_counts(ctx: Context, total: int, weights: tuple[tuple[str, float], ...], keep_zero: bool) -> dict[str, int]:
    """Split `total` over named shares with jitter; the first name takes the remainder, so the parts add up."""
    rnd = ctx.rng.random
    head = weights[0][0]
    parts: dict[str, int] = {head: 0}
    rest = total
    for name, share in weights[1:]:
        n = min(rest, int(total * share * (0.6 + 0.8 * rnd()) + rnd()))
        rest -= n
        if n or keep_zero:
            parts[name] = n
    parts[head] = rest
    return parts


def translit(text: str) -> str:
    return "".join(TRANSLIT.get(ch, ch) for ch in text.lower() if ch.isalnum() or ch == " ").replace(" ", "_")


def person_name(ctx: Context) -> str:
    if ctx.rng.random() < 0.5:
        return f"{ctx.rng.choice(FIRST_M)} {ctx.rng.choice(LAST)}"
    last = ctx.rng.choice(LAST)
    return f"{ctx.rng.choice(FIRST_F)} {last}{'а' if last.endswith(('ов', 'ёв', 'ев', 'ин')) else ''}"


def artist_pseudonym(ctx: Context) -> str:
    pattern = ctx.rng.randrange(5)
    if pattern == 0:
        return f"{ctx.rng.choice(ADJ)} {ctx.rng.choice(NOUN)}"
    if pattern == 1:
        return f"МС {ctx.rng.choice(NOUN)}"
    if pattern == 2:
        return f"DJ {ctx.rng.choice(SOLO)}"
    if pattern == 3:
        return f"группа «{ctx.rng.choice(ADJ)} {ctx.rng.choice(NOUN)}»"
    return ctx.rng.choice(SOLO)


def song_title(ctx: Context) -> str:
    title = ctx.rng.choice(TITLES)
    roll = ctx.rng.random()
    if roll < 0.3:
        return f"{title} {ctx.rng.choice(EMOJI)}"
    if roll < 0.38:
        return f"{title} (Remix)"
    return title


def username_for(name: str, number: int) -> str:
    return f"{translit(name)[:30]}_{number}"


def rubles(ctx: Context, low: int, high: int, step: int = 50) -> int:
    return ctx.rng.randrange(low // step, high // step + 1) * step


def payment_route(ctx: Context, currency: str = "RUB") -> tuple[str, str]:
    """(payment_method, provider)."""
    if currency != "RUB":
        return "card", "stripe"
    method = weighted(ctx, (("card", 0.6), ("sbp", 0.25), ("yoomoney", 0.15)))
    provider = "yookassa" if method == "yoomoney" else weighted(ctx, (("yookassa", 0.65), ("cloudpayments", 0.35)))
    return method, provider


def payment(ctx: Context, user_id: str, kind: str, amount_rub: int, created: datetime, description: str,
            metadata: dict[str, Any], status: str = "completed", foreign_share: float = 0.0,
            route: tuple[str, str] | None = None) -> dict[str, Any]:
    currency = "RUB"
    amount: float = amount_rub
    if foreign_share and ctx.rng.random() < foreign_share:
        currency = ctx.rng.choice(("USD", "EUR"))
        amount = round(amount_rub / FX[currency], 2)
    method, provider = route or payment_route(ctx, currency)
    return {
        "id": new_id(ctx), "user_id": user_id, "amount": amount, "currency": currency, "type": kind,
        "status": status, "payment_method": method, "provider": provider,
        "provider_transaction_id": f"{provider[:2]}_{ctx.rng.getrandbits(48):012x}",
        "description": description, "metadata": metadata, "created_at": ts(created),
        "completed_at": ts(later(ctx, created, 0.001, 0.05)) if status in ("completed", "refunded") else None,
    }


def id_list(ctx: Context, key: str, ids: list[str], dangling: bool) -> Record:
    """An index key; with `dangling`, one id whose record was deleted is left in it."""
    items = list(ids)
    if dangling:
        ghost = new_id(ctx)
        position = ctx.rng.randrange(len(items) + 1)
        if not ctx.clean:
            items.insert(position, ghost)
            ctx.drift["dangling_list_ids"].append({"list_key": key, "item_id": ghost})
    return key, items


# ----------------------------------------------------------------------------------------------- users
def user_records(ctx: Context, uid: str, role: str, name: str, joined: datetime, number: int,
                 city: str) -> Iterator[Record]:
    username = username_for(name, number)
    email = f"{username}@{ctx.rng.choice(EMAIL_DOMAINS)}"
    updated = later(ctx, joined, 1, 24 * 300)
    yield f"users:{uid}:base", {"id": uid, "email": email, "username": username, "role": role,
                                "created_at": ts(joined), "updated_at": ts(updated)}
    artist = role == "artist"
    yield f"users:{uid}:profile", {
        "id": uid, "name": name,
        "bio": f"Музыка из города {city} 🎧" if artist else None,
        "avatar_url": f"https://cdn.promo.music/avatars/{uid}.jpg",
        "location": city, "website": f"https://{username}.ru" if artist and ctx.rng.random() < 0.3 else None,
        "phone": f"+7 9{ctx.rng.randrange(10, 100)} {ctx.rng.randrange(100, 1000)}-{ctx.rng.randrange(10, 100)}-"
                 f"{ctx.rng.randrange(10, 100)}" if ctx.rng.random() < 0.6 else None,
        "socials": {"vk": f"https://vk.com/{username}", "telegram": f"https://t.me/{username}"} if artist else {},
        "verified": artist and ctx.rng.random() < 0.2, "created_at": ts(joined),
    }
    yield from settings_records(ctx, uid, updated)


def settings_records(ctx: Context, uid: str, updated: datetime) -> Iterator[Record]:
    rnd = ctx.rng.random
    notifications = {"notifications_email": rnd() < 0.85, "notifications_push": rnd() < 0.9,
                     "notifications_sms": rnd() < 0.1, "marketing_emails": rnd() < 0.6,
                     "marketing_notifications": rnd() < 0.5}
    privacy = {"profile_visibility": weighted(ctx, (("public", 0.85), ("followers", 0.1), ("private", 0.05))),
               "show_online_status": rnd() < 0.7,
               "allow_messages_from": weighted(ctx, (("everyone", 0.7), ("followers", 0.25), ("none", 0.05)))}
    profile = {"content_language": "ru" if rnd() < 0.95 else "en",
               "timezone": weighted(ctx, (("Europe/Moscow", 0.8), ("Asia/Yekaterinburg", 0.1),
                                          ("Asia/Novosibirsk", 0.06), ("Asia/Vladivostok", 0.04)))}
    stamp = {"updated_at": ts(updated)}
    full = {"user_id": uid, **notifications, **privacy, **profile, **stamp}
    yield f"users:{uid}:settings", full
    yield f"settings:{uid}:profile", {"user_id": uid, **profile, "profile_visibility": privacy["profile_visibility"],
                                      **stamp}
    yield f"settings:{uid}:notifications", {"user_id": uid, **notifications, **stamp}
    yield f"settings:{uid}:privacy", {"user_id": uid, **privacy, **stamp}


def subscription_record(ctx: Context, uid: str, role: str, joined: datetime,
                        payments: list[dict[str, Any]]) -> Record:
    """The user's subscription; monthly payments for paid tiers are appended to `payments`."""
    if role == "artist":
        tier = weighted(ctx, (("free", 0.35), ("basic", 0.3), ("pro", 0.23), ("premium", 0.12)))
    elif role == "fan":
        tier = weighted(ctx, (("free", 0.8), ("basic", 0.2)))
    else:
        tier = "premium"
    price, features, limits = TIERS[tier]
    started = max(joined, hours_ago(ctx, 24 * 5, 24 * 420))
    paid = tier != "free" and role != "staff"
    status = weighted(ctx, (("active", 0.75), ("cancelled", 0.12), ("expired", 0.13))) if paid else "active"
    months = max(1, (ctx.snapshot_at - started).days // 30 + (1 if status == "active" else 0))
    if status != "active":
        months = ctx.rng.randint(1, months)
    expires = started + timedelta(days=30 * months) if paid else None
    if status == "expired" and expires and expires > ctx.snapshot_at:
        expires = ctx.snapshot_at - timedelta(days=1)
    route = payment_route(ctx)
    sub_id = new_id(ctx)
    for month in range(months if paid else 0):
        at = started + timedelta(days=30 * month, minutes=ctx.rng.randrange(1, 30))
        if at >= ctx.snapshot_at:
            break
        status_p = "completed" if ctx.rng.random() < 0.96 else "failed"
        payments.append(payment(ctx, uid, "subscription", price, at, f"Подписка {tier.capitalize()} — 1 месяц",
                                {"tier": tier, "subscription_id": sub_id, "period": "month"}, status_p,
                                foreign_share=0.04, route=route))
    return f"users:{uid}:subscription", {
        "id": sub_id, "user_id": uid, "tier": tier, "status": status, "features": features, "limits": limits,
        "started_at": ts(started), "expires_at": ts(expires), "auto_renew": status == "active" and paid,
        "payment_method": route[0] if paid else None, "created_at": ts(started),
        "updated_at": ts(later(ctx, started, 0, 24 * 30)),
    }


def payment_methods_record(ctx: Context, uid: str, joined: datetime) -> Record:
    methods = []
    for n in range(ctx.rng.choice((1, 1, 1, 2, 3))):
        kind = weighted(ctx, (("card", 0.75), ("yoomoney", 0.15), ("sbp", 0.1)))
        card = kind == "card"
        methods.append({
            "id": new_id(ctx), "user_id": uid, "type": kind, "provider": "yookassa",
            "last4": f"{ctx.rng.randrange(10000):04d}" if card else None,
            "brand": weighted(ctx, (("mir", 0.5), ("visa", 0.3), ("mastercard", 0.2))) if card else None,
            "expiry_month": ctx.rng.randint(1, 12) if card else None,
            "expiry_year": ctx.as_of.year + ctx.rng.randint(0, 5) if card else None,
            "is_default": n == 0, "is_verified": ctx.rng.random() < 0.9, "created_at": ts(later(ctx, joined, 1, 2000)),
        })
    return f"payments:{uid}:methods", methods


# ------------------------------------------------------------------------------------------------- content
def track_daily_plays(ctx: Context, release: date, base: float) -> list[tuple[int, int]]:
    """(day index, plays) for the days with plays: a release spike, slow decay, weekly rhythm, maybe a viral burst."""
    rnd = ctx.rng.random
    release_idx = day_index(ctx, release)
    spike_at = ctx.rng.randrange(HISTORY_DAYS) if rnd() < 0.08 else -100
    spike_gain = 2 + 6 * rnd()
    weekday0 = ctx.first_day.weekday()
    series = []
    for i in range(max(0, release_idx), HISTORY_DAYS):
        age = i - release_idx
        expected = base * (1 + 5 * math.exp(-age / 12)) * math.exp(-age / 320) * WEEKDAY_FACTOR[(weekday0 + i) % 7]
        if 0 <= i - spike_at < 21:
            expected *= 1 + spike_gain * math.exp(-(i - spike_at) / 6)
        plays = int(expected * (0.5 + rnd()))
        if plays:
            series.append((i, plays))
    return series


def track_analytics_days(ctx: Context, track_id: str, series: list[tuple[int, int]],
                         listeners_of: dict[int, int] | None = None) -> Iterator[Record]:
    """The daily records; ``listeners_of`` gives, for a planted day, the plays its listeners are drawn from."""
    rnd = ctx.rng.random
    listeners_of = listeners_of or {}
    platforms = tuple((name, share * (0.6 + 0.8 * rnd())) for name, share in PLATFORMS)
    countries = tuple((name, share * (0.5 + rnd())) for name, share in COUNTRIES)
    for i, plays in series:
        day = ctx.days[i]
        yield f"analytics:tracks:{track_id}:{day}", {
            "id": new_id(ctx), "track_id": track_id, "date": day, "plays": plays,
            "unique_listeners": max(1, int(listeners_of.get(i, plays) * (0.55 + 0.3 * rnd()))),
            "likes": int(plays * 0.06 * rnd() + rnd()), "shares": int(plays * 0.012 * rnd() + rnd() * 0.6),
            "downloads": int(plays * 0.02 * rnd() + rnd() * 0.5), "playlist_adds": int(plays * 0.04 * rnd() + rnd()),
            "platform_stats": split_counts(ctx, plays, platforms, True),
            "geographic_stats": split_counts(ctx, plays, countries, False),
        }


def plant_play_spike(ctx: Context, uid: str, tid: str, index: int,
                     series: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], dict[int, int]]:
    """Bought plays: a day past the release weeks gets 15× the track's best day of the four weeks before (at
    least 60), while its listeners are drawn from the day's real plays. Returns the series and listeners_of."""
    if len(series) < 60 or not plant_now(ctx, "play_spike", index):
        return series, {}
    pos = ctx.plant_rng.randrange(45, len(series))
    day, plays = series[pos]
    recent = [p for i, p in series[max(0, pos - 28):pos] if i >= day - 28]
    bought = max(60, 15 * max(recent or [plays]))
    if not record_plant(ctx, "play_spike", {"artist_id": uid, "track_id": tid, "date": ctx.days[day],
                                            "plays": bought, "organic_plays": plays}):
        return series, {}
    patched = list(series)
    patched[pos] = (day, bought)
    return patched, {day: plays}


def track_records(ctx: Context, uid: str, artist: str, joined: datetime, popularity: float, force: bool,
                  force_dangling: bool, index: int = -1) -> RecordGen:
    """Tracks with their daily analytics; returns the ids of the released tracks."""
    released: list[str] = []
    ids: list[str] = []
    for n in range(ctx.rng.choice((1, 2, 2, 3, 3, 4, 5, 6, 8))):
        tid = new_id(ctx)
        ids.append(tid)
        status = moderated_status(ctx, force and n == 0, (("approved", 0.8), ("draft", 0.05), ("rejected", 0.06),
                                                           ("pending", 0.09)))
        series: list[tuple[int, int]] = []
        listeners_of: dict[int, int] = {}
        if status == "approved":
            release = day_between(ctx, joined.date() + timedelta(days=7), ctx.as_of)
            created = moment_on(ctx, release - timedelta(days=ctx.rng.randint(1, 20)))
            series = track_daily_plays(ctx, release, popularity * math.exp(ctx.rng.gauss(0, 0.9)))
            series, listeners_of = plant_play_spike(ctx, uid, tid, index, series)
            released.append(tid)
        elif status == "pending":
            created = pending_created_at(ctx, "tracks")
            release = ctx.as_of + timedelta(days=ctx.rng.randint(3, 30))
        else:
            created = hours_ago(ctx, 24, 24 * 200)
            release = ctx.as_of + timedelta(days=ctx.rng.randint(-30, 60))
        window_plays = sum(p for _, p in series)
        earlier = int(window_plays * ctx.rng.uniform(0.2, 3)) if series and day_index(ctx, release) < 0 else 0
        plays = window_plays + earlier
        yield f"tracks:{uid}:{tid}", {
            "id": tid, "user_id": uid, "title": song_title(ctx), "genre": ctx.rng.choice(GENRES),
            "authors": artist if ctx.rng.random() < 0.7 else f"{artist}, {person_name(ctx)}",
            "cover_url": f"https://cdn.promo.music/covers/{tid}.jpg",
            "audio_url": f"https://cdn.promo.music/audio/{tid}.mp3", "duration": ctx.rng.randint(95, 330),
            "release_date": release.isoformat(), "status": status, "views": int(plays * ctx.rng.uniform(1.1, 1.6)),
            "likes": int(plays * ctx.rng.uniform(0.02, 0.07)), "plays": plays, "is_paid": ctx.rng.random() < 0.1,
            "created_at": ts(created), "updated_at": ts(later(ctx, created, 0.5, 24 * 10)),
        }
        yield from track_analytics_days(ctx, tid, series, listeners_of)
    yield id_list(ctx, f"tracks:{uid}:list", ids, dangling=force_dangling or ctx.rng.random() < 0.015)
    return released


def video_records(ctx: Context, uid: str, force: bool) -> RecordGen:
    ids: list[str] = []
    count = ctx.rng.choice((0, 0, 1, 1, 2, 3)) or (1 if force else 0)
    for n in range(count):
        vid = new_id(ctx)
        ids.append(vid)
        status = moderated_status(ctx, force and n == 0, (("approved", 0.8), ("draft", 0.05), ("rejected", 0.05),
                                                           ("pending", 0.1)))
        created = pending_created_at(ctx, "videos") if status == "pending" else hours_ago(ctx, 24, 24 * 360)
        platform = ctx.rng.choice(("youtube", "rutube"))
        approved = status == "approved"
        url = (f"https://www.youtube.com/watch?v={ctx.rng.getrandbits(40):010x}" if platform == "youtube"
               else f"https://rutube.ru/video/{ctx.rng.getrandbits(64):016x}/")
        yield f"videos:{uid}:{vid}", {
            "id": vid, "user_id": uid, "title": f"{song_title(ctx)} (official video)",
            "description": "Клип снят в Санкт-Петербурге 🎬" if ctx.rng.random() < 0.3 else None,
            "video_url": url, "thumbnail_url": f"https://cdn.promo.music/thumbs/{vid}.jpg", "platform": platform,
            "duration": ctx.rng.randint(120, 420), "status": status,
            "views": int(ctx.rng.lognormvariate(7, 1.3)) if approved else 0,
            "likes": int(ctx.rng.lognormvariate(4, 1.2)) if approved else 0, "is_paid": False,
            "created_at": ts(created), "updated_at": ts(later(ctx, created, 0.2, 24 * 5)),
        }
    if ids:
        yield id_list(ctx, f"videos:{uid}:list", ids, ctx.rng.random() < 0.015)
    return ids


def concert_analytics_days(ctx: Context, concert_id: str, created: date, event: date, base: float,
                           promoted: bool) -> tuple[list[Record], int, int]:
    rnd = ctx.rng.random
    sources = tuple((name, share * (0.5 + rnd())) for name, share in REFERRALS)
    records: list[Record] = []
    views_total = clicks_total = 0
    for i in range(max(0, day_index(ctx, created)), min(HISTORY_DAYS, day_index(ctx, event) + 1)):
        to_go = day_index(ctx, event) - i
        expected = base * (1 + 4 * math.exp(-to_go / 9)) * (2.5 if promoted else 1)
        views = int(expected * (0.4 + 1.2 * rnd()))
        if not views:
            continue
        clicks = int(views * (0.05 + 0.1 * rnd()))
        views_total += views
        clicks_total += clicks
        day = ctx.days[i]
        records.append((f"analytics:concerts:{concert_id}:{day}", {
            "id": new_id(ctx), "concert_id": concert_id, "date": day, "views": views, "clicks": clicks,
            "ticket_views": int(clicks * (0.3 + 0.5 * rnd())), "share_count": int(views * 0.02 * rnd() + rnd() * 0.5),
            "referral_sources": split_counts(ctx, views, sources, True),
        }))
    return records, views_total, clicks_total


def concert_records(ctx: Context, uid: str, artist: str, city: str, popularity: float, force: bool) -> RecordGen:
    ids: list[str] = []
    count = ctx.rng.choice((0, 0, 1, 1, 2, 2, 3, 4)) or (1 if force else 0)
    for n in range(count):
        cid = new_id(ctx)
        ids.append(cid)
        status = moderated_status(ctx, force and n == 0, (("approved", 0.82), ("draft", 0.04), ("rejected", 0.04),
                                                           ("pending", 0.1)))
        town = city if ctx.rng.random() < 0.5 else ctx.rng.choice(CITIES)
        if status == "pending":
            created_at = pending_created_at(ctx, "concerts")
            event = ctx.as_of + timedelta(days=ctx.rng.randint(10, 120))
        else:
            event = ctx.as_of + timedelta(days=ctx.rng.randint(-330, 150))
            created_at = moment_on(ctx, max(ctx.first_day - timedelta(days=20),
                                            event - timedelta(days=ctx.rng.randint(20, 90))))
        promoted = status == "approved" and event >= ctx.as_of and ctx.rng.random() < 0.4
        analytics, views, clicks = ([], 0, 0) if status != "approved" else concert_analytics_days(
            ctx, cid, created_at.date(), event, popularity * ctx.rng.uniform(0.5, 3), promoted)
        if promoted:
            ctx.promoted_concerts.append(cid)
        price = rubles(ctx, 500, 3000, 100)
        yield f"concerts:{uid}:{cid}", {
            "id": cid, "user_id": uid, "title": ctx.rng.choice((f"{artist}: большой сольный концерт",
                                                                f"Презентация альбома «{song_title(ctx)}»",
                                                                f"{artist} — {town} 🎸", "Акустический вечер")),
            "description": "Живой звук, новые песни и любимые хиты ❤️", "date": event.isoformat(),
            "time": f"{ctx.rng.choice((18, 19, 19, 20, 21))}:00:00", "city": town, "venue": ctx.rng.choice(VENUES),
            "address": f"{ctx.rng.choice(STREETS)}, {ctx.rng.randint(1, 120)}",
            "type": weighted(ctx, (("concert", 0.8), ("festival", 0.15), ("private", 0.05))),
            "banner_url": f"https://cdn.promo.music/concerts/{cid}.jpg", "ticket_price_from": price,
            "ticket_price_to": price + rubles(ctx, 0, 5000, 100),
            "ticket_link": f"https://tickets.promo.music/e/{cid[:8]}", "capacity": ctx.rng.choice((150, 300, 500,
                                                                                                  1200, 3000)),
            "status": status, "views": views, "clicks": clicks, "is_paid": promoted, "is_promoted": promoted,
            "created_at": ts(created_at), "updated_at": ts(later(ctx, created_at, 0.5, 24 * 7)),
        }
        yield from analytics
    if ids:
        yield id_list(ctx, f"concerts:{uid}:list", ids, ctx.rng.random() < 0.015)
    return ids


def news_records(ctx: Context, uid: str, city: str, force: bool) -> RecordGen:
    ids: list[str] = []
    count = ctx.rng.choice((0, 1, 1, 2, 3, 5)) or (1 if force else 0)
    for n in range(count):
        nid = new_id(ctx)
        ids.append(nid)
        status = moderated_status(ctx, force and n == 0, (("approved", 0.8), ("draft", 0.06), ("rejected", 0.04),
                                                           ("pending", 0.1)))
        created = pending_created_at(ctx, "news") if status == "pending" else hours_ago(ctx, 3, 24 * 360)
        approved = status == "approved"
        promoted = approved and ctx.rng.random() < 0.15
        if promoted:
            ctx.promoted_news.append(nid)
        title = ctx.rng.choice(NEWS_TITLES).format(t=ctx.rng.choice(TITLES), city=city)
        yield f"news:{uid}:{nid}", {
            "id": nid, "user_id": uid, "title": title,
            "content": f"{title}\n\nСпасибо, что вы с нами! Подробности — в наших соцсетях.",
            "preview": title[:80], "cover_image": f"https://cdn.promo.music/news/{nid}.jpg", "status": status,
            "views": int(ctx.rng.lognormvariate(6, 1.2)) if approved else 0,
            "likes": int(ctx.rng.lognormvariate(3, 1.2)) if approved else 0,
            "comments": int(ctx.rng.lognormvariate(1.5, 1)) if approved else 0, "is_paid": promoted,
            "is_promoted": promoted, "published_at": ts(later(ctx, created, 1, 48)) if approved else None,
            "created_at": ts(created), "updated_at": ts(later(ctx, created, 0.5, 72)),
        }
    if ids:
        yield id_list(ctx, f"news:{uid}:list", ids, ctx.rng.random() < 0.015)
    return ids


# --------------------------------------------------------------------------------------- promotion streams
def coin_spend(ctx: Context, uid: str, coins: int, entity_type: str, entity_id: str, at: datetime,
               description: str) -> dict[str, Any]:
    return {"id": new_id(ctx), "user_id": uid, "amount": -coins, "type": "spend", "description": description,
            "related_entity_type": entity_type, "related_entity_id": entity_id, "created_at": ts(at)}


def pay_for_promotion(ctx: Context, uid: str, stream: str, entity_id: str, rub: int, at: datetime, title: str,
                      rejected: bool, coin_tx: list[dict[str, Any]], payments: list[dict[str, Any]]) -> None:
    """Pay with coins (about 60%) or money; rejected items get their coins back or the payment refunded."""
    entity_type = {"banner": "banner", "campaign": "promotion", "pitching": "pitching"}[stream]
    if ctx.rng.random() < 0.6:
        coin_tx.append(coin_spend(ctx, uid, rub, entity_type, entity_id, at, title))
        if rejected:
            coin_tx.append({"id": new_id(ctx), "user_id": uid, "amount": rub, "type": "refund",
                            "description": f"Возврат: {title}", "related_entity_type": entity_type,
                            "related_entity_id": entity_id, "created_at": ts(later(ctx, at, 2, 72))})
        return
    status = "refunded" if rejected else ("completed" if ctx.rng.random() < 0.95 else "failed")
    payments.append(payment(ctx, uid, "promotion", rub, at, title, {"stream": stream, "entity_id": entity_id},
                            status))


def banner_records(ctx: Context, uid: str, city: str, force: bool, coin_tx: list[dict[str, Any]],
                   payments: list[dict[str, Any]]) -> RecordGen:
    ids: list[str] = []
    count = ctx.rng.choice((0, 0, 0, 1, 1, 2)) or (1 if force else 0)
    for n in range(count):
        bid = new_id(ctx)
        ids.append(bid)
        status = moderated_status(ctx, force and n == 0, (("active", 0.3), ("completed", 0.3), ("paused", 0.08),
                                                           ("draft", 0.07), ("rejected", 0.07), ("pending", 0.18)))
        created = pending_created_at(ctx, "banners") if status == "pending" else hours_ago(ctx, 24, 24 * 330)
        budget = rubles(ctx, 1000, 30000, 500)
        start = later(ctx, created, 12, 72) if status not in ("pending", "draft", "rejected") else None
        end = start + timedelta(days=ctx.rng.choice((7, 14, 30))) if start else None
        if status == "active" and end and end < ctx.snapshot_at:
            end = ctx.snapshot_at + timedelta(days=ctx.rng.randint(2, 20))
        if status == "active":
            ctx.active_banners.append(bid)
        ran = start is not None
        impressions = int(budget * ctx.rng.uniform(8, 25)) if ran else 0
        spent = min(budget, int(budget * ctx.rng.uniform(0.3, 1))) if ran else 0
        title = f"Слушай «{song_title(ctx)}» 🔥"
        yield f"banners:{uid}:{bid}", {
            "id": bid, "user_id": uid, "title": title, "description": "Новый релиз уже на всех площадках",
            "image_url": f"https://cdn.promo.music/banners/{bid}.jpg", "target_url": f"https://promo.music/a/{uid}",
            "placement": ctx.rng.choice(("homepage", "sidebar", "concerts", "tracks")),
            "priority": ctx.rng.randint(0, 5),
            "status": status, "budget": budget, "spent": spent, "impressions": impressions,
            "clicks": int(impressions * ctx.rng.uniform(0.005, 0.03)), "start_date": ts(start), "end_date": ts(end),
            "targeting": {"cities": sorted({city, ctx.rng.choice(CITIES)}), "genres": [ctx.rng.choice(GENRES)]},
            "created_at": ts(created), "updated_at": ts(later(ctx, created, 0.5, 48)),
        }
        if status != "draft":
            pay_for_promotion(ctx, uid, "banner", bid, budget // 10, created, f"Баннер: {title}",
                              status == "rejected", coin_tx, payments)
    if ids:
        yield f"banners:{uid}:list", ids
    return ids


def campaign_records(ctx: Context, uid: str, tracks: list[str], concerts: list[str], force: bool,
                     coin_tx: list[dict[str, Any]], payments: list[dict[str, Any]]) -> RecordGen:
    ids: list[str] = []
    count = ctx.rng.choice((0, 0, 0, 1, 1, 2)) or (1 if force else 0)
    for n in range(count):
        pid = new_id(ctx)
        ids.append(pid)
        kind = weighted(ctx, (("track_promotion", 0.6), ("concert_promotion", 0.25), ("profile_boost", 0.15)))
        if (kind == "concert_promotion" and not concerts) or (kind == "track_promotion" and not tracks):
            kind = "profile_boost"
        target_type, target = {"track_promotion": ("track", tracks), "concert_promotion": ("concert", concerts),
                               "profile_boost": ("profile", [uid])}[kind]
        status = moderated_status(ctx, force and n == 0, (("active", 0.25), ("completed", 0.35), ("paused", 0.05),
                                                           ("draft", 0.07), ("rejected", 0.08), ("pending", 0.2)))
        created = pending_created_at(ctx, "promotion") if status == "pending" else hours_ago(ctx, 24, 24 * 330)
        budget = rubles(ctx, 2000, 50000, 1000)
        ran = status in ("active", "completed", "paused")
        start = later(ctx, created, 6, 48) if ran else None
        reach = int(budget * ctx.rng.uniform(3, 12)) if ran else 0
        engagement = int(reach * ctx.rng.uniform(0.03, 0.12))
        name = f"Продвижение {ctx.rng.choice(('релиза', 'концерта', 'профиля', 'сингла'))} #{n + 1}"
        yield f"promotion:{uid}:{pid}", {
            "id": pid, "user_id": uid, "name": name, "type": kind, "target_entity_type": target_type,
            "target_entity_id": ctx.rng.choice(target), "status": status, "budget": budget,
            "spent": min(budget, int(budget * ctx.rng.uniform(0.2, 1))) if ran else 0, "reach": reach,
            "engagement": engagement, "conversions": int(engagement * ctx.rng.uniform(0.05, 0.3)),
            "start_date": ts(start),
            "end_date": ts(start + timedelta(days=ctx.rng.choice((7, 14, 30))) if start else None),
            "settings": {"platforms": ["vk", "telegram", "yandex"][: ctx.rng.randint(1, 3)],
                         "daily_budget": budget // 10, "cities": [ctx.rng.choice(CITIES)]},
            "created_at": ts(created), "updated_at": ts(later(ctx, created, 0.5, 48)),
        }
        if status != "draft":
            pay_for_promotion(ctx, uid, "campaign", pid, budget // 5, created, name, status == "rejected",
                              coin_tx, payments)
    if ids:
        yield f"promotion:{uid}:list", ids
    return ids


def pitching_records(ctx: Context, uid: str, tracks: list[str], videos: list[str], force: bool,
                     coin_tx: list[dict[str, Any]], payments: list[dict[str, Any]]) -> RecordGen:
    ids: list[str] = []
    count = (ctx.rng.choice((0, 0, 1, 1, 2, 3)) or (1 if force else 0)) if tracks or videos else 0
    for n in range(count):
        sid = new_id(ctx)
        ids.append(sid)
        status = "pending" if force and n == 0 else weighted(ctx, (("accepted", 0.25), ("rejected", 0.4),
                                                                    ("pending", 0.35)))
        created = pending_created_at(ctx, "pitching") if status == "pending" else hours_ago(ctx, 24, 24 * 330)
        content_type = "video" if videos and (not tracks or ctx.rng.random() < 0.2) else "track"
        target_type, target_name = ctx.rng.choice(TARGETS)
        decided = status != "pending"
        yield f"pitching:{uid}:{sid}", {
            "id": sid, "user_id": uid, "content_type": content_type,
            "content_id": ctx.rng.choice(videos if content_type == "video" else tracks), "target_type": target_type,
            "target_name": target_name, "message": "Здравствуйте! Предлагаем наш новый релиз для ротации 🎧",
            "status": status,
            "response": ({"accepted": "Берём в ротацию, спасибо!", "rejected": "К сожалению, не подходит формату."}
                         [status] if decided else None),
            "responded_at": ts(later(ctx, created, 24, 24 * 14)) if decided else None, "created_at": ts(created),
        }
        pay_for_promotion(ctx, uid, "pitching", sid, rubles(ctx, 150, 400, 50), created,
                          f"Питчинг: {target_name}", status == "rejected", coin_tx, payments)
    if ids:
        yield f"pitching:{uid}:list", ids
    return ids


# ---------------------------------------------------------------------------------------------- money
def donation(ctx: Context, uid: str, created: datetime, amount: int, donor_name: str | None,
             donor_email: str | None, donor_user_id: str | None, payments: list[dict[str, Any]]) -> Record:
    """One planted donation to ``uid``; its donation_received payment goes to ``payments`` (the caller's list,
    added to the artist's payments only when the plant is applied)."""
    did = new_id(ctx)
    method, provider = payment_route(ctx)
    pay = payment(ctx, uid, "donation_received", amount, created, f"Донат от {donor_name or 'анонима'}",
                  {"donation_id": did}, "completed", route=(method, provider))
    payments.append(pay)
    return f"donations:{uid}:{did}", {
        "id": did, "artist_id": uid, "donor_name": donor_name, "donor_email": donor_email,
        "donor_user_id": donor_user_id, "amount": amount, "currency": "RUB", "message": None,
        "is_anonymous": False, "status": "completed", "payment_method": method, "transaction_id": pay["id"],
        "created_at": ts(created)}


def planted_donations(ctx: Context, uid: str, index: int, artist: tuple[str, str],
                      payments: list[dict[str, Any]]) -> list[Record]:
    """A donation burst and a self-donation, when this artist is planted (see the module docstring)."""
    records: list[Record] = []
    if plant_now(ctx, "donation_burst", index):
        with planting(ctx):
            variant = ctx.planted["donation_burst"] % 3
            fan = ctx.rng.randrange(len(ctx.fan_ids))
            name = ctx.fan_names[fan]
            email = f"{translit(name)}{ctx.rng.randrange(100)}@{ctx.rng.choice(EMAIL_DOMAINS)}"
            second = person_name(ctx)
            at = hours_ago(ctx, 48, 24 * 300)
            burst = []
            burst_payments: list[dict[str, Any]] = []
            for n in range(ctx.rng.randint(6, 9)):
                at += timedelta(seconds=ctx.rng.randint(60, 300))
                if variant == 0:  # a registered fan
                    donor = (name, email, ctx.fan_ids[fan])
                elif variant == 1:  # one e-mail, the name typed differently each time
                    donor = (name.upper() if n % 2 else name, email, None)
                else:  # two people, by name only
                    donor = (name if n % 2 else second, None, None)
                burst.append(donation(ctx, uid, at, ctx.rng.choice((100, 150, 200)), *donor, burst_payments))
        if record_plant(ctx, "donation_burst", {"artist_id": uid, "donation_ids": [r[1]["id"] for r in burst],
                                                "matched_by": ("user_id", "email", "name")[variant]}):
            records += burst
            payments.extend(burst_payments)
    if plant_now(ctx, "self_donation", index):
        with planting(ctx):
            name, email = artist
            variant = ctx.planted["self_donation"] % 3
            if variant == 2 and " " not in name.strip():  # a one-word name proves nothing: match by e-mail
                variant = 1
            donor = ((None, None, uid), (None, email, None), (name, None, None))[variant]
            gift_payment: list[dict[str, Any]] = []
            gift = donation(ctx, uid, hours_ago(ctx, 24, 24 * 300), ctx.rng.choice((500, 1000, 5000)), *donor,
                            gift_payment)
        if record_plant(ctx, "self_donation", {"artist_id": uid, "donation_id": gift[1]["id"],
                                               "matched_by": ("user_id", "email", "name")[variant]}):
            records.append(gift)
            payments.extend(gift_payment)
    return records


def donation_records(ctx: Context, uid: str, city: str, popularity: float,
                     payments: list[dict[str, Any]], index: int = -1,
                     artist: tuple[str, str] = ("", "")) -> RecordGen:
    """Donations to the artist; each also lands as a donation_received payment carrying its donation_id."""
    ids: list[str] = []
    count = min(60, int(ctx.rng.expovariate(1 / (3 + 4 * popularity))))
    for _ in range(count):
        did = new_id(ctx)
        ids.append(did)
        created = hours_ago(ctx, 0.5, 24 * 364)
        anonymous = ctx.rng.random() < 0.2
        registered = not anonymous and ctx.rng.random() < 0.6
        fan = ctx.rng.randrange(len(ctx.fan_ids))
        donor_name = None if anonymous else (ctx.fan_names[fan] if registered else person_name(ctx))
        status = weighted(ctx, (("completed", 0.92), ("refunded", 0.04), ("pending", 0.04)))
        method, provider = payment_route(ctx)
        amount = ctx.rng.choice((100, 150, 200, 300, 500, 500, 1000, 1000, 2000, 3000, 5000, 10000))
        message = ctx.rng.choice(DONATION_MESSAGES).format(city=city) if ctx.rng.random() < 0.7 else None
        pay = payment(ctx, uid, "donation_received", amount, created, f"Донат от {donor_name or 'анонима'}",
                      {"donation_id": did}, status, route=(method, provider))
        payments.append(pay)
        yield f"donations:{uid}:{did}", {
            "id": did, "artist_id": uid, "donor_name": donor_name,
            "donor_email": f"{translit(donor_name)}{ctx.rng.randrange(100)}@{ctx.rng.choice(EMAIL_DOMAINS)}"
            if donor_name else None,
            "donor_user_id": ctx.fan_ids[fan] if registered else None, "amount": amount, "currency": "RUB",
            "message": message, "is_anonymous": anonymous, "status": status, "payment_method": method,
            "transaction_id": pay["id"], "created_at": ts(created),
        }
    for key, value in planted_donations(ctx, uid, index, artist, payments):
        ids.append(value["id"])
        yield key, value
    if ids:
        yield f"donations:{uid}:list", ids
    return ids


def planted_coins(ctx: Context, uid: str, index: int, payments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Coin farming (earnings minutes apart; returned) and a refund cluster (refunded coin purchases, added to
    ``payments``), when this artist is planted."""
    farmed: list[dict[str, Any]] = []
    if plant_now(ctx, "coin_farming", index):
        with planting(ctx):
            at = hours_ago(ctx, 48, 24 * 300)
            run = []
            for _ in range(ctx.rng.randint(12, 20)):
                at += timedelta(seconds=ctx.rng.randint(40, 240))
                run.append({"id": new_id(ctx), "user_id": uid, "amount": 10, "type": "earn",
                            "description": "Награда за прослушивание 🎧", "related_entity_type": None,
                            "related_entity_id": None, "created_at": ts(at)})
        if record_plant(ctx, "coin_farming", {"user_id": uid, "transaction_ids": [e["id"] for e in run]}):
            farmed = run
    if plant_now(ctx, "refund_cluster", index):
        with planting(ctx):
            at = hours_ago(ctx, 24 * 10, 24 * 300)
            refunds = []
            for _ in range(ctx.rng.randint(3, 4)):
                at += timedelta(hours=ctx.rng.randint(2, 40))
                coins, rub = ctx.rng.choice(COIN_PACKS[1:])
                refunds.append(payment(ctx, uid, "coin_purchase", rub, at, f"Покупка {coins} коинов",
                                       {"coins": coins, "coin_transaction_id": None}, "refunded"))
        if record_plant(ctx, "refund_cluster", {"user_id": uid, "payment_ids": [p["id"] for p in refunds]}):
            payments.extend(refunds)
    return farmed


def coin_records(ctx: Context, uid: str, joined: datetime, coin_tx: list[dict[str, Any]],
                 payments: list[dict[str, Any]], force_drift: bool, index: int = -1) -> Iterator[Record]:
    """The coin ledger: spends and refunds from the promotion streams, plus purchases that keep it solvent."""
    events = list(coin_tx)
    for _ in range(ctx.rng.choice((0, 0, 1, 2))):
        at = hours_ago(ctx, 24, 24 * 360)
        events.append(coin_spend(ctx, uid, rubles(ctx, 100, 300, 50), "boost", uid, at, "Буст профиля 🚀"))
    events.append({"id": new_id(ctx), "user_id": uid, "amount": 50, "type": "earn",
                   "description": "Бонус за регистрацию 🎁", "related_entity_type": None, "related_entity_id": None,
                   "created_at": ts(max(joined, ctx.snapshot_at - timedelta(days=HISTORY_DAYS + 300)))})
    events.sort(key=lambda e: e["created_at"])
    ledger: list[dict[str, Any]] = []
    balance = 0
    for event in events:
        if balance + event["amount"] < 0:
            at = datetime.fromisoformat(event["created_at"]) - timedelta(minutes=ctx.rng.randint(5, 600))
            ledger.append(coin_purchase(ctx, uid, -event["amount"] - balance, at, payments))
            balance += ledger[-1]["amount"]
        ledger.append(event)
        balance += event["amount"]
    for _ in range(ctx.rng.choice((0, 0, 1))):  # purchases that failed or are still pending: money only
        coin_purchase(ctx, uid, 100, hours_ago(ctx, 1, 24 * 300), payments, ctx.rng.choice(("failed", "pending")))
    farmed = planted_coins(ctx, uid, index, payments)
    if farmed:
        ledger = sorted(ledger + farmed, key=lambda e: e["created_at"])
        balance += sum(e["amount"] for e in farmed)
    if not ledger:
        return
    earned = sum(e["amount"] for e in ledger if e["amount"] > 0)
    spent = -sum(e["amount"] for e in ledger if e["amount"] < 0)
    reported = balance
    if force_drift or ctx.rng.random() < 0.03:
        drifted = balance + ctx.rng.choice((-1, 1)) * ctx.rng.randint(10, 500)
        if not ctx.clean:
            reported = drifted
            ctx.drift["coin_balance_drift"].append({"user_id": uid, "balance": reported, "tx_sum": balance})
    yield f"coins:{uid}:balance", {"user_id": uid, "balance": reported, "lifetime_earned": earned,
                                   "lifetime_spent": spent, "updated_at": max(e["created_at"] for e in ledger)}
    yield f"coins:{uid}:transactions", ledger


def coin_purchase(ctx: Context, uid: str, needed: int, at: datetime, payments: list[dict[str, Any]],
                  status: str = "completed") -> dict[str, Any]:
    """Buy the smallest pack covering `needed` (several of the biggest if need be); returns the coin transaction."""
    coins, rub = next(((c, r) for c, r in COIN_PACKS if c >= needed), COIN_PACKS[-1])
    packs = max(1, math.ceil(needed / coins))
    tx_id = new_id(ctx)
    payments.append(payment(ctx, uid, "coin_purchase", rub * packs, at, f"Покупка {coins * packs} коинов",
                            {"coins": coins * packs, "coin_transaction_id": tx_id if status == "completed" else None},
                            status, foreign_share=0.05))
    return {"id": tx_id, "user_id": uid, "amount": coins * packs, "type": "purchase",
            "description": f"Покупка {coins * packs} коинов", "related_entity_type": "payment",
            "related_entity_id": payments[-1]["id"], "created_at": ts(at)}


# -------------------------------------------------------------------------------------- communication
def notification_records(ctx: Context, uid: str, force_drift: bool) -> Iterator[Record]:
    items = []
    for _ in range(ctx.rng.randint(0, 18)):
        kind, title = ctx.rng.choice(NOTIFICATION_KINDS)
        created = hours_ago(ctx, 0.2, 24 * 120)
        read = ctx.rng.random() < min(0.95, (ctx.snapshot_at - created).days / 14)
        items.append({
            "id": new_id(ctx), "user_id": uid, "type": kind, "title": title,
            "content": "Откройте, чтобы посмотреть подробности", "link": f"/dashboard/{kind}", "is_read": read,
            "read_at": ts(later(ctx, created, 0.1, 48)) if read else None, "metadata": {"source": kind},
            "created_at": ts(created),
        })
    if not items:
        return
    items.sort(key=lambda n: n["created_at"], reverse=True)
    unread = sum(1 for n in items if not n["is_read"])
    counter = unread
    if force_drift or ctx.rng.random() < 0.03:
        drifted = unread + ctx.rng.randint(1, 5) if unread == 0 or ctx.rng.random() < 0.6 else unread - 1
        if not ctx.clean:
            counter = drifted
            ctx.drift["unread_drift"].append({"user_id": uid, "counter": counter, "actual": unread})
    yield f"notifications:{uid}:list", items
    yield f"notifications:{uid}:unread", counter


def email_records(ctx: Context, uid: str, email: str, joined: datetime) -> Iterator[Record]:
    subs = []
    for category in ("news", "updates", "marketing"):
        subscribed = ctx.rng.random() < 0.8
        subs.append({"id": new_id(ctx), "user_id": uid, "email": email, "category": category,
                     "is_subscribed": subscribed, "subscribed_at": ts(joined),
                     "unsubscribed_at": None if subscribed else ts(later(ctx, joined, 24, 24 * 300))})
    yield f"email:{uid}:subscriptions", subs
    history = []
    for _ in range(ctx.rng.randint(0, 10)):
        template, subject = ctx.rng.choice(EMAIL_TEMPLATES)
        created = hours_ago(ctx, 1, 24 * 360)
        status = weighted(ctx, (("sent", 0.9), ("failed", 0.03), ("bounced", 0.04), ("pending", 0.03)))
        sent = status in ("sent", "bounced")
        opened = status == "sent" and ctx.rng.random() < 0.45
        clicked = opened and ctx.rng.random() < 0.3
        history.append({
            "id": new_id(ctx), "user_id": uid, "recipient_email": email, "subject": subject,
            "template_name": template, "status": status, "opened": opened,
            "opened_at": ts(later(ctx, created, 0.1, 48)) if opened else None, "clicked": clicked,
            "clicked_at": ts(later(ctx, created, 0.2, 60)) if clicked else None,
            "sent_at": ts(later(ctx, created, 0, 0.1)) if sent else None, "created_at": ts(created),
        })
    if history:
        history.sort(key=lambda h: h["created_at"])
        yield f"email:{uid}:history", history


def ticket_records(ctx: Context, uid: str) -> Iterator[Record]:
    ids = []
    for _ in range(ctx.rng.choice((0, 0, 0, 0, 1, 1, 2))):
        tid = new_id(ctx)
        ids.append(tid)
        category, subject = ctx.rng.choice(TICKET_SUBJECTS)
        created = hours_ago(ctx, 1, 24 * 300)
        status = weighted(ctx, (("open", 0.2), ("in_progress", 0.15), ("resolved", 0.45), ("closed", 0.2)))
        staff = ctx.rng.choice(ctx.staff_ids) if status != "open" else None
        messages = [{"user_id": uid, "message": f"{subject}. Помогите, пожалуйста 🙏", "created_at": ts(created)}]
        if staff:
            messages.append({"user_id": staff, "message": "Здравствуйте! Уже разбираемся, ответим в течение дня.",
                             "created_at": ts(later(ctx, created, 0.2, 20))})
        resolved = later(ctx, created, 2, 24 * 5) if status in ("resolved", "closed") else None
        yield f"tickets:{tid}:details", {
            "id": tid, "user_id": uid, "subject": subject, "description": f"{subject}. Подробности во вложении.",
            "category": category, "priority": weighted(ctx, (("low", 0.2), ("normal", 0.55), ("high", 0.2),
                                                            ("urgent", 0.05))),
            "status": status, "assigned_to": staff, "messages": messages, "created_at": ts(created),
            "updated_at": messages[-1]["created_at"], "resolved_at": ts(resolved),
        }
    if ids:
        yield f"tickets:{uid}:list", ids


def conversation_records(ctx: Context, uid: str) -> Iterator[Record]:
    """Chats between the artist (participant 1) and fans; the fans' own lists are written with the fans."""
    ids = []
    for _ in range(ctx.rng.choice((0, 0, 1, 1, 2, 3))):
        cid = new_id(ctx)
        fan = ctx.rng.choice(ctx.fan_ids)
        ids.append(cid)
        ctx.fan_conversations.setdefault(fan, []).append(cid)
        at = hours_ago(ctx, 24, 24 * 200)
        messages = []
        for n in range(ctx.rng.randint(1, 12)):
            sender, recipient = (fan, uid) if n % 2 == 0 else (uid, fan)
            read = ctx.rng.random() < 0.8
            messages.append({"id": new_id(ctx), "conversation_id": cid, "sender_id": sender,
                             "recipient_id": recipient, "content": ctx.rng.choice(MESSAGE_LINES),
                             "attachments": None, "is_read": read, "read_at": ts(later(ctx, at, 0.1, 5)) if read
                             else None, "created_at": ts(at)})
            at = later(ctx, at, 0.05, 30)
        yield f"messages:{cid}:list", messages
        yield f"conversations:{cid}:details", {
            "id": cid, "participant_1_id": uid, "participant_2_id": fan, "last_message": messages[-1]["content"],
            "last_message_at": messages[-1]["created_at"],
            "unread_count_p1": sum(1 for m in messages if m["recipient_id"] == uid and not m["is_read"]),
            "unread_count_p2": sum(1 for m in messages if m["recipient_id"] == fan and not m["is_read"]),
            "created_at": messages[0]["created_at"], "updated_at": messages[-1]["created_at"],
        }
    if ids:
        yield f"messages:{uid}:conversations", ids
        yield f"conversations:{uid}:list", ids


# -------------------------------------------------------------------------------------------- users
def artist_records(ctx: Context, index: int) -> Iterator[Record]:
    uid = ctx.artist_ids[index]
    name = artist_pseudonym(ctx)
    city = ctx.rng.choice(CITIES)
    joined = hours_ago(ctx, 24 * 40, 24 * 1400)
    popularity = math.exp(ctx.rng.gauss(0.2, 1.0))
    force = index < 3
    payments: list[dict[str, Any]] = []
    coin_tx: list[dict[str, Any]] = []
    base: list[Record] = list(user_records(ctx, uid, "artist", name, joined, index, city))
    yield from base
    yield subscription_record(ctx, uid, "artist", joined, payments)
    tracks = yield from track_records(ctx, uid, name, joined, popularity, force, force_dangling=index == 1,
                                      index=index)
    videos = yield from video_records(ctx, uid, force)
    concerts = yield from concert_records(ctx, uid, name, city, popularity, force)
    yield from news_records(ctx, uid, city, force)
    yield from banner_records(ctx, uid, city, force, coin_tx, payments)
    yield from campaign_records(ctx, uid, tracks, concerts, force, coin_tx, payments)
    yield from pitching_records(ctx, uid, tracks, videos, force, coin_tx, payments)
    yield from donation_records(ctx, uid, city, popularity, payments, index, (name, base[0][1]["email"]))
    yield from coin_records(ctx, uid, joined, coin_tx, payments, force_drift=index == 0, index=index)
    yield from payment_records(ctx, uid, joined, payments)
    yield from notification_records(ctx, uid, force_drift=index == 2)
    yield from email_records(ctx, uid, base[0][1]["email"], joined)
    yield from ticket_records(ctx, uid)
    yield from conversation_records(ctx, uid)


def payment_records(ctx: Context, uid: str, joined: datetime, payments: list[dict[str, Any]]) -> Iterator[Record]:
    if payments:
        payments.sort(key=lambda p: p["created_at"])
        yield f"payments:{uid}:transactions", payments
        yield payment_methods_record(ctx, uid, joined)


def fan_records(ctx: Context, index: int) -> Iterator[Record]:
    uid = ctx.fan_ids[index]
    joined = hours_ago(ctx, 24 * 10, 24 * 1000)
    payments: list[dict[str, Any]] = []
    base = list(user_records(ctx, uid, "fan", ctx.fan_names[index], joined, 100_000 + index, ctx.rng.choice(CITIES)))
    yield from base
    yield subscription_record(ctx, uid, "fan", joined, payments)
    yield from payment_records(ctx, uid, joined, payments)
    yield from notification_records(ctx, uid, force_drift=False)
    yield from email_records(ctx, uid, base[0][1]["email"], joined)
    yield from ticket_records(ctx, uid)
    conversations = ctx.fan_conversations.pop(uid, [])
    if conversations:
        yield f"messages:{uid}:conversations", conversations
        yield f"conversations:{uid}:list", conversations


def staff_records(ctx: Context, index: int) -> Iterator[Record]:
    uid = ctx.staff_ids[index]
    joined = hours_ago(ctx, 24 * 400, 24 * 1500)
    role = ("admin", "moderator", "support")[index % 3] if index < 3 else ctx.rng.choice(("moderator", "support"))
    base = list(user_records(ctx, uid, role, person_name(ctx), joined, 200_000 + index, "Москва"))
    yield from base
    yield subscription_record(ctx, uid, "staff", joined, [])
    yield from notification_records(ctx, uid, force_drift=False)


def public_list_records(ctx: Context) -> Iterator[Record]:
    yield "concerts:public:promoted", ctx.promoted_concerts
    yield "news:public:promoted", ctx.promoted_news
    yield id_list(ctx, "banners:active:list", ctx.active_banners, dangling=True)


def iter_snapshot(ctx: Context, target_keys: int) -> Iterator[Record]:
    """Every record of the snapshot, user by user; nothing but small tallies is kept across users.

    Artists are added until the key budget left for fans, staff and the public lists is spent, so the total
    lands close to `target_keys` whatever the heavy-tailed analytics volume of individual artists.
    """
    artist_budget = target_keys - len(ctx.fan_ids) * KEYS_PER_FAN - len(ctx.staff_ids) * KEYS_PER_STAFF - 3
    emitted = 0
    while len(ctx.artist_ids) < MIN_ARTISTS or emitted < artist_budget:
        ctx.artist_ids.append(new_id(ctx))
        for record in artist_records(ctx, len(ctx.artist_ids) - 1):
            emitted += 1
            yield record
    for index in range(len(ctx.fan_ids)):
        yield from fan_records(ctx, index)
    for index in range(len(ctx.staff_ids)):
        yield from staff_records(ctx, index)
    yield from public_list_records(ctx)


# ------------------------------------------------------------------------------------------------ writers
def snapshot_format(out: Path) -> tuple[str, bool]:
    """(format, gzipped) from the file name."""
    suffixes = [s.lower() for s in out.suffixes]
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    if gzipped:
        suffixes = suffixes[:-1]
    fmt = suffixes[-1].lstrip(".") if suffixes else ""
    if fmt not in ("ndjson", "json", "csv", "parquet"):
        raise ValueError(f"{out}: unknown snapshot format; use .ndjson, .json, .csv or .parquet (optionally .gz)")
    return fmt, gzipped


@contextmanager
def open_binary(out: Path, gzipped: bool) -> Iterator[IO[bytes]]:
    """The output file, or a gzip stream into it with a fixed header (no name, mtime 0) for identical bytes."""
    with open(out, "wb") as raw:
        if not gzipped:
            yield raw
            return
        with gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=raw, mtime=0) as packed:
            yield packed


@contextmanager
def open_text(out: Path, gzipped: bool) -> Iterator[IO[str]]:
    with open_binary(out, gzipped) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        try:
            yield text
        finally:
            text.flush()
            text.detach()


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encoded(records: Iterable[Record]) -> Iterator[list[tuple[str, str]]]:
    """Batches of (key, value as JSON text)."""
    batch: list[tuple[str, str]] = []
    for key, value in records:
        batch.append((key, _encode(value)))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def ndjson_line(key: str, value_json: str) -> str:
    return f'{{"key":{_encode(key)},"value":{value_json}}}'


def write_ndjson(out: Path, records: Iterable[Record], gzipped: bool) -> None:
    with open_text(out, gzipped) as fh:
        for batch in encoded(records):
            fh.write("".join(ndjson_line(k, v) + "\n" for k, v in batch))


def write_json_array(out: Path, records: Iterable[Record], gzipped: bool) -> None:
    with open_text(out, gzipped) as fh:
        fh.write("[")
        separator = "\n"
        for batch in encoded(records):
            fh.write(separator + ",\n".join(ndjson_line(k, v) for k, v in batch))
            separator = ",\n"
        fh.write("\n]\n")


def write_csv(out: Path, records: Iterable[Record], gzipped: bool) -> None:
    with open_text(out, gzipped) as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("key", "value"))
        for batch in encoded(records):
            writer.writerows(batch)


def write_parquet(out: Path, records: Iterable[Record], gzipped: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("key", pa.string()), ("value", pa.string())])
    target = out
    if gzipped:
        fd, name = tempfile.mkstemp(suffix=".parquet", dir=out.parent)
        os.close(fd)
        target = Path(name)
    try:
        with pq.ParquetWriter(target, schema, compression="zstd") as writer:
            keys: list[str] = []
            values: list[str] = []
            for batch in encoded(records):
                for key, value in batch:
                    keys.append(key)
                    values.append(value)
                if len(keys) >= PARQUET_ROW_GROUP:
                    writer.write_table(pa.table({"key": keys, "value": values}, schema=schema))
                    keys, values = [], []
            if keys:
                writer.write_table(pa.table({"key": keys, "value": values}, schema=schema))
        if gzipped:
            with open(target, "rb") as src, open_binary(out, True) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    finally:
        if gzipped:
            target.unlink(missing_ok=True)


WRITERS: dict[str, Callable[[Path, Iterable[Record], bool], None]] = {
    "ndjson": write_ndjson, "json": write_json_array, "csv": write_csv, "parquet": write_parquet}


def counted(records: Iterable[Record], counts: Counter[str]) -> Iterator[Record]:
    for record in records:
        counts[record[0].split(":", 1)[0]] += 1
        yield record


# ----------------------------------------------------------------------------------------------- entry point
def build_manifest(ctx: Context, scale: str, seed: int, out: Path, fmt: str, gzipped: bool,
                   counts: Counter[str]) -> dict[str, Any]:
    return {
        "generator": "dashboard.demo", "layout": "seed", "scale": scale, "seed": seed, "clean": ctx.clean,
        "as_of": ctx.as_of.isoformat(), "snapshot_at": ts(ctx.snapshot_at),
        "history": {"first_date": ctx.days[0], "last_date": ctx.days[-1]},
        "file": out.name, "format": fmt, "gzip": gzipped, "total_keys": sum(counts.values()),
        "keys_by_prefix": dict(sorted(counts.items())),
        "users": {"artists": len(ctx.artist_ids), "fans": len(ctx.fan_ids), "staff": len(ctx.staff_ids)},
        "pending": {entity: ctx.pending[entity] for entity in PENDING_ENTITIES},
        "pending_by_age": {entity: {band: ctx.pending_by_age.get(entity, Counter())[band] for band in AGE_BAND_NAMES}
                           for entity in PENDING_ENTITIES},
        "pending_status": {entity: "pending" for entity in PENDING_ENTITIES},
        "promoted": {"concerts": len(ctx.promoted_concerts), "news": len(ctx.promoted_news),
                     "active_banners": len(ctx.active_banners)},
        "inconsistencies": ctx.drift,
        "anomalies": ctx.anomalies,
    }


def write_demo_snapshot(out: Path, scale: str = "small", seed: int = 42, as_of: date | None = None,
                        clean: bool = False) -> dict:
    """Write the snapshot to `out`; format chosen by extension: .ndjson, .json (one JSON array), .csv (header
    key,value; value is JSON text), .parquet (columns key TEXT, value TEXT holding JSON); any of these + .gz is
    gzip-compressed (for parquet: a gzip of the parquet file). Also writes `<out>.manifest.json`. Returns the
    manifest dict. ``clean`` plants no inconsistencies (see the module docstring)."""
    out = Path(out)
    fmt, gzipped = snapshot_format(out)
    ctx = build_context(scale, seed, as_of or moscow_today(), clean)
    out.parent.mkdir(parents=True, exist_ok=True)
    counts: Counter[str] = Counter()
    WRITERS[fmt](out, counted(iter_snapshot(ctx, SCALES[scale]), counts), gzipped)
    manifest = build_manifest(ctx, scale, seed, out, fmt, gzipped, counts)
    Path(f"{out}.manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                            encoding="utf-8")
    return manifest
